"""The order machine in one table (O1–O12, milestone orders C2–C4): for each action, who may take
it, from which states, under which condition (``when``: picks the row), with which checks
(refusals, each with its rule id), into which state (None: it stays), what it changes
(``effect``), the timers it sets and clears, and whom it notifies (the other party; both when the
system or an operator acts). Timers fire through the same rows as people, as the ``system`` actor
(``TIMER_ACTIONS``). Entering a finished state settles or refunds the money (``effects.ON_ENTER``)."""
from __future__ import annotations

from dataclasses import dataclass

from ..accounts import NotificationKind
from ..deadlines import DeadlineKind
from ..events import Actor
from . import effects
from .guards import (
    Check,
    Condition,
    Not,
    cancellation_asked,
    has_next_milestone,
    has_requirements,
    is_late,
    is_request_answerer,
    is_request_opener,
    late_enough_to_cancel,
    may_be_declined,
    more_revisions_offered,
    never_completed,
    next_milestone_payable,
    progress_update_asked,
    progress_update_was_asked,
    request_allowed,
    request_cancels_when_unanswered,
    request_lapses_when_unanswered,
    revisions_left,
    timing_change_asked,
    within_review_period,
)
from .states import ACTIVE, ACTIVE_OR_COMPLETED, RUNNING, OrderAction, OrderState
from .timers import LATE_CANCEL_HOURS, LATE_TIMERS, NEXT_MILESTONE_WAIT, ORDER_TIMERS


@dataclass(frozen=True)
class Transition:
    action: OrderAction
    actors: frozenset[Actor]
    sources: frozenset[OrderState]
    target: OrderState | None  # None: the state stays
    effect: effects.Effect = effects.nothing
    when: Condition | None = None
    checks: tuple[Check, ...] = ()
    sets: tuple[DeadlineKind, ...] = ()  # timers (re)armed after the change
    clears: tuple[DeadlineKind, ...] = ()
    notify: NotificationKind | None = None
    rule: str = ""
    summary: str | None = None  # the history line when it differs from the action's (SUMMARIES)


BUYER, SELLER, OPERATOR, SYSTEM = (frozenset({a}) for a in (Actor.BUYER, Actor.SELLER, Actor.OPERATOR, Actor.SYSTEM))
PARTIES = BUYER | SELLER
WORKING_ON_IT = frozenset({OrderState.IN_PROGRESS, OrderState.REVISION_REQUESTED})


def _in(*states: OrderState) -> frozenset[OrderState]:
    return frozenset(states)


