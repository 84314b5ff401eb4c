"""The order lifecycle through the HTTP API and the sweeper (O1–O12, O17, A4, M1, M3).

dana sells (the ``published_gig``: basic $100 in 5 days with 1 revision, one mandatory free-text
requirement); alice buys; bob is a stranger to the order; olga is an operator."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from chalicelib.services.sweeper import sweep
from chalicelib.store import relationships as relationship_store
from chalicelib.store.unit_of_work import UnitOfWork
from tests.integration.conftest import START, uid

BUYER, SELLER = "alice", "dana"


def ts(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


@pytest.fixture
def order(api, published_gig):
    """Places an order (optionally starts it) and returns helpers around it."""

    class Order:
        def __init__(self) -> None:
            self.gig = published_gig

        def place(self, **selection):
            response = api.post("/orders", BUYER, body={"gig_id": self.gig["id"], "tier": "basic", **selection})
            assert response.status_code == 201, response.json
            self.id = response.json["id"]
            return response.json

        def start(self, **selection):
            self.place(**selection)
            requirement = self.gig["requirements"][0]["id"]
            response = api.post(f"/orders/{self.id}/requirements", BUYER,
                                body={"answers": [{"requirement_id": requirement, "text": "12 m2"}]})
            assert response.status_code == 200, response.json
            return response.json

        def deliver(self, message="Here it is"):
            response = api.post(f"/orders/{self.id}/deliveries", SELLER, body={"message": message})
            assert response.status_code == 201, response.json
            return response.json

        def page(self, user=BUYER):
            response = api.get(f"/orders/{self.id}", user)
            assert response.status_code == 200, response.json
            return response.json

        def post(self, path, user, body=None):
            return api.post(f"/orders/{self.id}{path}", user, body=body)

    return Order()


def amounts(money: dict) -> dict:
    return {key: value["amount"] for key, value in money.items()}


# -- placing (O1, O2, G10, A4, O17) ---------------------------------------------------------------
def test_placing_prices_on_the_server_and_notifies_the_seller_O1_G10(api, order):
    placed = order.place(quantity=2, fast_delivery=True, extra_revisions=1,
                         custom_extras=[{"id": order.gig["extras"]["custom"][0]["id"], "quantity": 1}])
    # 2 × $100 + 2 × $30 fast + $15 revision + $50 rendering
    assert placed["total"] == {"amount": 32500, "currency": "USD"}
    assert placed["delivery_days"] == 2 + 1 + 2  # fast delivery replaces the 5 days, extras add
    assert placed["revisions_allowed"] == 2
    assert placed["state"] == "awaiting_requirements" and placed["due_at"] is None  # O3: no clock yet
    assert placed["number"].startswith("FO-") and len(placed["number"]) == 14
    assert amounts(placed["money"])["paid"] == 32500 == amounts(placed["money"])["held"]
    page = order.page(SELLER)
    placed_event = page["history"][0]
    assert placed_event["kind"] == "order.place" and placed_event["actor_id"] == uid(BUYER)
    assert page["your_role"] == "seller"
    other = api.post("/orders", BUYER, body={"gig_id": order.gig["id"], "tier": "basic"}).json
    assert other["number"] != placed["number"] and other["id"] != placed["id"]


def test_the_client_cannot_set_a_price_O1(api, order):
    response = api.post("/orders", BUYER, body={"gig_id": order.gig["id"], "tier": "basic", "total": 1})
    assert response.status_code == 422


def test_no_order_on_ones_own_gig_O2(api, order):
    response = api.post("/orders", SELLER, body={"gig_id": order.gig["id"], "tier": "basic"})
    assert response.status_code == 403 and response.json["code"] == "own_gig"


def test_no_order_on_a_paused_gig_O2(api, order):
    assert api.post(f"/gigs/{order.gig['id']}/pause", SELLER).status_code == 200
    response = api.post("/orders", BUYER, body={"gig_id": order.gig["id"], "tier": "basic"})
    assert response.status_code == 404  # not listed: as if it did not exist


def test_no_order_while_the_seller_is_unavailable_A4(api, order, clock):
    period = {"start_date": "2026-11-24", "end_date": "2026-11-30", "reason": "vacation"}
    assert api.put("/me/availability", SELLER, body=period).status_code == 200
    clock.advance(days=1)  # the period began; the sweeper has not hidden the gigs yet
    response = api.post("/orders", BUYER, body={"gig_id": order.gig["id"], "tier": "basic"})
    assert response.status_code == 409 and response.json["code"] == "seller_unavailable"
    sweep(clock)  # now the gig is hidden too
    assert api.post("/orders", BUYER, body={"gig_id": order.gig["id"], "tier": "basic"}).status_code == 404


def test_a_blocked_buyer_cannot_order_O2_O17(api, order, clock):
    order.place()
    assert api.post(f"/orders/{order.id}/operator-cancellation", "olga", body={"reason": "Test"},
                    groups=("operators",)).status_code == 200
    rel = relationship_store.get(uid(SELLER), uid(BUYER))
    rel.value.block(clock.now())
    uow = UnitOfWork()
    relationship_store.stage_save(uow, rel)
    uow.commit()
    response = api.post("/orders", BUYER, body={"gig_id": order.gig["id"], "tier": "basic"})
    assert response.status_code == 403 and response.json["code"] == "blocked_by_seller"


def test_placing_is_idempotent_with_a_key(api, order):
    body = {"gig_id": order.gig["id"], "tier": "basic"}
    first = api.post("/orders", BUYER, body=body, headers={"Idempotency-Key": "order-1"})
    again = api.post("/orders", BUYER, body=body, headers={"Idempotency-Key": "order-1"})
    assert first.status_code == again.status_code == 201 and first.json["id"] == again.json["id"]
    assert len(api.get("/orders", BUYER).json["items"]) == 1


# -- requirements (O3) ------------------------------------------------------------------------------
def test_requirements_are_checked_and_start_the_clock_O3(api, order, clock):
    order.place()
    bad = order.post("/requirements", BUYER, {"answers": [{"requirement_id": "nope", "text": "x"}]})
    assert bad.status_code == 422
    fields = {e["field"] for e in bad.json["errors"]}
    assert fields == {"answers.0.requirement_id", "answers"}  # unknown question, mandatory one missing
    assert order.page()["state"] == "awaiting_requirements"  # nothing half-written
    clock.advance(hours=5)
    started = order.post("/requirements", BUYER, {"answers": [
        {"requirement_id": order.gig["requirements"][0]["id"], "text": "12 m2"}]}).json
    assert started["state"] == "in_progress"
    assert ts(started["due_at"]) == START + timedelta(hours=5, days=5)
    assert started["answers"][0]["text"] == "12 m2"
    assert [t["kind"] for t in started["timers"]] == ["order_late", "order_late_cancellable"]


def test_unanswered_requirements_cancel_the_order_after_a_week_O3_M3(api, order, clock):
    order.place()
    assert order.page()["timers"][0]["kind"] == "order_requirements"
    clock.advance(days=7)
    assert sweep(clock).fired == 1
    page = order.page()
    assert page["state"] == "cancelled" and page["timers"] == []
    assert amounts(page["money"]) == {"paid": 10000, "refunded": 10000, "seller_earnings": 0,
                                      "platform_fees": 0, "held": 0}


# -- delivery, review, completion (O6, O7, O8, M1) -----------------------------------------------------
def test_an_empty_delivery_is_refused_O6(api, order):
    order.start()
    response = order.post("/deliveries", SELLER, {"message": "   "})
    assert response.status_code == 422 and response.json["code"] == "empty_delivery"
    assert order.page()["state"] == "in_progress"


def test_a_draft_is_saved_then_delivered_O6(api, order):
    order.start()
    assert api.put(f"/orders/{order.id}/delivery-draft", SELLER, body={"message": "Draft plan"}).status_code == 200
    assert api.get(f"/orders/{order.id}/delivery-draft", BUYER).status_code == 404  # the seller's alone
    delivered = order.post("/deliveries", SELLER, {"from_draft": True})
    assert delivered.status_code == 201 and delivered.json["state"] == "delivered"
    assert api.get(f"/orders/{order.id}/delivery-draft", SELLER).status_code == 404  # used up
    deliveries = api.get(f"/orders/{order.id}/deliveries", BUYER).json["items"]
    assert [(d["number"], d["message"]) for d in deliveries] == [(1, "Draft plan")]


def test_accepting_completes_and_pays_the_seller_80_percent_M1(api, order):
    order.start()
    order.deliver()
    done = order.post("/acceptance", BUYER)
    assert done.status_code == 200 and done.json["state"] == "completed" and done.json["timers"] == []
    assert amounts(done.json["money"]) == {"paid": 10000, "refunded": 0, "seller_earnings": 8000,
                                           "platform_fees": 2000, "held": 0}
    earnings = api.get("/me/earnings", SELLER).json
    assert earnings["earned"]["amount"] == 8000 and earnings["items"][0]["order_id"] == order.id
    assert api.get("/me/earnings", BUYER).json["earned"]["amount"] == 0
    kinds = [e["kind"] for e in api.get(f"/orders/{order.id}/ledger", BUYER).json["items"]]
    assert kinds == ["payment", "seller_earning", "platform_fee"]


def test_revisions_are_limited_and_timed_O7(api, order, clock):
    order.start()
    order.deliver()
    revised = order.post("/revision-requests", BUYER, {"message": "Add the pantry"})
    assert revised.status_code == 200 and revised.json["state"] == "revision_requested"
    order.deliver("With pantry")
    again = order.post("/revision-requests", BUYER, {"message": "One more"})
    assert again.status_code == 409 and again.json["code"] == "no_revisions_left"  # basic has 1
    clock.advance(days=3, seconds=1)
    late = order.post("/revision-requests", BUYER, {"message": "Too late?"})
    assert late.status_code == 409


def test_an_unanswered_delivery_completes_after_3_days_O8(api, order, clock):
    order.start()
    order.deliver()
    clock.advance(days=2)
    order.post("/revision-requests", BUYER, {"message": "Bigger island"})
    clock.advance(days=1)
    order.deliver("Bigger island")  # the 3 days count from this, the latest delivery
    clock.advance(days=2, hours=23)
    assert sweep(clock).fired == 0
    clock.advance(hours=1)
    assert sweep(clock).fired == 1
    page = order.page()
    assert page["state"] == "completed" and page["history"][-1]["actor_role"] == "system"


# -- late orders (O9) -------------------------------------------------------------------------------
def test_a_late_order_may_be_cancelled_by_the_buyer_after_24_hours_O9_M3(api, order, clock):
    started = order.start()
    clock.advance(days=5, minutes=1)
    assert order.page()["late"] is True
    assert sweep(clock).fired == 1  # the late notice
    early = order.post("/late-cancellation", BUYER, {"reason": "Need it now"})
    assert early.status_code == 409 and early.json["code"] == "not_late_enough"
    clock.advance(hours=24)
    assert order.page()["late_cancellable"] is True
    cancelled = order.post("/late-cancellation", BUYER, {"reason": "Need it now"})
    assert cancelled.status_code == 200 and cancelled.json["state"] == "cancelled"
    assert amounts(cancelled.json["money"])["refunded"] == started["total"]["amount"]
    assert cancelled.json["cancellation"]["by"] == "buyer"
    assert sweep(clock).fired == 0  # nothing left to fire for a finished order


def test_a_delivery_ends_lateness_O9(api, order, clock):
    order.start()
    clock.advance(days=6)
    order.deliver()
    clock.advance(days=1)
    page = order.page()
    assert page["late"] is False and page["state"] == "delivered"
    assert order.post("/late-cancellation", BUYER, {}).status_code == 409


# -- resolution center (O10–O12) ---------------------------------------------------------------------
def test_mutual_cancellation_declined_then_unanswered_O11(api, order, clock):
    order.start()
    asked = order.post("/requests", BUYER, {"kind": "cancellation", "reason": "Budget cut"})
    assert asked.status_code == 201 and asked.json["request"]["kind"] == "cancellation"
    assert "order_request" in [t["kind"] for t in asked.json["timers"]]
    second = order.post("/requests", SELLER, {"kind": "extension", "days": 2, "reason": "Tiles late"})
    assert second.status_code == 409 and second.json["code"] == "request_open"  # one at a time
    request_id = asked.json["request"]["id"]
    assert order.post(f"/requests/{request_id}/acceptance", BUYER).status_code == 403  # not the asker
    declined = order.post(f"/requests/{request_id}/decline", SELLER)
    assert declined.json["state"] == "in_progress" and declined.json["request"] is None
    again = order.post("/requests", SELLER, {"kind": "cancellation", "reason": "Cannot do it"}).json
    clock.advance(hours=48)
    sweep(clock)
    page = order.page()
    assert page["state"] == "cancelled" and page["cancellation"]["mutual"] is True
    assert page["cancellation"]["reason"] == again["request"]["reason"]
    assert amounts(page["money"])["refunded"] == 10000


def test_no_cancellation_request_after_completion_O11(api, order):
    order.start()
    order.deliver()
    order.post("/acceptance", BUYER)
    response = order.post("/requests", BUYER, {"kind": "cancellation", "reason": "Changed my mind"})
    assert response.status_code == 409


def test_an_accepted_extension_moves_the_due_time_O12(api, order, clock):
    started = order.start()
    asked = order.post("/requests", SELLER, {"kind": "extension", "days": 2, "reason": "Supplier delay"}).json
    assert order.post("/requests", BUYER, {"kind": "extension", "days": 2, "reason": "x"}).status_code == 403
    accepted = order.post(f"/requests/{asked['request']['id']}/acceptance", BUYER).json
    assert ts(accepted["due_at"]) == ts(started["due_at"]) + timedelta(days=2)
    late_timer = next(t for t in accepted["timers"] if t["kind"] == "order_late")
    assert ts(late_timer["due_at"]) == ts(accepted["due_at"])


def test_an_unanswered_extension_lapses_O12(api, order, clock):
    started = order.start()
    order.post("/requests", SELLER, {"kind": "extension", "days": 2, "reason": "Supplier delay"})
    clock.advance(days=4)
    sweep(clock)
    page = order.page()
    assert page["request"] is None and page["due_at"] == started["due_at"] and page["state"] == "in_progress"


def test_an_unanswered_progress_request_cancels_the_order_O12(api, order, clock):
    order.start()
    assert order.post("/requests", SELLER, {"kind": "progress_update"}).status_code == 403  # buyer only
    assert order.post("/requests", BUYER, {"kind": "progress_update", "reason": "How is it going?"}).status_code == 201
    clock.advance(days=2)
    sweep(clock)
    assert order.page()["state"] == "cancelled"


def test_a_progress_update_answers_the_request_O12(api, order, clock):
    order.start()
    order.post("/requests", BUYER, {"kind": "progress_update"})
    answered = order.post("/progress-updates", SELLER, {"message": "Layout done, quotes next"})
    assert answered.status_code == 200 and answered.json["request"] is None
    clock.advance(days=2)
    sweep(clock)
    assert order.page()["state"] == "in_progress"


def test_extras_offered_during_the_order_are_paid_when_accepted_O10(api, order):
    started = order.start()
    rendering = order.gig["extras"]["custom"][0]["id"]
    offered = order.post("/requests", SELLER, {
        "kind": "extras", "custom_extras": [{"id": rendering, "quantity": 1}],
        "custom_lines": [{"description": "Site visit", "price": {"amount": 2500, "currency": "USD"}}]})
    assert offered.status_code == 201, offered.json
    offer = offered.json["request"]["offer"]
    assert offer["total"]["amount"] == 7500 and offer["added_days"] == 2
    accepted = order.post(f"/requests/{offered.json['request']['id']}/acceptance", BUYER).json
    assert amounts(accepted["money"])["paid"] == 17500
    assert ts(accepted["due_at"]) == ts(started["due_at"]) + timedelta(days=2)
    kinds = [e["kind"] for e in api.get(f"/orders/{order.id}/ledger", SELLER).json["items"]]
    assert kinds == ["payment", "payment"]


def test_declined_extras_change_nothing_O10(api, order):
    started = order.start()
    offered = order.post("/requests", SELLER, {"kind": "extras", "extra_revisions": 2}).json
    declined = order.post(f"/requests/{offered['request']['id']}/decline", BUYER).json
    assert declined["money"] == started["money"] and declined["due_at"] == started["due_at"]


def test_more_revisions_after_completion_reopen_the_order_O12_M1(api, order):
    order.start()
    order.deliver()
    order.post("/acceptance", BUYER)
    offered = order.post("/requests", SELLER, {
        "kind": "additional_revisions", "added_revisions": 1,
        "custom_lines": [{"description": "One more round", "price": {"amount": 2000, "currency": "USD"}}]}).json
    reopened = order.post(f"/requests/{offered['request']['id']}/acceptance", BUYER).json
    assert reopened["state"] == "revision_requested" and reopened["revisions_allowed"] == 2
    order.deliver("Round two")
    done = order.post("/acceptance", BUYER).json
    assert amounts(done["money"]) == {"paid": 12000, "refunded": 0, "seller_earnings": 9600,
                                      "platform_fees": 2400, "held": 0}
    assert api.get("/me/earnings", SELLER).json["earned"]["amount"] == 9600


def test_the_asker_withdraws_a_request_O12(api, order):
    order.start()
    asked = order.post("/requests", BUYER, {"kind": "cancellation", "reason": "Hmm"}).json
    request_id = asked["request"]["id"]
    assert order.post(f"/requests/{request_id}/withdrawal", SELLER).status_code == 403
    withdrawn = order.post(f"/requests/{request_id}/withdrawal", BUYER)
    assert withdrawn.status_code == 200 and withdrawn.json["request"] is None
    assert order.post(f"/requests/{request_id}/acceptance", SELLER).status_code == 409  # gone


def test_auto_complete_waits_for_an_open_cancellation_request_O8_O11(api, order, clock):
    order.start()
    order.deliver()
    clock.advance(days=2, hours=12)
    asked = order.post("/requests", BUYER, {"kind": "cancellation", "reason": "Not what I wanted"}).json
    clock.advance(hours=12)  # the 3 days are over, the request is not answered yet
    sweep(clock)
    assert order.page()["state"] == "delivered"
    order.post(f"/requests/{asked['request']['id']}/decline", SELLER)
    clock.advance(hours=36)
    sweep(clock)
    assert order.page()["state"] == "completed"


# -- operators, notes, lists -----------------------------------------------------------------------
def test_an_operator_cancels_and_marks_it_not_the_sellers_fault(api, order):
    order.start()
    response = api.op("POST", f"/orders/{order.id}/operator-cancellation", "olga",
                      body={"reason": "Ordered by mistake", "seller_at_fault": False})
    assert response.status_code == 200
    assert response.json["cancellation"] == {"by": "operator", "reason": "Ordered by mistake", "mutual": False,
                                             "seller_at_fault": False}
    assert amounts(response.json["money"])["refunded"] == 10000
    again = api.op("POST", f"/orders/{order.id}/operator-cancellation", "olga", body={"reason": "Again"})
    assert again.status_code == 409


def test_a_note_or_draft_is_rewritten_only_from_its_current_version_O4_O6(api, order):
    order.place()
    for path, body in (("private-note", {"text": "Prefers mornings"}), ("delivery-draft", {"message": "Plan"})):
        url = f"/orders/{order.id}/{path}"
        first = api.put(url, SELLER, body=body)
        assert first.status_code == 200 and first.headers["ETag"] == api.get(url, SELLER).headers["ETag"]
        assert api.put(url, SELLER, body=body).status_code == 428  # a blind rewrite would lose the other tab's
        second = api.put(url, SELLER, body={k: v + " (2)" for k, v in body.items()},
                         headers={"If-Match": first.headers["ETag"]})
        assert second.status_code == 200, second.json
        stale = api.put(url, SELLER, body=body, headers={"If-Match": first.headers["ETag"]})
        assert stale.status_code == 412 and stale.json["code"] == "precondition_failed"
        assert api.get(url, SELLER).json == second.json  # nothing refused was written
    draft = f"/orders/{order.id}/delivery-draft"
    assert api.delete(draft, SELLER, headers={"If-Match": '"1"'}).status_code == 412
    assert api.delete(draft, SELLER, headers={"If-Match": api.get(draft, SELLER).headers["ETag"]}).status_code == 204


def test_the_private_note_is_the_sellers_alone_O4(api, order):
    order.place()
    assert api.put(f"/orders/{order.id}/private-note", SELLER, body={"text": "Prefers mornings"}).status_code == 200
    assert api.get(f"/orders/{order.id}/private-note", SELLER).json == {"text": "Prefers mornings"}
    assert api.get(f"/orders/{order.id}/private-note", BUYER).status_code == 404
    assert "Prefers mornings" not in str(order.page(BUYER))


def test_the_order_page_shows_history_with_actors_and_countdowns_O4(api, order, clock):
    order.start()
    clock.advance(hours=1)
    order.deliver()
    page = order.page()
    assert [(e["kind"], e["actor_role"]) for e in page["history"]] == [
        ("order.place", "buyer"), ("order.submit_requirements", "buyer"), ("order.deliver", "seller")]
    assert page["timers"] == [{"kind": "order_auto_complete", "due_at": page["review_ends_at"]}]
    assert {a["action"] for a in page["allowed_actions"]} >= {"accept", "request_revision", "open_request"}


def test_allowed_actions_are_links_to_follow_with_the_request_kinds_one_may_open_O4_O12(api, order, clock):
    order.start()
    order.deliver()
    actions = {a["action"]: a for a in order.page()["allowed_actions"]}
    assert actions["accept"] == {"action": "accept", "method": "POST", "path": f"/orders/{order.id}/acceptance",
                                 "kinds": None}
    # O12: a buyer opens cancellations, and progress updates only while the seller works
    assert actions["open_request"]["kinds"] == ["cancellation"]
    seller_view = {a["action"]: a for a in api.get(f"/orders/{order.id}", SELLER).json["allowed_actions"]}
    assert set(seller_view["open_request"]["kinds"]) == {"cancellation", "extras", "modification"}
    assert "accept" not in seller_view
    followed = api.request(actions["accept"]["method"], actions["accept"]["path"], BUYER, body={})
    assert followed.status_code == 200, followed.json
    after = order.page()
    assert after["state"] == "completed"
    assert [a["kinds"] for a in after["allowed_actions"] if a["action"] == "open_request"] in ([], [[]])


def test_orders_are_listed_per_role_newest_first_and_paginated(api, order, clock):
    first = order.place()["id"]
    clock.advance(minutes=1)
    second = order.place()["id"]
    page1 = api.get("/orders?limit=1", BUYER).json
    assert [o["id"] for o in page1["items"]] == [second] and page1["next_cursor"]
    page2 = api.get(f"/orders?limit=1&cursor={page1['next_cursor']}", BUYER).json
    assert [o["id"] for o in page2["items"]] == [first]
    assert {o["id"] for o in api.get("/orders?role=seller", SELLER).json["items"]} == {first, second}
    assert api.get("/orders?role=seller", BUYER).json["items"] == []
    assert api.get("/orders", "bob").json["items"] == []
    forged = api.get(f"/orders?role=seller&cursor={page1['next_cursor']}", SELLER)
    assert forged.status_code == 400


# -- the order's conversation (O4, O5) --------------------------------------------------------------
def test_both_parties_talk_in_the_order_conversation_O5(api, order, clock):
    order.place()
    first = api.post(f"/orders/{order.id}/messages", SELLER, body={"text": "Thanks for ordering!"})
    assert first.status_code == 201  # the order exists: the seller may write first (O5)
    clock.advance(minutes=1)
    assert api.post(f"/orders/{order.id}/messages", BUYER, body={"text": "Looking forward"}).status_code == 201
    assert api.post(f"/orders/{order.id}/messages", "bob", body={"text": "Hi"}).status_code == 404
    texts = [m["text"] for m in api.get(f"/orders/{order.id}/messages", BUYER).json["items"]]
    assert texts == ["Looking forward", "Thanks for ordering!"]
    contact = api.post(f"/orders/{order.id}/messages", BUYER, body={"text": "mail me at a@b.example"})
    assert contact.status_code == 422  # W2
    report = api.post(f"/messages/{first.json['id']}/spam-reports", BUYER, body={})
    assert report.status_code == 201
    assert api.post(f"/messages/{first.json['id']}/spam-reports", "bob", body={}).status_code == 404
    kinds = [e["kind"] for e in order.page(SELLER)["history"]]
    assert kinds.count("message.sent") == 2


# -- notifications (A3) ------------------------------------------------------------------------------
def test_a_new_order_notifies_the_seller_as_their_preferences_say_A3(api, order, clock):
    from chalicelib.services import notifications
    from tests.integration.outbox import pending_ids, sent_emails, sent_pushes

    prefs = {"preferences": {"order_placed": {"push": False, "email": True}}}
    assert api.put("/me/preferences", SELLER, body=prefs).status_code == 200
    order.place()
    assert len(pending_ids()) == 1  # staged with the order, in its transaction
    notifications.dispatch(clock)
    assert pending_ids() == []
    feed = api.get("/me/notifications", SELLER).json["items"]
    assert [(n["kind"], n["event"]) for n in feed] == [("order.placed", "order.place")]
    emails = [m for m in sent_emails() if m.subject and "FO-" in (m.subject + str(m.body))]
    assert len(emails) == 1 and sent_pushes() == []  # e-mail on, push off
    assert api.get("/me/notifications", BUYER).json["items"] == []  # the actor is not told
    notifications.dispatch(clock)  # a second pass sends nothing again
    assert len([m for m in sent_emails() if "FO-" in (m.subject + str(m.body))]) == 1


# -- files in orders (F1, O3, O6) ------------------------------------------------------------------
class _Finds:
    """A scanner that reports a signature (for files that are not EICAR but must come out infected)."""

    name = "test-signature"

    def scan(self, path: str) -> str | None:
        return "Test.Signature"


def _upload(owner: str, clock, purpose, scanner=None, name="plan.txt") -> str:
    from local.media_seed import GeneratedImageScanner, upload_and_scan

    return upload_and_scan(uid(owner), clock, b"Kitchen plan\n", name, "text/plain", purpose,
                           scanner or GeneratedImageScanner())


def test_delivered_files_are_attached_and_only_a_clean_one_counts_O6_F1(api, order, clock):
    from chalicelib.domain.files import Purpose

    order.start()
    infected = _upload(SELLER, clock, Purpose.DELIVERY, _Finds())
    only_blocked = order.post("/deliveries", SELLER, {"files": [infected]})
    assert only_blocked.status_code == 422 and only_blocked.json["code"] == "empty_delivery"
    clean = _upload(SELLER, clock, Purpose.DELIVERY)
    not_mine = _upload(BUYER, clock, Purpose.DELIVERY)
    refused = order.post("/deliveries", SELLER, {"files": [not_mine]})
    assert refused.status_code == 422 and refused.json["errors"][0]["field"] == "files.0"
    delivered = order.post("/deliveries", SELLER, {"files": [clean]})
    assert delivered.status_code == 201, delivered.json
    assert api.get(f"/orders/{order.id}/deliveries", BUYER).json["items"][0]["files"] == [clean]
    assert api.get(f"/files/{clean}/download", BUYER).status_code == 200  # the buyer sees the delivery
    assert api.get(f"/files/{clean}/download", "bob").status_code == 404


def test_requirement_files_are_the_buyers_and_visible_to_the_seller_O3_F1(api, order, clock):
    from chalicelib.domain.files import Purpose
    from tests.integration.conftest import gig_body

    body = gig_body(requirements=[
        {"question": "Kitchen size?", "answer_type": "free_text", "mandatory": True},
        {"question": "Your current floor plan", "answer_type": "file", "mandatory": False}])
    gig = api.post("/gigs", SELLER, body=body).json
    assert api.post(f"/gigs/{gig['id']}/publish", SELLER).status_code == 200
    order.gig = gig
    order.place()
    size, plan_question = (r["id"] for r in gig["requirements"])
    plan = _upload(BUYER, clock, Purpose.REQUIREMENT_ANSWER)
    wrong_place = order.post("/requirements", BUYER, {"answers": [
        {"requirement_id": size, "text": "12 m2", "files": [plan]}]})
    assert wrong_place.status_code == 422  # a text question takes no file (O3)
    not_an_answer = _upload(BUYER, clock, Purpose.MESSAGE)
    wrong_purpose = order.post("/requirements", BUYER, {"answers": [
        {"requirement_id": size, "text": "12 m2"}, {"requirement_id": plan_question, "files": [not_an_answer]}]})
    assert wrong_purpose.status_code == 422 and wrong_purpose.json["errors"][0]["code"] == "wrong_purpose"
    answered = order.post("/requirements", BUYER, {"answers": [
        {"requirement_id": size, "text": "12 m2"}, {"requirement_id": plan_question, "files": [plan]}]})
    assert answered.status_code == 200 and answered.json["answers"][1]["files"] == [plan]
    assert api.get(f"/files/{plan}/download", SELLER).status_code == 200
    assert api.get(f"/files/{plan}/download", "bob").status_code == 404


def test_order_message_attachments_are_visible_to_both_parties_F1(api, order, clock):
    from chalicelib.domain.files import Purpose

    order.place()
    photo = _upload(BUYER, clock, Purpose.MESSAGE)
    sent = api.post(f"/orders/{order.id}/messages", BUYER, body={"text": "Current kitchen", "attachment_ids": [photo]})
    assert sent.status_code == 201
    assert api.get(f"/files/{photo}/download", SELLER).status_code == 200
    assert api.get(f"/files/{photo}/download", "bob").status_code == 404


def test_block_follows_the_orders_O17(api, order):
    buyer = uid(BUYER)
    assert api.put(f"/me/blocked-buyers/{buyer}", SELLER).status_code == 409  # never ordered
    order.start()
    active = api.put(f"/me/blocked-buyers/{buyer}", SELLER)
    assert active.status_code == 409 and active.json["code"] == "active_order"
    order.deliver()
    order.post("/acceptance", BUYER)
    assert api.put(f"/me/blocked-buyers/{buyer}", SELLER).status_code == 200
    refused = api.post("/orders", BUYER, body={"gig_id": order.gig["id"], "tier": "basic"})
    assert refused.status_code == 403 and refused.json["code"] == "blocked_by_seller"
    assert api.delete(f"/me/blocked-buyers/{buyer}", SELLER).status_code == 204
    assert api.post("/orders", BUYER, body={"gig_id": order.gig["id"], "tier": "basic"}).status_code == 201
    contacts = api.get("/me/contacts", SELLER).json["items"]
    assert contacts[0]["completed_orders"] == 1 and contacts[0]["total_spent"]["amount"] == 10000


# -- defects found when the product was tried ---------------------------------------------------
@pytest.fixture
def charges():
    """The payment port the services charge through (the tests' runtime: local, recording)."""
    from chalicelib.services import payments, runtime

    port = runtime.current().payments
    assert isinstance(port, payments.LocalPayments)
    return port


def test_every_ledger_payment_has_its_charge_O1_O10(api, order, charges):
    order.start()
    offered = order.post("/requests", SELLER, {"kind": "extras", "custom_lines": [
        {"description": "Site visit", "price": {"amount": 2500, "currency": "USD"}}]}).json
    order.post(f"/requests/{offered['request']['id']}/acceptance", BUYER)
    ledger = api.get(f"/orders/{order.id}/ledger", BUYER).json["items"]
    paid = [e["amount"]["amount"] if isinstance(e["amount"], dict) else e["amount"]
            for e in ledger if e["kind"] == "payment"]
    taken = [c["amount"] for c in charges.charges.values() if c["order_id"] == order.id and not c["voided"]]
    assert sorted(taken) == sorted(paid) == [2500, 10000]
    assert all(c["buyer_id"] == uid(BUYER) for c in charges.charges.values())


def test_a_refused_acceptance_charges_nothing_O10(api, order, charges):
    order.start()
    offered = order.post("/requests", SELLER, {"kind": "extras", "custom_lines": [
        {"description": "Site visit", "price": {"amount": 2500, "currency": "USD"}}]}).json
    refused = order.post(f"/requests/{offered['request']['id']}/acceptance", SELLER)  # not the seller's to accept
    assert refused.status_code == 403
    assert [c["amount"] for c in charges.charges.values() if c["order_id"] == order.id] == [10000]


def test_a_blocked_buyer_cannot_write_in_a_past_orders_conversation_O17(api, order):
    order.start()
    order.deliver()
    order.post("/acceptance", BUYER)
    assert api.put(f"/me/blocked-buyers/{uid(BUYER)}", SELLER).status_code == 200
    before = api.get(f"/orders/{order.id}/messages", SELLER).json["items"]
    refused = api.post(f"/orders/{order.id}/messages", BUYER, body={"text": "Why did you block me?"})
    assert refused.status_code == 403 and refused.json["code"] == "blocked_by_seller"
    assert api.get(f"/orders/{order.id}/messages", SELLER).json["items"] == before
    assert api.post(f"/orders/{order.id}/messages", SELLER, body={"text": "Sorry"}).status_code == 201


def test_a_reopened_order_cannot_be_cancelled_by_the_parties_and_counts_stay_O11_O19(api, order):
    order.start()
    order.deliver()
    order.post("/acceptance", BUYER)
    offered = order.post("/requests", SELLER, {"kind": "additional_revisions", "added_revisions": 1}).json
    reopened = order.post(f"/requests/{offered['request']['id']}/acceptance", BUYER).json
    assert reopened["state"] == "revision_requested"
    for user in (BUYER, SELLER):
        refused = order.post("/requests", user, {"kind": "cancellation", "reason": "changed my mind"})
        assert refused.status_code == 409 and refused.json["code"] == "completed_before"
    cancelled = api.post(f"/orders/{order.id}/operator-cancellation", "olga", body={"reason": "dispute"},
                         groups=("operators",))
    assert cancelled.status_code == 200, cancelled.json
    contact = api.get("/me/contacts", SELLER).json["items"][0]
    assert contact["completed_orders"] == 1 and contact["total_spent"]["amount"] == 10000
