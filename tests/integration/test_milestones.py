"""Milestone orders through the HTTP API and the sweeper (C2–C5, M1, M3, O9, O13/O19).

dana sells (the ``published_gig``); carol wrote to dana first, so dana sends her a custom offer in
three milestones ($60, $80, $50) without requirements: accepting starts the first at once."""
from __future__ import annotations

from datetime import timedelta

import pytest

from chalicelib.domain.deadlines import DeadlineKind
from chalicelib.services import payments, runtime
from chalicelib.services.sweeper import sweep
from chalicelib.store import relationships as relationship_store
from tests.integration.conftest import uid, usd

SELLER, BUYER = "dana", "carol"
MILESTONES = [
    {"name": "Floor plans", "description": "Measured plans of every floor", "delivery_days": 5,
     "amount": usd(6_000), "revisions": 1},
    {"name": "Renders", "description": "Three renders of the living room", "delivery_days": 10,
     "amount": usd(8_000), "revisions": 2},
    {"name": "Final set", "description": "The full project: plans, renders, materials list", "delivery_days": 3,
     "amount": usd(5_000), "revisions": None},
]


@pytest.fixture
def charges():
    port = runtime.current().payments
    assert isinstance(port, payments.LocalPayments)
    return port


@pytest.fixture
def chat(api, published_gig):
    first = api.post("/conversations", BUYER, body={"seller_id": uid(SELLER), "text": "Hi, can you do my house?"})
    assert first.status_code == 201, first.json
    return {"conversation_id": first.json["conversation_id"], "gig": published_gig}


def send(api, chat, milestones=None, **overrides):
    body = {"gig_id": chat["gig"]["id"], "description": "The whole renovation design, in three parts",
            "revisions": None, "requirements_asked": False, "milestones": milestones or MILESTONES, **overrides}
    return api.post(f"/conversations/{chat['conversation_id']}/custom-offers", SELLER, body=body)


@pytest.fixture
def order(api, chat):
    offer = send(api, chat)
    assert offer.status_code == 201, offer.json
    placed = api.post(f"/custom-offers/{offer.json['id']}/acceptance", BUYER)
    assert placed.status_code == 201, placed.json
    return placed.json


def charged(charges, order_id: str) -> list[int]:
    return [c["amount"] for c in charges.charges.values() if c["order_id"] == order_id and not c["voided"]]


def deliver(api, order_id: str):
    done = api.post(f"/orders/{order_id}/deliveries", SELLER, body={"message": "The milestone's work"})
    assert done.status_code == 201, done.json
    return done.json


def states(order: dict) -> list[str]:
    return [m["state"] for m in order["milestones"]]


