"""The notification dispatcher (outbox → feed, SES, SNS; A3 preferences; at-least-once with
dedup) and the /me/notifications routes."""
from __future__ import annotations

import json
from unittest import mock

import pytest
from botocore.exceptions import ClientError

from chalicelib.domain.accounts import NotificationKind
from chalicelib.domain.notifications import Channel
from chalicelib.notify.email import RecordingEmailSender
from chalicelib.services import notifications
from chalicelib.store import events as event_store
from chalicelib.store import notifications as notification_store
from chalicelib.store import outbox as outbox_store
from tests.integration.conftest import uid
from tests.integration.outbox import pending_ids, sent_emails, sent_pushes, stage_event

DANA, BOB = "dana", "bob"


@pytest.fixture
def users(api):
    """dana and bob have profiles (and so their token's e-mail address on record)."""
    for name in (DANA, BOB):
        assert api.put("/me/preferences", name, body={"preferences": {"order_placed": {"push": True, "email": True}}}
                       ).status_code == 200


def set_prefs(api, user, **prefs):
    response = api.put("/me/preferences", user, body={"preferences": prefs})
    assert response.status_code == 200, response.json


def dispatch(clock, **kw):
    return notifications.dispatch(clock, **kw)


def emails_to(address):
    return [m for m in sent_emails() if m.destinations["ToAddresses"] == [address]]


def pushes_to(user_id):
    return [p for p in sent_pushes() if p["attributes"]["user_id"] == user_id]


def feed(api, user, **query):
    qs = "&".join(f"{k}={v}" for k, v in query.items())
    response = api.get(f"/me/notifications{'?' + qs if qs else ''}", user)
    assert response.status_code == 200, response.json
    return response.json


def unread(api, user):
    response = api.get("/me/notifications/unread-count", user)
    assert response.status_code == 200, response.json
    return response.json["unread"]


# --- delivery -------------------------------------------------------------------------------
def test_event_reaches_feed_email_and_push_and_leaves_the_outbox(api, clock, users):
    event = stage_event(uid(DANA), summary="Bob ordered “Kitchen plan”.")
    assert pending_ids() == [event.id]

    report = dispatch(clock)

    assert (report.dispatched, report.failed, report.feed_entries, report.emails, report.pushes) == (1, 0, 1, 1, 1)
    assert pending_ids() == []
    items = feed(api, DANA)["items"]
    assert [(i["id"], i["kind"], i["summary"], i["stream"], i["read"]) for i in items] == \
        [(event.id, "order.placed", "Bob ordered “Kitchen plan”.", event.stream, False)]
    assert unread(api, DANA) == 1
    [mail] = emails_to("dana@example.test")
    assert mail.subject == "New order: Bob ordered “Kitchen plan”."
    assert "Bob ordered “Kitchen plan”." in mail.body
    [push] = pushes_to(uid(DANA))
    assert json.loads(push["message"]) == {"title": "New order", "body": "Bob ordered “Kitchen plan”.",
                                           "event_id": event.id, "stream": event.stream}
    assert push["attributes"] == {"user_id": uid(DANA), "kind": "order.placed", "event_id": event.id}
    # The event's history stays; only its outbox keys went.
    assert [e.id for e in event_store.history(event.stream)] == [event.id]


def test_a3_preferences_decide_email_and_push_per_recipient(api, clock, users):
    set_prefs(api, DANA, order_delivered={"push": False, "email": True})
    set_prefs(api, BOB, order_delivered={"push": True, "email": False})
    stage_event(uid(DANA), uid(BOB), kind="order.delivered", notification=NotificationKind.ORDER_DELIVERED)

    dispatch(clock)

    assert len(emails_to("dana@example.test")) == 1 and pushes_to(uid(DANA)) == []
    assert emails_to("bob@example.test") == [] and len(pushes_to(uid(BOB))) == 1
    # The feed takes every event whatever the preferences.
    assert unread(api, DANA) == 1 and unread(api, BOB) == 1
    assert pending_ids() == []


def test_an_event_for_someone_always_names_its_kind_and_the_entry_links_to_its_object(api, clock, users):
    with pytest.raises(ValueError):  # one vocabulary: no feed entry without a NotificationKind
        stage_event(uid(DANA), notification=None, kind="order.note", summary="A note was added.")
    stage_event(uid(DANA))
    dispatch(clock)
    entry = feed(api, DANA)["items"][0]
    assert entry["kind"] in {k.value for k in NotificationKind}
    assert entry["link"]["path"] == "/" + entry["stream"].replace(":", "s/", 1)  # order:<id> → /orders/<id>


