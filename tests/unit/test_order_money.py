"""The order's money (M1, M3): the 80/20 split with the floor for the seller, refunds of what is
held and never of what was settled, and conservation over any sequence of ledger moves."""
from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.domain.ledger import Balance, EntryKind
from chalicelib.domain.orders import (
    Accept,
    AcceptRequest,
    ChangeOffer,
    Deliver,
    OperatorCancel,
    OrderLine,
    OrderState,
    RequestKind,
    Stage,
    Terms,
)

from .gig_factory import NOW, SELLER_ID
from .order_factory import (
    BUYER_ID,
    OP,
    OPERATOR_ID,
    B,
    assert_money_conserved,
    completed,
    delivered,
    in_progress,
    open_request,
)

DAY = timedelta(days=1)


def _offer(price: int, revisions: int = 0) -> ChangeOffer:
    return ChangeOffer((OrderLine("offer", "More", price, 1, price),), added_revisions=revisions)


def test_m1_completion_pays_the_seller_80_percent_and_the_platform_20() -> None:
    order = delivered()
    outcome = order.apply(Accept(), B, BUYER_ID, NOW + 2 * DAY)
    assert [(e.kind, e.amount) for e in outcome.ledger] == [
        (EntryKind.SELLER_EARNING, 4_000), (EntryKind.PLATFORM_FEE, 1_000)]
    assert [e.seq for e in outcome.ledger] == [2, 3]  # after the payment (1)
    assert order.balance.held == 0
    assert_money_conserved(order)


def test_m1_the_seller_gets_the_floor_and_the_platform_the_rest() -> None:
    order = in_progress()
    open_request(order, order.role_of(SELLER_ID), RequestKind.EXTRAS, NOW, offer=_offer(1_999))
    order.apply(AcceptRequest(request_id=order.request.id), B, BUYER_ID, NOW)
    order.apply(Deliver(message="done"), order.role_of(SELLER_ID), SELLER_ID, NOW + DAY)
    order.apply(Accept(), B, BUYER_ID, NOW + DAY)
    paid = 5_000 + 1_999
    assert order.balance.seller_earnings == paid * 80 // 100 == 5_599
    assert order.balance.platform_fees == paid - 5_599 == 1_400
    assert_money_conserved(order)


def test_m3_cancellation_refunds_what_is_held() -> None:
    order = delivered()
    outcome = order.apply(OperatorCancel(reason="fraud"), OP, OPERATOR_ID, NOW + DAY)
    assert [(e.kind, e.amount) for e in outcome.ledger] == [(EntryKind.REFUND, 5_000)]
    assert order.balance.seller_earnings == order.balance.platform_fees == 0
    assert_money_conserved(order)


def test_m3_settled_money_is_never_refunded() -> None:
    order = completed()
    settled = (order.balance.seller_earnings, order.balance.platform_fees)
    open_request(order, order.role_of(SELLER_ID), RequestKind.ADDITIONAL_REVISIONS, NOW + 3 * DAY,
                 offer=_offer(3_000, revisions=1))
    order.apply(AcceptRequest(request_id=order.request.id), B, BUYER_ID, NOW + 3 * DAY)
    assert order.state is OrderState.REVISION_REQUESTED and order.balance.held == 3_000
    outcome = order.apply(OperatorCancel(reason="dispute"), OP, OPERATOR_ID, NOW + 4 * DAY)
    assert [(e.kind, e.amount) for e in outcome.ledger] == [(EntryKind.REFUND, 3_000)]
    assert (order.balance.seller_earnings, order.balance.platform_fees) == settled
    assert order.balance.paid == 8_000 and order.balance.refunded == 3_000
    assert_money_conserved(order)


