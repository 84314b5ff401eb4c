"""Seller coupons through the HTTP API and the outbox (M2, M1, A3).

dana sells (the ``published_gig``, basic package $100); alice completed an order with her; olga is
an operator; carol never bought from dana; omar is another seller."""
from __future__ import annotations

from datetime import timedelta
from functools import partial

import pytest

from chalicelib.domain.audit import ObjectKind
from chalicelib.domain.coupons import COUPONS_PER_MONTH, DISCOUNT_PERCENT_MAX, MINIMUM_ORDER, VALIDITY
from chalicelib.domain.errors import Conflict
from chalicelib.domain.ledger import SELLER_SHARE_PERCENT
from chalicelib.domain.pricing import Selection
from chalicelib.services import coupons, orders, reactions, runtime
from chalicelib.services.reactions import DispatchReport, ReactionContext
from chalicelib.store import audit as audit_store
from chalicelib.store import coupons as coupon_store
from chalicelib.store import events as event_store
from chalicelib.store import orders as order_store
from tests.integration.conftest import gig_body, uid
from tests.integration.orders_under_stress import atomic_moto, commits_held_until_all_have_read, run_together
from tests.integration.outbox import sent_emails

BUYER, SELLER, OPERATOR, NEWCOMER, OTHER_SELLER = "alice", "dana", "olga", "carol", "omar"


def drain(clock) -> None:
    for _ in range(5):
        if reactions.dispatch(runtime.current().reactions, clock).dispatched == 0:
            return
    raise AssertionError("the outbox did not drain")


def place(api, gig: dict, buyer: str = BUYER, tier: str = "basic", coupon: str | None = None, **extra):
    body = {"gig_id": gig["id"], "tier": tier, **extra}
    if coupon:
        body["coupon_id"] = coupon
    return api.post("/orders", buyer, body=body)


def complete(api, gig: dict, buyer: str = BUYER, coupon: str | None = None) -> dict:
    placed = place(api, gig, buyer, coupon=coupon)
    assert placed.status_code == 201, placed.json
    order_id = placed.json["id"]
    answers = {"answers": [{"requirement_id": gig["requirements"][0]["id"], "text": "12 m2"}]}
    assert api.post(f"/orders/{order_id}/requirements", buyer, body=answers).status_code == 200
    assert api.post(f"/orders/{order_id}/deliveries", SELLER, body={"message": "Done"}).status_code == 201
    accepted = api.post(f"/orders/{order_id}/acceptance", buyer)
    assert accepted.json["state"] == "completed", accepted.json
    return accepted.json


def make_member(api, seller: str = SELLER, member: bool = True):
    return api.op("PUT", f"/sellers/{uid(seller)}/membership", OPERATOR,
                  body={"member": member, "reason": "Subscribed to the member plan"})


def issue(api, buyer: str = BUYER, percent: int = DISCOUNT_PERCENT_MAX, seller: str = SELLER, **extra):
    return api.post("/coupons", seller, body={"buyer_id": uid(buyer), "percent": percent, **extra})


@pytest.fixture
def member(api, clock, published_gig):
    """dana is a member; alice (with an account and an address) completed an order of hers just now."""
    assert api.put("/me/preferences", BUYER, body={"preferences": {"coupon.issued": {"push": True, "email": True}}}
                   ).status_code == 200
    complete(api, published_gig)
    made = make_member(api)
    assert made.status_code == 200, made.json
    assert made.json == {"seller_id": uid(SELLER), "member": True}
    drain(clock)
    return published_gig


def test_m2_operators_set_membership_with_an_audit_entry(api, clock, published_gig):
    assert make_member(api).status_code == 200
    [entry] = audit_store.page(operator_id=None, object_kind=ObjectKind.USER, object_id=uid(SELLER),
                               action=None, since=None, until=None, limit=100, cursor=None)[0]
    assert entry.action.value == "seller.membership_set" and entry.details == {"member": "true"}
    by_seller = api.put(f"/sellers/{uid(SELLER)}/membership", SELLER, body={"member": True, "reason": "me"})
    assert by_seller.status_code == 403
    assert api.op("PUT", f"/sellers/{uid(NEWCOMER)}/membership", OPERATOR,
                  body={"member": True, "reason": "x"}).status_code == 404  # no seller