def test_recipient_without_profile_gets_feed_and_default_push_but_no_email(api, clock):
    stage_event(uid("carol"))
    dispatch(clock)
    assert sent_emails() == []
    assert len(pushes_to(uid("carol"))) == 1
    assert unread(api, "carol") == 1


def test_event_without_recipients_is_history_only(api, clock, users):
    stage_event()
    assert pending_ids() == []
    assert dispatch(clock).dispatched == 0


# --- at least once, deduplicated ------------------------------------------------------------
def test_a_second_run_sends_nothing_again(api, clock, users):
    stage_event(uid(DANA))
    dispatch(clock)
    second = dispatch(clock)
    assert (second.dispatched, second.emails, second.pushes, second.feed_entries) == (0, 0, 0, 0)
    assert len(sent_emails()) == 1 and len(sent_pushes()) == 1
    assert len(feed(api, DANA)["items"]) == 1 and unread(api, DANA) == 1


def test_crash_before_leaving_the_outbox_rerun_resends_nothing(api, clock, users):
    """Everything was delivered but the outbox keys stayed (the process died): the event comes
    back, and every delivery is found done."""
    event = stage_event(uid(DANA))
    with mock.patch.object(outbox_store, "mark_dispatched", side_effect=RuntimeError("killed")):
        first = dispatch(clock)
    assert first.failed == 1 and pending_ids() == [event.id]

    second = dispatch(clock)

    assert (second.dispatched, second.emails, second.pushes, second.feed_entries) == (1, 0, 0, 0)
    assert len(sent_emails()) == 1 and len(sent_pushes()) == 1
    assert len(feed(api, DANA)["items"]) == 1 and unread(api, DANA) == 1
    assert pending_ids() == []


def test_crash_between_sending_email_and_recording_it(api, clock, users):
    """At least once: the e-mail that may not have been recorded is sent again once the claim's
    lease is over, but the feed entry, its unread count and the recorded push are not repeated."""
    event = stage_event(uid(DANA))
    real_delivered = notification_store.delivered

    def crash_on_email(event_id, user_id, channel, *args, **kw):
        if channel is Channel.EMAIL:
            raise RuntimeError("killed after sending")
        return real_delivered(event_id, user_id, channel, *args, **kw)

    with mock.patch.object(notification_store, "delivered", side_effect=crash_on_email):
        first = dispatch(clock)
    assert first.failed == 1 and len(sent_emails()) == 1 and len(sent_pushes()) == 1
    assert pending_ids() == [event.id]

    # Within the lease the claim looks like another dispatcher at work: nothing is sent.
    soon = dispatch(clock)
    assert (soon.deferred, soon.emails, soon.pushes) == (1, 0, 0) and pending_ids() == [event.id]

    clock.advance(seconds=notifications.CLAIM_LEASE.total_seconds() + 1)
    later = dispatch(clock)

    assert (later.dispatched, later.emails, later.pushes, later.feed_entries) == (1, 1, 0, 0)
    assert len(emails_to("dana@example.test")) == 2  # the one duplicate at-least-once allows
    assert len(sent_pushes()) == 1
    assert len(feed(api, DANA)["items"]) == 1 and unread(api, DANA) == 1
    state = notification_store.delivery_state(event.id, uid(DANA), Channel.EMAIL)
    assert state is notification_store.DeliveryState.SENT
    assert pending_ids() == []


class FailingFor(RecordingEmailSender):
    def __init__(self, address: str) -> None:
        super().__init__()
        self.address = address

    def send(self, to, message):
        if to == self.address:
            raise ClientError({"Error": {"Code": "Throttling", "Message": "Maximum sending rate exceeded."}},
                              "SendEmail")
        super().send(to, message)


