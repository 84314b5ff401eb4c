"""A3 channel choice, message rendering and the feed entry, without AWS."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.domain.accounts import ChannelPreference, NotificationKind, User
from chalicelib.domain.events import Actor, Event
from chalicelib.domain.notifications import (
    PUSH_BODY_MAX,
    SUBJECT_MAX,
    Channel,
    Notification,
    channels_for,
    email_message,
    push_message,
)

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def event(notification: NotificationKind | None = NotificationKind.ORDER_PLACED,
          summary: str = "Bob ordered “Kitchen plan” (basic, 1×).") -> Event:
    return Event.new("order.placed", "order:ord_1", NOW, Actor.BUYER, "u_bob", summary,
                     recipients=("u_dana",), notification=notification)


def user(email: str | None = "dana@example.test", **prefs: ChannelPreference) -> User:
    base = User(id="u_dana", username="dana", email=email, created_at=NOW)
    return base.with_preferences({NotificationKind(k): v for k, v in prefs.items()})


# --- A3: which channels ---------------------------------------------------------------------
def test_a3_defaults_send_email_and_push():
    assert channels_for(event(), user()) == (Channel.EMAIL, Channel.PUSH)


@pytest.mark.parametrize("pref,expected", [
    (ChannelPreference(push=False, email=True), (Channel.EMAIL,)),
    (ChannelPreference(push=True, email=False), (Channel.PUSH,)),
    (ChannelPreference(push=False, email=False), ()),
])
def test_a3_preferences_for_the_event_kind_decide(pref, expected):
    assert channels_for(event(), user(order_placed=pref)) == expected


def test_a3_preferences_of_another_kind_do_not_apply():
    off = ChannelPreference(push=False, email=False)
    expected = (Channel.EMAIL, Channel.PUSH)
    assert channels_for(event(NotificationKind.ORDER_PLACED), user(order_delivered=off)) == expected
    assert channels_for(event(NotificationKind.ORDER_DELIVERED), user(order_delivered=off)) == ()


def test_no_email_without_an_address():
    assert channels_for(event(), user(email=None)) == (Channel.PUSH,)


def test_unknown_user_gets_default_push_only():
    """A recipient who never wrote a profile: defaults (A3), but no address on record."""
    assert channels_for(event(), None) == (Channel.PUSH,)


def test_an_event_told_to_someone_names_its_notification_kind():
    """One vocabulary: the feed's kind and the preferences are the same NotificationKind."""
    with pytest.raises(ValueError):
        event(notification=None)
    assert Event.new("order.note", "order:o1", NOW, Actor.SELLER, "u", "history only").recipients == ()


def test_the_first_vocabulary_is_still_read():
    assert NotificationKind("order_placed") is NotificationKind.ORDER_PLACED  # stored preferences
    assert NotificationKind("order.placed") is NotificationKind.ORDER_PLACED
    with pytest.raises(ValueError):
        NotificationKind("order.exploded")


# --- rendering ------------------------------------------------------------------------------
def test_email_names_the_kind_and_carries_the_summary():
    message = email_message(event())
    assert message.title == "New order: Bob ordered “Kitchen plan” (basic, 1×)."
    assert "Bob ordered “Kitchen plan”" in message.body and "order:ord_1" in message.body


def test_push_is_title_and_summary():
    message = push_message(event(NotificationKind.ORDER_DELIVERED, summary="Dana delivered your order."))
    assert (message.title, message.body) == ("Your order was delivered", "Dana delivered your order.")


def test_long_or_multiline_summaries_are_clipped_to_one_line():
    summary = "line one\nline two " + "x" * 500
    mail, push = email_message(event(summary=summary)), push_message(event(summary=summary))
    assert "\n" not in mail.title and len(mail.title) == SUBJECT_MAX and mail.title.endswith("…")
    assert "\n" not in push.body and len(push.body) == PUSH_BODY_MAX
    assert summary in mail.body  # the e-mail body keeps all of it


# --- the feed entry -------------------------------------------------------------------------
def test_feed_entry_is_keyed_by_the_event_and_starts_unread():
    e = event()
    entry = Notification.of(e, "u_dana")
    assert (entry.id, entry.user_id, entry.kind, entry.summary, entry.stream, entry.at) == \
        (e.id, "u_dana", "order.placed", e.summary, "order:ord_1", NOW)
    assert not entry.read


def test_marking_read_twice_keeps_the_first_time():
    entry = Notification.of(event(), "u_dana").mark_read(NOW)
    again = entry.mark_read(NOW + timedelta(hours=1))
    assert again is entry and again.read_at == NOW and again.read


def test_every_entry_links_to_its_object_and_a_blocked_file_names_its_order():
    from chalicelib.domain.notifications import feed_view

    placed = Notification.of(event(), "u_dana")
    assert (placed.kind, placed.event) == ("order.placed", "order.placed")
    assert feed_view(placed)["link"] == {"kind": "order", "id": "ord_1", "path": "/orders/ord_1"}
    blocked = Event.new("file.blocked", "file:f1", NOW, Actor.SYSTEM, None, "x.pdf is infected",
                        recipients=("u_dana",), notification=NotificationKind.FILE_BLOCKED,
                        data={"file_id": "f1", "attached_to": "order:ord_9"})
    assert feed_view(Notification.of(blocked, "u_dana"))["link"] == {
        "kind": "order", "id": "ord_9", "path": "/orders/ord_9"}
    loose = Event.new("file.blocked", "file:f2", NOW, Actor.SYSTEM, None, "y.pdf is infected",
                      recipients=("u_dana",), notification=NotificationKind.FILE_BLOCKED, data={"attached_to": None})
    assert feed_view(Notification.of(loose, "u_dana"))["link"]["path"] == "/files/f2"
