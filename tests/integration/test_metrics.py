"""Seller metrics through the HTTP API, the outbox reaction and the sweeper (O13, O14, O15, W1).

dana sells (the ``published_gig``); alice and bob buy; olga is an operator."""
from __future__ import annotations

from datetime import timedelta

import botocore.client
import pytest

from chalicelib.domain.audit import AuditAction, ObjectKind
from chalicelib.domain.deadlines import DeadlineKind
from chalicelib.domain.metrics import UNRESPONDED_AFTER
from chalicelib.services import metrics, reactions, runtime
from chalicelib.services.metrics import MetricsReactions
from chalicelib.services.reactions import DispatchReport, ReactionContext
from chalicelib.services.sweeper import sweep
from chalicelib.store import audit as audit_store
from chalicelib.store import deadlines as deadline_store
from chalicelib.store import events as event_store
from tests.integration.conftest import uid

BUYER, SELLER, OTHER_BUYER, OPERATOR = "alice", "dana", "bob", "olga"
MINUTE = timedelta(minutes=1)


def drain(clock) -> None:
    for _ in range(5):
        if reactions.dispatch(runtime.current().reactions, clock).dispatched == 0:
            return
    raise AssertionError("the outbox did not drain")


def my_metrics(api, clock, user: str = SELLER) -> dict:
    drain(clock)
    response = api.get("/me/metrics", user)
    assert response.status_code == 200, response.json
    return response.json


@pytest.fixture
def order(api, published_gig):
    """Places an order of dana's gig and answers its requirements: the order id (in progress)."""

    def run(buyer: str = BUYER) -> str:
        placed = api.post("/orders", buyer, body={"gig_id": published_gig["id"], "tier": "basic"})
        assert placed.status_code == 201, placed.json
        order_id = placed.json["id"]
        requirement = published_gig["requirements"][0]["id"]
        answers = {"answers": [{"requirement_id": requirement, "text": "12 m2"}]}
        assert api.post(f"/orders/{order_id}/requirements", buyer, body=answers).status_code == 200
        return order_id

    return run


@pytest.fixture
def complete(api, order):
    def run(buyer: str = BUYER) -> str:
        order_id = order(buyer)
        assert api.post(f"/orders/{order_id}/deliveries", SELLER, body={"message": "Done"}).status_code == 201
        assert api.post(f"/orders/{order_id}/acceptance", buyer).json["state"] == "completed"
        return order_id

    return run


def cancel(api, order_id: str, at_fault: bool = True) -> None:
    response = api.op("POST", f"/orders/{order_id}/operator-cancellation", OPERATOR,
                      body={"reason": "Support case", "seller_at_fault": at_fault})
    assert response.status_code == 200, response.json


# -- O13 ----------------------------------------------------------------------------------------------
def test_o13_completed_and_cancelled_orders_make_the_completion_rate(api, clock, complete, order):
    assert my_metrics(api, clock)["completion_rate"]["value"] is None  # nothing finished yet
    complete()
    cancel(api, order())
    rate = my_metrics(api, clock)["completion_rate"]
    assert rate["value"] == 0.5
    assert rate["counts"] == {"completed": 1, "cancelled": 1, "excused": 0}
    assert rate["window_days"] == 60
    assert rate["since"] == (clock.now() - timedelta(days=59)).date().isoformat()


def test_o13_an_operator_excuses_a_past_cancellation_once_with_an_audit_entry(api, clock, complete, order):
    complete()
    cancelled = order()
    cancel(api, cancelled)
    drain(clock)
    clock.advance(days=10)  # afterwards too (O13)
    path = f"/orders/{cancelled}/cancellation-excuse"
    assert api.post(path, SELLER, body={"reason": "Buyer fraud"}).status_code in (403, 404)  # operators only
    excused = api.op("POST", path, OPERATOR, body={"reason": "Buyer fraud"})
    assert excused.status_code == 200, excused.json
    assert excused.json["excused"] is True and excused.json["seller_id"] == uid(SELLER)
    rate = my_metrics(api, clock)["completion_rate"]
    assert rate["value"] == 1.0 and rate["counts"] == {"completed": 1, "cancelled": 1, "excused": 1}
    again = api.op("POST", path, OPERATOR, body={"reason": "Twice"})
    assert again.status_code == 409 and again.json["code"] == "already_excused"
    entries, _ = audit_store.page(operator_id=None, object_kind=ObjectKind.ORDER, object_id=cancelled,
                                  action=AuditAction.CANCELLATION_EXCUSED, since=None, until=None, limit=10,
                                  cursor=None)
    assert [(e.operator_id, e.reason) for e in entries] == [(uid(OPERATOR), "Buyer fraud")]
    assert my_metrics(api, clock)["completion_rate"]["counts"]["excused"] == 1  # the refusal changed nothing


def test_o13_a_cancellation_not_the_sellers_fault_is_excused_at_once(api, clock, order):
    cancel(api, order(), at_fault=False)
    rate = my_metrics(api, clock)["completion_rate"]
    assert rate["counts"] == {"completed": 0, "cancelled": 1, "excused": 1} and rate["value"] is None


