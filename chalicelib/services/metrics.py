"""Seller metrics (O13, O14, O15; on-time delivery for A2): counted by reactions on the outbox,
read in one Query, and the operator's excuse of a cancellation.

Idempotence. The dispatcher runs a handler at most once per event while its claim holds, but a
handler that committed and then lost its claim (a crash before ``reaction_done``, a lease that ran
out) runs again. So every count here is keyed by the FACT it counts, not by the run: each
transaction that adds to the counters also puts a marker (``store.metrics.stage_mark``, put only if
absent) for that fact — this order finished, this stage was delivered, this conversation started,
its first reply, this order went unresponded. A replayed or doubled event finds the marker, its
transaction fails as a Conflict, and nothing is added twice. (Markers per fact are stronger than per
event id: two events of the same fact, e.g. a completion after a reopening, count once.)

Which events count (``MetricsReactions``):
- ``order.place``: the order is placed (lifetime total, for O14's active orders);
- an ``order.*`` event leaving the order completed or cancelled: its first finish (O13, C4);
- ``order.deliver``: the stage's first delivery (on time or not); it answers a waiting buyer (O14);
- ``message.sent`` in an order's conversation: the buyer's starts the 24-hour wait (O14), the
  seller's ends it; ``order.request_revision`` starts it too;
- ``message.sent`` in an inbox conversation the buyer started (O15): the conversation, and the
  seller's first reply.

A4 and O15: while a seller is away, a new client can write only if the seller lets new clients
contact them (``ensure_buyer_may_write`` refuses the others), so every conversation a buyer could
start counts, as O15 says."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from chalicelib.domain.audit import AuditAction, ObjectKind
from chalicelib.domain.audit import record as audit_entry
from chalicelib.domain.clock import Clock, iso
from chalicelib.domain.codec import from_primitive
from chalicelib.domain.deadlines import Deadline, DeadlineKind
from chalicelib.domain.errors import Conflict, NotFound, TemporarilyUnavailable
from chalicelib.domain.events import Actor, Event
from chalicelib.domain.metrics import (
    UNRESPONDED_AFTER,
    Counter,
    SellerMetrics,
    Total,
    day_of,
    delivered,
    figures,
    finished,
    first_reply,
    read_from,
)
from chalicelib.domain.orders import OrderState
from chalicelib.services import runtime
from chalicelib.services.reactions import ReactionContext
from chalicelib.store import audit as audit_store
from chalicelib.store import conversations as conversation_store
from chalicelib.store import deadlines as deadline_store
from chalicelib.store import metrics as metric_store
from chalicelib.store import orders as order_store
from chalicelib.store.metrics import Mark, Wait
from chalicelib.store.records import Record

FINISHED = "finished"
FINISHED_STATES = (OrderState.COMPLETED.value, OrderState.CANCELLED.value)


# -- reads -----------------------------------------------------------------------------------------
def of_seller(seller_id: str, clock: Clock) -> SellerMetrics:
    """Every figure: ONE Query of the seller's last 90 days of buckets and the totals."""
    now = clock.now()
    buckets, totals = metric_store.read(seller_id, read_from(now))
    return figures(buckets, totals, now)


# -- counting ----------------------------------------------------------------------------------------
def _count_once(subject: str, fact: str, mark: Mark, bucket: dict[Counter, int] | None = None,
                totals: dict[Total, int] | None = None) -> bool:
    """One transaction: the fact's marker (put only if absent) and its counts. False when the fact
    was counted before (the marker is there)."""
    uow = runtime.current().unit_of_work()
    metric_store.stage_mark(uow, subject, fact, mark)
    if bucket:
        metric_store.stage_add(uow, mark.seller_id, mark.day, bucket)
    if totals:
        metric_store.stage_add_totals(uow, mark.seller_id, totals)
    try:
        uow.commit()
    except TemporarilyUnavailable:
        raise  # Contended or throttled: nothing written; the dispatcher tries the event again
    except Conflict:
        return False  # the marker's condition failed: counted before
    return True


