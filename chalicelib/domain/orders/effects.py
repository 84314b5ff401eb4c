"""What each action changes besides the state and the timers: the functions the table names in
``effect=``, and what entering a finished state does (``ON_ENTER``: money follows the state
entered, and no request stays open on a finished order)."""
from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING

from ..contact_details import text_field_errors
from ..errors import Conflict, FieldError, InvalidInput
from ..ids import new_id
from ..requirements import check_answers
from . import money
from .commands import (
    CancelLate,
    Deliver,
    OpenResolutionRequest,
    OperatorCancel,
    RequestRevision,
    SendProgressUpdate,
    StartNextMilestone,
    Stop,
    SubmitRequirements,
)
from .guards import Context
from .resolution import (
    OFFER_KINDS,
    REQUEST_RULES,
    RequestKind,
    ResolutionRequest,
    check_extension_days,
    offer_errors,
)
from .states import OrderState
from .values import TEXT_MAX, Cancellation, Delivery

if TYPE_CHECKING:
    from .aggregate import Order, Outcome

Effect = Callable[["Order", Context, "Outcome"], None]


def order_text(value: str | None, path: str, *, required: bool, rule: str) -> str:
    """A text written inside an order: required or not, at most TEXT_MAX, no contact details (W2)."""
    text = (value or "").strip()
    errors = text_field_errors(path, text, maximum=TEXT_MAX, rule=rule, required=required)
    if errors:
        first = errors[0].code
        message = {"required": f"a {path} is required", "too_long": f"the {path} is too long"}.get(
            first, f"the {path} must not contain contact details")
        w2 = first == "contact_details"  # the same problem code as messages and offers (W2)
        raise InvalidInput(message, code="contact_details" if w2 else None, rule="W2" if w2 else None, fields=errors)
    return text


def nothing(order: Order, ctx: Context, out: Outcome) -> None:
    return None


def place(order: Order, ctx: Context, out: Outcome) -> None:
    # O1; a milestone order pays its first milestone only (C2)
    amount = order.stages[0].amount if order.is_milestone_order else order.total
    memo = f"order {order.number}" + (f", milestone 1: {order.stages[0].title}" if order.is_milestone_order else "")
    out.ledger += money.pay(order, amount, ctx.now, memo)
    if not order.requirements:
        order.started_at = ctx.now  # O3: no requirements, the clock starts at placement


def submit_requirements(order: Order, ctx: Context, out: Outcome) -> None:
    command = ctx.given(SubmitRequirements)
    answers = check_answers(order.requirements, command.answers)  # O3 (and W2 on text answers)
    unclean = [FieldError(f"answers.{i}.files", "a file is still being scanned or was blocked (F1)",
                          code="file_not_clean", rule="O3")
               for i, answer in enumerate(answers) if any(f not in command.clean_files for f in answer.files)]
    if unclean:
        raise InvalidInput("Files answering requirements must be scanned clean first.", code="invalid_answers",
                           fields=unclean)
    order.answers = answers
    order.started_at = ctx.now  # O3


def deliver(order: Order, ctx: Context, out: Outcome) -> None:
    command = ctx.given(Deliver)
    message = order_text(command.message, "message", required=False, rule="O6")
    if not message and not command.usable_files:  # O6 + F1: blocked or unscanned files do not count
        raise InvalidInput("A delivery needs a message or a file that may be downloaded.",
                           code="empty_delivery", fields=[FieldError("message", "required without usable files",
                                                                     code="required", rule="O6")])
    if order.request is not None and order.request.kind is RequestKind.PROGRESS_UPDATE:
        order.request = None  # a delivery answers a progress-update request (O12)
    order.deliveries += 1
    order.delivered_at = ctx.now
    out.delivery = Delivery(order.deliveries, message, tuple(command.files), ctx.now,
                            milestone=order.stage + 1 if order.is_milestone_order else 0)


def request_revision(order: Order, ctx: Context, out: Outcome) -> None:
    order_text(ctx.given(RequestRevision).message, "message", required=True, rule="O7")
    order.revisions_used += 1


def _cancel(order: Order, ctx: Context, *, mutual: bool, reason: str,
            seller_at_fault: bool = True) -> None:
    order.cancellation = Cancellation(by=ctx.role, reason=reason, mutual=mutual, seller_at_fault=seller_at_fault)


def expire_requirements(order: Order, ctx: Context, out: Outcome) -> None:
    _cancel(order, ctx, mutual=False, reason="the requirements were not submitted in time")  # O3


def cancel_late(order: Order, ctx: Context, out: Outcome) -> None:
    reason = order_text(ctx.given(CancelLate).reason, "reason", required=False, rule="O9")
    _cancel(order, ctx, mutual=False, reason=reason or "the order was late")


def operator_cancel(order: Order, ctx: Context, out: Outcome) -> None:
    command = ctx.given(OperatorCancel)
    reason = order_text(command.reason, "reason", required=True, rule="C4")
    _cancel(order, ctx, mutual=False, reason=reason, seller_at_fault=command.seller_at_fault)  # feeds O13