def test_one_failing_event_does_not_block_the_others(api, clock, users):
    for_bob = stage_event(uid(BOB), summary="For bob.")
    for_dana = stage_event(uid(DANA), summary="For dana.")
    flaky = FailingFor("bob@example.test")

    report = dispatch(clock, email=flaky)

    assert (report.dispatched, report.failed) == (1, 1)
    assert [to for to, _ in flaky.sent] == ["dana@example.test"]
    assert pending_ids() == [for_bob.id]
    # bob's feed entry and push went out; only the e-mail waits (its claim was given back).
    assert unread(api, BOB) == 1 and len(pushes_to(uid(BOB))) == 1

    retry = dispatch(clock)  # the real (moto) SES now

    assert (retry.dispatched, retry.emails, retry.pushes, retry.feed_entries) == (1, 1, 0, 0)
    assert [m.subject for m in emails_to("bob@example.test")] == ["New order: For bob."]
    assert pending_ids() == [] and for_dana.id not in pending_ids()
    assert unread(api, BOB) == 1


def test_a_failing_recipient_does_not_hold_up_the_others_of_the_same_event(api, clock, users):
    event = stage_event(uid(BOB), uid(DANA))
    real_add = notification_store.add

    def fail_for_bob(notification):
        if notification.user_id == uid(BOB):
            raise RuntimeError("throttled")
        return real_add(notification)

    with mock.patch.object(notification_store, "add", side_effect=fail_for_bob):
        first = dispatch(clock)
    assert first.failed == 1 and pending_ids() == [event.id]
    assert unread(api, DANA) == 1 and len(emails_to("dana@example.test")) == 1 and unread(api, BOB) == 0

    second = dispatch(clock)

    assert (second.dispatched, second.feed_entries, second.emails, second.pushes) == (1, 1, 1, 1)
    assert len(emails_to("dana@example.test")) == 1 and len(emails_to("bob@example.test")) == 1
    assert unread(api, DANA) == 1 and unread(api, BOB) == 1 and pending_ids() == []


def _ses_failing_with(code):
    client = mock.Mock()
    client.send_email.side_effect = ClientError({"Error": {"Code": code, "Message": "no"}}, "SendEmail")
    return mock.patch("chalicelib.notify.email._client", return_value=client)


def test_throttled_ses_leaves_the_event_pending(api, clock, users):
    event = stage_event(uid(DANA))
    with _ses_failing_with("Throttling"):
        report = dispatch(clock)
    assert report.failed == 1 and pending_ids() == [event.id]
    assert notification_store.delivery_state(event.id, uid(DANA), Channel.EMAIL) is None
    assert dispatch(clock).emails == 1 and pending_ids() == []


def test_a_message_ses_refuses_for_good_is_recorded_not_retried(api, clock, users):
    event = stage_event(uid(DANA))
    with _ses_failing_with("MessageRejected"):
        report = dispatch(clock)
    assert (report.dispatched, report.undeliverable, report.pushes) == (1, 1, 1)
    assert pending_ids() == []
    assert notification_store.delivery_state(event.id, uid(DANA), Channel.EMAIL) is \
        notification_store.DeliveryState.UNDELIVERABLE


def test_dispatch_stops_when_told_and_resumes_next_run(api, clock, users):
    events = [stage_event(uid(DANA), summary=f"n{i}") for i in range(3)]
    calls = iter([True, False])
    report = dispatch(clock, keep_going=lambda: next(calls, False))
    assert report.dispatched == 1 and len(pending_ids()) == 2
    assert dispatch(clock).dispatched == 2 and pending_ids() == []
    assert sorted(i["id"] for i in feed(api, DANA)["items"]) == sorted(e.id for e in events)


SCHEDULED_EVENT = {"version": "0", "id": "e1", "detail-type": "Scheduled Event", "source": "aws.events",
                   "account": "123456789012", "time": "2026-11-23T09:00:00Z", "region": "us-east-1",
                   "resources": [], "detail": {}}


def lambda_context(remaining_ms: int):
    context = mock.Mock()
    context.get_remaining_time_in_millis.return_value = remaining_ms
    return context


def test_scheduled_function_dispatches_and_reports_metrics(api, clock, users):
    from chalicelib.handlers.schedules import dispatch_notifications

    stage_event(uid(DANA))
    with mock.patch("chalicelib.handlers.schedules.metrics") as metrics:
        result = dispatch_notifications(SCHEDULED_EVENT, lambda_context(60_000))
    assert result["dispatched"] == 1 and result["failed"] == 0 and pending_ids() == []
    values = {c.kwargs["name"]: c.kwargs["value"] for c in metrics.add_metric.call_args_list}
    assert values["Dispatched"] == 1 and values["Failed"] == 0


