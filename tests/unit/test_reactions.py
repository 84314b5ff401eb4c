"""Reactions as pure policy: which handlers a kind wakes, backoff, the attempt cap, dead letter and
replay (domain/reactions.py; the clock is a FixedClock)."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.domain.clock import FixedClock
from chalicelib.domain.reactions import (
    BACKOFF_BASE,
    BACKOFF_MAX,
    MAX_ATTEMPTS,
    OutboxStatus,
    Replay,
    backoff,
    matches,
)

START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize("pattern,kind,expected", [
    ("order.placed", "order.placed", True),
    ("order.placed", "order.placed.again", False),
    ("order.*", "order.placed", True),
    ("order.*", "orders.placed", False),
    ("order.*", "order", False),
    ("*", "file.blocked", True),
])
def test_patterns_match_a_kind_a_prefix_or_everything(pattern, kind, expected):
    assert matches(pattern, kind) is expected


def test_backoff_is_at_once_then_doubles_up_to_the_cap():
    waits = [backoff(n) for n in range(1, 12)]
    assert waits[0] == timedelta(0)
    assert waits[1] == BACKOFF_BASE and waits[2] == 2 * BACKOFF_BASE and waits[3] == 4 * BACKOFF_BASE
    assert all(b >= a for a, b in zip(waits, waits[1:], strict=False))
    assert max(waits) == BACKOFF_MAX


def test_each_failure_waits_its_backoff_and_the_cap_makes_a_dead_letter():
    clock = FixedClock(START)
    status = OutboxStatus()
    for attempt in range(1, MAX_ATTEMPTS):
        status = status.after_failure(clock.now(), ("seller_metrics",), "boom")
        assert status.attempts == attempt and not status.dead
        assert status.next_attempt_at == clock.now() + backoff(attempt)
        assert status.due_at(START) == status.next_attempt_at
        clock.advance(seconds=backoff(attempt).total_seconds())
    dead = status.after_failure(clock.now(), ("seller_metrics",), "boom" * 1000)
    assert dead.dead and dead.attempts == MAX_ATTEMPTS and dead.dead_lettered_at == clock.now()
    assert dead.failed_handlers == ("seller_metrics",) and len(dead.last_error) == 500


def test_a_new_event_is_due_when_it_happened():
    assert OutboxStatus().due_at(START) == START and not OutboxStatus().dead


def test_replay_resets_the_attempts_and_records_who_and_when():
    clock = FixedClock(START)
    status = OutboxStatus()
    for _ in range(MAX_ATTEMPTS):
        status = status.after_failure(clock.now(), ("a",), "boom")
    clock.advance(days=2)
    replayed = status.replayed("u_olga", clock.now())
    assert not replayed.dead and replayed.attempts == 0 and replayed.next_attempt_at is None
    assert replayed.due_at(START) == START  # at once
    assert replayed.replays == (Replay(by="u_olga", at=clock.now()),)
    assert replayed.last_error == "boom"  # the record of what failed stays
    # Failing again after a replay starts the count from one.
    again = replayed.after_failure(clock.now(), ("a",), "boom")
    assert again.attempts == 1 and again.replays == replayed.replays
