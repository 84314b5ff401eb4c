"""Orders: placing, requirements, deliveries, reviews, late cancellation, the resolution center,
operators' cancellation, private notes and earnings (O1–O12, M1, M3). Thin: each view calls one
service function and shapes its answer."""
from __future__ import annotations

from datetime import datetime

from chalicelib.domain.codec import to_primitive
from chalicelib.domain.errors import NotFound
from chalicelib.domain.events import Actor
from chalicelib.domain.orders import (
    LATE_CANCEL_HOURS,
    MILESTONE_REVIEW_PERIOD,
    NEXT_MILESTONE_WAIT,
    REVIEW_PERIOD,
    Order,
    OrderAction,
    OrderState,
    plan,
)
from chalicelib.domain.pricing import Selection
from chalicelib.domain.requirements import Answer
from chalicelib.handlers.actions import ORDER_ACTION_ROUTES, link
from chalicelib.handlers.api import Api, Call
from chalicelib.handlers.api_messages import message_out
from chalicelib.handlers.schemas import PageQuery
from chalicelib.handlers.schemas.messages import MessageIn, MessageOut, MessagePage
from chalicelib.handlers.schemas.orders import (
    AnswersIn,
    DeliveryIn,
    DeliveryOut,
    DeliveryPage,
    DraftIn,
    DraftOut,
    EarningsOut,
    LedgerEntryOut,
    LedgerOut,
    NoteIn,
    NoteOut,
    OpenRequestIn,
    OperatorCancelIn,
    OrderOut,
    OrderPage,
    OrdersQuery,
    OrderSummaryOut,
    OrderTextIn,
    PlaceOrderIn,
    ReasonIn,
)
from chalicelib.services import orders, runtime
from chalicelib.services.orders import CustomLine, Viewer

api = Api(__name__, tag="orders")


def _viewer(call: Call) -> Viewer:
    return Viewer(call.user.user_id, call.user.is_operator)


def order_actions(order: Order, role: Actor, now: datetime) -> list[dict]:
    """The order page's allowed actions as links (O4), with the request kinds one may open (O12)."""
    out = []
    request_id = order.request.id if order.request else ""
    for action in order.allowed_actions(role, now):
        route = ORDER_ACTION_ROUTES.get(action)
        if route is None:  # the system's (timers): never a person's
            continue
        entry = link(action, route, order_id=order.id, request_id=request_id)
        if action is OrderAction.OPEN_REQUEST:
            entry["kinds"] = [k.value for k in order.openable_request_kinds(role, now)]
        out.append(entry)
    return out


def order_out(order: Order, viewer: Viewer, history=None) -> OrderOut:
    now = runtime.clock().now()
    role = order.role_of(viewer.user_id)
    role_name = role.value if role else "operator"
    data = to_primitive(order)
    balance = order.balance
    data.update(
        your_role=role_name, late=order.is_late(now), late_cancellable=order.late_cancellable(now),
        total=order.total, due_at=order.due_at, review_ends_at=order.review_ends_at,
        timers=[{"kind": kind.value, "due_at": t.due_at} for kind, t in sorted(order.timers.items(),
                                                                               key=lambda kv: kv[1].due_at)],
        money={"paid": balance.paid, "refunded": balance.refunded, "seller_earnings": balance.seller_earnings,
               "platform_fees": balance.platform_fees, "held": balance.held},
        allowed_actions=order_actions(order, role or Actor.OPERATOR, now),
        history=[to_primitive(e) for e in history] if history is not None else None,
        milestones=[to_primitive(m) for m in plan(order)],
    )
    if data["request"] and data["request"]["offer"]:
        data["request"]["offer"]["total"] = order.request.offer.total  # type: ignore[union-attr]
    return OrderOut.model_validate(data)


def _summary(order: Order) -> OrderSummaryOut:
    now = runtime.clock().now()
    return OrderSummaryOut(id=order.id, number=order.number, gig_title=order.gig_title, buyer_id=order.buyer_id,
                           seller_id=order.seller_id, state=order.state.value, late=order.is_late(now),
                           total=order.total, placed_at=order.placed_at, due_at=order.due_at)