def open_request(order: Order, ctx: Context, out: Outcome) -> None:
    command = ctx.given(OpenResolutionRequest)
    rule = REQUEST_RULES[command.kind]
    reason = order_text(command.reason, "reason", required=rule.reason_required, rule=rule.rule)
    days = 0
    if command.kind is RequestKind.EXTENSION:
        check_extension_days(command.days)
        days = command.days
    offer = None
    if command.kind in OFFER_KINDS:
        offer = command.offer
        if offer is None:
            raise InvalidInput("an offer is required", fields=[FieldError("offer", "required", code="required",
                                                                          rule=rule.rule)])
        errors = offer_errors(command.kind, offer, order.delivery_days, order.due_at, ctx.now)
        if errors:
            raise InvalidInput("invalid offer", code="invalid_offer", fields=errors)
    order.request = ResolutionRequest(id=new_id("req"), kind=command.kind, opened_by=ctx.role, opened_at=ctx.now,
                                      expires_at=ctx.now + rule.lifetime, reason=reason, days=days, offer=offer)


def close_request(order: Order, ctx: Context, out: Outcome) -> None:
    order.request = None  # O11: withdrawn or declined, the order goes on as it was


def accept_cancellation(order: Order, ctx: Context, out: Outcome) -> None:
    assert order.request is not None
    _cancel(order, ctx, mutual=True, reason=order.request.reason)  # O11; entering CANCELLED refunds


def accept_change(order: Order, ctx: Context, out: Outcome) -> None:
    """O10/O12: an extension moves the due time; an offer is paid for and adds its lines, days and
    revisions."""
    request = order.request
    assert request is not None
    if request.kind is RequestKind.EXTENSION:
        order.delivery_days += request.days
    offer = request.offer
    if offer is not None:
        shortened_due = order.due_at + timedelta(days=offer.added_days) if order.due_at is not None else None
        if offer.added_days < 0 and shortened_due is not None and shortened_due < ctx.now:
            raise Conflict("Accepted now, this offer would put the due time in the past; ask the seller for "
                           "a new one.", code="offer_outdated", rule=REQUEST_RULES[request.kind].rule)
        memo = f"{request.kind.value.replace('_', ' ')} on {order.number}"
        out.ledger += money.pay(order, offer.total, ctx.now, memo)
        order.lines = order.lines + offer.lines
        order.delivery_days += offer.added_days
        if order.revisions_allowed is not None:
            order.revisions_allowed += offer.added_revisions
    order.request = None


def accept_more_revisions(order: Order, ctx: Context, out: Outcome) -> None:
    """O12: accepted after completion, more revisions reopen the order straight into a revision,
    which uses one of them (O7)."""
    accept_change(order, ctx, out)
    order.completed_at = None
    order.approved_at = None
    order.reopened_at = ctx.now
    order.revisions_used += 1


def expire_request(order: Order, ctx: Context, out: Outcome) -> None:
    request = order.request
    assert request is not None
    if request.kind is RequestKind.CANCELLATION:  # O12: unanswered, it shows as mutually cancelled
        _cancel(order, ctx, mutual=True, reason=request.reason)
    elif REQUEST_RULES[request.kind].cancels_on_expiry:  # O12: no progress update in time
        _cancel(order, ctx, mutual=False, reason="no progress update came in time")
    order.request = None


def send_progress_update(order: Order, ctx: Context, out: Outcome) -> None:
    order_text(ctx.given(SendProgressUpdate).message, "message", required=True, rule="O12")
    order.request = None


# -- milestones (C2–C5) --------------------------------------------------------------------------
def approve_milestone(order: Order, ctx: Context, out: Outcome) -> None:
    """C3/C5: the buyer approves a milestone that is not the last: its money is settled (80% to the
    seller, M1) and the order waits for the buyer to pay the next one (C2)."""
    order.approved_at = ctx.now
    order.request = None  # like a completion, an approval closes what was open
    out.ledger += money.settle_stage(order, ctx.now)


def start_next_milestone(order: Order, ctx: Context, out: Outcome) -> None:
    """C2: the buyer pays the next milestone; it starts now with its own days and revisions (its
    due time, O9, and revision count, O7); the one before is kept as it ran."""
    ctx.given(StartNextMilestone)
    order.past_stages = (*order.past_stages, order.current_run())
    order.stage += 1
    stage = order.stages[order.stage]
    order.started_at = ctx.now
    order.delivery_days = stage.delivery_days
    order.revisions_allowed = stage.revisions
    order.revisions_used = 0
    order.delivered_at = None
    order.approved_at = None
    order.deliveries_before = order.deliveries
    memo = f"order {order.number}, milestone {order.stage + 1}: {stage.title}"
    out.ledger += money.pay(order, stage.amount, ctx.now, memo)


def stop(order: Order, ctx: Context, out: Outcome) -> None:
    """C4: the buyer stops after an approved milestone; the seller is told not to start the rest."""
    order_text(ctx.given(Stop).reason, "reason", required=False, rule="C4")


# -- entering a finished state --------------------------------------------------------------------
def enter_completed(order: Order, ctx: Context, out: Outcome) -> None:
    order.completed_at = ctx.now
    order.approved_at = order.approved_at or ctx.now  # the running stage (a milestone: C3) is approved
    order.request = None
    out.ledger += money.settle(order, ctx.now)  # M1


def enter_cancelled(order: Order, ctx: Context, out: Outcome) -> None:
    order.cancelled_at = ctx.now
    order.request = None
    out.ledger += money.refund(order, ctx.now)  # M3


ON_ENTER: dict[OrderState, Effect] = {
    OrderState.COMPLETED: enter_completed,
    OrderState.CANCELLED: enter_cancelled,
}

