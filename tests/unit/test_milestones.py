"""Milestone orders (C2–C5, with M1, M3, O9, O13 where they touch milestones): the custom offer's
milestones and the one order machine running them, on the domain alone with an injected time.
Every refusal is checked with its code and its rule id."""
from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from chalicelib.domain.custom_offers import CustomOffer, OfferDraft
from chalicelib.domain.errors import Conflict, DomainError, Forbidden, InvalidInput
from chalicelib.domain.ledger import EntryKind
from chalicelib.domain.orders import (
    MILESTONE_REVIEW_PERIOD,
    MILESTONES_MAX,
    NEXT_MILESTONE_WAIT,
    REVIEW_PERIOD,
    Accept,
    AcceptRequest,
    CancelLate,
    Deliver,
    MilestoneState,
    OperatorCancel,
    Order,
    OrderState,
    RequestKind,
    RequestRevision,
    StartNextMilestone,
    Stop,
    milestone_errors,
    payments_in,
    plan,
)
from chalicelib.domain.relationships import Relationship

from .gig_factory import NOW, SELLER_ID, published_gig
from .order_factory import (
    BUYER_ID,
    MILESTONES,
    OP,
    OPERATOR_ID,
    A,
    B,
    K,
    S,
    assert_money_conserved,
    fire_due,
    in_progress,
    open_request,
    place_milestones,
)

DAY = timedelta(days=1)
M = MilestoneState


def _refusal(exc: pytest.ExceptionInfo[DomainError]) -> tuple[str | None, str | None]:
    return exc.value.code, exc.value.rule


def _states(order: Order) -> list[MilestoneState]:
    return [m.state for m in plan(order)]


def _deliver(order: Order, at) -> None:
    order.apply(Deliver(message="Milestone work attached"), S, SELLER_ID, at)


def _approved_first(at=NOW + 2 * DAY) -> Order:
    """Milestone 1 delivered a day in and approved at ``at``."""
    order, _ = place_milestones()
    _deliver(order, NOW + DAY)
    order.apply(Accept(), B, BUYER_ID, at)
    return order


# -- C2: the offer's milestones ------------------------------------------------------------------
def _draft(milestones=MILESTONES, **overrides) -> OfferDraft:
    values = dict(gig_id="gig_test0000000000000000", description="The whole renovation design, in three parts",
                  price=sum(m.amount for m in milestones), delivery_days=sum(m.delivery_days for m in milestones),
                  revisions=None, milestones=tuple(milestones))
    return OfferDraft(**(values | overrides))


def _send(draft: OfferDraft) -> CustomOffer:
    rel = Relationship(SELLER_ID, BUYER_ID, buyer_wrote_first=True)
    return CustomOffer.send(seller_id=SELLER_ID, gig=published_gig(), relationship=rel, conversation_id="conv_1",
                            draft=draft, now=NOW)


def _offer_refusal(draft: OfferDraft) -> list[tuple[str, str | None, str | None]]:
    with pytest.raises(InvalidInput) as exc:
        _send(draft)
    assert exc.value.rule in ("C2", "W2")
    return [(f.field, f.code, f.rule) for f in exc.value.fields]


def test_c2_an_offer_in_milestones_places_one_line_and_one_payment_stage_per_milestone() -> None:
    offer = _send(_draft())
    terms = offer.terms()
    assert [s.title for s in terms.stages] == [m.name for m in MILESTONES]
    assert [s.amount for s in terms.stages] == [6_000, 8_000, 5_000]
    assert [s.description for s in terms.stages] == [m.description for m in MILESTONES]
    assert [(line.kind, line.amount) for line in terms.lines] == [("milestone", 6_000), ("milestone", 8_000),
                                                                   ("milestone", 5_000)]
    assert terms.total == offer.total == 19_000
    assert (terms.delivery_days, terms.revisions) == (5, 1)  # the first milestone's; the others' come later


@pytest.mark.parametrize("count", [1, MILESTONES_MAX + 1])
def test_c2_two_to_six_milestones(count: int) -> None:
    milestones = tuple(replace(MILESTONES[0], name=f"Part {i}") for i in range(count))
    assert ("milestones", "out_of_range", "C2") in _offer_refusal(_draft(milestones))


