"""Buyer requests through the HTTP API, the reactions and the sweeper (B1, B2, B3, C1, F1, W2, A3).

carol buys; dana and omar sell in the ``renovation`` category (dana's ``published_gig``, omar's own
gig); lior is a seller with no gig in it; bob is a plain user; olga is an operator."""
from __future__ import annotations

import pytest

from chalicelib.domain.buyer_requests import OPEN_DAYS, OPEN_REQUESTS_MAX
from chalicelib.domain.deadlines import DeadlineKind
from chalicelib.domain.files import Purpose
from chalicelib.services import reactions, runtime
from chalicelib.services.sweeper import sweep
from chalicelib.store import deadlines as deadline_store
from local.media_seed import GeneratedImageScanner, upload_and_scan
from tests.integration.conftest import gig_body, uid, usd

BUYER, SELLER, OTHER_SELLER, NO_GIG_SELLER = "carol", "dana", "omar", "lior"


def request_body(**overrides) -> dict:
    return {"description": "Remodel a 12 m2 kitchen: new cabinets, worktop and tiling.", "category": "renovation",
            "subcategory": "kitchen-remodel", "budget": usd(150_000), "delivery_days": 20, **overrides}


def offer_body(gig_id: str, **overrides) -> dict:
    return {"gig_id": gig_id, "description": "Full plan and site management for your kitchen",
            "price": usd(120_000), "delivery_days": 18, "revisions": 2, **overrides}


def drain(clock) -> None:
    """Runs the dispatcher until the outbox is empty (the fan-out stages the sellers' notifications)."""
    for _ in range(5):
        if reactions.dispatch(runtime.current().reactions, clock).dispatched == 0:
            return
    raise AssertionError("the outbox did not drain")


@pytest.fixture
def sellers(api, clock, published_gig, make_seller):
    """dana's and omar's published gigs in renovation; lior sells, but not in renovation."""
    make_seller(OTHER_SELLER)
    created = api.post("/gigs", OTHER_SELLER, body=gig_body(seller=OTHER_SELLER, title="I will design your kitchen"))
    assert created.status_code == 201, created.json
    omar_gig = api.post(f"/gigs/{created.json['id']}/publish", OTHER_SELLER)
    assert omar_gig.status_code == 200, omar_gig.json
    make_seller(NO_GIG_SELLER)
    return {SELLER: published_gig["id"], OTHER_SELLER: omar_gig.json["id"]}


@pytest.fixture
def posted(api, clock, sellers):
    """carol's open request, fanned out to the category's sellers."""
    created = api.post("/buyer-requests", BUYER, body=request_body())
    assert created.status_code == 201, created.json
    drain(clock)
    return created.json


def test_b1_a_request_reaches_the_sellers_of_its_category_and_they_are_notified(api, clock, posted, sellers):
    assert posted["state"] == "open" and posted["your_role"] == "buyer" and posted["allowed_actions"] == [
        {"action": "close", "method": "POST", "path": f"/buyer-requests/{posted['id']}/closure"}]
    assert posted["budget"] == usd(150_000)
    for seller in (SELLER, OTHER_SELLER):
        feed = api.get("/me/request-feed", seller).json
        assert [i["id"] for i in feed["items"]] == [posted["id"]]
        assert feed["items"][0]["excerpt"].startswith("Remodel a 12 m2 kitchen")
        assert api.get(f"/buyer-requests/{posted['id']}", seller).json["your_role"] == "seller"
        kinds = [n["event"] for n in api.get("/me/notifications", seller).json["items"]]
        assert "buyer_request.matched" in kinds
    # lior sells, but not in renovation; bob does not sell: neither sees it (404, as if missing).
    assert api.get("/me/request-feed", NO_GIG_SELLER).json["items"] == []
    assert api.get(f"/buyer-requests/{posted['id']}", NO_GIG_SELLER).status_code == 404
    assert api.get(f"/buyer-requests/{posted['id']}", "bob").status_code == 404
    assert api.op("GET", f"/buyer-requests/{posted['id']}", "olga").json["your_role"] == "operator"
    assert [r["id"] for r in api.get("/me/buyer-requests", BUYER).json["items"]] == [posted["id"]]


