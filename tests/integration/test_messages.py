"""Messaging through the real handlers: O5, O16, O17, O18, O19, W2, A4, spam reports, and the
thread seam order conversations use."""
from __future__ import annotations

import pytest

from chalicelib.domain.accounts import NotificationKind
from chalicelib.domain.errors import FieldError, InvalidInput
from chalicelib.domain.events import Actor
from chalicelib.services import messaging
from chalicelib.store import events as event_store
from tests.integration.conftest import uid
from tests.integration.messaging_setup import end_order, past_orders

DANA = "dana"  # seller


@pytest.fixture
def dana(make_seller):
    make_seller(DANA)
    return uid(DANA)


def write(api, who, to_seller=None, to_buyer=None, **body):
    target = {"seller_id": uid(to_seller)} if to_seller else {"buyer_id": uid(to_buyer)}
    return api.post("/conversations", who, body={**target, **body})


def test_o5_seller_cannot_open_a_conversation_with_a_new_buyer(api, dana):
    response = write(api, DANA, to_buyer="carol", text="Need a kitchen?")
    assert response.status_code == 403
    assert response.json["rule"] == "O5" and response.json["code"] == "buyer_must_write_first"
    assert api.get("/conversations", "carol").json["items"] == []


def test_o5_buyer_writes_first_then_the_seller_answers_in_the_same_conversation(api, clock, dana):
    first = write(api, "carol", to_seller=DANA, text="Hi, can you remodel a small kitchen?")
    assert first.status_code == 201, first.json
    conversation_id = first.json["conversation_id"]
    assert first.json["thread"] == f"conversation:{conversation_id}" and first.json["sender_id"] == uid("carol")

    clock.advance(seconds=30)
    answer = write(api, DANA, to_buyer="carol", text="Yes, tell me the size.")
    assert answer.status_code == 201 and answer.json["conversation_id"] == conversation_id
    clock.advance(seconds=30)
    again = api.post(f"/conversations/{conversation_id}/messages", "carol", body={"text": "About 10 square meters."})
    assert again.status_code == 201 and again.json["conversation_id"] == conversation_id

    inbox = api.get("/conversations", DANA).json["items"]
    assert len(inbox) == 1
    entry = inbox[0]
    assert entry["id"] == conversation_id and entry["my_role"] == "seller"
    assert entry["counterpart_id"] == uid("carol") and entry["started_by"] == uid("carol")
    assert entry["last_message_preview"] == "About 10 square meters." and entry["message_count"] == 3
    assert entry["unread"] == 2  # carol's two messages
    carol_view = api.get(f"/conversations/{conversation_id}", "carol").json
    assert carol_view["my_role"] == "buyer" and carol_view["unread"] == 1

    read = api.post(f"/conversations/{conversation_id}/read", DANA)
    assert read.status_code == 200 and read.json["unread"] == 0
    assert api.get("/conversations", DANA).json["items"][0]["unread"] == 0
    assert api.get(f"/conversations/{conversation_id}", "carol").json["unread"] == 1

    page1 = api.get(f"/conversations/{conversation_id}/messages?limit=2", "carol").json
    assert [m["text"] for m in page1["items"]] == ["About 10 square meters.", "Yes, tell me the size."]
    page2 = api.get(f"/conversations/{conversation_id}/messages?limit=2&cursor={page1['next_cursor']}", "carol").json
    assert [m["text"] for m in page2["items"]] == ["Hi, can you remodel a small kitchen?"]
    assert page2["next_cursor"] is None


def test_conversations_are_listed_most_recent_first_with_pagination(api, clock, dana, make_seller):
    make_seller("erik")
    write(api, "carol", to_seller=DANA, text="First to dana")
    clock.advance(minutes=1)
    write(api, "carol", to_seller="erik", text="Then to erik")
    page1 = api.get("/conversations?limit=1", "carol").json
    assert [c["counterpart_id"] for c in page1["items"]] == [uid("erik")]
    page2 = api.get(f"/conversations?limit=1&cursor={page1['next_cursor']}", "carol").json
    assert [c["counterpart_id"] for c in page2["items"]] == [uid(DANA)]
    clock.advance(minutes=1)
    write(api, "carol", to_seller=DANA, text="Back to dana")
    assert api.get("/conversations", "carol").json["items"][0]["counterpart_id"] == uid(DANA)