def test_c2_milestones_only_for_offers_of_100_dollars_each_at_least_50() -> None:
    small = (replace(MILESTONES[0], amount=5_000), replace(MILESTONES[1], amount=4_999))
    fields = _offer_refusal(_draft(small))
    assert ("milestones", "too_small", "C2") in fields
    assert ("milestones.1.amount", "out_of_range", "C2") in fields
    assert milestone_errors((replace(MILESTONES[0], amount=5_000), replace(MILESTONES[1], amount=5_000))) == []


def test_c2_a_milestone_lasts_at_most_30_days() -> None:
    long = (replace(MILESTONES[0], delivery_days=31), MILESTONES[1])
    assert ("milestones.0.delivery_days", "out_of_range", "C2") in _offer_refusal(_draft(long))
    assert milestone_errors((replace(MILESTONES[0], delivery_days=30), MILESTONES[1])) == []


def test_c2_the_milestones_give_the_price_days_and_revisions_and_take_no_extras() -> None:
    fields = _offer_refusal(_draft(price=1, delivery_days=2, revisions=3, custom_extras=(("x", 1),)))
    assert ("price", "mismatch", "C2") in fields
    assert ("delivery_days", "mismatch", "C2") in fields
    assert ("revisions", "not_allowed", "C2") in fields
    assert ("custom_extras", "not_allowed", "C2") in fields


def test_c2_w2_a_milestone_name_with_contact_details_is_refused() -> None:
    named = (replace(MILESTONES[0], name="Call me at bob@example.com"), MILESTONES[1])
    fields = _offer_refusal(_draft(named))
    assert any(path == "milestones.0.name" and rule == "W2" for path, _, rule in fields)


# -- C2: paying milestone by milestone -------------------------------------------------------------
def test_c2_the_buyer_pays_only_the_first_milestone_on_ordering() -> None:
    order, outcome = place_milestones()
    assert order.state is OrderState.IN_PROGRESS and order.is_milestone_order
    assert payments_in(outcome.ledger) == 6_000
    assert [e.stage for e in outcome.ledger] == [0]
    assert order.due_at == NOW + 5 * DAY  # the first milestone's days
    assert _states(order) == [M.IN_PROGRESS, M.PENDING, M.PENDING]
    assert plan(order)[2].final and not plan(order)[0].final


def test_c3_c5_approving_a_milestone_pays_the_seller_80_percent_of_it_and_waits_for_the_next_payment() -> None:
    order, _ = place_milestones()
    _deliver(order, NOW + DAY)
    outcome = order.apply(Accept(), B, BUYER_ID, NOW + 2 * DAY)
    assert order.state is OrderState.AWAITING_NEXT_MILESTONE
    assert [(e.kind, e.amount, e.stage) for e in outcome.ledger] == [
        (EntryKind.SELLER_EARNING, 4_800, 0), (EntryKind.PLATFORM_FEE, 1_200, 0)]  # C5, M1
    assert order.balance.held == 0
    assert set(order.timers) == {K.ORDER_NEXT_MILESTONE}
    assert order.timers[K.ORDER_NEXT_MILESTONE].due_at == NOW + 2 * DAY + NEXT_MILESTONE_WAIT
    assert _states(order) == [M.APPROVED, M.AWAITING_PAYMENT, M.PENDING]
    assert plan(order)[1].pay_by == NOW + 12 * DAY
    assert outcome.event is not None and outcome.event.data["milestone"] == 1
    assert "milestone 1" in outcome.event.summary
    assert_money_conserved(order)


def test_c2_starting_the_next_milestone_charges_it_and_runs_it_on_its_own_days_and_revisions() -> None:
    order = _approved_first()
    later = NOW + 4 * DAY
    outcome = order.apply(StartNextMilestone(), B, BUYER_ID, later)
    assert order.state is OrderState.IN_PROGRESS and order.stage == 1
    assert payments_in(outcome.ledger) == 8_000 and outcome.ledger[0].stage == 1
    assert order.due_at == later + 10 * DAY  # O9 runs on the milestone's own due time
    assert (order.revisions_allowed, order.revisions_used) == (2, 0)
    assert set(order.timers) == {K.ORDER_LATE, K.ORDER_LATE_CANCELLABLE}
    assert _states(order) == [M.APPROVED, M.IN_PROGRESS, M.PENDING]
    first = plan(order)[0]
    assert (first.deliveries, first.started_at, first.delivered_at) == (1, NOW, NOW + DAY)
    assert (first.seller_earnings, first.held) == (4_800, 0)
    assert outcome.event is not None and outcome.event.data["milestone"] == 2
    assert outcome.event.recipients == (SELLER_ID,)
    assert_money_conserved(order)


