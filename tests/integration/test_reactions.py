"""Reactions on the outbox: handlers registered by kind, once per event; failing reactions back off,
are dead-lettered after MAX_ATTEMPTS, listed and replayed by operators (with an alarm metric)."""
from __future__ import annotations

from datetime import datetime
from unittest import mock

import pytest

from chalicelib.domain.reactions import MAX_ATTEMPTS, backoff
from chalicelib.notify.email import RecordingEmailSender
from chalicelib.notify.push import RecordingPushSender
from chalicelib.services import reactions
from chalicelib.store import outbox as outbox_store
from tests.integration.conftest import uid
from tests.integration.outbox import pending_ids, stage_event

DANA, BOB, OLGA = "dana", "bob", "olga"


class Counting:
    """A reaction that records every event it saw; fails while ``failing`` is set."""

    def __init__(self, failing: bool = False) -> None:
        self.seen: list[str] = []
        self.failing = failing

    def __call__(self, event, context):
        if self.failing:
            raise RuntimeError("the metrics store is down")
        self.seen.append(event.id)


@pytest.fixture
def senders():
    return RecordingEmailSender(), RecordingPushSender()


def registry(senders, extra: Counting, pattern: str = "order.*") -> reactions.Reactions:
    email, push = senders
    return reactions.default_reactions(email=email, push=push).on(pattern, "seller_metrics", extra)


def run(registry_, clock):
    return reactions.dispatch(registry_, clock)


# --- a second reaction, added without touching the order service ---------------------------------
def test_a_second_reaction_on_order_events_runs_once_per_event_however_often_dispatched(api, clock, senders):
    metrics = Counting()
    events = [stage_event(uid(DANA), kind=kind) for kind in ("order.placed", "order.delivered")]
    other = stage_event(uid(DANA), kind="conversation.message")
    r = registry(senders, metrics)

    first = run(r, clock)
    second = run(r, clock)

    assert first.dispatched == 3 and second.dispatched == 0
    assert sorted(metrics.seen) == sorted(e.id for e in events)  # not the conversation's event
    assert other.id not in metrics.seen
    # Notifications still went out, once each.
    assert first.feed_entries == 3 and len(senders[1].sent) == 3
    for event in events:
        assert outbox_store.reaction_state(event.id, "seller_metrics") is outbox_store.ReactionState.DONE
    assert pending_ids() == []


def test_a_redelivered_event_does_not_run_a_reaction_that_already_succeeded(api, clock, senders):
    """The event stays in the outbox (leaving it failed): the reaction that ran does not run again."""
    metrics = Counting()
    event = stage_event(uid(DANA))
    r = registry(senders, metrics)
    with mock.patch.object(outbox_store, "mark_dispatched", side_effect=RuntimeError("killed")):
        assert run(r, clock).failed == 1
    assert pending_ids() == [event.id] and metrics.seen == [event.id]

    assert run(r, clock).dispatched == 1
    assert metrics.seen == [event.id] and len(senders[1].sent) == 1


def test_the_registry_is_explicit():
    r = (reactions.Reactions().on("order.*", "a", Counting()).on("*", "b", Counting())
         .on("order.placed", "c", Counting()))
    assert [x.name for x in r.handlers_for("order.placed")] == ["a", "b", "c"]
    assert [x.name for x in r.handlers_for("orders.placed")] == ["b"]
    with pytest.raises(ValueError):
        r.on("file.*", "a", Counting())
    # Importing the app registers nothing anywhere: the default registry is built on demand.
    assert reactions.default_reactions().names == ["notifications", "invitation_email", "buyer_requests", "reviews",
                                                   "account_identity", "coupons", "metrics", "metrics_messages"]


# --- backoff, cap, dead letter, replay ------------------------------------------------------------
def dead_letters(api, user=OLGA, **query):
    qs = "&".join(f"{k}={v}" for k, v in query.items())
    return api.op("GET", f"/operator/dead-letters{'?' + qs if qs else ''}", user)