def test_each_message_stages_an_inbox_event_for_the_other_party(api, dana):
    sent = write(api, "carol", to_seller=DANA, text="Hello there").json
    events = event_store.history(f"conversation:{sent['conversation_id']}")
    assert [(e.kind, e.recipients, e.notification) for e in events] == [
        ("message.sent", (uid(DANA),), NotificationKind.INBOX_MESSAGE)]
    assert events[0].actor_role == Actor.BUYER and events[0].data["message_id"] == sent["id"]


def test_o5_a_seller_may_write_to_a_buyer_who_ordered(api, dana):
    past_orders(DANA, "carl")
    response = write(api, DANA, to_buyer="carl", text="Thanks for the order, anything else?")
    assert response.status_code == 201
    assert api.get("/conversations", "carl").json["items"][0]["started_by"] == uid(DANA)


def test_writing_to_a_non_seller_or_to_oneself(api, dana):
    assert write(api, "carol", to_seller="bob", text="hi").status_code == 404  # bob sells nothing
    self_write = write(api, DANA, to_seller=DANA, text="hi")
    assert self_write.status_code == 422 and self_write.json["code"] == "self_message"
    both = api.post("/conversations", "carol", body={"seller_id": dana, "buyer_id": uid("carol"), "text": "x"})
    assert both.status_code == 422


def test_w2_contact_details_in_a_message_are_refused_and_nothing_is_written(api, dana):
    response = write(api, "carol", to_seller=DANA, text="Mail me at carol at gmail dot com")
    assert response.status_code == 422
    assert response.json["rule"] == "W2"
    assert {"field": "text", "rule": "W2"}.items() <= response.json["errors"][0].items()
    assert api.get("/conversations", "carol").json["items"] == []
    # Nothing half-written: carol never wrote, so dana still may not write to her (O5).
    assert write(api, DANA, to_buyer="carol", text="hello").status_code == 403


def test_empty_and_oversized_messages_are_refused(api, dana):
    assert write(api, "carol", to_seller=DANA, text="   ").status_code == 422
    assert write(api, "carol", to_seller=DANA, text="x" * 5001).status_code == 422


def test_o16_a_seller_may_send_a_zoom_call_link(api, dana):
    conversation_id = write(api, "carol", to_seller=DANA, text="Can we talk?").json["conversation_id"]
    link = "https://us02web.zoom.us/j/123456789"
    sent = api.post(f"/conversations/{conversation_id}/messages", DANA, body={"call_link": link})
    assert sent.status_code == 201 and sent.json["call_link"] == link
    by_buyer = api.post(f"/conversations/{conversation_id}/messages", "carol", body={"call_link": link})
    assert by_buyer.status_code == 422 and by_buyer.json["errors"][0]["rule"] == "O16"
    other_site = api.post(f"/conversations/{conversation_id}/messages", DANA,
                          body={"call_link": "https://example.com/meet"})
    assert other_site.status_code == 422 and other_site.json["errors"][0]["code"] == "invalid_call_link"


def test_attachments_are_the_senders_uploads_and_visible_to_the_thread_F1(api, dana, clock):
    from chalicelib.domain.files import Purpose
    from local.media_seed import GeneratedImageScanner, upload_and_scan

    plan = upload_and_scan(uid("carol"), clock, b"Floor plan\n", "plan.txt", "text/plain", Purpose.MESSAGE,
                           GeneratedImageScanner())
    sent = write(api, "carol", to_seller=DANA, text="Plans attached", attachment_ids=[plan])
    assert sent.status_code == 201 and sent.json["attachment_ids"] == [plan]
    assert api.get(f"/files/{plan}/download", DANA).status_code == 200  # the other party sees it
    assert api.get(f"/files/{plan}/download", "bob").status_code == 404
    reused = write(api, "carol", to_seller=DANA, text="Again", attachment_ids=[plan])
    assert reused.status_code == 201  # the same thread: already attached here
    foreign = write(api, "carol", to_seller=DANA, text="Not mine", attachment_ids=["file_nope"])
    assert foreign.status_code == 422 and foreign.json["errors"][0]["field"] == "attachment_ids.0"

    def refuse(uow, thread, sender_id, file_ids):
        raise InvalidInput("Infected file.", code="file_blocked", rule="F1",
                           fields=[FieldError("attachment_ids.0", "is infected", "file_blocked", "F1")])

    previous = messaging.use_attachment_check(refuse)
    try:
        refused = write(api, "carol", to_seller=DANA, text="Another", attachment_ids=["file_c"])
    finally:
        messaging.use_attachment_check(previous)
    assert refused.status_code == 422 and refused.json["rule"] == "F1"
    assert api.get("/conversations", DANA).json["items"][0]["message_count"] == 2