class MetricsReactions:
    """On ``order.*`` and ``message.sent``: see the module's docstring."""

    def __call__(self, event: Event, context: ReactionContext) -> bool | None:
        kind, (stream_kind, _, stream_id) = event.kind, event.stream.partition(":")
        if stream_kind == "order" and kind.startswith("order."):
            self._order_event(stream_id, event)
        elif kind == "message.sent" and stream_kind == "order":
            self._order_message(stream_id, event)
        elif kind == "message.sent" and stream_kind == "conversation":
            self._conversation_message(stream_id, event)
        return None

    # O13, O14, on-time delivery
    def _order_event(self, order_id: str, event: Event) -> None:
        record = order_store.get(order_id)
        if record is None:
            return
        order = record.value
        action = event.data.get("action")
        if action == "place":
            _count_once(f"order:{order_id}", "placed", Mark(order.seller_id, day_of(event.at)),
                        totals={Total.PLACED: 1})
        if action == "deliver":
            stage = event.data.get("milestone", 1)
            due = order.past_stages[stage - 1].due_at if stage - 1 < len(order.past_stages) else order.due_at
            _count_once(f"order:{order_id}", f"delivered#{stage}", Mark(order.seller_id, day_of(event.at)),
                        bucket=delivered(event.at, due))
            _end_wait(order_id, event.at)  # O14: a delivery answers the buyer
        if action == "request_revision" and order.is_active:
            _start_wait(order_id, order.seller_id, event)  # O14
        if event.data.get("state") in FINISHED_STATES:
            # A completion counts as one even if the order was reopened since (O12); a cancellation
            # is final, and counts as completed when the order does (C4, or cancelled after a reopening).
            completed = event.data["state"] == OrderState.COMPLETED.value or order.counts_as_completed
            at_fault = order.cancellation.seller_at_fault if order.cancellation else True
            _count_once(f"order:{order_id}", FINISHED,
                        Mark(order.seller_id, day_of(event.at), "completed" if completed else "cancelled",
                             excused=not completed and not at_fault),
                        bucket=finished(completed, at_fault), totals={Total.FINISHED: 1})
            _end_wait(order_id, event.at)  # O14 is about active orders

    # O14
    def _order_message(self, order_id: str, event: Event) -> None:
        if event.actor_role is Actor.SELLER:
            _end_wait(order_id, event.at)
            return
        if event.actor_role is not Actor.BUYER:
            return
        record = order_store.get(order_id)
        if record is None or not record.value.is_active:
            return
        _start_wait(order_id, record.value.seller_id, event)

    # O15
    def _conversation_message(self, conversation_id: str, event: Event) -> None:
        found = conversation_store.get(conversation_id)
        if found is None:
            return
        conversation = found.value
        if conversation.started_by != conversation.buyer_id:
            return  # O15 counts conversations buyers start
        subject = f"conversation:{conversation_id}"
        mark = Mark(conversation.seller_id, day_of(conversation.started_at))
        _count_once(subject, "started", mark, bucket={Counter.CONVERSATIONS: 1})
        if event.actor_role is Actor.SELLER:
            # The first reply counts on the conversation's day (see domain/metrics.py).
            _count_once(subject, "replied", mark, bucket=first_reply(conversation.started_at, event.at))


# -- O14: the 24-hour wait --------------------------------------------------------------------------
def _start_wait(order_id: str, seller_id: str, event: Event) -> None:
    """A buyer's message or revision request starts the wait, unless one runs (the first unanswered
    message counts) or the seller answered after it (events of different outbox shards may be
    counted out of order); its deadline is due 24 hours later."""
    answered = metric_store.last_answer(order_id)
    if answered is not None and answered >= event.at:
        return
    if metric_store.get_wait(order_id) is not None:
        return
    uow = runtime.current().unit_of_work()
    metric_store.stage_wait(uow, order_id, Wait(seller_id, event.id, iso(event.at)))
    deadline_store.stage_set(uow, Deadline(DeadlineKind.RESPONSE_WAIT, order_id, event.id,
                                           event.at + UNRESPONDED_AFTER),
                             deadline_store.get(DeadlineKind.RESPONSE_WAIT, order_id))
    try:
        uow.commit()
    except TemporarilyUnavailable:
        raise
    except Conflict:
        pass  # another wait started meanwhile: the same outcome


