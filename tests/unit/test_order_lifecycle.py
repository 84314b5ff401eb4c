"""Delivering, accepting, revisions, auto-completion, lateness and cancellation by an operator
(O6–O9, O13), and the timers that drive them, on the domain alone with injected times."""
from __future__ import annotations

from datetime import timedelta

import pytest

from chalicelib.domain.accounts import NotificationKind
from chalicelib.domain.errors import Conflict, Forbidden, InvalidInput
from chalicelib.domain.ledger import EntryKind
from chalicelib.domain.orders import (
    FINISHED,
    LATE_CANCEL_AFTER,
    REVIEW_PERIOD,
    Accept,
    AcceptRequest,
    CancelLate,
    ChangeOffer,
    DeclineRequest,
    Deliver,
    OperatorCancel,
    OrderLine,
    OrderState,
    RequestKind,
    RequestRevision,
    SendProgressUpdate,
)
from chalicelib.domain.pricing import Selection

from .gig_factory import NOW, SELLER_ID, basic_package, three_packages
from .order_factory import (
    BUYER_ID,
    OP,
    OPERATOR_ID,
    SYS,
    A,
    B,
    K,
    S,
    assert_money_conserved,
    completed,
    delivered,
    fire_due,
    in_progress,
    open_request,
    place,
)

DAY = timedelta(days=1)


# -- O6 delivery ----------------------------------------------------------------------------------
def test_o6_delivery_with_a_message_or_files() -> None:
    order = in_progress()
    at = NOW + DAY
    outcome = order.apply(Deliver(message="  Photos attached  ", files=("file_1",), usable_files=1), S, SELLER_ID, at)
    assert order.state is OrderState.DELIVERED
    assert outcome.delivery.number == 1 and outcome.delivery.message == "Photos attached"
    assert outcome.delivery.files == ("file_1",)
    assert order.delivered_at == at
    assert outcome.event.recipients == (BUYER_ID,)
    assert outcome.event.notification is NotificationKind.ORDER_DELIVERED

    order = in_progress()
    order.apply(Deliver(message="", files=("file_1",), usable_files=1), S, SELLER_ID, at)  # a clean file
    assert order.state is OrderState.DELIVERED


@pytest.mark.parametrize("payload", [
    {"message": ""}, {"message": "   \n "}, {}, {"message": " ", "files": ("file_1",), "usable_files": 0},
    {"files": ("file_1",)},
], ids=["empty", "blank", "nothing", "only-blocked-files", "files-not-known-clean"])
def test_o6_empty_delivery_is_refused(payload) -> None:
    order = in_progress()
    with pytest.raises(InvalidInput) as caught:
        order.apply(Deliver(**payload), S, SELLER_ID, NOW + DAY)
    assert caught.value.code == "empty_delivery"
    assert caught.value.fields[0].rule == "O6"
    assert order.state is OrderState.IN_PROGRESS and order.deliveries == 0
    assert set(order.timers) == {K.ORDER_LATE, K.ORDER_LATE_CANCELLABLE}


def test_o6_only_the_seller_delivers_and_only_while_working() -> None:
    order, _ = place()
    with pytest.raises(Conflict):  # requirements first
        order.apply(Deliver(message="x"), S, SELLER_ID, NOW)
    order = in_progress()
    for role in (B, OP, SYS):
        with pytest.raises(Forbidden):
            order.apply(Deliver(message="x"), role, None, NOW)
    order = delivered()
    with pytest.raises(Conflict):
        order.apply(Deliver(message="again"), S, SELLER_ID, NOW + 2 * DAY)


def test_o6_o9_delivery_stops_the_late_timers_and_starts_auto_complete() -> None:
    at = NOW + DAY
    order = delivered(at)
    assert set(order.timers) == {K.ORDER_AUTO_COMPLETE}
    assert order.timers[K.ORDER_AUTO_COMPLETE].due_at == at + REVIEW_PERIOD