def test_o17_block_only_a_past_buyer_without_an_active_order_and_then_they_cannot_write(api, dana):
    carl = uid("carl")
    never = api.put(f"/me/blocked-buyers/{uid('bob')}", DANA)
    assert never.status_code == 409 and never.json["code"] == "never_ordered" and never.json["rule"] == "O17"

    past_orders(DANA, "carl", completed=1, active=1)
    active = api.put(f"/me/blocked-buyers/{carl}", DANA)
    assert active.status_code == 409 and active.json["code"] == "active_order"

    end_order(DANA, "carl")
    blocked = api.put(f"/me/blocked-buyers/{carl}", DANA)
    assert blocked.status_code == 200 and blocked.json["buyer_id"] == carl
    assert api.put(f"/me/blocked-buyers/{carl}", DANA).status_code == 200  # PUT again changes nothing
    assert [b["buyer_id"] for b in api.get("/me/blocked-buyers", DANA).json["items"]] == [carl]
    assert api.get("/me/blocked-buyers", "carl").json["items"] == []

    refused = write(api, "carl", to_seller=DANA, text="Why did you block me?")
    assert refused.status_code == 403 and refused.json["rule"] == "O17"
    contact = api.get("/me/contacts", DANA).json["items"][0]
    assert contact["counterpart_id"] == carl and contact["blocked"] is True

    assert api.delete(f"/me/blocked-buyers/{carl}", "carl").status_code == 404  # not carl's list
    assert api.delete(f"/me/blocked-buyers/{carl}", DANA).status_code == 204
    assert api.delete(f"/me/blocked-buyers/{carl}", DANA).status_code == 404
    assert api.get("/me/blocked-buyers", DANA).json["items"] == []
    assert write(api, "carl", to_seller=DANA, text="Thanks for unblocking").status_code == 201


def test_o17_a_seller_blocks_in_an_existing_conversation_and_the_buyer_cannot_continue(api, dana):
    conversation_id = write(api, "carl", to_seller=DANA, text="Hello").json["conversation_id"]
    past_orders(DANA, "carl")
    assert api.put(f"/me/blocked-buyers/{uid('carl')}", DANA).status_code == 200
    response = api.post(f"/conversations/{conversation_id}/messages", "carl", body={"text": "Hello?"})
    assert response.status_code == 403 and response.json["code"] == "blocked_by_seller"


AWAY = {"start_date": "2026-11-23", "end_date": "2026-11-30", "reason": "vacation"}


def test_a4_while_away_new_clients_cannot_write_but_known_buyers_can(api, dana):
    write(api, "carol", to_seller=DANA, text="Before the vacation")
    past_orders(DANA, "carl", completed=0, active=1)
    assert api.put("/me/availability", DANA, body=AWAY).status_code == 200

    new = write(api, "erin", to_seller=DANA, text="Are you free?")
    assert new.status_code == 403 and new.json["rule"] == "A4" and new.json["code"] == "seller_unavailable"
    assert write(api, "carl", to_seller=DANA, text="About my active order").status_code == 201
    assert write(api, "carol", to_seller=DANA, text="Still there?").status_code == 201


def test_a4_the_inbox_and_the_conversation_page_carry_the_away_sellers_notice(api, clock, dana, make_seller):
    make_seller("omar")
    carol_dana = write(api, "carol", to_seller=DANA, text="Before the vacation").json["conversation_id"]
    carol_omar = write(api, "carol", to_seller="omar", text="Hello Omar").json["conversation_id"]
    away = {**AWAY, "message": "Back on the 30th", "allow_new_clients_contact": True}
    assert api.put("/me/availability", DANA, body=away).status_code == 200
    notice = {"until": "2026-11-30", "message": "Back on the 30th", "allow_new_clients_contact": True}
    assert api.get(f"/sellers/{uid(DANA)}").json["away"] == notice  # the same shape everywhere

    inbox = {c["id"]: c for c in api.get("/conversations", "carol").json["items"]}
    assert inbox[carol_dana]["away"] == notice and inbox[carol_omar]["away"] is None
    assert api.get(f"/conversations/{carol_dana}", "carol").json["away"] == notice
    assert api.post(f"/conversations/{carol_dana}/read", "carol").json["away"] == notice
    # The seller's side: the buyer is not away.
    assert api.get("/conversations", DANA).json["items"][0]["away"] is None
    clock.advance(days=8)  # 2026-11-30 09:00: the period is over
    assert api.get(f"/conversations/{carol_dana}", "carol").json["away"] is None