def test_o13_only_a_cancellation_may_be_excused(api, clock, complete):
    completed = complete()
    drain(clock)
    refused = api.op("POST", f"/orders/{completed}/cancellation-excuse", OPERATOR, body={"reason": "x"})
    assert refused.status_code == 409 and refused.json["code"] == "not_cancelled"
    missing = api.op("POST", "/orders/ord_nope/cancellation-excuse", OPERATOR, body={"reason": "x"})
    assert missing.status_code == 404


def test_o13_a_finish_leaves_the_window_after_60_days(api, clock, complete):
    complete()
    assert my_metrics(api, clock)["completion_rate"]["counts"]["completed"] == 1
    clock.advance(days=59)
    assert my_metrics(api, clock)["completion_rate"]["counts"]["completed"] == 1
    clock.advance(days=1)
    assert my_metrics(api, clock)["completion_rate"]["counts"]["completed"] == 0


def test_c4_o13_a_milestone_order_cancelled_after_an_approved_milestone_counts_as_completed(api, clock,
                                                                                             published_gig):
    from tests.integration.test_milestones import MILESTONES

    chat = api.post("/conversations", BUYER, body={"seller_id": uid(SELLER), "text": "Can you do my house?"}).json
    offer = api.post(f"/conversations/{chat['conversation_id']}/custom-offers", SELLER,
                     body={"gig_id": published_gig["id"], "description": "The whole renovation, in parts",
                           "revisions": None, "requirements_asked": False, "milestones": MILESTONES})
    assert offer.status_code == 201, offer.json
    order_id = api.post(f"/custom-offers/{offer.json['id']}/acceptance", BUYER).json["id"]
    assert api.post(f"/orders/{order_id}/deliveries", SELLER, body={"message": "Part one"}).status_code == 201
    assert api.post(f"/orders/{order_id}/acceptance", BUYER).status_code == 200
    assert api.post(f"/orders/{order_id}/next-milestone", BUYER).status_code == 200
    cancel(api, order_id)
    m = my_metrics(api, clock)
    assert m["completion_rate"]["counts"] == {"completed": 1, "cancelled": 0, "excused": 0}
    assert m["on_time_delivery_rate"]["counts"] == {"on_time": 1, "deliveries": 1}  # milestone 1, by its due time
    refused = api.op("POST", f"/orders/{order_id}/cancellation-excuse", OPERATOR, body={"reason": "x"})
    assert refused.status_code == 409 and refused.json["code"] == "not_cancelled"


def test_a_replayed_event_changes_nothing(api, clock, complete, order):
    completed = complete()
    cancel(api, order())
    before = my_metrics(api, clock)
    handler = MetricsReactions()
    context = ReactionContext(clock, DispatchReport())
    for event in event_store.history(f"order:{completed}"):
        handler(event, context)  # as if every event of the order were dispatched again
    assert my_metrics(api, clock) == before


# -- O14 ----------------------------------------------------------------------------------------------
def test_o14_a_buyer_message_unanswered_for_24_hours_counts_once_through_the_sweeper(api, clock, order):
    order_id = order()
    assert api.post(f"/orders/{order_id}/messages", BUYER, body={"text": "Any news?"}).status_code == 201
    drain(clock)
    deadline = deadline_store.get(DeadlineKind.RESPONSE_WAIT, order_id)
    assert deadline is not None and deadline.value.due_at == clock.now() + UNRESPONDED_AFTER
    clock.advance(seconds=(UNRESPONDED_AFTER - MINUTE).total_seconds())
    sweep(clock)
    assert my_metrics(api, clock)["unresponsiveness_rate"]["counts"]["unresponded"] == 0
    clock.advance(minutes=2)
    sweep(clock)
    figure = my_metrics(api, clock)["unresponsiveness_rate"]
    assert figure["counts"] == {"unresponded": 1, "active": 1} and figure["value"] == 1.0
    assert runtime.current().timers[DeadlineKind.RESPONSE_WAIT](deadline, clock) is False  # fired again: stale
    # A second unanswered message starts a new wait; the order is still counted once (O14).
    assert api.post(f"/orders/{order_id}/messages", BUYER, body={"text": "Hello?"}).status_code == 201
    drain(clock)
    clock.advance(hours=25)
    sweep(clock)
    assert my_metrics(api, clock)["unresponsiveness_rate"]["counts"]["unresponded"] == 1


def test_o14_a_revision_request_waits_for_the_sellers_answer_too(api, clock, order):
    order_id = order()
    assert api.post(f"/orders/{order_id}/deliveries", SELLER, body={"message": "Done"}).status_code == 201
    clock.advance(hours=1)
    assert api.post(f"/orders/{order_id}/revision-requests", BUYER, body={"message": "Bigger island"}).status_code \
        in (200, 201)
    drain(clock)
    clock.advance(hours=24, minutes=1)
    assert sweep(clock).fired >= 1
    assert my_metrics(api, clock)["unresponsiveness_rate"]["counts"] == {"unresponded": 1, "active": 1}