ORDER_TRANSITIONS: tuple[Transition, ...] = (
    # -- placing and working ----------------------------------------------------------------------
    Transition(OrderAction.PLACE, BUYER, _in(OrderState.NEW), OrderState.AWAITING_REQUIREMENTS,
               effects.place, when=has_requirements, sets=(DeadlineKind.ORDER_REQUIREMENTS,),
               notify=NotificationKind.ORDER_PLACED, rule="O1"),
    Transition(OrderAction.PLACE, BUYER, _in(OrderState.NEW), OrderState.IN_PROGRESS,
               effects.place, when=Not(has_requirements), sets=LATE_TIMERS,
               notify=NotificationKind.ORDER_PLACED, rule="O1"),
    Transition(OrderAction.SUBMIT_REQUIREMENTS, BUYER, _in(OrderState.AWAITING_REQUIREMENTS), OrderState.IN_PROGRESS,
               effects.submit_requirements, sets=LATE_TIMERS, clears=(DeadlineKind.ORDER_REQUIREMENTS,),
               notify=NotificationKind.ORDER_MESSAGE, rule="O3"),
    Transition(OrderAction.EXPIRE_REQUIREMENTS, SYSTEM, _in(OrderState.AWAITING_REQUIREMENTS), OrderState.CANCELLED,
               effects.expire_requirements, clears=ORDER_TIMERS,
               notify=NotificationKind.ORDER_CANCELLED, rule="O3"),
    Transition(OrderAction.DELIVER, SELLER, WORKING_ON_IT, OrderState.DELIVERED,
               effects.deliver, when=Not(progress_update_asked),
               sets=(DeadlineKind.ORDER_AUTO_COMPLETE,), clears=LATE_TIMERS,
               notify=NotificationKind.ORDER_DELIVERED, rule="O6"),
    Transition(OrderAction.DELIVER, SELLER, WORKING_ON_IT, OrderState.DELIVERED,  # answers the request (O12)
               effects.deliver, when=progress_update_asked,
               sets=(DeadlineKind.ORDER_AUTO_COMPLETE,), clears=LATE_TIMERS + (DeadlineKind.ORDER_REQUEST,),
               notify=NotificationKind.ORDER_DELIVERED, rule="O6"),
    Transition(OrderAction.ACCEPT, BUYER, _in(OrderState.DELIVERED), OrderState.COMPLETED,
               when=Not(has_next_milestone), clears=ORDER_TIMERS, notify=NotificationKind.ORDER_COMPLETED,
               rule="O7"),
    Transition(OrderAction.ACCEPT, BUYER, _in(OrderState.DELIVERED), OrderState.AWAITING_NEXT_MILESTONE,
               effects.approve_milestone, when=has_next_milestone, clears=ORDER_TIMERS,
               sets=(DeadlineKind.ORDER_NEXT_MILESTONE,), notify=NotificationKind.ORDER_COMPLETED, rule="C3",
               summary="The buyer approved milestone {milestone} of order {number}"),
    Transition(OrderAction.AUTO_COMPLETE, SYSTEM, _in(OrderState.DELIVERED), OrderState.COMPLETED,
               when=Not(cancellation_asked), clears=ORDER_TIMERS,
               notify=NotificationKind.ORDER_COMPLETED, rule="O8"),
    Transition(OrderAction.AUTO_COMPLETE, SYSTEM, _in(OrderState.DELIVERED), None,  # waits for the answer
               when=cancellation_asked, sets=(DeadlineKind.ORDER_AUTO_COMPLETE,), rule="O8",
               summary="The auto-completion of order {number} waits for the open cancellation request"),
    Transition(OrderAction.REQUEST_REVISION, BUYER, _in(OrderState.DELIVERED), OrderState.REVISION_REQUESTED,
               effects.request_revision, checks=(within_review_period, revisions_left),
               clears=(DeadlineKind.ORDER_AUTO_COMPLETE,), notify=NotificationKind.REVISION_REQUESTED, rule="O7"),
    # -- milestones (C2–C4): between two milestones ---------------------------------------------------
    Transition(OrderAction.START_NEXT_MILESTONE, BUYER, _in(OrderState.AWAITING_NEXT_MILESTONE),
               OrderState.IN_PROGRESS, effects.start_next_milestone, checks=(next_milestone_payable,),
               sets=LATE_TIMERS, clears=(DeadlineKind.ORDER_NEXT_MILESTONE,),
               notify=NotificationKind.ORDER_PLACED, rule="C2"),
    Transition(OrderAction.STOP, BUYER, _in(OrderState.AWAITING_NEXT_MILESTONE), OrderState.COMPLETED,
               effects.stop, clears=ORDER_TIMERS, notify=NotificationKind.ORDER_COMPLETED, rule="C4"),
    Transition(OrderAction.EXPIRE_NEXT_MILESTONE, SYSTEM, _in(OrderState.AWAITING_NEXT_MILESTONE),
               OrderState.COMPLETED, clears=ORDER_TIMERS, notify=NotificationKind.ORDER_COMPLETED, rule="C2"),
    # -- late orders and cancellations ------------------------------------------------------------
    Transition(OrderAction.MARK_LATE, SYSTEM, _in(OrderState.IN_PROGRESS), None,
               checks=(is_late,), clears=(DeadlineKind.ORDER_LATE,),
               notify=NotificationKind.ORDER_LATE, rule="O9"),
    Transition(OrderAction.MARK_LATE_CANCELLABLE, SYSTEM, _in(OrderState.IN_PROGRESS), None,
               checks=(late_enough_to_cancel,), clears=(DeadlineKind.ORDER_LATE_CANCELLABLE,),
               notify=NotificationKind.ORDER_LATE, rule="O9"),
    Transition(OrderAction.CANCEL_LATE, BUYER, _in(OrderState.IN_PROGRESS), OrderState.CANCELLED,
               effects.cancel_late, checks=(late_enough_to_cancel, never_completed), clears=ORDER_TIMERS,
               notify=NotificationKind.ORDER_CANCELLED, rule="O9"),
    Transition(OrderAction.OPERATOR_CANCEL, OPERATOR, ACTIVE, OrderState.CANCELLED,
               effects.operator_cancel, clears=ORDER_TIMERS,
               notify=NotificationKind.ORDER_CANCELLED, rule="C4"),
    # -- resolution center (one open request at a time) -------------------------------------------
    Transition(OrderAction.OPEN_REQUEST, PARTIES, RUNNING | {OrderState.COMPLETED}, None,  # none between milestones
               effects.open_request, checks=(request_allowed,), sets=(DeadlineKind.ORDER_REQUEST,),
               notify=NotificationKind.RESOLUTION_REQUEST, rule="O12"),
    Transition(OrderAction.WITHDRAW_REQUEST, PARTIES, ACTIVE_OR_COMPLETED, None,
               effects.close_request, checks=(is_request_opener,), clears=(DeadlineKind.ORDER_REQUEST,),
               notify=NotificationKind.RESOLUTION_REQUEST, rule="O12"),
    Transition(OrderAction.DECLINE_REQUEST, PARTIES, ACTIVE_OR_COMPLETED, None,
               effects.close_request, checks=(is_request_answerer, may_be_declined),
               clears=(DeadlineKind.ORDER_REQUEST,), notify=NotificationKind.RESOLUTION_REQUEST, rule="O11"),
    Transition(OrderAction.ACCEPT_REQUEST, PARTIES, ACTIVE, OrderState.CANCELLED,
               effects.accept_cancellation, when=cancellation_asked, checks=(is_request_answerer,),
               clears=ORDER_TIMERS, notify=NotificationKind.ORDER_CANCELLED, rule="O11"),
    Transition(OrderAction.ACCEPT_REQUEST, PARTIES, _in(OrderState.IN_PROGRESS), None,  # late timers follow
               effects.accept_change, when=timing_change_asked, checks=(is_request_answerer,),
               sets=LATE_TIMERS, clears=(DeadlineKind.ORDER_REQUEST,),
               notify=NotificationKind.RESOLUTION_REQUEST, rule="O12"),
    Transition(OrderAction.ACCEPT_REQUEST, PARTIES, ACTIVE - {OrderState.IN_PROGRESS}, None,
               effects.accept_change, when=timing_change_asked, checks=(is_request_answerer,),
               clears=(DeadlineKind.ORDER_REQUEST,), notify=NotificationKind.RESOLUTION_REQUEST, rule="O12"),
    Transition(OrderAction.ACCEPT_REQUEST, PARTIES, _in(OrderState.COMPLETED), OrderState.REVISION_REQUESTED,
               effects.accept_more_revisions, when=more_revisions_offered, checks=(is_request_answerer,),
               clears=(DeadlineKind.ORDER_REQUEST,), notify=NotificationKind.RESOLUTION_REQUEST, rule="O12"),
    Transition(OrderAction.EXPIRE_REQUEST, SYSTEM, ACTIVE, OrderState.CANCELLED,
               effects.expire_request, when=request_cancels_when_unanswered, clears=ORDER_TIMERS,
               notify=NotificationKind.ORDER_CANCELLED, rule="O12"),
    Transition(OrderAction.EXPIRE_REQUEST, SYSTEM, ACTIVE_OR_COMPLETED, None,
               effects.expire_request, when=request_lapses_when_unanswered, clears=(DeadlineKind.ORDER_REQUEST,),
               notify=NotificationKind.RESOLUTION_REQUEST, rule="O12"),
    Transition(OrderAction.SEND_PROGRESS_UPDATE, SELLER, ACTIVE, None,
               effects.send_progress_update, checks=(progress_update_was_asked,),
               clears=(DeadlineKind.ORDER_REQUEST,), notify=NotificationKind.ORDER_MESSAGE, rule="O12"),
)

