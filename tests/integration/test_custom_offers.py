"""Custom offers through the HTTP API and the sweeper (C1, O2, O3, O5, A4, W2, M1).

dana sells (the ``published_gig``: basic $100 in 5 days, one mandatory requirement); carol wrote to
dana first, so dana may send her offers; alice never wrote; bob is a stranger; olga is an operator."""
from __future__ import annotations

from datetime import timedelta

import pytest

from chalicelib.domain.deadlines import DeadlineKind
from chalicelib.services import payments, runtime
from chalicelib.services.sweeper import sweep
from chalicelib.store import deadlines as deadline_store
from tests.integration.conftest import uid, usd

SELLER, BUYER = "dana", "carol"


@pytest.fixture
def charges():
    port = runtime.current().payments
    assert isinstance(port, payments.LocalPayments)
    return port


@pytest.fixture
def chat(api, published_gig):
    first = api.post("/conversations", BUYER, body={"seller_id": uid(SELLER), "text": "Hi, can you do my kitchen?"})
    assert first.status_code == 201, first.json
    return {"conversation_id": first.json["conversation_id"], "gig": published_gig}


def offer_body(gig_id: str, **overrides) -> dict:
    return {"gig_id": gig_id, "description": "A full kitchen plan for your flat, with two site visits",
            "price": usd(23_456), "delivery_days": 9, "revisions": 3, **overrides}


def send(api, chat, who=SELLER, **overrides):
    return api.post(f"/conversations/{chat['conversation_id']}/custom-offers", who,
                    body=offer_body(**{"gig_id": chat["gig"]["id"], **overrides}))


def test_c1_an_accepted_offer_places_the_order_at_the_offers_price_and_terms(api, chat, charges):
    sent = send(api, chat)
    assert sent.status_code == 201, sent.json
    offer = sent.json
    assert offer["state"] == "pending" and offer["price"] == usd(23_456)
    assert offer["allowed_actions"] == [
        {"action": "withdraw", "method": "POST", "path": f"/custom-offers/{offer['id']}/withdrawal"}]
    # C1: it appears in the conversation as a message of its own kind.
    newest = api.get(f"/conversations/{chat['conversation_id']}/messages", BUYER).json["items"][0]
    assert (newest["kind"], newest["offer_id"], newest["sender_id"]) == ("custom_offer", offer["id"], uid(SELLER))
    seen = api.get(f"/custom-offers/{offer['id']}", BUYER).json
    assert seen["your_role"] == "buyer" and [a["action"] for a in seen["allowed_actions"]] == ["accept", "decline"]

    accepted = api.post(f"/custom-offers/{offer['id']}/acceptance", BUYER)
    assert accepted.status_code == 201, accepted.json
    order = accepted.json
    assert order["total"] == usd(23_456) and order["delivery_days"] == 9 and order["revisions_allowed"] == 3
    assert [line["kind"] for line in order["lines"]] == ["offer"]
    assert order["state"] == "awaiting_requirements"  # the gig's requirements were asked (O3)
    assert order["buyer_id"] == uid(BUYER) and order["gig_id"] == chat["gig"]["id"]
    after = api.get(f"/custom-offers/{offer['id']}", SELLER).json
    assert after["state"] == "accepted" and after["order_id"] == order["id"] and after["allowed_actions"] == []
    taken = [c["amount"] for c in charges.charges.values() if c["order_id"] == order["id"] and not c["voided"]]
    assert taken == [23_456]
    # Never two orders from one offer.
    again = api.post(f"/custom-offers/{offer['id']}/acceptance", BUYER)
    assert again.status_code == 409 and again.json["code"] == "offer_not_pending"
    assert len(api.get("/orders", BUYER).json["items"]) == 1
    assert deadline_store.get(DeadlineKind.CUSTOM_OFFER_EXPIRY, offer["id"]) is None


def test_o3_c1_skipped_requirements_start_the_order_at_once(api, chat, clock):
    offer = send(api, chat, requirements_asked=False, revisions=None).json
    order = api.post(f"/custom-offers/{offer['id']}/acceptance", BUYER).json
    assert order["state"] == "in_progress" and order["requirements"] == [] and order["revisions_allowed"] is None
    assert order["due_at"] == (clock.now() + timedelta(days=9)).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_c1_the_buyer_declines_with_a_reason_and_the_seller_withdraws(api, chat, clock):
    first = send(api, chat).json
    declined = api.post(f"/custom-offers/{first['id']}/decline", BUYER, body={"reason": "Over my budget"})
    assert declined.status_code == 200 and declined.json["state"] == "declined"
    assert declined.json["decline_reason"] == "Over my budget"
    clock.advance(minutes=1)
    second = send(api, chat).json
    assert api.post(f"/custom-offers/{second['id']}/withdrawal", BUYER).status_code == 403
    withdrawn = api.post(f"/custom-offers/{second['id']}/withdrawal", SELLER)
    assert withdrawn.status_code == 200 and withdrawn.json["state"] == "withdrawn"
    late = api.post(f"/custom-offers/{second['id']}/acceptance", BUYER)
    assert late.status_code == 409 and late.json["rule"] == "C1"
    assert api.get("/orders", BUYER).json["items"] == []
    mine = api.get("/me/custom-offers?role=seller&state=withdrawn", SELLER).json["items"]
    assert [o["id"] for o in mine] == [second["id"]]
    assert [o["id"] for o in api.get("/me/custom-offers", BUYER).json["items"]] == [second["id"], first["id"]]