def test_o14_the_sellers_message_or_delivery_answers_the_buyer(api, clock, order):
    answered, delivered = order(), order(OTHER_BUYER)
    for order_id, buyer in ((answered, BUYER), (delivered, OTHER_BUYER)):
        assert api.post(f"/orders/{order_id}/messages", buyer, body={"text": "Hi"}).status_code == 201
    drain(clock)
    clock.advance(hours=1)
    assert api.post(f"/orders/{answered}/messages", SELLER, body={"text": "On it"}).status_code == 201
    assert api.post(f"/orders/{delivered}/deliveries", SELLER, body={"message": "Done"}).status_code == 201
    drain(clock)
    assert deadline_store.get(DeadlineKind.RESPONSE_WAIT, answered) is None
    assert deadline_store.get(DeadlineKind.RESPONSE_WAIT, delivered) is None
    clock.advance(days=2)
    sweep(clock)
    figure = my_metrics(api, clock)["unresponsiveness_rate"]
    assert figure["counts"] == {"unresponded": 0, "active": 2} and figure["value"] == 0.0


def test_o14_an_answer_counted_before_the_buyers_earlier_message_still_answers_it(api, clock, order):
    """Events of different outbox shards may be counted out of order."""
    order_id = order()
    assert api.post(f"/orders/{order_id}/messages", BUYER, body={"text": "Any news?"}).status_code == 201
    clock.advance(hours=1)
    assert api.post(f"/orders/{order_id}/messages", SELLER, body={"text": "Tomorrow"}).status_code == 201
    buyer_said, seller_said = [e for e in event_store.history(f"order:{order_id}") if e.kind == "message.sent"]
    handler, context = MetricsReactions(), ReactionContext(clock, DispatchReport())
    handler(seller_said, context)
    handler(buyer_said, context)
    assert deadline_store.get(DeadlineKind.RESPONSE_WAIT, order_id) is None
    clock.advance(days=2)
    sweep(clock)
    assert my_metrics(api, clock)["unresponsiveness_rate"]["counts"]["unresponded"] == 0


# -- O15 ----------------------------------------------------------------------------------------------
def test_o15_response_rate_and_time_over_conversations_buyers_start(api, clock, published_gig):
    first = api.post("/conversations", BUYER, body={"seller_id": uid(SELLER), "text": "Can you do a kitchen?"})
    assert first.status_code == 201, first.json
    second = api.post("/conversations", OTHER_BUYER, body={"seller_id": uid(SELLER), "text": "Hello there"})
    assert second.status_code == 201, second.json
    drain(clock)
    clock.advance(hours=2)
    conversation = first.json["conversation_id"]
    assert api.post(f"/conversations/{conversation}/messages", SELLER, body={"text": "Yes, gladly"}).status_code \
        == 201
    assert api.post(f"/conversations/{conversation}/messages", SELLER, body={"text": "And more"}).status_code == 201
    m = my_metrics(api, clock)
    assert m["response_rate"]["counts"] == {"conversations": 2, "replied_within_24h": 1}
    assert m["response_rate"]["value"] == 0.5 and m["response_rate"]["window_days"] == 90
    assert m["response_time_seconds"]["value"] == 7200  # the first reply only
    profile = api.get(f"/sellers/{uid(SELLER)}").json  # public (O15)
    assert profile["response"] == {"response_rate": 0.5, "response_time_seconds": 7200, "conversations": 2}
    # A reply after 24 hours answers, but not within the time (O15); the mean takes it.
    clock.advance(hours=23)
    later = second.json["conversation_id"]
    assert api.post(f"/conversations/{later}/messages", SELLER, body={"text": "Sorry, late"}).status_code == 201
    m = my_metrics(api, clock)
    assert m["response_rate"]["counts"] == {"conversations": 2, "replied_within_24h": 1}
    assert m["response_time_seconds"]["counts"] == {"answered": 2, "total_seconds": 7200 + 25 * 3600}


def test_o15_a_conversation_the_seller_started_does_not_count(api, clock, complete):
    complete()  # alice ordered: dana may write first (O5)
    started = api.post("/conversations", SELLER, body={"buyer_id": uid(BUYER), "text": "Thanks for the order"})
    assert started.status_code == 201, started.json
    answer = api.post(f"/conversations/{started.json['conversation_id']}/messages", BUYER, body={"text": "Thanks!"})
    assert answer.status_code == 201
    assert my_metrics(api, clock)["response_rate"]["counts"] == {"conversations": 0, "replied_within_24h": 0}


# -- reads --------------------------------------------------------------------------------------------
def test_reading_the_metrics_is_one_query(api, clock, complete, monkeypatch):
    complete()
    drain(clock)
    calls: list[str] = []
    original = botocore.client.BaseClient._make_api_call

    def counting(self, operation, params):
        calls.append(operation)
        return original(self, operation, params)

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", counting)
    figures = metrics.of_seller(uid(SELLER), clock)
    monkeypatch.undo()
    assert calls == ["Query"]
    assert figures.completion_rate.counts["completed"] == 1