# -- O7 accept or revise --------------------------------------------------------------------------
def test_o7_buyer_accepts_a_delivery() -> None:
    order = delivered()
    outcome = order.apply(Accept(), B, BUYER_ID, NOW + 2 * DAY)
    assert order.state is OrderState.COMPLETED and order.completed_at == NOW + 2 * DAY
    assert order.timers == {}
    assert outcome.event.notification is NotificationKind.ORDER_COMPLETED
    with pytest.raises(Forbidden):
        delivered().apply(Accept(), S, SELLER_ID, NOW + 2 * DAY)


def test_o7_revision_within_three_days_of_the_delivery() -> None:
    at = NOW + DAY
    order = delivered(at)
    outcome = order.apply(RequestRevision(message="Brighter please"), B, BUYER_ID, at + REVIEW_PERIOD)
    assert order.state is OrderState.REVISION_REQUESTED
    assert order.revisions_used == 1 and order.revisions_left == 0
    assert order.timers == {}  # the auto-completion is off until the next delivery
    assert outcome.event.data["message"] == "Brighter please"
    assert outcome.event.notification is NotificationKind.REVISION_REQUESTED

    late = delivered(at)
    with pytest.raises(Conflict) as caught:
        late.apply(RequestRevision(message="x"), B, BUYER_ID, at + REVIEW_PERIOD + timedelta(seconds=1))
    assert caught.value.code == "review_period_over" and caught.value.rule == "O7"


def test_o7_a_revision_needs_a_message() -> None:
    order = delivered()
    with pytest.raises(InvalidInput):
        order.apply(RequestRevision(message="  "), B, BUYER_ID, NOW + 2 * DAY)
    assert order.state is OrderState.DELIVERED and order.revisions_used == 0


def _revise_and_redeliver(order, at):
    order.apply(RequestRevision(message="again"), B, BUYER_ID, at)
    order.apply(Deliver(message="redone"), S, SELLER_ID, at + timedelta(hours=1))


def test_o7_revisions_are_limited_by_the_package_plus_purchased_ones() -> None:
    order = delivered(selection=Selection("basic", extra_revisions=1))  # 1 + 1
    at = NOW + 2 * DAY
    _revise_and_redeliver(order, at)
    _revise_and_redeliver(order, at + DAY)
    with pytest.raises(Conflict) as caught:
        order.apply(RequestRevision(message="third"), B, BUYER_ID, at + 2 * DAY)
    assert caught.value.code == "no_revisions_left" and caught.value.rule == "O7"
    assert order.deliveries == 3 and order.revisions_used == 2


def test_o7_unlimited_revisions() -> None:
    order = delivered(selection=Selection("premium"))
    at = NOW + 2 * DAY
    for i in range(8):
        _revise_and_redeliver(order, at + i * DAY)
    assert order.revisions_used == 8 and order.revisions_left is None
    assert order.state is OrderState.DELIVERED


def test_o7_zero_revision_package_allows_none() -> None:
    order = delivered(packages=(basic_package(revisions=0), *three_packages()[1:]))
    with pytest.raises(Conflict) as caught:
        order.apply(RequestRevision(message="x"), B, BUYER_ID, NOW + 2 * DAY)
    assert caught.value.code == "no_revisions_left"


# -- O8 auto-complete -----------------------------------------------------------------------------
def test_o8_completes_three_days_after_the_latest_delivery() -> None:
    first = NOW + DAY
    order = delivered(first)
    stale = order.timers[K.ORDER_AUTO_COMPLETE]
    second = first + 2 * DAY
    _revise_and_redeliver(order, second - timedelta(hours=1))
    latest = order.delivered_at
    assert latest == second
    assert order.fire(K.ORDER_AUTO_COMPLETE, stale.ref, first + REVIEW_PERIOD) is None  # stale token
    assert fire_due(order, latest + REVIEW_PERIOD - timedelta(seconds=1)) == []
    outcomes = fire_due(order, latest + REVIEW_PERIOD)
    assert [o.action for o in outcomes] == [A.AUTO_COMPLETE]
    assert order.state is OrderState.COMPLETED and order.timers == {}
    assert set(outcomes[0].event.recipients) == {BUYER_ID, SELLER_ID}
    assert outcomes[0].event.actor_role is SYS and outcomes[0].event.actor_id is None