# The timer → the action the sweeper takes when it fires.
TIMER_ACTIONS: dict[DeadlineKind, OrderAction] = {
    DeadlineKind.ORDER_REQUIREMENTS: OrderAction.EXPIRE_REQUIREMENTS,
    DeadlineKind.ORDER_LATE: OrderAction.MARK_LATE,
    DeadlineKind.ORDER_LATE_CANCELLABLE: OrderAction.MARK_LATE_CANCELLABLE,
    DeadlineKind.ORDER_AUTO_COMPLETE: OrderAction.AUTO_COMPLETE,
    DeadlineKind.ORDER_REQUEST: OrderAction.EXPIRE_REQUEST,
    DeadlineKind.ORDER_NEXT_MILESTONE: OrderAction.EXPIRE_NEXT_MILESTONE,
}

SUMMARIES: dict[OrderAction, str] = {
    OrderAction.PLACE: "Order {number} was placed",
    OrderAction.SUBMIT_REQUIREMENTS: "The buyer submitted the requirements of order {number}; the clock started",
    OrderAction.EXPIRE_REQUIREMENTS: "Order {number} was cancelled: its requirements never came",
    OrderAction.DELIVER: "Order {number} was delivered",
    OrderAction.ACCEPT: "The buyer accepted the delivery; order {number} is complete",
    OrderAction.AUTO_COMPLETE: "Order {number} completed by itself {review_days} days after its delivery",
    OrderAction.REQUEST_REVISION: "The buyer asked for a revision of order {number}",
    OrderAction.MARK_LATE: "Order {number} is late",
    OrderAction.MARK_LATE_CANCELLABLE: f"Order {{number}} is {LATE_CANCEL_HOURS} hours late: the buyer may cancel it",
    OrderAction.CANCEL_LATE: "The buyer cancelled late order {number}",
    OrderAction.OPERATOR_CANCEL: "Support cancelled order {number}",
    OrderAction.OPEN_REQUEST: "A {request} request was opened on order {number}",
    OrderAction.WITHDRAW_REQUEST: "The {request} request on order {number} was withdrawn",
    OrderAction.DECLINE_REQUEST: "The {request} request on order {number} was declined",
    OrderAction.ACCEPT_REQUEST: "The {request} request on order {number} was accepted",
    OrderAction.EXPIRE_REQUEST: "The {request} request on order {number} was not answered in time",
    OrderAction.SEND_PROGRESS_UPDATE: "The seller sent a progress update on order {number}",
    OrderAction.START_NEXT_MILESTONE: "The buyer paid milestone {milestone} of order {number}; it started",
    OrderAction.STOP: "The buyer stopped order {number} after milestone {milestone}; the rest will not start",
    OrderAction.EXPIRE_NEXT_MILESTONE: f"The next milestone of order {{number}} was not paid within "
                                       f"{NEXT_MILESTONE_WAIT.days} days; the order ended",
}