def test_a4_new_clients_may_write_when_the_seller_lets_them(api, dana):
    assert api.put("/me/availability", DANA, body={**AWAY, "allow_new_clients_contact": True}).status_code == 200
    assert write(api, "erin", to_seller=DANA, text="Are you free next month?").status_code == 201


def test_a4_a_planned_period_does_not_stop_anyone_yet(api, dana):
    assert api.put("/me/availability", DANA, body={**AWAY, "start_date": "2026-11-25"}).status_code == 200
    assert write(api, "erin", to_seller=DANA, text="Are you free?").status_code == 201


def test_o5_spam_reports_by_the_recipient_once(api, dana):
    sent = write(api, "carol", to_seller=DANA, text="Buy my course!!!").json
    path = f"/messages/{sent['id']}/spam-reports"
    assert api.post(path, "bob", body={}).status_code == 404  # bob does not see the conversation
    own = api.post(path, "carol", body={})
    assert own.status_code == 403 and own.json["code"] == "own_message"
    report = api.post(path, DANA, body={"reason": "Advertising"})
    assert report.status_code == 201
    assert report.json["sender_id"] == uid("carol") and report.json["text"] == "Buy my course!!!"
    again = api.post(path, DANA, body={})
    assert again.status_code == 409 and again.json["code"] == "already_reported"
    assert api.post("/messages/msg_nope/spam-reports", DANA, body={}).status_code == 404

    assert api.get("/spam-reports", DANA).status_code == 403
    listed = api.op("GET", "/spam-reports", "olga").json["items"]
    assert [(r["message_id"], r["reporter_id"], r["reason"]) for r in listed] == [
        (sent["id"], uid(DANA), "Advertising")]


def test_o18_quick_responses_crud(api, dana):
    assert api.post("/me/quick-responses", "bob", body={"title": "Hi", "text": "Hello"}).status_code == 403
    made = {}
    for title in ("Thanks", "availability", "Delivery"):
        response = api.post("/me/quick-responses", DANA, body={"title": title, "text": f"{title} text"})
        assert response.status_code == 201
        made[title] = response.json["id"]
    page1 = api.get("/me/quick-responses?limit=2", DANA).json
    assert [r["title"] for r in page1["items"]] == ["availability", "Delivery"]
    page2 = api.get(f"/me/quick-responses?limit=2&cursor={page1['next_cursor']}", DANA).json
    assert [r["title"] for r in page2["items"]] == ["Thanks"] and page2["next_cursor"] is None

    w2 = api.put(f"/me/quick-responses/{made['Thanks']}", DANA,
                 body={"title": "Thanks", "text": "Call +1 555 123 4567"})
    assert w2.status_code == 422 and w2.json["rule"] == "W2"
    changed = api.put(f"/me/quick-responses/{made['Thanks']}", DANA,
                      body={"title": "Thank you", "text": "Much obliged"})
    assert changed.status_code == 200 and changed.json["title"] == "Thank you"
    assert api.put(f"/me/quick-responses/{made['Thanks']}", "bob", body={"title": "x", "text": "y"}).status_code == 404
    assert api.delete(f"/me/quick-responses/{made['Delivery']}", "bob").status_code == 404
    assert api.delete(f"/me/quick-responses/{made['Delivery']}", DANA).status_code == 204
    assert [r["title"] for r in api.get("/me/quick-responses", DANA).json["items"]] == ["availability", "Thank you"]
    assert api.get("/me/quick-responses", "bob").json["items"] == []