def test_o8_postponed_while_a_cancellation_request_is_open() -> None:
    at = NOW + DAY
    order = delivered(at)
    ask = at + REVIEW_PERIOD - timedelta(hours=1)
    open_request(order, B, RequestKind.CANCELLATION, ask)
    outcomes = fire_due(order, at + REVIEW_PERIOD)
    assert [(o.action, o.event.data["state"]) for o in outcomes] == [(A.AUTO_COMPLETE, "delivered")]
    assert order.state is OrderState.DELIVERED
    # O4: the history line says what happened; nobody is notified of a postponement
    assert "complete" not in outcomes[0].event.summary.replace("completion", "")
    assert "waits" in outcomes[0].event.summary and outcomes[0].event.recipients == ()
    assert order.timers[K.ORDER_AUTO_COMPLETE].due_at == order.request.expires_at
    # the seller declines: the order goes back to waiting, then completes by itself
    order.apply(DeclineRequest(request_id=order.request.id), S, SELLER_ID, ask + DAY)
    assert order.state is OrderState.DELIVERED
    outcomes = fire_due(order, ask + timedelta(hours=48))
    assert [o.action for o in outcomes] == [A.AUTO_COMPLETE]
    assert order.state is OrderState.COMPLETED


def test_o8_o11_an_unanswered_cancellation_wins_over_auto_completion() -> None:
    at = NOW + DAY
    order = delivered(at)
    open_request(order, S, RequestKind.CANCELLATION, at + DAY)
    fire_due(order, at + DAY + timedelta(hours=48))
    assert order.state is OrderState.CANCELLED and order.cancellation.mutual
    assert order.balance.refunded == order.total


# -- O9 late --------------------------------------------------------------------------------------
def test_o9_late_after_the_due_time_without_a_delivery() -> None:
    order = in_progress()
    due = order.due_at
    assert not order.is_late(due) and order.is_late(due + timedelta(seconds=1))
    outcomes = fire_due(order, due + timedelta(minutes=1))
    assert [o.action for o in outcomes] == [A.MARK_LATE]
    assert outcomes[0].event.notification is NotificationKind.ORDER_LATE
    assert order.state is OrderState.IN_PROGRESS
    assert set(order.timers) == {K.ORDER_LATE_CANCELLABLE}
    outcomes = fire_due(order, due + LATE_CANCEL_AFTER)
    assert [o.action for o in outcomes] == [A.MARK_LATE_CANCELLABLE]
    assert order.timers == {}


def test_o9_buyer_cancels_alone_only_when_24_hours_late() -> None:
    order = in_progress(selection=Selection("standard"))
    due = order.due_at
    for at in (due - DAY, due + timedelta(hours=23, minutes=59)):
        with pytest.raises(Conflict) as caught:
            order.apply(CancelLate(), B, BUYER_ID, at)
        assert caught.value.code == "not_late_enough" and caught.value.rule == "O9"
    with pytest.raises(Forbidden):
        order.apply(CancelLate(), S, SELLER_ID, due + 2 * DAY)
    outcome = order.apply(CancelLate(reason="too late"), B, BUYER_ID, due + LATE_CANCEL_AFTER)
    assert order.state is OrderState.CANCELLED
    assert order.cancellation.by is B and not order.cancellation.mutual
    assert order.cancellation.reason == "too late"
    assert [(e.kind, e.amount) for e in outcome.ledger] == [(EntryKind.REFUND, 10_000)]
    assert order.balance.held == 0 and order.timers == {}
    assert outcome.event.recipients == (SELLER_ID,)