def test_c2_only_the_buyer_starts_the_next_milestone() -> None:
    order = _approved_first()
    with pytest.raises(Forbidden) as exc:
        order.apply(StartNextMilestone(), S, SELLER_ID, NOW + 3 * DAY)
    assert _refusal(exc) == ("actor_not_allowed", "C2")


def test_c2_no_next_milestone_while_one_runs() -> None:
    order, _ = place_milestones()
    with pytest.raises(Conflict) as exc:
        order.apply(StartNextMilestone(), B, BUYER_ID, NOW + DAY)
    assert _refusal(exc) == ("invalid_transition", "C2")


def test_c2_the_next_milestone_cannot_start_after_10_days() -> None:
    order = _approved_first()
    with pytest.raises(Conflict) as exc:
        order.apply(StartNextMilestone(), B, BUYER_ID, NOW + 2 * DAY + NEXT_MILESTONE_WAIT + timedelta(seconds=1))
    assert _refusal(exc) == ("next_milestone_lapsed", "C2")


def test_c2_c4_a_next_milestone_not_paid_in_10_days_never_starts_and_the_order_completes() -> None:
    order = _approved_first()
    assert fire_due(order, NOW + 2 * DAY + NEXT_MILESTONE_WAIT - timedelta(seconds=1)) == []
    [outcome] = fire_due(order, NOW + 2 * DAY + NEXT_MILESTONE_WAIT)
    assert outcome.action is A.EXPIRE_NEXT_MILESTONE
    assert order.state is OrderState.COMPLETED and order.counts_as_completed
    assert order.timers == {}
    assert _states(order) == [M.APPROVED, M.NOT_STARTED, M.NOT_STARTED]
    assert order.balance.paid == 6_000 and order.balance.held == 0
    assert_money_conserved(order)


# -- C3: 8 days to answer a milestone delivery ------------------------------------------------------
def test_c3_a_milestone_delivery_unanswered_for_8_days_is_approved_and_the_order_stops() -> None:
    order, _ = place_milestones()
    _deliver(order, NOW + DAY)
    assert order.review_period == MILESTONE_REVIEW_PERIOD == 8 * DAY
    assert fire_due(order, NOW + DAY + REVIEW_PERIOD) == []  # not after a gig order's 3 days
    assert fire_due(order, NOW + DAY + 8 * DAY - timedelta(seconds=1)) == []
    [outcome] = fire_due(order, NOW + 9 * DAY)
    assert outcome.action is A.AUTO_COMPLETE and "8 days" in outcome.event.summary  # type: ignore[union-attr]
    assert order.state is OrderState.COMPLETED and order.counts_as_completed
    assert _states(order) == [M.APPROVED, M.NOT_STARTED, M.NOT_STARTED]  # later milestones do not start
    assert order.balance.seller_earnings == 4_800 and order.timers == {}
    assert_money_conserved(order)


def test_c3_a_revision_of_a_milestone_within_8_days_uses_that_milestones_revisions() -> None:
    order, _ = place_milestones()
    _deliver(order, NOW + DAY)
    order.apply(RequestRevision("Add the attic"), B, BUYER_ID, NOW + 6 * DAY)  # after 3 days, within 8
    assert _states(order)[0] is M.REVISION_REQUESTED
    _deliver(order, NOW + 7 * DAY)
    with pytest.raises(Conflict) as exc:  # the first milestone carries one revision
        order.apply(RequestRevision("Again"), B, BUYER_ID, NOW + 8 * DAY)
    assert _refusal(exc) == ("no_revisions_left", "O7")
    assert plan(order)[0].deliveries == 2