def test_scheduled_function_takes_no_event_when_its_time_is_nearly_up(api, clock, users):
    from chalicelib.handlers.schedules import DISPATCH_RESERVE_MS, dispatch_notifications

    event = stage_event(uid(DANA))
    with mock.patch("chalicelib.handlers.schedules.metrics"):
        result = dispatch_notifications(SCHEDULED_EVENT, lambda_context(DISPATCH_RESERVE_MS - 1))
    assert result["dispatched"] == 0 and pending_ids() == [event.id]


# --- the feed routes ------------------------------------------------------------------------
@pytest.fixture
def three(api, clock, users):
    """Three notifications for dana, a minute apart (oldest first), dispatched."""
    events = []
    for i in range(3):
        events.append(stage_event(uid(DANA), summary=f"n{i}", at=clock.now()))
        clock.advance(minutes=1)
    dispatch(clock)
    return events


def test_feed_is_newest_first_and_paginates(api, three):
    first = feed(api, DANA, limit=2)
    assert [i["summary"] for i in first["items"]] == ["n2", "n1"] and first["next_cursor"]
    rest = feed(api, DANA, limit=2, cursor=first["next_cursor"])
    assert [i["summary"] for i in rest["items"]] == ["n0"]
    assert feed(api, BOB)["items"] == []


def test_mark_read_updates_the_entry_the_count_and_the_unread_filter(api, clock, three):
    assert unread(api, DANA) == 3
    response = api.post(f"/me/notifications/{three[1].id}/read", DANA)
    assert response.status_code == 200, response.json
    assert response.json["read"] is True and response.json["read_at"]
    assert unread(api, DANA) == 2
    assert [i["summary"] for i in feed(api, DANA, unread_only="true")["items"]] == ["n2", "n0"]
    assert [i["read"] for i in feed(api, DANA)["items"]] == [False, True, False]
    # Again: nothing changes, the count stays.
    clock.advance(minutes=5)
    again = api.post(f"/me/notifications/{three[1].id}/read", DANA)
    assert again.status_code == 200 and again.json["read_at"] == response.json["read_at"]
    assert unread(api, DANA) == 2


def test_someone_elses_or_unknown_notification_is_404(api, three):
    for user, ident in ((BOB, three[0].id), (DANA, "evt_missing")):
        response = api.post(f"/me/notifications/{ident}/read", user)
        assert response.status_code == 404 and response.json["code"] == "notification_not_found"
    assert unread(api, DANA) == 3 and unread(api, BOB) == 0


def test_read_all_is_bounded_and_says_when_more_remain(api, three, monkeypatch):
    monkeypatch.setattr(notifications, "READ_ALL_BATCH", 2)
    first = api.post("/me/notifications/read-all", DANA)
    assert first.status_code == 200 and first.json == {"marked": 2, "more": True}
    assert unread(api, DANA) == 1
    assert [i["summary"] for i in feed(api, DANA, unread_only="true")["items"]] == ["n0"]
    second = api.post("/me/notifications/read-all", DANA)
    assert second.json == {"marked": 1, "more": False}
    assert api.post("/me/notifications/read-all", DANA).json == {"marked": 0, "more": False}
    assert unread(api, DANA) == 0 and all(i["read"] for i in feed(api, DANA)["items"])


def test_read_all_touches_only_the_callers_entries(api, clock, three):
    stage_event(uid(BOB))
    dispatch(clock)
    assert api.post("/me/notifications/read-all", BOB).json == {"marked": 1, "more": False}
    assert unread(api, DANA) == 3 and unread(api, BOB) == 0


def test_a_cursor_of_the_other_listing_is_400(api, three):
    cursor = feed(api, DANA, limit=1)["next_cursor"]
    response = api.get(f"/me/notifications?unread_only=true&cursor={cursor}", DANA)
    assert response.status_code == 400 and response.json["code"] == "invalid_cursor"
    foreign = api.get(f"/me/notifications?cursor={cursor}", BOB)
    assert foreign.status_code == 400


def test_feed_routes_need_a_token(api):
    for method, path in (("GET", "/me/notifications"), ("GET", "/me/notifications/unread-count"),
                         ("POST", "/me/notifications/read-all"), ("POST", "/me/notifications/evt_x/read")):
        assert api.request(method, path).status_code == 401