def _end_wait(order_id: str, at: datetime) -> None:
    """The seller answered at ``at`` (a message or a delivery), or the order finished: a wait that
    started by then goes with its deadline; the answer's time is kept so that a buyer message
    counted later but sent before it starts no wait."""
    metric_store.note_answer(order_id, at)
    wait = metric_store.get_wait(order_id)
    if wait is None or from_primitive(datetime, wait.value.since) > at:
        return
    uow = runtime.current().unit_of_work()
    metric_store.stage_end_wait(uow, wait)
    deadline_store.stage_clear(uow, deadline_store.get(DeadlineKind.RESPONSE_WAIT, order_id))
    try:
        uow.commit()
    except TemporarilyUnavailable:
        raise
    except Conflict:
        pass  # ended by another run meanwhile


def fire_response_deadline(deadline: Record[Deadline], clock: Clock) -> bool:
    """O14: 24 hours passed and the wait this deadline was set for still runs: the order is counted
    unresponded, once (its marker), on the day the timer fired; the wait ends. A deadline whose wait
    ended or changed only goes (stale)."""
    order_id = deadline.value.subject
    wait = metric_store.get_wait(order_id)
    order = order_store.get(order_id)
    if wait is None or wait.value.ref != deadline.value.ref or order is None or not order.value.is_active:
        deadline_store.drop_stale(runtime.current().unit_of_work(), deadline)
        return False
    now = clock.now()
    uow = runtime.current().unit_of_work()
    metric_store.stage_end_wait(uow, wait)
    deadline_store.stage_clear(uow, deadline)
    if metric_store.get_mark(f"order:{order_id}", "unresponded") is None:  # O14: an order is counted once
        metric_store.stage_mark(uow, f"order:{order_id}", "unresponded", Mark(wait.value.seller_id, day_of(now)))
        metric_store.stage_add(uow, wait.value.seller_id, day_of(now), {Counter.UNRESPONDED: 1})
    uow.commit()  # a Conflict: another fire won (the sweeper counts the lost race)
    return True


# -- O13: an operator excuses a cancellation --------------------------------------------------------
def excuse_cancellation(order_id: str, operator_id: str, reason: str, clock: Clock) -> dict[str, Any]:
    """O13: an operator says a cancellation was not the seller's fault (fraud, ordered by mistake,
    too little information), at the time or afterwards: it leaves the completion rate. Once per
    order (409 ``already_excused``); only a cancellation that did not count as completed (409
    ``not_cancelled``); the audit entry in the same transaction (W1)."""
    record = order_store.get(order_id)
    if record is None:
        raise NotFound("No such order.")
    order = record.value
    if order.state is not OrderState.CANCELLED or order.counts_as_completed:
        raise Conflict("Only a cancellation that counts against the seller can be excused.",
                       code="not_cancelled", rule="O13")
    mark = metric_store.get_mark(f"order:{order_id}", FINISHED)
    if mark is None:
        raise Conflict("The cancellation is being counted; try again in a moment.", code="metrics_pending",
                       rule="O13")
    if mark.outcome != "cancelled":  # counted as completed (C4, or a completion before a reopening)
        raise Conflict("Only a cancellation that counts against the seller can be excused.",
                       code="not_cancelled", rule="O13")
    if mark.excused:
        raise Conflict("This cancellation is excused already.", code="already_excused", rule="O13")
    uow = runtime.current().unit_of_work()
    metric_store.stage_excuse(uow, f"order:{order_id}", FINISHED)
    metric_store.stage_add(uow, mark.seller_id, mark.day, {Counter.EXCUSED: 1})
    audit_store.stage(uow, audit_entry(operator_id, AuditAction.CANCELLATION_EXCUSED, ObjectKind.ORDER, order_id,
                                       reason, clock, {"seller_id": mark.seller_id}))
    uow.commit()
    return {"order_id": order_id, "seller_id": mark.seller_id, "excused": True,
            "counted_on": mark.day.isoformat(), "at": clock.now()}