def test_c3_no_revision_of_a_milestone_after_8_days() -> None:
    order, _ = place_milestones()
    _deliver(order, NOW + DAY)
    order.timers.clear()  # the auto-approval has not been swept yet
    with pytest.raises(Conflict) as exc:
        order.apply(RequestRevision("Late"), B, BUYER_ID, NOW + 9 * DAY + timedelta(seconds=1))
    assert _refusal(exc) == ("review_period_over", "C3")


def test_c3_a_gig_order_keeps_its_3_days() -> None:
    order = in_progress()
    assert not order.is_milestone_order and order.review_period == REVIEW_PERIOD and plan(order) == []
    order.apply(Deliver(message="done"), S, SELLER_ID, NOW + DAY)
    assert order.timers[K.ORDER_AUTO_COMPLETE].due_at == NOW + DAY + REVIEW_PERIOD
    outcome = order.apply(Accept(), B, BUYER_ID, NOW + 2 * DAY)
    assert order.state is OrderState.COMPLETED and "milestone" not in outcome.event.data  # type: ignore[union-attr]


# -- C4: stopping and cancelling ----------------------------------------------------------------------
def test_c4_the_buyer_stops_after_an_approved_milestone_and_the_seller_is_told() -> None:
    order = _approved_first()
    outcome = order.apply(Stop("We have what we need"), B, BUYER_ID, NOW + 3 * DAY)
    assert order.state is OrderState.COMPLETED and order.counts_as_completed and order.timers == {}
    assert _states(order) == [M.APPROVED, M.NOT_STARTED, M.NOT_STARTED]
    event = outcome.event
    assert event is not None and event.recipients == (SELLER_ID,) and event.data["reason"] == "We have what we need"
    assert "rest will not start" in event.summary
    assert order.balance.paid == 6_000 and order.balance.seller_earnings == 4_800
    assert_money_conserved(order)


def test_c4_no_stop_while_a_milestone_runs_and_never_by_the_seller() -> None:
    order, _ = place_milestones()
    with pytest.raises(Conflict) as exc:
        order.apply(Stop(), B, BUYER_ID, NOW + DAY)
    assert _refusal(exc) == ("invalid_transition", "C4")
    order = _approved_first()
    with pytest.raises(Forbidden) as forbidden:
        order.apply(Stop(), S, SELLER_ID, NOW + 3 * DAY)
    assert _refusal(forbidden) == ("actor_not_allowed", "C4")


def test_c4_m3_cancelling_the_running_milestone_refunds_it_alone_and_the_order_counts_as_completed() -> None:
    order = _approved_first()
    order.apply(StartNextMilestone(), B, BUYER_ID, NOW + 3 * DAY)
    outcome = order.apply(OperatorCancel("Seller left", seller_at_fault=True), OP, OPERATOR_ID, NOW + 4 * DAY)
    assert order.state is OrderState.CANCELLED
    assert [(e.kind, e.amount, e.stage) for e in outcome.ledger] == [(EntryKind.REFUND, 8_000, 1)]  # M3
    assert order.balance.seller_earnings == 4_800  # the approved milestone stays earned (C5)
    assert order.counts_as_completed  # C4, O13
    assert _states(order) == [M.APPROVED, M.CANCELLED, M.NOT_STARTED]
    assert order.timers == {}
    assert_money_conserved(order)


def test_c4_o11_a_mutual_cancellation_of_the_running_milestone() -> None:
    order = _approved_first()
    order.apply(StartNextMilestone(), B, BUYER_ID, NOW + 3 * DAY)
    open_request(order, S, RequestKind.CANCELLATION, NOW + 4 * DAY)
    assert order.request is not None
    outcome = order.apply(AcceptRequest(order.request.id), B, BUYER_ID, NOW + 5 * DAY)
    assert order.state is OrderState.CANCELLED and order.counts_as_completed
    assert payments_in(outcome.ledger) == 0 and order.balance.refunded == 8_000
    assert_money_conserved(order)


def test_c4_cancelled_before_any_approved_milestone_counts_as_cancelled() -> None:
    order, _ = place_milestones()
    order.apply(OperatorCancel("Fraud", seller_at_fault=False), OP, OPERATOR_ID, NOW + DAY)
    assert order.state is OrderState.CANCELLED and not order.counts_as_completed
    assert order.balance.refunded == 6_000
    assert _states(order) == [M.CANCELLED, M.NOT_STARTED, M.NOT_STARTED]