def test_b1_the_feed_is_newest_first_with_cursor_pages(api, clock, sellers):
    ids = []
    for n in range(3):
        ids.append(api.post("/buyer-requests", BUYER, body=request_body(description=f"Kitchen number {n}")).json["id"])
        clock.advance(minutes=1)
    drain(clock)
    first = api.get("/me/request-feed?limit=2", SELLER).json
    assert [i["id"] for i in first["items"]] == ids[:0:-1] and first["next_cursor"]
    rest = api.get(f"/me/request-feed?limit=2&cursor={first['next_cursor']}", SELLER).json
    assert [i["id"] for i in rest["items"]] == [ids[0]]
    assert api.get(f"/me/request-feed?cursor={first['next_cursor']}", OTHER_SELLER).status_code == 400


def test_b1_w2_refusals_name_their_rules(api, clock, sellers):
    leaked = api.post("/buyer-requests", BUYER, body=request_body(description="Call me on +1 415 555 0199"))
    assert leaked.status_code == 422 and leaked.json["code"] == "contact_details" and leaked.json["rule"] == "W2"
    unknown = api.post("/buyer-requests", BUYER, body=request_body(subcategory="roofing"))
    assert unknown.status_code == 422 and unknown.json["rule"] == "B1"
    assert {e["field"] for e in unknown.json["errors"]} == {"subcategory"}
    for n in range(OPEN_REQUESTS_MAX):
        assert api.post("/buyer-requests", BUYER, body=request_body(description=f"Job {n}")).status_code == 201
    eleventh = api.post("/buyer-requests", BUYER, body=request_body())
    assert eleventh.status_code == 409 and eleventh.json["code"] == "too_many_open_requests"
    assert eleventh.json["rule"] == "B1"
    # Closing one frees a place.
    first = api.get("/me/buyer-requests?limit=1", BUYER).json["items"][0]
    assert api.post(f"/buyer-requests/{first['id']}/closure", BUYER).json["state"] == "closed"
    assert api.post("/buyer-requests", BUYER, body=request_body()).status_code == 201


def test_f1_attachments_are_the_buyers_scanned_uploads_attached_with_the_request(api, clock, posted, sellers):
    clean = upload_and_scan(uid(BUYER), clock, b"Kitchen plan, 12 m2\n", "plan.txt", "text/plain",
                            Purpose.BUYER_REQUEST, GeneratedImageScanner())
    wrong = upload_and_scan(uid(BUYER), clock, b"A message file\n", "note.txt", "text/plain", Purpose.MESSAGE,
                            GeneratedImageScanner())
    refused = api.post("/buyer-requests", BUYER, body=request_body(attachments=[wrong]))
    assert refused.status_code == 422 and refused.json["rule"] == "F1"
    assert refused.json["errors"][0]["code"] == "wrong_purpose"
    created = api.post("/buyer-requests", BUYER, body=request_body(attachments=[clean]))
    assert created.status_code == 201, created.json
    assert [(a["id"], a["state"]) for a in created.json["attachments"]] == [(clean, "clean")]
    drain(clock)
    # Who sees the request sees its file; who does not, does not (F1).
    assert api.get(f"/files/{clean}/download", SELLER).status_code == 200
    assert api.get(f"/files/{clean}", NO_GIG_SELLER).status_code == 404
    again = api.post("/buyer-requests", BUYER, body=request_body(attachments=[clean]))
    assert again.status_code == 422 and again.json["errors"][0]["code"] == "already_attached"