def test_c2_an_offer_in_milestones_places_a_plan_and_charges_the_first_milestone(api, chat, order, charges, clock):
    assert order["state"] == "in_progress" and order["total"] == usd(19_000)
    assert [line["kind"] for line in order["lines"]] == ["milestone"] * 3
    assert charged(charges, order["id"]) == [6_000]
    assert order["money"]["paid"] == usd(6_000)
    assert states(order) == ["in_progress", "pending", "pending"]
    first = order["milestones"][0]
    assert first["due_at"] == (clock.now() + timedelta(days=5)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert (first["amount"], first["paid"], first["final"]) == (usd(6_000), usd(6_000), False)
    assert order["milestones"][2]["final"] is True


def test_c2_the_offer_shows_its_milestones_and_refuses_bad_ones_with_rule_c2(api, chat):
    sent = send(api, chat)
    assert sent.json["price"] == usd(19_000) and sent.json["delivery_days"] == 18
    assert [m["name"] for m in sent.json["milestones"]] == ["Floor plans", "Renders", "Final set"]
    too_small = send(api, chat, milestones=[{**MILESTONES[0], "amount": usd(4_000)},
                                            {**MILESTONES[1], "amount": usd(5_000)}])
    assert too_small.status_code == 422 and too_small.json["rule"] == "C2"
    fields = {(f["field"], f["code"]) for f in too_small.json["errors"]}
    assert {("milestones", "too_small"), ("milestones.0.amount", "out_of_range")} <= fields
    long = send(api, chat, milestones=[{**MILESTONES[0], "delivery_days": 31}, MILESTONES[1]])
    assert long.status_code == 422 and long.json["errors"][0]["rule"] == "C2"
    both = send(api, chat, price=usd(19_000))
    assert both.status_code == 422  # the milestones give the price
    plain = api.post(f"/conversations/{chat['conversation_id']}/custom-offers", SELLER,
                     body={"gig_id": chat["gig"]["id"], "description": "One piece", "revisions": 1})
    assert plain.status_code == 422  # without milestones, price and days are required


def test_c3_c5_approve_pay_and_start_each_milestone_until_the_last_completes_the_order(api, order, charges, clock):
    oid = order["id"]
    for i in range(3):
        deliver(api, oid)
        clock.advance(days=1)
        approved = api.post(f"/orders/{oid}/acceptance", BUYER)
        assert approved.status_code == 200, approved.json
        if i < 2:
            page = approved.json
            assert page["state"] == "awaiting_next_milestone"
            assert [a["action"] for a in page["allowed_actions"]] == ["start_next_milestone", "stop"]
            assert states(page)[i:i + 2] == ["approved", "awaiting_payment"]
            assert page["milestones"][i + 1]["pay_by"] is not None
            started = api.post(f"/orders/{oid}/next-milestone", BUYER)
            assert started.status_code == 200, started.json
            assert states(started.json)[i + 1] == "in_progress"
    final = api.get(f"/orders/{oid}", SELLER).json
    deliveries = api.get(f"/orders/{oid}/deliveries", BUYER).json["items"]
    assert [d["milestone"] for d in deliveries] == [3, 2, 1]  # newest first, each names its milestone
    assert final["state"] == "completed" and states(final) == ["approved"] * 3
    assert charged(charges, oid) == [6_000, 8_000, 5_000]
    assert final["money"] == {"paid": usd(19_000), "refunded": usd(0), "seller_earnings": usd(15_200),
                              "platform_fees": usd(3_800), "held": usd(0)}
    earnings = api.get("/me/earnings", SELLER).json
    assert earnings["earned"] == usd(15_200) and earnings["settlements"] == 3  # C5: paid per milestone
    named = [e["data"].get("milestone") for e in final["history"] if e["kind"] == "order.accept"]
    assert named == [1, 2, 3]  # the history names the milestone of each event
    assert final["timers"] == []


def test_c3_an_unanswered_milestone_delivery_is_approved_after_8_days_by_the_sweeper(api, order, clock):
    oid = order["id"]
    deliver(api, oid)
    clock.advance(days=8, seconds=-1)
    assert sweep(clock).fired == 0
    clock.advance(seconds=2)
    assert sweep(clock).fired == 1
    page = api.get(f"/orders/{oid}", BUYER).json
    assert page["state"] == "completed" and states(page) == ["approved", "not_started", "not_started"]
    assert page["money"]["seller_earnings"] == usd(4_800) and page["timers"] == []
    assert sweep(clock).fired == 0
    rel = relationship_store.get(uid(SELLER), uid(BUYER))
    assert rel is not None and rel.value.completed_orders == 1  # O19: it counts as completed


def test_c2_a_next_milestone_unpaid_for_10_days_ends_the_order_completed(api, order, clock):
    oid = order["id"]
    deliver(api, oid)
    api.post(f"/orders/{oid}/acceptance", BUYER)
    page = api.get(f"/orders/{oid}", BUYER).json
    assert [t["kind"] for t in page["timers"]] == [DeadlineKind.ORDER_NEXT_MILESTONE.value]
    clock.advance(days=10, seconds=-1)
    assert sweep(clock).fired == 0
    clock.advance(seconds=2)
    late = api.post(f"/orders/{oid}/next-milestone", BUYER)
    assert late.status_code == 409 and (late.json["code"], late.json["rule"]) == ("next_milestone_lapsed", "C2")
    assert sweep(clock).fired == 1
    page = api.get(f"/orders/{oid}", BUYER).json
    assert page["state"] == "completed" and states(page) == ["approved", "not_started", "not_started"]
    assert page["timers"] == []


def test_c4_the_buyer_stops_after_an_approved_milestone(api, order, charges):
    oid = order["id"]
    refused = api.post(f"/orders/{oid}/stop", BUYER, body={})
    assert refused.status_code == 409 and refused.json["rule"] == "C4"
    deliver(api, oid)
    api.post(f"/orders/{oid}/acceptance", BUYER)
    stopped = api.post(f"/orders/{oid}/stop", BUYER, body={"reason": "We have what we need"})
    assert stopped.status_code == 200, stopped.json
    assert stopped.json["state"] == "completed" and states(stopped.json)[1:] == ["not_started", "not_started"]
    assert charged(charges, oid) == [6_000]
    told = api.get(f"/orders/{oid}", SELLER).json["history"][-1]
    assert told["kind"] == "order.stop" and "rest will not start" in told["summary"]
    assert told["data"]["reason"] == "We have what we need" and told["data"]["milestone"] == 1


def test_c4_m3_an_operator_cancels_the_running_milestone_refunding_it_alone(api, order, charges):
    oid = order["id"]
    deliver(api, oid)
    api.post(f"/orders/{oid}/acceptance", BUYER)
    api.post(f"/orders/{oid}/next-milestone", BUYER)
    cancelled = api.op("POST", f"/orders/{oid}/operator-cancellation", "olga", body={"reason": "Seller left"})
    assert cancelled.status_code == 200, cancelled.json
    page = cancelled.json
    assert page["state"] == "cancelled" and states(page) == ["approved", "cancelled", "not_started"]
    assert page["money"] == {"paid": usd(14_000), "refunded": usd(8_000), "seller_earnings": usd(4_800),
                             "platform_fees": usd(1_200), "held": usd(0)}
    rel = relationship_store.get(uid(SELLER), uid(BUYER))
    assert rel is not None and rel.value.completed_orders == 1  # C4: a milestone was approved