def test_c4_an_operator_may_cancel_between_two_milestones_and_nothing_is_refunded() -> None:
    order = _approved_first()
    outcome = order.apply(OperatorCancel("Closing", seller_at_fault=False), OP, OPERATOR_ID, NOW + 3 * DAY)
    assert order.state is OrderState.CANCELLED and order.counts_as_completed and outcome.ledger == []
    assert _states(order) == [M.APPROVED, M.NOT_STARTED, M.NOT_STARTED]
    assert order.timers == {}


def test_c4_no_resolution_request_between_two_milestones() -> None:
    order = _approved_first()
    with pytest.raises(Conflict) as exc:
        open_request(order, S, RequestKind.CANCELLATION, NOW + 3 * DAY)
    assert _refusal(exc) == ("invalid_transition", "O12")


# -- O9 on the running milestone -----------------------------------------------------------------------
def test_o9_the_running_milestone_is_late_on_its_own_due_time_and_a_late_cancel_refunds_it_alone() -> None:
    order = _approved_first()
    start = NOW + 3 * DAY
    order.apply(StartNextMilestone(), B, BUYER_ID, start)
    due = start + 10 * DAY
    assert not order.is_late(due) and order.is_late(due + timedelta(seconds=1))
    fire_due(order, due + DAY)
    with pytest.raises(Conflict) as exc:
        order.apply(CancelLate(), B, BUYER_ID, due + timedelta(hours=23))
    assert _refusal(exc) == ("not_late_enough", "O9")
    outcome = order.apply(CancelLate("Too late"), B, BUYER_ID, due + DAY)
    assert order.state is OrderState.CANCELLED and order.counts_as_completed
    assert [(e.kind, e.amount, e.stage) for e in outcome.ledger] == [(EntryKind.REFUND, 8_000, 1)]
    assert_money_conserved(order)


# -- C5/M1: the whole plan ------------------------------------------------------------------------------
def test_c5_m1_a_whole_milestone_order_pays_the_seller_per_milestone_and_completes_on_the_last() -> None:
    order, _ = place_milestones()
    at, charged, earned = NOW, 6_000, []
    for i in range(3):
        if i:
            outcome = order.apply(StartNextMilestone(), B, BUYER_ID, at)
            charged += payments_in(outcome.ledger)
        _deliver(order, at + DAY)
        outcome = order.apply(Accept(), B, BUYER_ID, at + 2 * DAY)
        earned.append(sum(e.amount for e in outcome.ledger if e.kind is EntryKind.SELLER_EARNING))
        at += 3 * DAY
        assert_money_conserved(order)
    assert earned == [4_800, 6_400, 4_000]
    assert charged == order.balance.paid == order.total == 19_000
    assert order.state is OrderState.COMPLETED and order.timers == {}
    assert _states(order) == [M.APPROVED] * 3
    assert order.milestones_approved == 3
    assert [m.deliveries for m in plan(order)] == [1, 1, 1]


def test_c4_o12_more_revisions_after_a_stop_complete_the_order_again_without_starting_the_rest() -> None:
    from chalicelib.domain.orders import ChangeOffer, OrderLine

    order = _approved_first()
    order.apply(Stop(), B, BUYER_ID, NOW + 3 * DAY)
    offer = ChangeOffer((OrderLine("offer", "One more revision", 1_000, 1, 1_000),), added_revisions=1)
    open_request(order, S, RequestKind.ADDITIONAL_REVISIONS, NOW + 4 * DAY, offer=offer)
    assert order.request is not None
    order.apply(AcceptRequest(order.request.id), B, BUYER_ID, NOW + 5 * DAY)
    assert order.state is OrderState.REVISION_REQUESTED and _states(order)[0] is M.REVISION_REQUESTED
    _deliver(order, NOW + 6 * DAY)
    order.apply(Accept(), B, BUYER_ID, NOW + 7 * DAY)
    assert order.state is OrderState.COMPLETED
    assert _states(order) == [M.APPROVED, M.NOT_STARTED, M.NOT_STARTED]
    assert_money_conserved(order)
