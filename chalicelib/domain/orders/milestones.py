"""Milestones (C2–C5): a custom offer split into 2–6 milestones places ONE order whose plan has a
stage per milestone (a gig order is a plan of one stage). The order machine runs the stage in
``Order.stage``; what a finished stage did is kept in ``Order.past_stages``.

- the buyer pays the first milestone at placement, each later one when starting it after
  approving the previous (C2, ``START_NEXT_MILESTONE``); unpaid within ``NEXT_MILESTONE_WAIT`` the
  order ends, completed (C2, ``EXPIRE_NEXT_MILESTONE``);
- each milestone has its own due time (O9 applies to the running one), deliveries and revisions;
  the buyer has ``MILESTONE_REVIEW_PERIOD`` to approve a delivery or ask for a revision; unanswered,
  it is approved and the order stops, completed (C3);
- the buyer may stop after an approved milestone (C4, ``STOP``); a cancellation cancels the running
  milestone (refunded, M3) and ends the order ([decision] C4: later milestones never start); with a
  milestone approved it counts as completed; no resolution request opens between two milestones
  ([decision] C4);
- approving a milestone settles its money: 80% to the seller, 20% to the platform (C5, M1).

This module holds the C2 bounds, the offer's milestone value and its checks, the terms it places
an order on, and the plan the order page shows (``plan``)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from ..contact_details import text_field_errors
from ..deadlines import DeadlineKind
from ..errors import FieldError
from ..gigs import REVISIONS_MAX, Requirement
from .states import MilestoneState, OrderState
from .terms import OrderLine, Stage, Terms

if TYPE_CHECKING:
    from .aggregate import Order

# C2 [decision] (Fiverr's terms): 2 to 6 milestones, only for offers of at least $100 in total, each
# at least $50; a milestone lasts at most 30 days (the seeds).
MILESTONES_MIN, MILESTONES_MAX = 2, 6
MILESTONE_TOTAL_MIN = 10_000  # minor units
MILESTONE_AMOUNT_MIN = 5_000
MILESTONE_AMOUNT_MAX = 1_000_000  # [decision] as a gig package at most (G4)
MILESTONE_DAYS_MIN, MILESTONE_DAYS_MAX = 1, 30
MILESTONE_REVISIONS_MAX = REVISIONS_MAX
MILESTONE_NAME_MAX = 80  # [decision] as a gig title (G1)
MILESTONE_DESCRIPTION_MAX = 1_200  # [decision] as a gig description (G6)
MILESTONE_LINE = "milestone"  # the kind of the order line a milestone is priced as


@dataclass(frozen=True)
class Milestone:
    """One milestone of a custom offer (C2)."""

    name: str
    description: str
    delivery_days: int
    amount: int  # minor units
    revisions: int | None  # None = unlimited (O7)


def milestone_errors(milestones: tuple[Milestone, ...], path: str = "milestones") -> list[FieldError]:
    """C2: 2–6 milestones, at least $100 in all and $50 each, at most 30 days each; names and
    descriptions are text people read (W2)."""
    errors: list[FieldError] = []
    if not MILESTONES_MIN <= len(milestones) <= MILESTONES_MAX:
        errors.append(FieldError(path, f"from {MILESTONES_MIN} to {MILESTONES_MAX} milestones", "out_of_range",
                                 "C2"))
    for i, m in enumerate(milestones):
        at = f"{path}.{i}"
        errors += text_field_errors(f"{at}.name", m.name, maximum=MILESTONE_NAME_MAX, rule="C2")
        errors += text_field_errors(f"{at}.description", m.description, maximum=MILESTONE_DESCRIPTION_MAX,
                                    rule="C2")
        if not MILESTONE_DAYS_MIN <= m.delivery_days <= MILESTONE_DAYS_MAX:
            errors.append(FieldError(f"{at}.delivery_days", f"must be {MILESTONE_DAYS_MIN}–{MILESTONE_DAYS_MAX}",
                                     "out_of_range", "C2"))
        if not MILESTONE_AMOUNT_MIN <= m.amount <= MILESTONE_AMOUNT_MAX:
            errors.append(FieldError(f"{at}.amount", f"must be {MILESTONE_AMOUNT_MIN}–{MILESTONE_AMOUNT_MAX} "
                                     "minor units", "out_of_range", "C2"))
        if m.revisions is not None and not 0 <= m.revisions <= MILESTONE_REVISIONS_MAX:
            errors.append(FieldError(f"{at}.revisions", f"must be 0–{MILESTONE_REVISIONS_MAX}, or null for "
                                     "unlimited", "out_of_range", "C2"))
    if milestones and sum(m.amount for m in milestones) < MILESTONE_TOTAL_MIN:
        errors.append(FieldError(path, f"milestones are for offers of at least {MILESTONE_TOTAL_MIN} minor units "
                                 "in total", "too_small", "C2"))
    return errors


def milestone_terms(milestones: tuple[Milestone, ...], requirements: tuple[Requirement, ...]) -> Terms:
    """C2: a line and a payment stage per milestone; the order starts on the first one's days and
    revisions (the others' come when each starts)."""
    lines = tuple(OrderLine(MILESTONE_LINE, m.name, m.amount, 1, m.amount) for m in milestones)
    stages = tuple(Stage(m.name, m.amount, m.delivery_days, m.revisions, m.description) for m in milestones)
    first = milestones[0]
    return Terms(lines, first.delivery_days, first.revisions, requirements, stages, tier="custom_offer")


@dataclass(frozen=True)
class StageRun:
    """How a milestone that is over ran (kept on the order when the next one starts)."""

    started_at: datetime | None
    due_at: datetime | None
    delivered_at: datetime | None
    approved_at: datetime | None
    deliveries: int
    revisions_allowed: int | None
    revisions_used: int


@dataclass(frozen=True)
class MilestoneView:
    """One milestone on the order page: its state, money and times (C2–C5, O4)."""

    number: int  # from 1
    name: str
    description: str
    amount: int
    delivery_days: int
    state: MilestoneState
    final: bool  # C2: the last milestone carries the full project delivery
    started_at: datetime | None
    due_at: datetime | None
    delivered_at: datetime | None
    review_ends_at: datetime | None  # C3: approved by itself then
    approved_at: datetime | None
    pay_by: datetime | None  # C2: the buyer pays it by then, or it never starts
    deliveries: int
    revisions_allowed: int | None
    revisions_used: int
    paid: int
    refunded: int
    seller_earnings: int
    platform_fees: int
    held: int


_RUNNING_STATES: dict[OrderState, MilestoneState] = {
    OrderState.AWAITING_REQUIREMENTS: MilestoneState.AWAITING_REQUIREMENTS,
    OrderState.IN_PROGRESS: MilestoneState.IN_PROGRESS,
    OrderState.DELIVERED: MilestoneState.DELIVERED,
    OrderState.REVISION_REQUESTED: MilestoneState.REVISION_REQUESTED,
    OrderState.COMPLETED: MilestoneState.APPROVED,
    OrderState.CANCELLED: MilestoneState.CANCELLED,
    OrderState.AWAITING_NEXT_MILESTONE: MilestoneState.APPROVED,
}


def milestone_state(order: Order, index: int) -> MilestoneState:
    """The one state of milestone ``index`` (from 0), derived from the order's: the ones before the
    running stage were approved, the running one follows the order, later ones wait or never start."""
    if index < order.stage:
        return MilestoneState.APPROVED
    if index == order.stage:
        if order.approved_at is not None:
            return MilestoneState.APPROVED
        return _RUNNING_STATES.get(order.state, MilestoneState.PENDING)
    if order.state is OrderState.AWAITING_NEXT_MILESTONE and index == order.stage + 1:
        return MilestoneState.AWAITING_PAYMENT
    if order.state in (OrderState.COMPLETED, OrderState.CANCELLED):
        return MilestoneState.NOT_STARTED
    return MilestoneState.PENDING


def plan(order: Order) -> list[MilestoneView]:
    """The order page's plan of a milestone order (empty for a gig order)."""
    if not order.is_milestone_order:
        return []
    out: list[MilestoneView] = []
    for i, stage in enumerate(order.stages):
        money = order.balance.stages[i] if i < len(order.balance.stages) else None
        run: StageRun | None
        if i < len(order.past_stages):
            run = order.past_stages[i]
        elif i == order.stage:
            run = order.current_run()
        else:
            run = None
        state = milestone_state(order, i)
        review_ends = (run.delivered_at + order.review_period
                       if run and run.delivered_at and state is MilestoneState.DELIVERED else None)
        next_timer = order.timers.get(DeadlineKind.ORDER_NEXT_MILESTONE)
        pay_by = next_timer.due_at if next_timer and state is MilestoneState.AWAITING_PAYMENT else None
        out.append(MilestoneView(
            number=i + 1, name=stage.title, description=stage.description, amount=stage.amount,
            delivery_days=stage.delivery_days, state=state, final=i == len(order.stages) - 1,
            started_at=run.started_at if run else None, due_at=run.due_at if run else None,
            delivered_at=run.delivered_at if run else None, review_ends_at=review_ends,
            approved_at=run.approved_at if run else None, pay_by=pay_by,
            deliveries=run.deliveries if run else 0,
            revisions_allowed=run.revisions_allowed if run else stage.revisions,
            revisions_used=run.revisions_used if run else 0,
            paid=money.paid if money else 0, refunded=money.refunded if money else 0,
            seller_earnings=money.seller_earnings if money else 0,
            platform_fees=money.platform_fees if money else 0, held=money.held if money else 0))
    return out
