"""The table's conditions and checks, as functions it names directly.

- A **condition** (``when=``) picks a row among an action's rows: ``(order) -> bool``. ``Not(c)``
  is its opposite, so each condition has one name.
- A **check** (``checks=``) refuses the row with its own reason and rule id:
  ``(order, context) -> DomainError | None``. Checks that need the caller's input
  (``NEEDS_INPUT``) are skipped when the order page lists what a party could do."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, TypeVar

from ..errors import Conflict, DomainError, FieldError, Forbidden, InvalidInput
from ..events import Actor
from .commands import ANSWERS_TO_REQUEST, OpenResolutionRequest, OrderCommand
from .resolution import REQUEST_RULES, TIMING_KINDS, RequestKind
from .timers import LATE_CANCEL_HOURS, NEXT_MILESTONE_WAIT

if TYPE_CHECKING:
    from .aggregate import Order

CommandT = TypeVar("CommandT")


@dataclass(frozen=True)
class Context:
    """Who takes the action, when, with which input (None: the order page asking what a party
    could do, which runs no check that needs input)."""

    role: Actor
    actor_id: str | None
    now: datetime
    command: OrderCommand | None

    def given(self, kind: type[CommandT]) -> CommandT:
        """The command, as the type the row's effect takes (the table pairs them)."""
        if not isinstance(self.command, kind):
            raise TypeError(f"expected {kind.__name__}, got {type(self.command).__name__}")
        return self.command


Condition = Callable[["Order"], bool]
Check = Callable[["Order", Context], "DomainError | None"]


@dataclass(frozen=True)
class Not:
    condition: Condition

    def __call__(self, order: Order) -> bool:
        return not self.condition(order)

    @property
    def __name__(self) -> str:
        return f"not {self.condition.__name__}"


def _open_kind(order: Order) -> RequestKind | None:
    return order.request.kind if order.request else None


# -- conditions -----------------------------------------------------------------------------------
def has_requirements(order: Order) -> bool:
    return bool(order.requirements)  # O3


def has_next_milestone(order: Order) -> bool:
    """C2: approving this milestone does not end the order. An order reopened after it ended (O12:
    more revisions) completes again on approval; the milestones it never started stay so."""
    return order.stage < len(order.stages) - 1 and order.reopened_at is None


def progress_update_asked(order: Order) -> bool:
    return _open_kind(order) is RequestKind.PROGRESS_UPDATE  # O12


def cancellation_asked(order: Order) -> bool:
    return _open_kind(order) is RequestKind.CANCELLATION  # O11


def timing_change_asked(order: Order) -> bool:
    return _open_kind(order) in TIMING_KINDS  # O10, O12: extension, extras, modification


def more_revisions_offered(order: Order) -> bool:
    return _open_kind(order) is RequestKind.ADDITIONAL_REVISIONS  # O12


def request_cancels_when_unanswered(order: Order) -> bool:
    return order.request is not None and REQUEST_RULES[order.request.kind].cancels_on_expiry


def request_lapses_when_unanswered(order: Order) -> bool:
    return order.request is not None and not REQUEST_RULES[order.request.kind].cancels_on_expiry


# -- checks ---------------------------------------------------------------------------------------
def within_review_period(order: Order, ctx: Context) -> DomainError | None:
    if order.review_ends_at is None or ctx.now > order.review_ends_at:
        days = order.review_period.days  # O7; a milestone's delivery: C3
        return Conflict(f"The {days} days to ask for a revision are over.", code="review_period_over",
                        rule="C3" if order.is_milestone_order else "O7")
    return None


def next_milestone_payable(order: Order, ctx: Context) -> DomainError | None:
    """C2: the next milestone starts only if paid within the window after the approval."""
    if order.approved_at is not None and ctx.now > order.approved_at + NEXT_MILESTONE_WAIT:
        return Conflict(f"The {NEXT_MILESTONE_WAIT.days} days to start the next milestone are over; the order "
                        "has ended.", code="next_milestone_lapsed", rule="C2")
    return None