# -- placing and reading ---------------------------------------------------------------------------
@api.route("/orders", "POST", summary="Place an order on a published gig, with a seller's coupon or not "
           "(O1, O2, G10, M2)", request=PlaceOrderIn,
           response=OrderOut, status=201, idempotent=True)
def place_order(call: Call) -> OrderOut:
    b = call.body
    selection = Selection(tier=b.tier, quantity=b.quantity, fast_delivery=b.fast_delivery,
                          extra_revisions=b.extra_revisions, shipping=b.shipping,
                          custom_extras=tuple((c.id, c.quantity) for c in b.custom_extras))
    order = orders.place(call.user.user_id, b.gig_id, selection, runtime.clock(), coupon_id=b.coupon_id)
    return order_out(order, _viewer(call))


@api.route("/orders", "GET", summary="My orders as buyer or seller, newest first", query=OrdersQuery,
           response=OrderPage)
def list_orders(call: Call) -> OrderPage:
    q = call.query
    items, cursor = orders.list_mine(call.user.user_id, q.role == "seller",
                                     OrderState(q.state) if q.state else None, q.limit, q.cursor)
    return OrderPage(items=[_summary(o) for o in items], next_cursor=cursor)


@api.route("/orders/{order_id}", "GET", summary="The order page: state, countdowns, requirements, history (O4)",
           response=OrderOut)
def get_order(call: Call, order_id: str) -> OrderOut:
    viewer = _viewer(call)
    page = orders.view(order_id, viewer)
    return order_out(page.order, viewer, page.history)


# -- buyer -------------------------------------------------------------------------------------------
@api.route("/orders/{order_id}/requirements", "POST", summary="Submit the requirements; the clock starts (O3)",
           request=AnswersIn, response=OrderOut, idempotent=True)
def submit_requirements(call: Call, order_id: str) -> OrderOut:
    answers = [Answer(a.requirement_id, a.text, tuple(a.choices), tuple(a.files)) for a in call.body.answers]
    return order_out(orders.submit_requirements(order_id, _viewer(call), answers, runtime.clock()), _viewer(call))


@api.route("/orders/{order_id}/acceptance", "POST",
           summary="Accept the delivery; the order completes (O7, M1), or the milestone is approved and "
                   "its money settled (C3, C5)", response=OrderOut, idempotent=True)
def accept_delivery(call: Call, order_id: str) -> OrderOut:
    return order_out(orders.accept(order_id, _viewer(call), runtime.clock()), _viewer(call))


@api.route("/orders/{order_id}/revision-requests", "POST",
           summary=f"Ask for a revision within {REVIEW_PERIOD.days} days of the delivery (O7; "
                   f"{MILESTONE_REVIEW_PERIOD.days} days of a milestone's, C3)",
           request=OrderTextIn, response=OrderOut,
           idempotent=True)
def request_revision(call: Call, order_id: str) -> OrderOut:
    return order_out(orders.request_revision(order_id, _viewer(call), call.body.message, runtime.clock()),
                     _viewer(call))


@api.route("/orders/{order_id}/late-cancellation", "POST",
           summary=f"Cancel an order {LATE_CANCEL_HOURS} hours late, refunded (O9, M3)", request=ReasonIn,
           response=OrderOut,
           idempotent=True)
def cancel_late(call: Call, order_id: str) -> OrderOut:
    return order_out(orders.cancel_late(order_id, _viewer(call), call.body.reason, runtime.clock()), _viewer(call))


@api.route("/orders/{order_id}/next-milestone", "POST",
           summary=f"Pay the next milestone and start it, within {NEXT_MILESTONE_WAIT.days} days of the "
                   "approval (buyer, C2)", response=OrderOut, idempotent=True)
def start_next_milestone(call: Call, order_id: str) -> OrderOut:
    """The payment is charged like a placement; the milestone runs with its own due time (O9),
    deliveries and revisions."""
    return order_out(orders.start_next_milestone(order_id, _viewer(call), runtime.clock()), _viewer(call))