def test_b2_one_offer_per_seller_on_a_gig_of_the_category(api, clock, posted, sellers, catalogue):
    path = f"/buyer-requests/{posted['id']}/offers"
    sent = api.post(path, SELLER, body=offer_body(sellers[SELLER]))
    assert sent.status_code == 201, sent.json
    offer = sent.json
    assert offer["request_id"] == posted["id"] and offer["conversation_id"] is None
    assert offer["buyer_id"] == uid(BUYER) and offer["state"] == "pending"
    assert sent.headers["Location"] == f"/custom-offers/{offer['id']}"
    twice = api.post(path, SELLER, body=offer_body(sellers[SELLER]))
    assert twice.status_code == 409 and twice.json["code"] == "one_offer_per_request" and twice.json["rule"] == "B2"
    # Another seller's gig is not yours (C1); a gig in another category does not answer (B2).
    assert api.post(path, OTHER_SELLER, body=offer_body(sellers[SELLER])).status_code == 403
    assert api.op("PUT", "/catalogue/categories/gardening", "olga", body={
        "name": "Gardening", "subcategories": [{"slug": "lawns", "name": "Lawns"}]}).status_code == 200
    lawn = api.post("/gigs", OTHER_SELLER, body=gig_body(seller=OTHER_SELLER, title="I will mow your lawn",
                                                         category="gardening", subcategory="lawns")).json
    assert api.post(f"/gigs/{lawn['id']}/publish", OTHER_SELLER).status_code == 200
    off_topic = api.post(path, OTHER_SELLER, body=offer_body(lawn["id"]))
    assert off_topic.status_code == 409 and off_topic.json["code"] == "gig_not_in_category"
    assert off_topic.json["rule"] == "B2"
    # The buyer cannot answer their own request; lior cannot see it; W2 applies to the offer.
    assert api.post(path, NO_GIG_SELLER, body=offer_body(sellers[SELLER])).status_code == 404
    leaked = api.post(path, OTHER_SELLER, body=offer_body(sellers[OTHER_SELLER], description="mail me: x@y.com"))
    assert leaked.status_code == 422 and leaked.json["rule"] == "W2"
    # The buyer is told; only the buyer (and operators) see the offers on the request.
    drain(clock)
    assert "buyer_request.offer_received" in [n["event"] for n in api.get("/me/notifications", BUYER).json["items"]]
    seen = api.get(path, BUYER).json["items"]
    assert [(o["id"], o["seller_id"], o["gig_id"], o["price"]) for o in seen] == [
        (offer["id"], uid(SELLER), sellers[SELLER], usd(120_000))]
    assert api.get(path, SELLER).status_code == 404
    assert api.op("GET", path, "olga").status_code == 200
    assert api.get(f"/buyer-requests/{posted['id']}", SELLER).json["your_offer_id"] == offer["id"]


def test_b2_a_seller_dismisses_a_request_from_their_feed(api, clock, posted):
    assert api.delete(f"/me/request-feed/{posted['id']}", SELLER).status_code == 204
    assert api.get("/me/request-feed", SELLER).json["items"] == []
    assert [i["id"] for i in api.get("/me/request-feed", OTHER_SELLER).json["items"]] == [posted["id"]]
    assert api.delete(f"/me/request-feed/{posted['id']}", SELLER).status_code == 204  # again: no change
    assert api.delete(f"/me/request-feed/{posted['id']}", NO_GIG_SELLER).status_code == 404


def test_b3_accepting_one_offer_places_the_order_closes_the_request_and_lapses_the_others(api, clock, posted,
                                                                                          sellers):
    path = f"/buyer-requests/{posted['id']}/offers"
    dana = api.post(path, SELLER, body=offer_body(sellers[SELLER])).json
    omar = api.post(path, OTHER_SELLER, body=offer_body(sellers[OTHER_SELLER], price=usd(99_000))).json
    accepted = api.post(f"/custom-offers/{omar['id']}/acceptance", BUYER)
    assert accepted.status_code == 201, accepted.json
    order = accepted.json
    assert order["total"] == usd(99_000) and order["seller_id"] == uid(OTHER_SELLER)
    request = api.get(f"/buyer-requests/{posted['id']}", BUYER).json
    assert (request["state"], request["accepted_offer_id"], request["order_id"]) == ("accepted", omar["id"],
                                                                                   order["id"])
    assert request["allowed_actions"] == []
    assert deadline_store.get(DeadlineKind.BUYER_REQUEST_EXPIRY, posted["id"]) is None
    # Until the reaction runs the other offer is pending, but the request no longer takes it (B3).
    late = api.post(f"/custom-offers/{dana['id']}/acceptance", BUYER)
    assert late.status_code == 409 and late.json["rule"] == "B3"
    drain(clock)
    assert api.get(f"/custom-offers/{dana['id']}", SELLER).json["state"] == "lapsed"
    assert "custom_offer.lapsed" in [n["event"] for n in api.get("/me/notifications", SELLER).json["items"]]
    assert "custom_offer.lapsed" not in [n["event"] for n in api.get("/me/notifications", BUYER).json["items"]]
    assert api.get("/me/request-feed", SELLER).json["items"] == []
    assert len(api.get("/orders", BUYER).json["items"]) == 1
    # A seller who offered still sees the ended request; one who did not, no longer.
    assert api.get(f"/buyer-requests/{posted['id']}", SELLER).status_code == 200
    assert api.post(path, SELLER, body=offer_body(sellers[SELLER])).status_code == 409