def test_m2_issue_notifies_the_buyer_who_uses_it_and_the_seller_earns_80_percent_of_the_discounted(
        api, clock, member):
    issued = issue(api, note="Thanks for the kitchen job, see you again")
    assert issued.status_code == 201, issued.json
    coupon = issued.json
    assert coupon["status"] == "active" and coupon["percent"] == DISCOUNT_PERCENT_MAX
    drain(clock)
    # A3: in-app and e-mail
    feed = api.get("/me/notifications", BUYER).json["items"]
    [told] = [n for n in feed if n["kind"] == "coupon.issued"]
    assert told["link"]["path"] == "/me/coupons"
    mails = [m for m in sent_emails() if m.destinations["ToAddresses"] == ["alice@example.test"]]
    assert any("coupon" in m.subject.lower() for m in mails), [m.subject for m in sent_emails()]
    mine = api.get("/me/coupons", BUYER).json
    assert [c["id"] for c in mine["items"]] == [coupon["id"]]
    assert [c["id"] for c in api.get("/me/coupons/issued", SELLER).json["items"]] == [coupon["id"]]
    assert api.get("/me/coupons", SELLER).json["items"] == []

    order = complete(api, member, coupon=coupon["id"])
    price = 10_000
    discounted = price - price * DISCOUNT_PERCENT_MAX // 100
    assert order["total"]["amount"] == discounted
    assert [(line["kind"], line["amount"]["amount"]) for line in order["lines"]] == [
        ("package", price), ("coupon", discounted - price)]
    assert order["money"]["paid"]["amount"] == discounted
    assert order["money"]["seller_earnings"]["amount"] == discounted * SELLER_SHARE_PERCENT // 100  # M1
    assert order["money"]["platform_fees"]["amount"] == discounted - discounted * SELLER_SHARE_PERCENT // 100
    used = api.get("/me/coupons", BUYER).json["items"][0]
    assert (used["status"], used["order_id"]) == ("used", order["id"])

    again = place(api, member, coupon=coupon["id"])
    assert again.status_code == 409 and again.json["code"] == "coupon_used"


def test_m2_refusals_when_using(api, clock, member, make_seller):
    coupon = issue(api).json["id"]
    make_seller(OTHER_SELLER)
    other_gig = api.post("/gigs", OTHER_SELLER, body=gig_body(seller=OTHER_SELLER)).json
    assert api.post(f"/gigs/{other_gig['id']}/publish", OTHER_SELLER).status_code == 200
    refused = place(api, other_gig, coupon=coupon)
    assert refused.status_code == 409 and refused.json["code"] == "coupon_other_seller", refused.json

    cheap = api.post("/gigs", SELLER, body=gig_body(title="I will measure your kitchen", packages=[
        {"tier": "basic", "name": "Measure", "description": "Measurements", "delivery_days": 5, "revisions": 1,
         "price": {"amount": MINIMUM_ORDER - 1, "currency": "USD"}}])).json
    assert api.post(f"/gigs/{cheap['id']}/publish", SELLER).status_code == 200, cheap
    refused = place(api, cheap, coupon=coupon)
    assert refused.status_code == 409 and refused.json["code"] == "coupon_minimum_order"

    assert place(api, member, NEWCOMER, coupon=coupon).status_code == 404  # not carol's
    assert place(api, member, coupon="cpn_nothing").status_code == 404

    clock.advance(seconds=VALIDITY.total_seconds())
    refused = place(api, member, coupon=coupon)
    assert refused.status_code == 409 and refused.json["code"] == "coupon_expired"
    assert api.get("/me/coupons", BUYER).json["items"][0]["status"] == "expired"
    assert len(order_store.page_of(uid(BUYER), False, None, 100, None)[0]) == 1  # nothing placed


def test_m2_refusals_when_issuing(api, clock, member):
    assert make_member(api, member=False).status_code == 200
    refused = issue(api)
    assert refused.status_code == 403 and refused.json["code"] == "not_a_member"
    assert make_member(api).status_code == 200
    refused = issue(api, NEWCOMER)
    assert refused.status_code == 409 and refused.json["code"] == "no_recent_order"
    refused = issue(api, percent=DISCOUNT_PERCENT_MAX + 1)
    assert refused.status_code == 422 and refused.json["errors"][0]["rule"] == "M2"
    refused = issue(api, note="call me on +1 415 555 0134")
    assert refused.status_code == 422 and refused.json["errors"][0]["rule"] == "W2"
    clock.advance(days=91)
    refused = issue(api)
    assert refused.status_code == 409 and refused.json["code"] == "no_recent_order"
    assert api.get("/me/coupons", BUYER).json["items"] == []