@api.route("/orders/{order_id}/stop", "POST",
           summary="Stop a milestone order after an approved milestone; it completes and the rest never "
                   "starts (buyer, C4)", request=ReasonIn, response=OrderOut, idempotent=True)
def stop_order(call: Call, order_id: str) -> OrderOut:
    return order_out(orders.stop(order_id, _viewer(call), call.body.reason, runtime.clock()), _viewer(call))


# -- seller ------------------------------------------------------------------------------------------
@api.route("/orders/{order_id}/delivery-draft", "GET", summary="The seller's saved delivery draft (O6)",
           response=DraftOut, etag=True)
def get_draft(call: Call, order_id: str) -> DraftOut:
    doc = orders.get_doc(order_id, _viewer(call), orders.DRAFT)
    if doc is None:
        raise NotFound("No draft saved.")
    call.tag(doc.version)
    return DraftOut.model_validate(doc.value)


@api.route("/orders/{order_id}/delivery-draft", "PUT", summary="Save a delivery draft (O6)", request=DraftIn,
           response=DraftOut, etag=True, if_match_required=True)
def put_draft(call: Call, order_id: str) -> DraftOut:
    """Replacing a saved draft needs If-Match with its ETag (428 without, 412 when stale); the
    first save needs none."""
    doc = orders.put_doc(order_id, _viewer(call), orders.DRAFT, call.body.model_dump(), call.if_match)
    call.tag(doc.version)
    return DraftOut.model_validate(doc.value)


@api.route("/orders/{order_id}/delivery-draft", "DELETE", summary="Discard the delivery draft", status=204,
           etag=True)
def delete_draft(call: Call, order_id: str) -> None:
    orders.delete_doc(order_id, _viewer(call), orders.DRAFT, call.if_match)


@api.route("/orders/{order_id}/deliveries", "POST", summary="Deliver: a message and/or files, never empty (O6)",
           request=DeliveryIn, response=OrderOut, location="/orders/{order_id}/deliveries", status=201, idempotent=True)
def deliver(call: Call, order_id: str) -> OrderOut:
    b = call.body
    order = orders.deliver(order_id, _viewer(call), b.message, b.files, b.from_draft, runtime.clock())
    return order_out(order, _viewer(call))


@api.route("/orders/{order_id}/deliveries", "GET", summary="Deliveries, newest first", query=PageQuery,
           response=DeliveryPage)
def list_deliveries(call: Call, order_id: str) -> DeliveryPage:
    items, cursor = orders.deliveries(order_id, _viewer(call), call.query.limit, call.query.cursor)
    return DeliveryPage(items=[DeliveryOut.model_validate(to_primitive(d)) for d in items], next_cursor=cursor)


@api.route("/orders/{order_id}/progress-updates", "POST",
           summary="Answer the buyer's progress-update request (O12)", request=OrderTextIn, response=OrderOut,
           idempotent=True)
def send_progress_update(call: Call, order_id: str) -> OrderOut:
    return order_out(orders.send_progress_update(order_id, _viewer(call), call.body.message, runtime.clock()),
                     _viewer(call))


@api.route("/orders/{order_id}/private-note", "GET", summary="The seller's private note (O4: seller only)",
           response=NoteOut, etag=True)
def get_note(call: Call, order_id: str) -> NoteOut:
    doc = orders.get_doc(order_id, _viewer(call), orders.NOTE)
    call.tag(doc.version if doc else None)
    return NoteOut.model_validate(doc.value if doc else {"text": ""})


@api.route("/orders/{order_id}/private-note", "PUT", summary="Write the seller's private note (O4)",
           request=NoteIn, response=NoteOut, etag=True, if_match_required=True)
def put_note(call: Call, order_id: str) -> NoteOut:
    """Rewriting a note needs If-Match with its ETag (428 without, 412 when stale)."""
    doc = orders.put_doc(order_id, _viewer(call), orders.NOTE, call.body.model_dump(), call.if_match)
    call.tag(doc.version)
    return NoteOut.model_validate(doc.value)


# -- conversation ------------------------------------------------------------------------------------
@api.route("/orders/{order_id}/messages", "POST", summary="Write in the order's conversation (O4, O5)",
           request=MessageIn, response=MessageOut,
           location="/orders/{order_id}/messages", status=201, idempotent=True)