def test_b1_the_buyer_closes_a_request_and_its_offers_lapse(api, clock, posted, sellers):
    offer = api.post(f"/buyer-requests/{posted['id']}/offers", SELLER, body=offer_body(sellers[SELLER])).json
    assert api.post(f"/buyer-requests/{posted['id']}/closure", SELLER).status_code == 403
    assert api.op("POST", f"/buyer-requests/{posted['id']}/closure", "olga").status_code == 403
    closed = api.post(f"/buyer-requests/{posted['id']}/closure", BUYER)
    assert closed.status_code == 200 and closed.json["state"] == "closed"
    again = api.post(f"/buyer-requests/{posted['id']}/closure", BUYER)
    assert again.status_code == 409 and again.json["rule"] == "B1"
    drain(clock)
    assert api.get(f"/custom-offers/{offer['id']}", BUYER).json["state"] == "lapsed"
    assert api.get("/me/request-feed", OTHER_SELLER).json["items"] == []


def test_b1_a_request_expires_through_the_sweeper(api, clock, posted, sellers):
    offer = api.post(f"/buyer-requests/{posted['id']}/offers", SELLER,
                     body=offer_body(sellers[SELLER], expiry_days=30)).json
    clock.advance(days=OPEN_DAYS, seconds=-1)
    sweep(clock)
    assert api.get(f"/buyer-requests/{posted['id']}", BUYER).json["state"] == "open"
    clock.advance(seconds=1)
    # Past its time the feed drops it at once, before the sweeper ran.
    assert api.get("/me/request-feed", OTHER_SELLER).json["items"] == []
    assert sweep(clock).fired >= 1
    assert api.get(f"/buyer-requests/{posted['id']}", BUYER).json["state"] == "expired"
    assert sweep(clock).fired == 0
    assert deadline_store.get(DeadlineKind.BUYER_REQUEST_EXPIRY, posted["id"]) is None
    refused = api.post(f"/custom-offers/{offer['id']}/acceptance", BUYER)
    assert refused.status_code == 409 and refused.json["rule"] in ("B1", "B3")
    drain(clock)
    assert api.get(f"/custom-offers/{offer['id']}", BUYER).json["state"] == "lapsed"
    # The expiry frees a place for the buyer (B1).
    assert "buyer_request.expired" in [n["event"] for n in api.get("/me/notifications", BUYER).json["items"]]


def test_b1_a_fire_for_a_closed_request_does_nothing(api, clock, posted):
    deadline = deadline_store.get(DeadlineKind.BUYER_REQUEST_EXPIRY, posted["id"])
    assert deadline is not None
    api.post(f"/buyer-requests/{posted['id']}/closure", BUYER)
    clock.advance(days=OPEN_DAYS + 1)
    fire = runtime.current().timers[DeadlineKind.BUYER_REQUEST_EXPIRY]
    assert fire(deadline, clock) is False
    assert api.get(f"/buyer-requests/{posted['id']}", BUYER).json["state"] == "closed"


def test_b2_c2_an_offer_on_a_request_may_come_in_milestones_and_the_buyer_sees_them(api, clock, posted, sellers):
    """B3's list shows each offer's milestones; accepting places the plan and charges the first (C2)."""
    milestones = [{"name": "Plans", "description": "Plans of the kitchen", "delivery_days": 5, "revisions": 1,
                   "amount": usd(60_000)},
                  {"name": "Works", "description": "Site management to the end", "delivery_days": 13,
                   "revisions": 1, "amount": usd(60_000)}]
    body = {k: v for k, v in offer_body(sellers[SELLER]).items() if k not in ("price", "delivery_days")}
    sent = api.post(f"/buyer-requests/{posted['id']}/offers", SELLER,
                    body={**body, "revisions": None, "milestones": milestones})
    assert sent.status_code == 201, sent.json
    (listed,) = api.get(f"/buyer-requests/{posted['id']}/offers", BUYER).json["items"]
    assert [m["name"] for m in listed["milestones"]] == ["Plans", "Works"]
    assert listed["price"] == usd(120_000) and listed["delivery_days"] == 18
    order = api.post(f"/custom-offers/{listed['id']}/acceptance", BUYER)
    assert order.status_code == 201, order.json
    assert len(order.json["milestones"]) == 2 and order.json["money"]["paid"] == usd(60_000)