def test_c1_an_offer_expires_through_the_sweeper(api, chat, clock):
    offer = send(api, chat, expiry_days=2).json
    clock.advance(days=2, seconds=-1)
    sweep(clock)
    assert api.get(f"/custom-offers/{offer['id']}", BUYER).json["state"] == "pending"
    clock.advance(seconds=1)
    refused = api.post(f"/custom-offers/{offer['id']}/acceptance", BUYER)
    assert refused.status_code == 409 and refused.json["code"] == "offer_expired"
    assert sweep(clock).fired >= 1
    assert api.get(f"/custom-offers/{offer['id']}", BUYER).json["state"] == "expired"
    assert sweep(clock).fired == 0
    assert deadline_store.get(DeadlineKind.CUSTOM_OFFER_EXPIRY, offer["id"]) is None


def test_c1_a_fire_for_an_answered_offer_does_nothing(api, chat, clock):
    offer = send(api, chat, expiry_days=1).json
    deadline = deadline_store.get(DeadlineKind.CUSTOM_OFFER_EXPIRY, offer["id"])
    assert deadline is not None
    api.post(f"/custom-offers/{offer['id']}/withdrawal", SELLER)
    clock.advance(days=2)
    fire = runtime.current().timers[DeadlineKind.CUSTOM_OFFER_EXPIRY]
    assert fire(deadline, clock) is False
    assert api.get(f"/custom-offers/{offer['id']}", SELLER).json["state"] == "withdrawn"


def test_o5_no_offer_where_the_seller_wrote_first_or_outside_ones_conversations(api, published_gig, make_seller):
    from tests.integration.messaging_setup import past_orders

    past_orders(SELLER, "alice")  # alice ordered before: dana may write to her (O5), not send an offer (C1)
    opened = api.post("/conversations", SELLER, body={"buyer_id": uid("alice"), "text": "Thanks again!"})
    assert opened.status_code == 201, opened.json
    conv = {"conversation_id": opened.json["conversation_id"], "gig": published_gig}
    refused = send(api, conv)
    assert refused.status_code == 403 and refused.json["rule"] == "O5"
    assert send(api, conv, who="bob").status_code == 404  # a stranger to the conversation
    assert send(api, conv, who="alice").status_code == 403  # the buyer does not send offers


def test_c1_refusals_at_sending(api, chat):
    w2 = send(api, chat, description="Mail me at dana@example.com")
    assert w2.status_code == 422 and w2.json["rule"] == "W2"
    assert send(api, chat, gig_id="gig_nothere").status_code == 404
    assert send(api, chat, expiry_days=31).status_code == 422
    assert send(api, chat, price=usd(100)).status_code == 422


def test_o2_a4_accepting_checks_what_placing_checks(api, chat):
    offer = send(api, chat).json
    paused = api.post(f"/gigs/{chat['gig']['id']}/pause", SELLER)
    assert paused.status_code == 200
    refused = api.post(f"/custom-offers/{offer['id']}/acceptance", BUYER)
    assert refused.status_code == 409 and (refused.json["code"], refused.json["rule"]) == ("gig_not_published", "O2")
    assert api.get(f"/custom-offers/{offer['id']}", BUYER).json["state"] == "pending"
    assert api.post(f"/gigs/{chat['gig']['id']}/resume", SELLER).status_code == 200
    away = api.put("/me/availability", SELLER, body={"start_date": "2026-11-23", "end_date": "2026-12-05",
                                                      "reason": "vacation"})
    assert away.status_code == 200, away.json
    refused = api.post(f"/custom-offers/{offer['id']}/acceptance", BUYER)
    assert refused.status_code == 409 and refused.json["rule"] in ("A4", "O2")
    assert api.get("/orders", BUYER).json["items"] == []


def test_c1_a_buyer_asks_for_an_offer_from_a_gig_page(api, published_gig):
    asked = api.post(f"/gigs/{published_gig['id']}/offer-requests", "alice",
                     body={"text": "Could you plan two bathrooms as well?"})
    assert asked.status_code == 201, asked.json
    assert (asked.json["kind"], asked.json["gig_id"]) == ("offer_request", published_gig["id"])
    conv = asked.json["conversation_id"]
    assert api.get(f"/conversations/{conv}", SELLER).json["buyer_id"] == uid("alice")
    # The buyer opened the conversation: now dana may send alice an offer (O5, C1).
    sent = send(api, {"conversation_id": conv, "gig": published_gig})
    assert sent.status_code == 201, sent.json
    assert api.post(f"/gigs/{published_gig['id']}/offer-requests", SELLER,
                    body={"text": "me"}).status_code == 403
    w2 = api.post(f"/gigs/{published_gig['id']}/offer-requests", "bob", body={"text": "call 555-123-4567"})
    assert w2.status_code == 422 and w2.json["rule"] == "W2"