def test_a_reaction_that_keeps_failing_backs_off_then_is_dead_lettered_listed_and_replayed(api, clock, senders):
    metrics = Counting(failing=True)
    event = stage_event(uid(DANA))
    bystander = stage_event(uid(BOB), kind="conversation.message")  # no seller_metrics here
    r = registry(senders, metrics)

    first = run(r, clock)
    assert (first.failed, first.dispatched) == (1, 1)  # the other event is not held up
    assert bystander.id not in pending_ids()
    for attempt in range(1, MAX_ATTEMPTS):
        # Not retried before its next attempt time (the first retry is at once).
        wait = backoff(attempt)
        if wait:
            clock.advance(seconds=wait.total_seconds() - 1)
            early = run(r, clock)
            assert (early.failed, early.dispatched, early.deferred) == (0, 0, 0)
            clock.advance(seconds=1)
        report = run(r, clock)
        assert report.failed == 1, attempt
        assert report.dead_lettered == (1 if attempt + 1 == MAX_ATTEMPTS else 0)
        status = outbox_store.status_of(outbox_store.dead_letter(event.id).item if report.dead_lettered
                                        else next(rec.item for rec in _pending_records() if rec.value.id == event.id))
        assert status.attempts == attempt + 1 and status.failed_handlers == ("seller_metrics",)

    # Dead: out of the outbox, never tried again, but kept and listed.
    assert pending_ids() == []
    clock.advance(days=1)
    assert run(r, clock).failed == 0
    listed = dead_letters(api)
    assert listed.status_code == 200, listed.json
    [item] = listed.json["items"]
    assert item["event_id"] == event.id and item["kind"] == "order.placed" and item["attempts"] == MAX_ATTEMPTS
    assert item["failed_handlers"] == ["seller_metrics"] and "metrics store is down" in item["last_error"]
    assert item["dead_lettered_at"] and item["replays"] == [] and listed.json["next_cursor"] is None
    assert "data" not in item
    # Notifications succeeded on the first attempt and were not repeated by the retries.
    assert len(senders[1].sent) == 2 and metrics.seen == []

    # The handler is fixed; an operator replays the event.
    metrics.failing = False
    replayed = api.op("POST", f"/operator/dead-letters/{event.id}/replay", OLGA)
    assert replayed.status_code == 200, replayed.json
    assert replayed.json["attempts"] == 0 and replayed.json["dead_lettered_at"] is None
    [replay] = replayed.json["replays"]
    assert replay["by"] == uid(OLGA) and datetime.fromisoformat(replay["at"].replace("Z", "+00:00")) == clock.now()
    assert dead_letters(api).json["items"] == [] and pending_ids() == [event.id]

    done = run(r, clock)
    assert done.dispatched == 1 and metrics.seen == [event.id]
    assert len(senders[1].sent) == 2  # notifications had succeeded: not sent again
    assert run(r, clock).dispatched == 0 and metrics.seen == [event.id] and pending_ids() == []
    # The replay (who, when) stays on the event.
    record = outbox_store.status_of(_event_item(event))
    assert [(x.by, x.at) for x in record.replays] == [(uid(OLGA), clock.now())]
    # Replaying what is no dead letter (any more) is a 404.
    again = api.op("POST", f"/operator/dead-letters/{event.id}/replay", OLGA)
    assert again.status_code == 404 and again.json["code"] == "dead_letter_not_found"


def _pending_records():
    from chalicelib.config import settings
    from chalicelib.store import events as event_store

    return [r for shard in range(settings().due_shards) for r in event_store.pending(shard, 100)]


def _event_item(event):
    from chalicelib.store import events as event_store
    from chalicelib.store.models import EventItem

    item = event_store.to_item(event)
    return EventItem.get(item.pk, item.sk, consistent_read=True)


def _dead_letter(clock, senders, *recipients):
    """An event whose extra reaction failed MAX_ATTEMPTS times."""
    event = stage_event(*recipients)
    r = registry(senders, Counting(failing=True))
    for attempt in range(1, MAX_ATTEMPTS + 1):
        run(r, clock)
        clock.advance(seconds=backoff(attempt).total_seconds())
    assert outbox_store.dead_letter(event.id) is not None
    return event


def test_dead_letters_are_paginated_newest_first(api, clock, senders):
    first = _dead_letter(clock, senders, uid(DANA))
    second = _dead_letter(clock, senders, uid(BOB))
    page = dead_letters(api, limit=1).json
    assert [i["event_id"] for i in page["items"]] == [second.id] and page["next_cursor"]
    rest = dead_letters(api, limit=1, cursor=page["next_cursor"]).json
    assert [i["event_id"] for i in rest["items"]] == [first.id]


def test_dead_letter_routes_are_for_operators_only(api, clock, senders):
    event = _dead_letter(clock, senders, uid(DANA))
    for user in (DANA, BOB):
        listed = api.get("/operator/dead-letters", user)
        assert listed.status_code == 403 and listed.json["code"] == "operators_only"
        replay = api.post(f"/operator/dead-letters/{event.id}/replay", user)
        assert replay.status_code == 403 and replay.json["code"] == "operators_only"
    assert api.get("/operator/dead-letters").status_code == 401
    assert outbox_store.dead_letter(event.id) is not None  # nobody but an operator moved it
    assert api.op("POST", "/operator/dead-letters/evt_unknown/replay", OLGA).status_code == 404


def test_the_schedule_reports_dead_letters_as_a_metric(api, clock, senders):
    from chalicelib.handlers.schedules import DEAD_LETTERED_METRIC, dispatch_notifications
    from tests.integration.test_notifications import SCHEDULED_EVENT, lambda_context

    event = stage_event(uid(DANA))
    failing = mock.patch("chalicelib.services.notifications.NotificationHandler.__call__",
                         side_effect=RuntimeError("SES is down"))
    values = []
    with failing, mock.patch("chalicelib.handlers.schedules.metrics") as metrics:
        for attempt in range(1, MAX_ATTEMPTS + 1):
            dispatch_notifications(SCHEDULED_EVENT, lambda_context(60_000))
            values.append({c.kwargs["name"]: c.kwargs["value"] for c in metrics.add_metric.call_args_list})
            metrics.reset_mock()
            clock.advance(seconds=backoff(attempt).total_seconds())
    assert [v[DEAD_LETTERED_METRIC] for v in values] == [0] * (MAX_ATTEMPTS - 1) + [1]
    assert all(v["Failed"] == 1 for v in values)
    assert outbox_store.dead_letter(event.id) is not None