def test_m3_a_free_reopening_refunds_nothing() -> None:
    order = completed()
    open_request(order, order.role_of(SELLER_ID), RequestKind.ADDITIONAL_REVISIONS, NOW + 3 * DAY,
                 offer=ChangeOffer((), added_revisions=1))
    outcome = order.apply(AcceptRequest(request_id=order.request.id), B, BUYER_ID, NOW + 3 * DAY)
    assert outcome.ledger == []
    outcome = order.apply(OperatorCancel(reason="dispute"), OP, OPERATOR_ID, NOW + 4 * DAY)
    assert outcome.ledger == [] and order.balance.refunded == 0
    assert_money_conserved(order)


@settings(max_examples=200)
@given(st.lists(st.one_of(st.tuples(st.just("pay"), st.integers(0, 3_000_000)),
                          st.just(("settle", 0)), st.just(("refund", 0))), max_size=12))
def test_m1_m3_money_is_conserved_and_entries_add_up(moves) -> None:
    balance = Balance()
    entries = []
    for move, amount in moves:
        held = balance.held
        if move == "pay":
            entries += balance.pay(amount, NOW, "pay")
        elif move == "settle":
            new = balance.settle(NOW)
            entries += new
            if held:  # zero shares write no entry (1 cent: the seller's floor of 80% is 0)
                amounts = {e.kind: e.amount for e in new}
                assert amounts.get(EntryKind.SELLER_EARNING, 0) == held * 80 // 100
                assert amounts.get(EntryKind.PLATFORM_FEE, 0) == held - held * 80 // 100
                assert all(e.amount > 0 for e in new)
        else:
            entries += balance.refund_held(NOW)
        assert balance.held >= 0
        assert balance.paid == balance.refunded + balance.seller_earnings + balance.platform_fees + balance.held
    assert [e.seq for e in entries] == list(range(1, len(entries) + 1))
    assert all(e.amount > 0 for e in entries)  # no entry moves nothing
    by_kind = {kind: sum(e.amount for e in entries if e.kind is kind) for kind in EntryKind}
    assert by_kind == {EntryKind.PAYMENT: balance.paid, EntryKind.REFUND: balance.refunded,
                       EntryKind.SELLER_EARNING: balance.seller_earnings,
                       EntryKind.PLATFORM_FEE: balance.platform_fees}


# -- money per payment stage (plan-shaped orders) -------------------------------------------------
def test_m1_m3_money_is_held_settled_and_refunded_per_stage() -> None:
    """A stage settled stays settled; a cancellation refunds only what later stages still hold."""
    balance = Balance()
    balance.pay(10_000, NOW, "stage 1", stage=0)
    balance.pay(6_000, NOW, "stage 2", stage=1)
    settled = balance.settle(NOW, stage=0)
    assert [(e.kind, e.amount, e.stage) for e in settled] == [
        (EntryKind.SELLER_EARNING, 8_000, 0), (EntryKind.PLATFORM_FEE, 2_000, 0)]
    refunded = balance.refund_held(NOW)
    assert [(e.kind, e.amount, e.stage) for e in refunded] == [(EntryKind.REFUND, 6_000, 1)]
    assert (balance.stages[0].held, balance.stages[1].held) == (0, 0)
    assert balance.paid == balance.refunded + balance.seller_earnings + balance.platform_fees == 16_000
    assert [e.seq for e in settled + refunded] == [3, 4, 5]  # numbered across the order


def test_terms_stages_add_up_to_the_priced_lines() -> None:
    line = OrderLine("package", "Basic", 10_000, 1, 10_000)
    with pytest.raises(ValueError):
        Terms((line,), 5, 1, (), (Stage("one", 9_000, 5, 1),))
    with pytest.raises(ValueError):
        Terms((line,), 5, 1, (), ())
    two = Terms((line,), 5, 1, (), (Stage("one", 4_000, 2, 1), Stage("two", 6_000, 3, 1)))
    assert two.total == 10_000


def test_a_gig_order_is_one_stage_of_its_whole_price() -> None:
    order = completed()
    assert len(order.stages) == 1 and order.stages[0].amount == order.total
    assert order.balance.stages[0].seller_earnings == order.total * 80 // 100
