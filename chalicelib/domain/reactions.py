"""Reactions to outbox events, as pure policy: which handlers an event kind wakes, and what happens
to an event whose reactions keep failing (attempts, exponential backoff, a cap, the dead letter).

An event in the outbox carries an ``OutboxStatus``: how many dispatch attempts failed since it was
(re)queued, when it may be tried next, which handlers failed last and why, when it was given up
(dead-lettered), and every operator replay (who, when). The dispatcher asks ``after_failure`` and
stores the answer; the store keeps the outbox index keyed by ``next_attempt_at`` so an event is
never read before its time.

[decision] The first failure is retried at the next run (most failures are a moment's throttling,
and the schedule itself waits a minute); after that each wait doubles from BACKOFF_BASE up to
BACKOFF_MAX; the MAX_ATTEMPTS-th failure dead-letters the event (about two hours after its first
failure). A dead letter is kept, listed to operators and alarmed on; nothing is dropped."""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

MAX_ATTEMPTS = 8  # [decision] failed dispatch attempts before an event becomes a dead letter
BACKOFF_BASE = timedelta(minutes=2)  # [decision] the wait after the second failure
BACKOFF_MAX = timedelta(hours=1)  # [decision] no wait is longer
ERROR_MAX = 500  # characters of the last error kept on the event


def matches(pattern: str, kind: str) -> bool:
    """``order.placed`` matches itself; ``order.*`` every ``order.`` kind; ``*`` every kind."""
    if pattern == "*":
        return True
    if pattern.endswith(".*"):
        return kind.startswith(pattern[:-1])
    return pattern == kind


def backoff(failures: int) -> timedelta:
    """How long to wait after the ``failures``-th failed attempt (1-based): nothing after the
    first, then BACKOFF_BASE doubling each time, never more than BACKOFF_MAX."""
    if failures <= 1:
        return timedelta(0)
    wait: timedelta = BACKOFF_BASE * 2 ** (failures - 2)
    return min(wait, BACKOFF_MAX)


@dataclass(frozen=True)
class Replay:
    by: str  # the operator's user id
    at: datetime


@dataclass(frozen=True)
class OutboxStatus:
    attempts: int = 0  # failed attempts since the event was queued or last replayed
    next_attempt_at: datetime | None = None  # None: at once
    failed_handlers: tuple[str, ...] = ()  # the handlers that failed on the last attempt
    last_error: str | None = None
    last_failed_at: datetime | None = None
    dead_lettered_at: datetime | None = None
    replays: tuple[Replay, ...] = ()

    @property
    def dead(self) -> bool:
        return self.dead_lettered_at is not None

    def after_failure(self, now: datetime, handlers: tuple[str, ...], error: str) -> OutboxStatus:
        """One more failed attempt: wait the backoff, or give up at MAX_ATTEMPTS (dead letter)."""
        attempts = self.attempts + 1
        failed = replace(self, attempts=attempts, failed_handlers=tuple(handlers), last_error=error[:ERROR_MAX],
                         last_failed_at=now)
        if attempts >= MAX_ATTEMPTS:
            return replace(failed, next_attempt_at=None, dead_lettered_at=now)
        return replace(failed, next_attempt_at=now + backoff(attempts))

    def replayed(self, operator_id: str, now: datetime) -> OutboxStatus:
        """An operator puts a dead letter back: pending at once, attempts from zero, the replay
        recorded. The history of failures stays (last error, handlers) for the record."""
        return replace(self, attempts=0, next_attempt_at=None, dead_lettered_at=None,
                       replays=self.replays + (Replay(by=operator_id, at=now),))

    def due_at(self, queued_at: datetime) -> datetime:
        """When the dispatcher may take the event: its next attempt, or when it was queued."""
        return self.next_attempt_at or queued_at