def test_o19_contacts_on_both_sides(api, clock, dana):
    past_orders(DANA, "carl", completed=2, paid=12500)
    clock.advance(minutes=5)
    conversation_id = write(api, "carol", to_seller=DANA, text="Hello").json["conversation_id"]

    page1 = api.get("/me/contacts?limit=1", DANA).json
    assert [c["counterpart_id"] for c in page1["items"]] == [uid("carol")]  # most recent activity first
    assert page1["items"][0]["conversation_id"] == conversation_id
    page2 = api.get(f"/me/contacts?limit=1&cursor={page1['next_cursor']}", DANA).json
    carl = page2["items"][0]
    assert carl["counterpart_id"] == uid("carl") and carl["my_role"] == "seller"
    assert carl["completed_orders"] == 2 and carl["total_spent"] == {"amount": 25000, "currency": "USD"}
    assert carl["last_order_at"] == "2026-11-23T09:00:00Z" and carl["conversation_id"] is None

    as_buyer = api.get("/me/contacts?role=buyer", "carl").json["items"]
    assert [(c["counterpart_id"], c["my_role"], c["completed_orders"]) for c in as_buyer] == [(dana, "buyer", 2)]
    assert api.get("/me/contacts?role=seller", "carl").json["items"] == []
    assert api.get("/me/contacts", "bob").json["items"] == []
    assert api.get(f"/me/contacts?cursor={page1['next_cursor']}", "carl").status_code == 400  # someone else's


# -- two writers at the same instant ------------------------------------------------------------
def _interleave_once(monkeypatch, other_writer) -> None:
    """The first conversation save of the next write lets ``other_writer`` write and commit
    before it commits itself: two messages to one conversation in the same instant, raced
    deterministically (no threads, no waiting)."""
    from chalicelib.store import conversations as conversation_store

    original = conversation_store.stage_save
    done: list[bool] = []

    def stage_then_let_the_other_writer_in(uow, record, conversation):
        original(uow, record, conversation)
        if not done:
            done.append(True)
            other_writer()

    monkeypatch.setattr(conversation_store, "stage_save", stage_then_let_the_other_writer_in)


def test_two_messages_at_the_same_instant_both_land_in_a_stable_order(api, clock, dana, monkeypatch):
    from chalicelib.services import conversations, runtime

    first = write(api, "carol", to_seller=DANA, text="Hi, can you remodel a small kitchen?")
    conversation_id = first.json["conversation_id"]
    clock.advance(seconds=30)
    _interleave_once(monkeypatch, lambda: conversations.write_in(
        conversation_id, uid(DANA), "Yes, tell me the size.", [], None, runtime.clock()))
    response = api.post(f"/conversations/{conversation_id}/messages", "carol",
                        body={"text": "About 10 square meters."})
    assert response.status_code == 201, response.json  # not a 409 the sender must retry

    texts = [m["text"] for m in api.get(f"/conversations/{conversation_id}/messages", "carol").json["items"]]
    # Newest first; the two at the same instant in the order they were stored, on every read.
    assert texts == ["About 10 square meters.", "Yes, tell me the size.", "Hi, can you remodel a small kitchen?"]
    assert [m["text"] for m in api.get(f"/conversations/{conversation_id}/messages", "dana").json["items"]] == texts
    paged, cursor = [], None
    while True:
        query = f"?limit=1&cursor={cursor}" if cursor else "?limit=1"
        page = api.get(f"/conversations/{conversation_id}/messages{query}", "carol").json
        paged += [m["text"] for m in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert paged == texts
    entry = api.get(f"/conversations/{conversation_id}", DANA).json
    assert entry["message_count"] == 3 and entry["unread"] == 2
    assert entry["last_message_preview"] == "About 10 square meters."
    assert api.get(f"/conversations/{conversation_id}", "carol").json["unread"] == 1


def test_two_first_messages_at_the_same_instant_open_one_conversation(api, dana, monkeypatch):
    from chalicelib.services import conversations, runtime

    _interleave_once(monkeypatch, lambda: conversations.write_to(
        uid("carol"), uid(DANA), None, "Are you free in May?", [], None, runtime.clock()))
    response = write(api, "carol", to_seller=DANA, text="Hi, can you remodel a small kitchen?")
    assert response.status_code == 201, response.json
    (entry,) = api.get("/conversations", "carol").json["items"]
    assert entry["id"] == response.json["conversation_id"] and entry["message_count"] == 2