def test_o9_a_delivered_order_is_not_late() -> None:
    order = delivered()
    with pytest.raises(Conflict):
        order.apply(CancelLate(), B, BUYER_ID, NOW + 30 * DAY)
    assert not order.is_late(NOW + 30 * DAY)


# -- timers ---------------------------------------------------------------------------------------
def test_timer_fire_with_a_stale_ref_or_before_due_does_nothing() -> None:
    order = in_progress()
    timer = order.timers[K.ORDER_LATE]
    before = (order.state, order.seq, dict(order.timers))
    assert order.fire(K.ORDER_LATE, timer.ref, timer.due_at - timedelta(seconds=1)) is None
    assert order.fire(K.ORDER_LATE, "order_late:999", timer.due_at + DAY) is None
    assert order.fire(K.ORDER_AUTO_COMPLETE, "order_auto_complete:1", timer.due_at + DAY) is None
    assert (order.state, order.seq, dict(order.timers)) == before


def test_timer_refs_are_unique_per_arming() -> None:
    order = in_progress()
    first = order.timers[K.ORDER_LATE].ref
    open_request(order, S, RequestKind.EXTENSION, NOW, days=1)
    order.apply(AcceptRequest(request_id=order.request.id), B, BUYER_ID, NOW)
    assert order.timers[K.ORDER_LATE].ref != first
    assert order.fire(K.ORDER_LATE, first, NOW + 30 * DAY) is None


@pytest.mark.parametrize("finish", ["accept", "auto", "late", "operator", "requirements", "mutual"])
def test_every_timer_is_cleared_when_the_order_finishes(finish) -> None:
    if finish == "accept":
        order = completed()
    elif finish == "auto":
        order = delivered()
        fire_due(order, NOW + 10 * DAY)
    elif finish == "late":
        order = in_progress()
        order.apply(CancelLate(), B, BUYER_ID, order.due_at + 2 * DAY)
    elif finish == "operator":
        order = in_progress()
        open_request(order, B, RequestKind.PROGRESS_UPDATE, NOW)
        order.apply(OperatorCancel(reason="fraud"), OP, OPERATOR_ID, NOW + DAY)
    elif finish == "requirements":
        order, _ = place()
        fire_due(order, NOW + 30 * DAY)
    else:
        order = in_progress()
        open_request(order, S, RequestKind.CANCELLATION, NOW)
        order.apply(AcceptRequest(request_id=order.request.id), B, BUYER_ID, NOW)
    assert order.state in FINISHED
    assert order.timers == {} and order.request is None
    assert_money_conserved(order)
    assert order.balance.held == 0


# -- operator cancel (O13) ------------------------------------------------------------------------
def test_o13_operator_cancels_not_the_sellers_fault() -> None:
    order = in_progress(selection=Selection("premium"))
    cancel = OperatorCancel(reason="ordered by mistake", seller_at_fault=False)
    outcome = order.apply(cancel, OP, OPERATOR_ID, NOW + DAY)
    assert order.state is OrderState.CANCELLED
    assert order.cancellation.by is OP and order.cancellation.seller_at_fault is False
    assert not order.cancellation.mutual
    assert order.balance.refunded == 20_000
    assert set(outcome.event.recipients) == {BUYER_ID, SELLER_ID}
    assert outcome.event.actor_id == OPERATOR_ID


def test_o13_operator_cancel_defaults_to_the_sellers_fault_and_needs_a_reason() -> None:
    order = delivered()
    with pytest.raises(InvalidInput):
        order.apply(OperatorCancel(reason=" "), OP, OPERATOR_ID, NOW + DAY)
    order.apply(OperatorCancel(reason="fraud"), OP, OPERATOR_ID, NOW + DAY)
    assert order.cancellation.seller_at_fault is True