def revisions_left(order: Order, ctx: Context) -> DomainError | None:
    left = order.revisions_left
    if left is not None and left <= 0:
        return Conflict("No revisions are left on this order; the seller may offer more.",
                        code="no_revisions_left", rule="O7")
    return None


def is_late(order: Order, ctx: Context) -> DomainError | None:
    return None if order.is_late(ctx.now) else Conflict("The order is not late.", code="not_late", rule="O9")


def late_enough_to_cancel(order: Order, ctx: Context) -> DomainError | None:
    if order.late_cancellable(ctx.now):
        return None
    return Conflict(f"An order may be cancelled alone once it is {LATE_CANCEL_HOURS} hours late.",
                    code="not_late_enough",
                    rule="O9")


def never_completed(order: Order, ctx: Context) -> DomainError | None:
    """O11/O19: the parties do not cancel an order reopened after completion (O12): it was
    completed once, and what was settled stays settled. Support still may (C4); it then still
    counts as completed (``Order.counts_as_completed``)."""
    if order.reopened_at is not None:
        return Conflict("This order was completed once; it can no longer be cancelled.",
                        code="completed_before", rule="O11")
    return None


def request_allowed(order: Order, ctx: Context) -> DomainError | None:
    command = ctx.command
    if not isinstance(command, OpenResolutionRequest) or not isinstance(command.kind, RequestKind):
        return InvalidInput("unknown request kind", fields=[FieldError("kind", "unknown", code="invalid")])
    kind = command.kind
    rule = REQUEST_RULES[kind]
    if ctx.role not in rule.openers:
        return Forbidden(f"Only the {' or '.join(sorted(rule.openers))} may ask for {kind.replace('_', ' ')}.",
                         code="not_your_request", rule=rule.rule)
    if order.request is not None:
        return Conflict("This order already has an open request; answer or withdraw it first.",
                        code="request_open", rule="O12")
    if order.state not in rule.states:
        return Conflict(f"A {kind.replace('_', ' ')} request is not possible on an order that is "
                        f"{order.state.replace('_', ' ')}.", code="invalid_transition", rule=rule.rule)
    if rule.cancels_on_expiry:  # a request that would cancel a reopened order (O11/O19)
        return never_completed(order, ctx)
    return None


def _request_still_open(order: Order, ctx: Context) -> DomainError | None:
    if order.request is None:
        return Conflict("There is no open request.", code="no_open_request", rule="O12")
    command = ctx.command
    named = command.request_id if isinstance(command, ANSWERS_TO_REQUEST) else None
    if named is not None and order.request.id != named:
        return Conflict("That request is no longer open.", code="request_not_open", rule="O12")
    return None


def is_request_opener(order: Order, ctx: Context) -> DomainError | None:
    error = _request_still_open(order, ctx)
    if error is None and order.request is not None and order.request.opened_by is not ctx.role:
        return Forbidden("Only who opened a request may withdraw it.", code="not_request_opener", rule="O12")
    return error


def is_request_answerer(order: Order, ctx: Context) -> DomainError | None:
    error = _request_still_open(order, ctx)
    if error is None and order.request is not None and order.request.opened_by is ctx.role:
        return Forbidden("The other party answers a request.", code="not_request_answerer", rule="O12")
    return error


def may_be_declined(order: Order, ctx: Context) -> DomainError | None:
    """O12: a progress-update request is answered by a progress update or a delivery, not declined."""
    if progress_update_asked(order):
        return Conflict("A progress-update request is answered with a progress update or a delivery.",
                        code="answer_with_update", rule="O12")
    return None


def progress_update_was_asked(order: Order, ctx: Context) -> DomainError | None:
    if not progress_update_asked(order):
        return Conflict("The buyer has not asked for a progress update.", code="no_progress_request",
                        rule="O12")
    return None


NEEDS_INPUT: frozenset[Check] = frozenset({request_allowed})  # only the caller knows the request's kind