def test_m2_at_most_five_a_calendar_month(api, clock, member):
    for _ in range(COUPONS_PER_MONTH):
        assert issue(api, percent=5).status_code == 201
    refused = issue(api, percent=5)
    assert refused.status_code == 409 and refused.json["code"] == "coupon_limit_reached"
    assert len(api.get("/me/coupons/issued", SELLER, ).json["items"]) == COUPONS_PER_MONTH
    page = api.get("/me/coupons?limit=2", BUYER).json  # paginated
    assert len(page["items"]) == 2 and page["next_cursor"]
    # The next calendar month starts a new count (the test clock starts on 2026-12-01 or so).
    now = clock.now()
    first_of_next = (now.replace(day=1) + timedelta(days=32)).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    clock.advance(seconds=(first_of_next - now).total_seconds())
    assert issue(api, percent=5).status_code == 201


def test_m2_a_cancelled_order_voids_its_coupon_once(api, clock, member):
    coupon = issue(api).json["id"]
    placed = place(api, member, coupon=coupon)
    assert placed.status_code == 201
    order_id = placed.json["id"]
    cancelled = api.op("POST", f"/orders/{order_id}/operator-cancellation", OPERATOR, body={"reason": "Fraud"})
    assert cancelled.status_code == 200, cancelled.json
    assert cancelled.json["money"]["refunded"] == placed.json["total"]  # M3 on the discounted price
    drain(clock)
    record = coupon_store.get(coupon)
    assert record is not None and record.value.state.value == "void"
    version = record.item.version
    assert api.get("/me/coupons", BUYER).json["items"][0]["status"] == "void"
    refused = place(api, member, coupon=coupon)
    assert refused.status_code == 409 and refused.json["code"] == "coupon_void"

    # A replayed cancellation event changes nothing.
    [event] = [e for e in event_store.history(f"order:{order_id}") if e.data.get("state") == "cancelled"]
    handler = coupons.CouponReactions()
    handler(event, ReactionContext(clock, DispatchReport()))
    after = coupon_store.get(coupon)
    assert after is not None and after.item.version == version and after.value == record.value


def test_m2_cancelling_an_order_without_a_coupon_touches_no_coupon(api, clock, member):
    coupon = issue(api).json["id"]
    placed = place(api, member)
    assert api.op("POST", f"/orders/{placed.json['id']}/operator-cancellation", OPERATOR,
                  body={"reason": "Fraud"}).status_code == 200
    drain(clock)
    assert api.get("/me/coupons", BUYER).json["items"][0]["status"] == "active"
    assert coupon_store.get(coupon).value.state.value == "issued"


@pytest.mark.parametrize("held", [False, True], ids=["free", "held"])
def test_m2_two_placements_racing_one_coupon_yield_one_order(api, clock, member, held):
    coupon = issue(api).json["id"]
    gig_id = member["id"]
    before = len(order_store.page_of(uid(BUYER), False, None, 100, None)[0])
    sides = [partial(orders.place, uid(BUYER), gig_id, Selection(tier=tier), clock, coupon_id=coupon)
             for tier in ("basic", "standard")]
    with atomic_moto():
        if held:
            with commits_held_until_all_have_read(2):
                results = run_together(*sides)
        else:
            results = run_together(*sides)
    won = [r for r in results if r.error is None]
    assert len(won) == 1, [r.error for r in results]
    assert all(isinstance(r.error, Conflict) for r in results if r.error is not None)
    placed = order_store.page_of(uid(BUYER), False, None, 100, None)[0]
    assert len(placed) == before + 1
    record = coupon_store.get(coupon)
    assert record is not None and record.value.order_id == won[0].value.id
    port = runtime.current().payments
    kept = [c for c in port.charges.values() if not c["voided"] and c["order_id"] == won[0].value.id]
    assert len(kept) == 1