def test_o13_operators_cannot_cancel_a_finished_order_and_parties_cannot_act_as_operators() -> None:
    order = completed()
    with pytest.raises(Conflict):
        order.apply(OperatorCancel(reason="x"), OP, OPERATOR_ID, NOW + 5 * DAY)
    for role in (B, S):
        with pytest.raises(Forbidden):
            in_progress().apply(OperatorCancel(reason="x"), role, None, NOW)


def test_allowed_actions_follow_the_state() -> None:
    order = in_progress()
    assert A.DELIVER in order.allowed_actions(S, NOW)
    assert A.CANCEL_LATE not in order.allowed_actions(B, NOW)
    assert A.CANCEL_LATE in order.allowed_actions(B, order.due_at + LATE_CANCEL_AFTER)
    order = delivered()
    assert set(order.allowed_actions(B, NOW + DAY)) >= {A.ACCEPT, A.REQUEST_REVISION, A.OPEN_REQUEST}
    assert A.REQUEST_REVISION not in order.allowed_actions(B, NOW + 10 * DAY)


def test_o9_a_sweep_at_the_very_due_instant_leaves_the_late_timer_for_the_next() -> None:
    order = in_progress()
    due = order.due_at
    timer = order.timers[K.ORDER_LATE]
    assert order.fire(K.ORDER_LATE, timer.ref, due) is None  # not late yet: nothing changes
    assert order.timers[K.ORDER_LATE] == timer and order.state is OrderState.IN_PROGRESS
    assert order.fire(K.ORDER_LATE, timer.ref, due + timedelta(minutes=1)).action is A.MARK_LATE


# -- W2 in every text written inside an order ---------------------------------------------------
CONTACT = "reach me on whatsapp +1 415 555 0134"


def _w2_refused(apply) -> None:
    with pytest.raises(InvalidInput) as caught:
        apply()
    assert [(f.code, f.rule) for f in caught.value.fields] == [("contact_details", "W2")]


def test_w2_delivery_and_revision_messages() -> None:
    order = in_progress()
    _w2_refused(lambda: order.apply(Deliver(message=CONTACT), S, SELLER_ID, NOW + DAY))
    assert order.deliveries == 0
    order.apply(Deliver(message="Here you go"), S, SELLER_ID, NOW + DAY)
    _w2_refused(lambda: order.apply(RequestRevision(CONTACT), B, BUYER_ID, NOW + DAY))
    assert order.state is OrderState.DELIVERED


def test_w2_progress_updates_request_reasons_and_cancellation_reasons() -> None:
    order = in_progress()
    _w2_refused(lambda: open_request(order, B, RequestKind.CANCELLATION, NOW, reason=CONTACT))
    _w2_refused(lambda: open_request(order, S, RequestKind.EXTENSION, NOW, reason=CONTACT))
    assert order.request is None
    open_request(order, B, RequestKind.PROGRESS_UPDATE, NOW)
    _w2_refused(lambda: order.apply(SendProgressUpdate(CONTACT), S, SELLER_ID, NOW))
    _w2_refused(lambda: order.apply(OperatorCancel(CONTACT), OP, OPERATOR_ID, NOW))
    late = in_progress()
    _w2_refused(lambda: late.apply(CancelLate(CONTACT), B, BUYER_ID, late.due_at + LATE_CANCEL_AFTER))
    assert late.state is OrderState.IN_PROGRESS


def test_w2_offer_lines_written_by_the_seller() -> None:
    order = in_progress()
    offer = ChangeOffer((OrderLine("offer", CONTACT, 1_000, 1, 1_000),))
    with pytest.raises(InvalidInput) as caught:
        open_request(order, S, RequestKind.EXTRAS, NOW, offer=offer)
    assert {(f.field, f.code) for f in caught.value.fields} == {("offer.lines.0.description", "contact_details")}
