"""Messaging in the domain: W2, O5, O16, O17, O18, O19, A4, with an injected clock."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from chalicelib.domain.accounts import Availability, AvailabilityReason, User
from chalicelib.domain.errors import Conflict, Forbidden, InvalidInput
from chalicelib.domain.events import Actor
from chalicelib.domain.messaging import (
    MAX_ATTACHMENTS,
    MAX_QUICK_RESPONSES,
    MESSAGE_TEXT_MAX,
    Conversation,
    Message,
    QuickResponses,
    SpamReport,
    Thread,
    conversation_parties,
    ensure_buyer_may_write,
    ensure_seller_may_write,
)
from chalicelib.domain.relationships import Relationship
from tests.unit.test_accounts import PROFILE

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
TODAY = NOW.date()
BUYER, SELLER = Actor.BUYER, Actor.SELLER


def message(text="Hello", sender="b1", role=BUYER, at=NOW, thread="conversation:c1", **kw) -> Message:
    return Message.new(thread, sender, role, text, kw.pop("attachments", ()), at, **kw)


def seller(away: Availability | None = None) -> User:
    return User(id="s1", username="dana", email=None, created_at=NOW, seller=PROFILE, availability=away)


def away(allow_new: bool = False, start: date = TODAY) -> Availability:
    return Availability("away_1", start, start + timedelta(days=5), AvailabilityReason.VACATION,
                        allow_new_clients_contact=allow_new)


# -- threads -------------------------------------------------------------------------------------
def test_a_thread_names_its_kind_and_id():
    assert str(Thread.conversation("c1")) == "conversation:c1" and str(Thread.order("o1")) == "order:o1"
    assert Thread.parse("order:o1") == Thread("order", "o1")
    for bad in ("order", ":x", "order:"):
        with pytest.raises(ValueError):
            Thread.parse(bad)


# -- the message itself (W2, O16) ----------------------------------------------------------------
def test_w2_contact_details_in_a_message_are_a_violation():
    for text in ("write me at bob@mail.com", "call 555-123-4567", "see www.example.com", "whatsapp me"):
        with pytest.raises(InvalidInput) as refused:
            message(text)
        assert refused.value.rule == "W2" and refused.value.code == "contact_details"
        assert [(e.field, e.rule) for e in refused.value.fields] == [("text", "W2")]


def test_ordinary_prose_is_a_message():
    sent = message("I will look at your design at the end of the day; $150 for 2 rooms.")
    assert sent.thread == "conversation:c1" and sent.id.startswith("msg_") and sent.at == NOW


def test_a_message_needs_content_and_keeps_to_its_limits():
    with pytest.raises(InvalidInput):
        message("   ")
    assert message("", attachments=("file_1",)).preview == "[1 attachment]"
    with pytest.raises(InvalidInput):
        message("x" * (MESSAGE_TEXT_MAX + 1))
    assert len(message("x" * MESSAGE_TEXT_MAX).text) == MESSAGE_TEXT_MAX
    with pytest.raises(InvalidInput):
        message("files", attachments=tuple(f"file_{i}" for i in range(MAX_ATTACHMENTS + 1)))
    with pytest.raises(InvalidInput):
        message("files", attachments=("file_1", "file_1"))


def test_preview_is_one_short_line():
    long = message("word " * 100)
    assert len(long.preview) == 100 and long.preview.endswith("…") and "\n" not in message("a\nb").preview


def test_o16_only_a_seller_sends_a_call_link_and_only_a_zoom_one():
    link = "https://zoom.us/j/123"
    assert message("", sender="s1", role=SELLER, call_link=link).preview == "[call link]"
    with pytest.raises(InvalidInput) as by_buyer:
        message("", call_link=link)
    assert by_buyer.value.fields[0].rule == "O16"
    for bad in ("http://zoom.us/j/1", "https://zoom.us.evil.com/j/1", "https://evilzoom.us/j/1",
                "https://user@zoom.us/j/1", "zoom.us/j/1", "https://[zoom.us/j/1", "https://zoom.us/" + "x" * 500):
        with pytest.raises(InvalidInput):
            message("", sender="s1", role=SELLER, call_link=bad)


# -- who may write (O5, O17, A4) -----------------------------------------------------------------
def test_o5_a_seller_cannot_open_a_conversation_with_a_new_buyer():
    with pytest.raises(Forbidden) as refused:
        ensure_seller_may_write(None)
    assert refused.value.rule == "O5"
    rel = Relationship("s1", "b1")
    with pytest.raises(Forbidden):
        ensure_seller_may_write(rel)
    rel.buyer_wrote(NOW)
    ensure_seller_may_write(rel)


def test_o5_a_seller_may_write_once_an_order_exists():
    rel = Relationship("s1", "b1")
    rel.order_placed(NOW)
    ensure_seller_may_write(rel)


def test_o17_a_blocked_buyer_cannot_write_until_unblocked():
    rel = Relationship("s1", "b1")
    rel.order_placed(NOW)
    rel.order_ended(completed=True, paid=1000, now=NOW)
    rel.block(NOW)
    with pytest.raises(Forbidden) as refused:
        ensure_buyer_may_write(rel, seller(), NOW)
    assert refused.value.rule == "O17"
    with pytest.raises(Forbidden):
        rel.ensure_buyer_may_order()
    rel.unblock(NOW)
    ensure_buyer_may_write(rel, seller(), NOW)


def test_o17_block_needs_a_past_order_and_no_active_one():
    rel = Relationship("s1", "b1")
    with pytest.raises(Conflict) as never:
        rel.block(NOW)
    assert (never.value.code, never.value.rule) == ("never_ordered", "O17")
    rel.order_placed(NOW)
    with pytest.raises(Conflict) as active:
        rel.block(NOW)
    assert active.value.code == "active_order"
    rel.order_ended(completed=False, paid=0, now=NOW)
    rel.block(NOW)
    assert rel.blocked


def test_a4_while_away_only_known_buyers_write_unless_new_clients_are_let_in():
    new = Relationship("s1", "b1")
    with pytest.raises(Forbidden) as refused:
        ensure_buyer_may_write(new, seller(away()), NOW)
    assert refused.value.rule == "A4" and refused.value.code == "seller_unavailable"
    ensure_buyer_may_write(new, seller(away(allow_new=True)), NOW)
    ensure_buyer_may_write(new, seller(away(start=NOW.date() + timedelta(days=1))), NOW)  # not away yet
    ensure_buyer_may_write(new, seller(), NOW)

    with_order = Relationship("s1", "b2")
    with_order.order_placed(NOW)  # an active order: its buyer can still message (A4)
    ensure_buyer_may_write(with_order, seller(away()), NOW)
    wrote_before = Relationship("s1", "b3", buyer_wrote_first=True)
    ensure_buyer_may_write(wrote_before, seller(away()), NOW)


def test_a4_a_blocked_buyer_stays_blocked_even_when_new_clients_are_let_in():
    rel = Relationship("s1", "b1")
    rel.order_placed(NOW)
    rel.order_ended(completed=True, paid=1, now=NOW)
    rel.block(NOW)
    with pytest.raises(Forbidden) as refused:
        ensure_buyer_may_write(rel, seller(away(allow_new=True)), NOW)
    assert refused.value.rule == "O17"


def test_the_parties_of_a_message_follow_whom_it_is_addressed_to():
    assert conversation_parties("b1", "s1", None) == ("s1", "b1", BUYER)
    assert conversation_parties("s1", None, "b1") == ("s1", "b1", SELLER)
    for seller_id, buyer_id in (("s1", "b2"), (None, None)):
        with pytest.raises(InvalidInput):
            conversation_parties("b1", seller_id, buyer_id)
    with pytest.raises(InvalidInput):
        conversation_parties("b1", "b1", None)


# -- conversations -------------------------------------------------------------------------------
def test_a_conversation_counts_unread_messages_per_participant():
    first = message("Hi", sender="b1", thread="conversation:c9")
    conversation = Conversation.start("s1", "b1", first)
    assert conversation.id == "c9" and conversation.started_by == "b1"
    assert conversation.unread_for("s1") == 1 and conversation.unread_for("b1") == 0
    answer = message("Hello", sender="s1", role=SELLER, at=NOW + timedelta(minutes=1), thread="conversation:c9")
    conversation = conversation.with_message(answer).with_message(
        message("More", sender="b1", at=NOW + timedelta(minutes=2), thread="conversation:c9"))
    assert (conversation.unread_for("s1"), conversation.unread_for("b1")) == (2, 1)
    assert conversation.last_preview == "More" and conversation.message_count == 3
    assert conversation.last_message_at == NOW + timedelta(minutes=2)
    read = conversation.read_by("s1")
    assert (read.unread_for("s1"), read.unread_for("b1")) == (0, 1)
    assert conversation.role_of("s1") == SELLER and conversation.role_of("x") is None
    assert conversation.counterpart_of("b1") == "s1"


def test_o19_the_relationship_keeps_the_pairs_conversation_and_counts():
    rel = Relationship("s1", "b1")
    rel.conversation_opened("c1", NOW)
    rel.order_placed(NOW)
    rel.order_ended(completed=True, paid=12500, now=NOW + timedelta(days=3))
    rel.order_placed(NOW + timedelta(days=4))
    assert (rel.conversation_id, rel.completed_orders, rel.total_spent, rel.active_orders) == ("c1", 1, 12500, 1)
    assert rel.last_order_at == NOW + timedelta(days=4)


# -- spam reports (O5) ---------------------------------------------------------------------------
def test_o5_any_message_can_be_reported_but_not_by_its_sender():
    sent = message("Buy now")
    report = SpamReport.of(sent, "s1", "ads", NOW)
    assert (report.message_id, report.sender_id, report.text) == (sent.id, "b1", "Buy now")
    with pytest.raises(Forbidden) as own:
        SpamReport.of(sent, "b1", None, NOW)
    assert own.value.rule == "O5"


# -- quick responses (O18) -----------------------------------------------------------------------
def test_o18_quick_responses_are_kept_by_title_and_capped():
    responses = QuickResponses("s1")
    for i in range(MAX_QUICK_RESPONSES):
        responses, _ = responses.add(f"Reply {i:02d}", "Thanks for your message!", NOW)
    with pytest.raises(Conflict) as full:
        responses.add("One more", "text", NOW)
    assert (full.value.code, full.value.rule) == ("too_many_quick_responses", "O18")
    assert [r.title for r in responses.sorted()][:2] == ["Reply 00", "Reply 01"]


def test_o18_update_and_remove_a_quick_response():
    responses, made = QuickResponses("s1").add("b", "text", NOW)
    responses, _ = responses.add("A", "text", NOW)
    assert [r.title for r in responses.sorted()] == ["A", "b"]
    later = NOW + timedelta(hours=1)
    changed = responses.update(made.id, "c", "new text", later)
    assert changed is not None and changed[1].updated_at == later and changed[1].created_at == NOW
    assert responses.update("qr_none", "x", "y", NOW) is None
    assert responses.remove("qr_none") is None
    removed = responses.remove(made.id)
    assert removed is not None and [r.title for r in removed.sorted()] == ["A"]


def test_w2_and_o18_a_quick_response_has_a_title_a_text_and_no_contact_details():
    with pytest.raises(InvalidInput) as w2:
        QuickResponses("s1").add("Contact", "reach me on telegram", NOW)
    assert w2.value.rule == "W2"
    with pytest.raises(InvalidInput) as empty:
        QuickResponses("s1").add("", "", NOW)
    assert empty.value.rule == "O18" and {e.field for e in empty.value.fields} == {"title", "text"}
    with pytest.raises(InvalidInput):
        QuickResponses("s1").add("x" * 81, "text", NOW)