def post_order_message(call: Call, order_id: str) -> MessageOut:
    b = call.body
    return message_out(orders.post_message(order_id, _viewer(call), b.text, b.attachment_ids, b.call_link,
                                           runtime.clock()))


@api.route("/orders/{order_id}/messages", "GET", summary="The order's conversation, newest first (O4)",
           query=PageQuery, response=MessagePage)
def order_messages(call: Call, order_id: str) -> MessagePage:
    items, cursor = orders.messages(order_id, _viewer(call), call.query.limit, call.query.cursor)
    return MessagePage(items=[message_out(m) for m in items], next_cursor=cursor)


# -- resolution center -------------------------------------------------------------------------------
@api.route("/orders/{order_id}/requests", "POST",
           summary="Open a request: cancellation, extension, progress update, extras, modification, "
                   "additional revisions (O10–O12)", request=OpenRequestIn, response=OrderOut,
                   location="/orders/{order_id}", status=201,
           idempotent=True)
def open_request(call: Call, order_id: str) -> OrderOut:
    b = call.body
    order = orders.open_request(
        order_id, _viewer(call), b.kind, runtime.clock(), reason=b.reason or "", days=b.days,
        extra_revisions=b.extra_revisions, gig_extras=[(c.id, c.quantity) for c in b.custom_extras],
        custom=[CustomLine(c.description, c.price, c.quantity) for c in b.custom_lines],
        added_days=b.added_days, added_revisions=b.added_revisions)
    return order_out(order, _viewer(call))


@api.route("/orders/{order_id}/requests/{request_id}/acceptance", "POST",
           summary="Accept the other party's request (O10–O12)", response=OrderOut, idempotent=True)
def accept_request(call: Call, order_id: str, request_id: str) -> OrderOut:
    return order_out(orders.answer_request(order_id, _viewer(call), request_id, True, runtime.clock()),
                     _viewer(call))


@api.route("/orders/{order_id}/requests/{request_id}/decline", "POST",
           summary="Decline the other party's request; the order goes on as before (O11)", response=OrderOut,
           idempotent=True)
def decline_request(call: Call, order_id: str, request_id: str) -> OrderOut:
    return order_out(orders.answer_request(order_id, _viewer(call), request_id, False, runtime.clock()),
                     _viewer(call))


@api.route("/orders/{order_id}/requests/{request_id}/withdrawal", "POST",
           summary="Withdraw one's own request (O12)", response=OrderOut, idempotent=True)
def withdraw_request(call: Call, order_id: str, request_id: str) -> OrderOut:
    return order_out(orders.withdraw_request(order_id, _viewer(call), request_id, runtime.clock()), _viewer(call))


# -- operators and money --------------------------------------------------------------------------------
@api.route("/orders/{order_id}/operator-cancellation", "POST",
           summary="Support cancels an active order, refunded; may mark it not the seller's fault (C4, O13, M3)",
           request=OperatorCancelIn, response=OrderOut, operator_only=True, idempotent=True)
def operator_cancel(call: Call, order_id: str) -> OrderOut:
    b = call.body
    order = orders.operator_cancel(order_id, call.user.user_id, b.reason, b.seller_at_fault, runtime.clock())
    return order_out(order, _viewer(call))


@api.route("/orders/{order_id}/ledger", "GET", summary="The order's ledger entries (M1, M3)", response=LedgerOut)
def order_ledger(call: Call, order_id: str) -> LedgerOut:
    return LedgerOut(items=[LedgerEntryOut.model_validate(e) for e in orders.ledger(order_id, _viewer(call))])


@api.route("/me/earnings", "GET", summary="My earnings as a seller: totals and entries, newest first (M1)",
           query=PageQuery, response=EarningsOut)
def my_earnings(call: Call) -> EarningsOut:
    summary, entries, cursor = orders.earnings(call.user.user_id, call.query.limit, call.query.cursor)
    return EarningsOut(earned=summary["earned"], settlements=summary["settlements"],
                       items=[LedgerEntryOut.model_validate(e) for e in entries], next_cursor=cursor)
