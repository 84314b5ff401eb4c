"""The order: its state machine (O1–O12), its timers, its requests (resolution center) and its
money (M1, M3 through ``ledger.Balance``).

``ORDER_TRANSITIONS`` below is the whole machine in one table: for each action, who may take it,
from which states, under which condition (``when``: picks the row), with which checks
(``checks``: refuse with a reason), into which state, the timers it sets and clears, and whom it
notifies. ``Order.apply`` is the only way an order changes; timers fire through the same
``apply`` as people do, with the ``system`` actor (``TIMER_ACTIONS``).

A running timer is kept on the order (``timers``) with a token (``ref``); the deadline items the
sweeper reads are projections of it, rewritten in the same transaction. A fire whose token no
longer matches (the order moved on, the timer was re-armed) does nothing.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Callable

from .accounts import NotificationKind
from .deadlines import DeadlineKind
from .errors import Conflict, FieldError, Forbidden, InvalidInput
from .events import ActorRole, Event
from .gigs import Gig, Requirement
from .ids import new_id
from .ledger import Balance, LedgerEntry
from .pricing import Quote, QuoteLine, Selection
from .relationships import Relationship
from .requirements import Answer, check_answers

# ---------------------------------------------------------------------------------------------
# Times. The seeds give O7/O8's 3 days, O9's 24 hours, O11's 2 days and O12's 4 days / 48 hours /
# 2 days; the rest are [decision]s.
# ---------------------------------------------------------------------------------------------
REQUIREMENTS_WAIT = timedelta(days=7)  # O3 [decision] unanswered requirements: cancelled, refunded
REVIEW_PERIOD = timedelta(days=3)  # O7 revision window = O8 auto-complete delay
LATE_CANCEL_AFTER = timedelta(hours=24)  # O9
EXTENSION_DAYS_MAX = 30  # O12 [decision]
MODIFICATION_DAYS_MAX = 30  # O10/O12 [decision] days an offer may add (or take away)
OFFER_LINES_MAX = 10  # O10 [decision]
OFFER_LINE_PRICE_MAX = 1_000_000  # O10 [decision] minor units, as a gig package at most
OFFER_REVISIONS_MAX = 20  # O12 [decision]
TEXT_MAX = 2_500  # [decision] reasons, explanations, delivery messages


class OrderState(StrEnum):
    NEW = "new"  # only before placement: the source of PLACE
    AWAITING_REQUIREMENTS = "awaiting_requirements"  # O3: the clock has not started
    IN_PROGRESS = "in_progress"
    DELIVERED = "delivered"  # O7: waiting for the buyer's answer
    REVISION_REQUESTED = "revision_requested"  # O7
    COMPLETED = "completed"  # O7/O8 (an accepted offer of more revisions reopens it, O12)
    CANCELLED = "cancelled"  # O3, O9, O11, O12, operators


ACTIVE = frozenset({OrderState.AWAITING_REQUIREMENTS, OrderState.IN_PROGRESS,
                    OrderState.DELIVERED, OrderState.REVISION_REQUESTED})
FINISHED = frozenset({OrderState.COMPLETED, OrderState.CANCELLED})


class OrderAction(StrEnum):
    PLACE = "place"
    SUBMIT_REQUIREMENTS = "submit_requirements"
    EXPIRE_REQUIREMENTS = "expire_requirements"
    DELIVER = "deliver"
    ACCEPT = "accept"
    AUTO_COMPLETE = "auto_complete"
    REQUEST_REVISION = "request_revision"
    MARK_LATE = "mark_late"
    MARK_LATE_CANCELLABLE = "mark_late_cancellable"
    CANCEL_LATE = "cancel_late"
    OPERATOR_CANCEL = "operator_cancel"
    OPEN_REQUEST = "open_request"
    WITHDRAW_REQUEST = "withdraw_request"
    DECLINE_REQUEST = "decline_request"
    ACCEPT_REQUEST = "accept_request"
    EXPIRE_REQUEST = "expire_request"
    SEND_PROGRESS_UPDATE = "send_progress_update"


class RequestKind(StrEnum):
    CANCELLATION = "cancellation"  # O11, O12
    EXTENSION = "extension"  # O12
    PROGRESS_UPDATE = "progress_update"  # O12
    EXTRAS = "extras"  # O10
    MODIFICATION = "modification"  # O12
    ADDITIONAL_REVISIONS = "additional_revisions"  # O12, after completion


@dataclass(frozen=True)
class RequestRule:
    openers: frozenset[ActorRole]
    states: frozenset[OrderState]
    lifetime: timedelta
    cancels_on_expiry: bool  # unanswered: the order is cancelled (else the request just lapses)
    rule: str


_B, _S = frozenset({ActorRole.BUYER}), frozenset({ActorRole.SELLER})
_WORKING = frozenset({OrderState.AWAITING_REQUIREMENTS, OrderState.IN_PROGRESS,
                      OrderState.REVISION_REQUESTED})
REQUEST_RULES: dict[RequestKind, RequestRule] = {
    RequestKind.CANCELLATION: RequestRule(_B | _S, ACTIVE, timedelta(hours=48), True, "O11"),
    RequestKind.EXTENSION: RequestRule(_S, _WORKING, timedelta(days=4), False, "O12"),
    RequestKind.PROGRESS_UPDATE: RequestRule(_B, frozenset({OrderState.IN_PROGRESS,
                                                            OrderState.REVISION_REQUESTED}),
                                             timedelta(days=2), True, "O12"),
    RequestKind.EXTRAS: RequestRule(_S, ACTIVE, timedelta(days=4), False, "O10"),  # [decision] 4 days
    RequestKind.MODIFICATION: RequestRule(_S, ACTIVE, timedelta(days=4), False, "O12"),  # [decision]
    RequestKind.ADDITIONAL_REVISIONS: RequestRule(_S, frozenset({OrderState.COMPLETED}),
                                                  timedelta(days=4), False, "O12"),  # [decision]
}


# ---------------------------------------------------------------------------------------------
# The machine
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Transition:
    action: OrderAction
    actors: frozenset[ActorRole]
    sources: frozenset[OrderState]
    target: OrderState | None  # None: the state stays
    when: str | None = None  # a CONDITIONS name that picks this row among the action's rows
    checks: tuple[str, ...] = ()  # CHECKS names, each refusing with its own reason
    sets: tuple[DeadlineKind, ...] = ()  # timers (re)armed after the change
    clears: tuple[DeadlineKind, ...] = ()
    notify: NotificationKind | None = None  # the other party (both, when the system or an operator acts)
    rule: str = ""
    summary: str | None = None  # the history line when it differs from the action's (SUMMARIES)


_K, _A, _St = DeadlineKind, OrderAction, OrderState
BUYER, SELLER, OPERATOR, SYSTEM = (frozenset({r}) for r in
                                   (ActorRole.BUYER, ActorRole.SELLER, ActorRole.OPERATOR, ActorRole.SYSTEM))
PARTIES = BUYER | SELLER
ALL_TIMERS = tuple(k for k in DeadlineKind if k.value.startswith("order_"))
LATE = (_K.ORDER_LATE, _K.ORDER_LATE_CANCELLABLE)
N = NotificationKind
OPEN_OR_DONE = ACTIVE | {_St.COMPLETED}

ORDER_TRANSITIONS: tuple[Transition, ...] = (
    # action                  actors   from                        to
    Transition(_A.PLACE, BUYER, frozenset({_St.NEW}), _St.AWAITING_REQUIREMENTS, when="has_requirements",
               sets=(_K.ORDER_REQUIREMENTS,), notify=N.ORDER_PLACED, rule="O1"),
    Transition(_A.PLACE, BUYER, frozenset({_St.NEW}), _St.IN_PROGRESS, when="no_requirements",
               sets=LATE, notify=N.ORDER_PLACED, rule="O1"),
    Transition(_A.SUBMIT_REQUIREMENTS, BUYER, frozenset({_St.AWAITING_REQUIREMENTS}), _St.IN_PROGRESS,
               sets=LATE, clears=(_K.ORDER_REQUIREMENTS,), notify=N.ORDER_MESSAGE, rule="O3"),
    Transition(_A.EXPIRE_REQUIREMENTS, SYSTEM, frozenset({_St.AWAITING_REQUIREMENTS}), _St.CANCELLED,
               clears=ALL_TIMERS, notify=N.ORDER_CANCELLED, rule="O3"),
    Transition(_A.DELIVER, SELLER, frozenset({_St.IN_PROGRESS, _St.REVISION_REQUESTED}), _St.DELIVERED,
               when="no_progress_request", sets=(_K.ORDER_AUTO_COMPLETE,), clears=LATE,
               notify=N.ORDER_DELIVERED, rule="O6"),
    Transition(_A.DELIVER, SELLER, frozenset({_St.IN_PROGRESS, _St.REVISION_REQUESTED}), _St.DELIVERED,
               when="progress_request", sets=(_K.ORDER_AUTO_COMPLETE,), clears=LATE + (_K.ORDER_REQUEST,),
               notify=N.ORDER_DELIVERED, rule="O6"),  # a delivery answers a progress-update request
    Transition(_A.ACCEPT, BUYER, frozenset({_St.DELIVERED}), _St.COMPLETED,
               clears=ALL_TIMERS, notify=N.ORDER_COMPLETED, rule="O7"),
    Transition(_A.AUTO_COMPLETE, SYSTEM, frozenset({_St.DELIVERED}), _St.COMPLETED, when="no_open_cancellation",
               clears=ALL_TIMERS, notify=N.ORDER_COMPLETED, rule="O8"),
    Transition(_A.AUTO_COMPLETE, SYSTEM, frozenset({_St.DELIVERED}), None, when="open_cancellation",
               sets=(_K.ORDER_AUTO_COMPLETE,), rule="O8",  # postponed until the request is answered
               summary="The auto-completion of order {number} waits for the open cancellation request"),
    Transition(_A.REQUEST_REVISION, BUYER, frozenset({_St.DELIVERED}), _St.REVISION_REQUESTED,
               checks=("within_review_period", "revisions_left"), clears=(_K.ORDER_AUTO_COMPLETE,),
               notify=N.REVISION_REQUESTED, rule="O7"),
    Transition(_A.MARK_LATE, SYSTEM, frozenset({_St.IN_PROGRESS}), None, checks=("is_late",),
               clears=(_K.ORDER_LATE,), notify=N.ORDER_LATE, rule="O9"),
    Transition(_A.MARK_LATE_CANCELLABLE, SYSTEM, frozenset({_St.IN_PROGRESS}), None,
               checks=("late_enough_to_cancel",), clears=(_K.ORDER_LATE_CANCELLABLE,),
               notify=N.ORDER_LATE, rule="O9"),
    Transition(_A.CANCEL_LATE, BUYER, frozenset({_St.IN_PROGRESS}), _St.CANCELLED,
               checks=("late_enough_to_cancel",), clears=ALL_TIMERS, notify=N.ORDER_CANCELLED, rule="O9"),
    Transition(_A.OPERATOR_CANCEL, OPERATOR, ACTIVE, _St.CANCELLED,
               clears=ALL_TIMERS, notify=N.ORDER_CANCELLED, rule="O13"),
    # -- resolution center (one open request at a time) ------------------------------------------
    Transition(_A.OPEN_REQUEST, PARTIES, OPEN_OR_DONE, None, checks=("request_allowed",),
               sets=(_K.ORDER_REQUEST,), notify=N.RESOLUTION_REQUEST, rule="O12"),
    Transition(_A.WITHDRAW_REQUEST, PARTIES, OPEN_OR_DONE, None, checks=("is_request_opener",),
               clears=(_K.ORDER_REQUEST,), notify=N.RESOLUTION_REQUEST, rule="O12"),
    Transition(_A.DECLINE_REQUEST, PARTIES, OPEN_OR_DONE, None, checks=("is_request_answerer",),
               clears=(_K.ORDER_REQUEST,), notify=N.RESOLUTION_REQUEST, rule="O11"),
    Transition(_A.ACCEPT_REQUEST, PARTIES, ACTIVE, _St.CANCELLED, when="cancellation_request",
               checks=("is_request_answerer",), clears=ALL_TIMERS, notify=N.ORDER_CANCELLED, rule="O11"),
    Transition(_A.ACCEPT_REQUEST, PARTIES, frozenset({_St.IN_PROGRESS}), None, when="timing_request",
               checks=("is_request_answerer",), sets=LATE, clears=(_K.ORDER_REQUEST,),
               notify=N.RESOLUTION_REQUEST, rule="O12"),  # the due time moved: the late timers follow
    Transition(_A.ACCEPT_REQUEST, PARTIES, ACTIVE - {_St.IN_PROGRESS}, None, when="timing_request",
               checks=("is_request_answerer",), clears=(_K.ORDER_REQUEST,),
               notify=N.RESOLUTION_REQUEST, rule="O12"),
    Transition(_A.ACCEPT_REQUEST, PARTIES, frozenset({_St.COMPLETED}), _St.REVISION_REQUESTED,
               when="revisions_request", checks=("is_request_answerer",), clears=(_K.ORDER_REQUEST,),
               notify=N.RESOLUTION_REQUEST, rule="O12"),
    Transition(_A.EXPIRE_REQUEST, SYSTEM, ACTIVE, _St.CANCELLED, when="request_cancels_on_expiry",
               clears=ALL_TIMERS, notify=N.ORDER_CANCELLED, rule="O12"),
    Transition(_A.EXPIRE_REQUEST, SYSTEM, OPEN_OR_DONE, None, when="request_lapses_on_expiry",
               clears=(_K.ORDER_REQUEST,), notify=N.RESOLUTION_REQUEST, rule="O12"),
    Transition(_A.SEND_PROGRESS_UPDATE, SELLER, ACTIVE, None, checks=("progress_update_requested",),
               clears=(_K.ORDER_REQUEST,), notify=N.ORDER_MESSAGE, rule="O12"),
)

# The timer → the action the sweeper takes when it fires.
TIMER_ACTIONS: dict[DeadlineKind, OrderAction] = {
    _K.ORDER_REQUIREMENTS: _A.EXPIRE_REQUIREMENTS,
    _K.ORDER_LATE: _A.MARK_LATE,
    _K.ORDER_LATE_CANCELLABLE: _A.MARK_LATE_CANCELLABLE,
    _K.ORDER_AUTO_COMPLETE: _A.AUTO_COMPLETE,
    _K.ORDER_REQUEST: _A.EXPIRE_REQUEST,
}

SUMMARIES: dict[OrderAction, str] = {
    _A.PLACE: "Order {number} was placed",
    _A.SUBMIT_REQUIREMENTS: "The buyer submitted the requirements of order {number}; the clock started",
    _A.EXPIRE_REQUIREMENTS: "Order {number} was cancelled: its requirements never came",
    _A.DELIVER: "Order {number} was delivered",
    _A.ACCEPT: "The buyer accepted the delivery; order {number} is complete",
    _A.AUTO_COMPLETE: "Order {number} completed by itself 3 days after its delivery",
    _A.REQUEST_REVISION: "The buyer asked for a revision of order {number}",
    _A.MARK_LATE: "Order {number} is late",
    _A.MARK_LATE_CANCELLABLE: "Order {number} is 24 hours late: the buyer may cancel it",
    _A.CANCEL_LATE: "The buyer cancelled late order {number}",
    _A.OPERATOR_CANCEL: "Support cancelled order {number}",
    _A.OPEN_REQUEST: "A {request} request was opened on order {number}",
    _A.WITHDRAW_REQUEST: "The {request} request on order {number} was withdrawn",
    _A.DECLINE_REQUEST: "The {request} request on order {number} was declined",
    _A.ACCEPT_REQUEST: "The {request} request on order {number} was accepted",
    _A.EXPIRE_REQUEST: "The {request} request on order {number} was not answered in time",
    _A.SEND_PROGRESS_UPDATE: "The seller sent a progress update on order {number}",
}


# ---------------------------------------------------------------------------------------------
# Values
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class OrderLine:
    kind: str  # package | fast_delivery | additional_revision | custom_extra | shipping | offer
    description: str
    unit_price: int
    quantity: int
    amount: int

    @classmethod
    def of(cls, line: QuoteLine) -> "OrderLine":
        return cls(line.kind, line.description, line.unit_price, line.quantity, line.amount)


@dataclass(frozen=True)
class Offer:
    """What the seller offers in an extras (O10), modification or additional-revisions request (O12)."""

    lines: tuple[OrderLine, ...] = ()
    added_days: int = 0  # a modification may also shorten (negative)
    added_revisions: int = 0

    @property
    def total(self) -> int:
        return sum(line.amount for line in self.lines)


@dataclass(frozen=True)
class Request:
    id: str
    kind: RequestKind
    opened_by: ActorRole
    opened_at: datetime
    expires_at: datetime
    reason: str
    days: int = 0  # extension
    offer: Offer | None = None  # extras, modification, additional revisions


@dataclass(frozen=True)
class Timer:
    due_at: datetime
    ref: str  # the token a deadline carries: a fire with another token does nothing


@dataclass(frozen=True)
class Cancellation:
    by: ActorRole
    reason: str
    mutual: bool  # O11/O12: agreed or unanswered request
    seller_at_fault: bool = True  # O13: an operator may say it was not the seller's fault


@dataclass(frozen=True)
class Delivery:
    number: int
    message: str
    files: tuple[str, ...]
    at: datetime


@dataclass
class Outcome:
    """What one ``apply`` did, for the service to persist in the same transaction."""

    action: OrderAction
    previous: OrderState
    event: Event | None
    ledger: list[LedgerEntry] = field(default_factory=list)
    delivery: Delivery | None = None

    @property
    def changed(self) -> bool:
        return self.event is not None


# ---------------------------------------------------------------------------------------------
# The aggregate
# ---------------------------------------------------------------------------------------------
@dataclass
class Order:
    id: str
    number: str
    gig_id: str
    gig_title: str
    seller_id: str
    buyer_id: str
    tier: str
    quantity: int
    lines: tuple[OrderLine, ...]
    delivery_days: int
    revisions_allowed: int | None  # None = unlimited (O7)
    requirements: tuple[Requirement, ...]  # the gig's questions when the order was placed
    placed_at: datetime
    state: OrderState = OrderState.NEW
    answers: tuple[Answer, ...] = ()
    started_at: datetime | None = None  # O3: the delivery clock
    revisions_used: int = 0
    deliveries: int = 0
    delivered_at: datetime | None = None  # the latest delivery (O8)
    completed_at: datetime | None = None
    cancelled_at: datetime | None = None
    cancellation: Cancellation | None = None
    request: Request | None = None
    timers: dict[DeadlineKind, Timer] = field(default_factory=dict)
    balance: Balance = field(default_factory=Balance)
    seq: int = 0  # transitions applied; makes timer tokens unique
    updated_at: datetime | None = None

    # -- placement (O1, O2, G10) ----------------------------------------------------------------
    @classmethod
    def place(cls, *, gig: Gig, quote: Quote, selection: Selection, buyer_id: str,
              seller_available: bool, relationship: Relationship, now: datetime) -> tuple["Order", Outcome]:
        if gig.seller_id == buyer_id:
            raise Forbidden("You cannot order your own gig.", code="own_gig", rule="O2")
        if not gig.is_listed:
            raise Conflict("This gig is not open to orders.", code="gig_not_published", rule="O2")
        if not seller_available:
            raise Conflict("The seller is unavailable and accepts no orders now.",
                           code="seller_unavailable", rule="A4")
        relationship.ensure_buyer_may_order()  # O2/O17
        order = cls(id=new_id("ord"), number=new_order_number(), gig_id=gig.id, gig_title=gig.title,
                    seller_id=gig.seller_id, buyer_id=buyer_id, tier=selection.tier,
                    quantity=selection.quantity, lines=tuple(OrderLine.of(l) for l in quote.lines),
                    delivery_days=quote.delivery_days, revisions_allowed=quote.revisions,
                    requirements=tuple(gig.requirements), placed_at=now)
        outcome = order.apply(OrderAction.PLACE, ActorRole.BUYER, buyer_id, now)
        return order, outcome

    # -- derived --------------------------------------------------------------------------------
    @property
    def is_active(self) -> bool:
        return self.state in ACTIVE

    @property
    def due_at(self) -> datetime | None:
        """O3: start + delivery days (fast delivery already replaced them) + added days."""
        if self.started_at is None:
            return None
        return self.started_at + timedelta(days=self.delivery_days)

    @property
    def total(self) -> int:
        return sum(line.amount for line in self.lines)

    def is_late(self, now: datetime) -> bool:
        """O9: past the due time without a delivery."""
        due = self.due_at
        return self.state == OrderState.IN_PROGRESS and due is not None and now > due

    def late_cancellable(self, now: datetime) -> bool:
        due = self.due_at
        return self.is_late(now) and due is not None and now >= due + LATE_CANCEL_AFTER

    @property
    def review_ends_at(self) -> datetime | None:
        return self.delivered_at + REVIEW_PERIOD if self.delivered_at else None

    @property
    def revisions_left(self) -> int | None:
        return None if self.revisions_allowed is None else self.revisions_allowed - self.revisions_used

    def role_of(self, user_id: str) -> ActorRole | None:
        if user_id == self.buyer_id:
            return ActorRole.BUYER
        if user_id == self.seller_id:
            return ActorRole.SELLER
        return None

    def allowed_actions(self, role: ActorRole, now: datetime) -> list[OrderAction]:
        """What ``role`` could try now (for the order page); checks that need input are not run."""
        out = []
        for t in ORDER_TRANSITIONS:
            if role in t.actors and self.state in t.sources and t.action not in out \
                    and (t.when is None or CONDITIONS[t.when](self)):
                ctx = _Ctx(role, None, now, {"request_id": self.request.id if self.request else None})
                if all(name in _INPUT_CHECKS or CHECKS[name](self, ctx) is None for name in t.checks):
                    out.append(t.action)
        return out

    # -- the one way an order changes -----------------------------------------------------------
    def apply(self, action: OrderAction | str, role: ActorRole | str, actor_id: str | None,
              now: datetime, **payload: Any) -> Outcome:
        """Take ``action`` as ``role``. Forbidden when the role never takes it (or it is not this
        party's to take), Conflict when the state or a check refuses, InvalidInput for bad input."""
        action, role = OrderAction(action), ActorRole(role)
        rows = [t for t in ORDER_TRANSITIONS if t.action is action]
        if not any(role in t.actors for t in rows):
            raise Forbidden(f"The {role} cannot {action.replace('_', ' ')}.", code="actor_not_allowed")
        row = next((t for t in rows if role in t.actors and self.state in t.sources
                    and (t.when is None or CONDITIONS[t.when](self))), None)
        if row is None:
            raise Conflict(f"Cannot {action.replace('_', ' ')} an order that is "
                           f"{self.state.replace('_', ' ')}.", code="invalid_transition")
        ctx = _Ctx(role, actor_id, now, payload)
        for name in row.checks:
            error = CHECKS[name](self, ctx)
            if error is not None:
                raise error
        previous = self.state
        request = self.request
        outcome = Outcome(action, previous, None)
        EFFECTS.get(action, _no_effect)(self, ctx, outcome)
        if row.target is not None:
            self.state = row.target
            if row.target is not previous:
                ON_ENTER.get(row.target, _no_effect)(self, ctx, outcome)
        self.seq += 1
        for kind in row.clears:
            self.timers.pop(kind, None)
        for kind in row.sets:
            self.timers[kind] = Timer(self._timer_due(kind), f"{kind.value}:{self.seq}")
        self.updated_at = now
        outcome.event = self._event(row, ctx, request or self.request, payload)
        return outcome

    def fire(self, kind: DeadlineKind, ref: str, now: datetime) -> Outcome | None:
        """The sweeper's entry: None when this timer is no longer the order's (or not yet due)."""
        timer = self.timers.get(kind)
        if timer is None or timer.ref != ref or timer.due_at > now:
            return None
        try:
            return self.apply(TIMER_ACTIONS[kind], ActorRole.SYSTEM, None, now)
        except Conflict as refused:
            # A late timer is due at the due time itself, but an order is late only once that time
            # has passed (O9): a sweep at that very instant leaves it for the next one.
            if refused.code in ("not_late", "not_late_enough"):
                return None
            raise

    def _timer_due(self, kind: DeadlineKind) -> datetime:
        if kind is DeadlineKind.ORDER_REQUIREMENTS:
            return self.placed_at + REQUIREMENTS_WAIT
        if kind in LATE:
            assert self.due_at is not None
            return self.due_at + (LATE_CANCEL_AFTER if kind is DeadlineKind.ORDER_LATE_CANCELLABLE else timedelta())
        if kind is DeadlineKind.ORDER_AUTO_COMPLETE:
            assert self.review_ends_at is not None
            due = self.review_ends_at
            if self.request and self.request.kind is RequestKind.CANCELLATION:
                due = max(due, self.request.expires_at)  # O8 waits for the O11 answer
            return due
        if kind is DeadlineKind.ORDER_REQUEST:
            assert self.request is not None
            return self.request.expires_at
        raise ValueError(f"not an order timer: {kind}")

    def _event(self, row: Transition, ctx: "_Ctx", request: Request | None,
               payload: dict[str, Any]) -> Event:
        if ctx.role in (ActorRole.BUYER, ActorRole.SELLER):
            recipients = (self.seller_id,) if ctx.role is ActorRole.BUYER else (self.buyer_id,)
        else:
            recipients = (self.buyer_id, self.seller_id)
        data: dict[str, Any] = {"state": self.state.value, "action": row.action.value}
        if request is not None:
            data["request_id"] = request.id
            data["request_kind"] = request.kind.value
        for key in ("message", "reason"):
            if isinstance(payload.get(key), str) and payload[key].strip():
                data[key] = payload[key].strip()
        return Event.new(kind=f"order.{row.action.value}", stream=f"order:{self.id}", at=ctx.now,
                         actor_role=ctx.role, actor_id=ctx.actor_id,
                         summary=(row.summary or SUMMARIES[row.action]).format(
                             number=self.number, request=request.kind.value.replace("_", " ") if request else ""),
                         recipients=recipients if row.notify else (), notification=row.notify, data=data,
                         seq=self.seq)


def new_order_number() -> str:
    """Readable and random, never sequential: ``FO-7K3Q9-XD2MP`` (50 bits; collisions are not
    a practical concern, and the order id, not the number, is the key)."""
    alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
    chars = "".join(secrets.choice(alphabet) for _ in range(10))
    return f"FO-{chars[:5]}-{chars[5:]}"


# ---------------------------------------------------------------------------------------------
# Conditions (which row) and checks (refusals), by the names the table uses
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Ctx:
    role: ActorRole
    actor_id: str | None
    now: datetime
    payload: dict[str, Any]


def _request_kind(order: Order) -> RequestKind | None:
    return order.request.kind if order.request else None


CONDITIONS: dict[str, Callable[[Order], bool]] = {
    "has_requirements": lambda o: bool(o.requirements),
    "no_requirements": lambda o: not o.requirements,
    "progress_request": lambda o: _request_kind(o) is RequestKind.PROGRESS_UPDATE,
    "no_progress_request": lambda o: _request_kind(o) is not RequestKind.PROGRESS_UPDATE,
    "open_cancellation": lambda o: _request_kind(o) is RequestKind.CANCELLATION,
    "no_open_cancellation": lambda o: _request_kind(o) is not RequestKind.CANCELLATION,
    "cancellation_request": lambda o: _request_kind(o) is RequestKind.CANCELLATION,
    "timing_request": lambda o: _request_kind(o) in (RequestKind.EXTENSION, RequestKind.EXTRAS,
                                                     RequestKind.MODIFICATION),
    "revisions_request": lambda o: _request_kind(o) is RequestKind.ADDITIONAL_REVISIONS,
    "request_cancels_on_expiry": lambda o: o.request is not None and REQUEST_RULES[o.request.kind].cancels_on_expiry,
    "request_lapses_on_expiry": lambda o: o.request is not None and not REQUEST_RULES[o.request.kind].cancels_on_expiry,
}


def _within_review_period(o: Order, c: _Ctx) -> Exception | None:
    if o.review_ends_at is None or c.now > o.review_ends_at:
        return Conflict("The 3 days to ask for a revision are over.", code="review_period_over", rule="O7")
    return None


def _revisions_left(o: Order, c: _Ctx) -> Exception | None:
    left = o.revisions_left
    if left is not None and left <= 0:
        return Conflict("No revisions are left on this order; the seller may offer more.",
                        code="no_revisions_left", rule="O7")
    return None


def _is_late(o: Order, c: _Ctx) -> Exception | None:
    return None if o.is_late(c.now) else Conflict("The order is not late.", code="not_late", rule="O9")


def _late_enough(o: Order, c: _Ctx) -> Exception | None:
    if o.late_cancellable(c.now):
        return None
    return Conflict("An order may be cancelled alone once it is 24 hours late.", code="not_late_enough",
                    rule="O9")


def _request_allowed(o: Order, c: _Ctx) -> Exception | None:
    kind = c.payload.get("kind")
    if not isinstance(kind, RequestKind):
        return InvalidInput("unknown request kind", fields=[FieldError("kind", "unknown", code="invalid")])
    rule = REQUEST_RULES[kind]
    if c.role not in rule.openers:
        return Forbidden(f"Only the {' or '.join(sorted(rule.openers))} may ask for {kind.replace('_', ' ')}.",
                         code="not_your_request", rule=rule.rule)
    if o.request is not None:
        return Conflict("This order already has an open request; answer or withdraw it first.",
                        code="request_open", rule="O12")
    if o.state not in rule.states:
        return Conflict(f"A {kind.replace('_', ' ')} request is not possible on an order that is "
                        f"{o.state.replace('_', ' ')}.", code="invalid_transition", rule=rule.rule)
    return None


def _request_still_open(o: Order, c: _Ctx) -> Exception | None:
    if o.request is None:
        return Conflict("There is no open request.", code="no_open_request", rule="O12")
    if o.request.id != c.payload.get("request_id"):
        return Conflict("That request is no longer open.", code="request_not_open", rule="O12")
    return None


def _is_request_opener(o: Order, c: _Ctx) -> Exception | None:
    error = _request_still_open(o, c)
    if error is None and o.request is not None and o.request.opened_by is not c.role:
        return Forbidden("Only who opened a request may withdraw it.", code="not_request_opener", rule="O12")
    return error


def _is_request_answerer(o: Order, c: _Ctx) -> Exception | None:
    error = _request_still_open(o, c)
    if error is None and o.request is not None and o.request.opened_by is c.role:
        return Forbidden("The other party answers a request.", code="not_request_answerer", rule="O12")
    return error


def _progress_update_requested(o: Order, c: _Ctx) -> Exception | None:
    if _request_kind(o) is not RequestKind.PROGRESS_UPDATE:
        return Conflict("The buyer has not asked for a progress update.", code="no_progress_request",
                        rule="O12")
    return None


CHECKS: dict[str, Callable[[Order, _Ctx], Exception | None]] = {
    "within_review_period": _within_review_period,
    "revisions_left": _revisions_left,
    "is_late": _is_late,
    "late_enough_to_cancel": _late_enough,
    "request_allowed": _request_allowed,
    "is_request_opener": _is_request_opener,
    "is_request_answerer": _is_request_answerer,
    "progress_update_requested": _progress_update_requested,
}
_INPUT_CHECKS = {"request_allowed"}  # needs the kind of request, which only the caller knows


# ---------------------------------------------------------------------------------------------
# Effects: what each action changes besides the state and timers
# ---------------------------------------------------------------------------------------------
def _text(payload: dict[str, Any], key: str, *, required: bool, rule: str) -> str:
    value = payload.get(key)
    value = value.strip() if isinstance(value, str) else ""
    if required and not value:
        raise InvalidInput(f"a {key} is required", fields=[FieldError(key, "required", code="required", rule=rule)])
    if len(value) > TEXT_MAX:
        raise InvalidInput(f"the {key} is too long", fields=[
            FieldError(key, f"at most {TEXT_MAX} characters", code="too_long", rule=rule)])
    return value


def _no_effect(o: Order, c: _Ctx, out: Outcome) -> None:
    return None


def _place(o: Order, c: _Ctx, out: Outcome) -> None:
    out.ledger += o.balance.pay(o.total, c.now, f"order {o.number}")
    if not o.requirements:
        o.started_at = c.now  # O3: no requirements, the clock starts at placement


def _submit_requirements(o: Order, c: _Ctx, out: Outcome) -> None:
    o.answers = check_answers(o.requirements, c.payload.get("answers", ()))
    o.started_at = c.now  # O3


def _deliver(o: Order, c: _Ctx, out: Outcome) -> None:
    message = _text(c.payload, "message", required=False, rule="O6")
    files = tuple(c.payload.get("files", ()))
    usable = c.payload.get("usable_files", 0)  # clean files (F1): nothing is clean by default
    if not message and not usable:
        raise InvalidInput("A delivery needs a message or a file that may be downloaded.",
                           code="empty_delivery", fields=[FieldError("message", "required without usable files",
                                                                     code="required", rule="O6")])
    if o.request and o.request.kind is RequestKind.PROGRESS_UPDATE:
        o.request = None  # the table's "progress_request" row also clears its timer
    o.deliveries += 1
    o.delivered_at = c.now
    out.delivery = Delivery(o.deliveries, message, files, c.now)


def _request_revision(o: Order, c: _Ctx, out: Outcome) -> None:
    _text(c.payload, "message", required=True, rule="O7")
    o.revisions_used += 1


def _cancellation(o: Order, c: _Ctx, *, mutual: bool, reason: str) -> None:
    o.cancellation = Cancellation(by=c.role, reason=reason, mutual=mutual,
                                  seller_at_fault=bool(c.payload.get("seller_at_fault", True)))


def _open_request(o: Order, c: _Ctx, out: Outcome) -> None:
    kind: RequestKind = c.payload["kind"]
    rule = REQUEST_RULES[kind]
    reason = _text(c.payload, "reason", required=kind in (RequestKind.CANCELLATION, RequestKind.EXTENSION),
                   rule=rule.rule)
    days = 0
    offer = None
    if kind is RequestKind.EXTENSION:
        days = c.payload.get("days")
        if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= EXTENSION_DAYS_MAX:
            raise InvalidInput("bad extension", fields=[FieldError(
                "days", f"a whole number of days from 1 to {EXTENSION_DAYS_MAX}", code="out_of_range", rule="O12")])
    if kind in (RequestKind.EXTRAS, RequestKind.MODIFICATION, RequestKind.ADDITIONAL_REVISIONS):
        offer = c.payload.get("offer")
        if not isinstance(offer, Offer):
            raise InvalidInput("an offer is required", fields=[FieldError("offer", "required", code="required",
                                                                          rule=rule.rule)])
        _check_offer(o, kind, offer, c.now)
    o.request = Request(id=new_id("req"), kind=kind, opened_by=c.role, opened_at=c.now,
                        expires_at=c.now + rule.lifetime, reason=reason, days=days, offer=offer)


def _check_offer(o: Order, kind: RequestKind, offer: Offer, now: datetime) -> None:
    errors: list[FieldError] = []
    rule = REQUEST_RULES[kind].rule
    if len(offer.lines) > OFFER_LINES_MAX:
        errors.append(FieldError("offer.lines", f"at most {OFFER_LINES_MAX}", code="too_many", rule=rule))
    for i, line in enumerate(offer.lines):
        if not 0 <= line.unit_price <= OFFER_LINE_PRICE_MAX or line.quantity < 1:
            errors.append(FieldError(f"offer.lines.{i}", "price 0 to 10,000 and quantity at least 1",
                                     code="out_of_range", rule=rule))
    limit = MODIFICATION_DAYS_MAX
    low = -limit if kind is RequestKind.MODIFICATION else 0
    if not low <= offer.added_days <= limit:
        errors.append(FieldError("offer.added_days", f"from {low} to {limit}", code="out_of_range", rule=rule))
    if not 0 <= offer.added_revisions <= OFFER_REVISIONS_MAX:
        errors.append(FieldError("offer.added_revisions", f"from 0 to {OFFER_REVISIONS_MAX}",
                                 code="out_of_range", rule=rule))
    if kind is RequestKind.ADDITIONAL_REVISIONS and offer.added_revisions < 1:
        errors.append(FieldError("offer.added_revisions", "at least one revision", code="required", rule=rule))
    if kind is RequestKind.EXTRAS and not offer.lines:
        errors.append(FieldError("offer.lines", "at least one extra", code="required", rule=rule))
    if o.delivery_days + offer.added_days < 1:  # before the clock starts there is no due time to check
        errors.append(FieldError("offer.added_days", "would leave less than one delivery day",
                                 code="out_of_range", rule=rule))
    elif o.due_at is not None and o.due_at + timedelta(days=offer.added_days) < now:
        errors.append(FieldError("offer.added_days", "would move the due time into the past",
                                 code="out_of_range", rule=rule))
    if errors:
        raise InvalidInput("invalid offer", code="invalid_offer", fields=errors)


def _close_request(o: Order, c: _Ctx, out: Outcome) -> None:
    o.request = None


def _accept_request(o: Order, c: _Ctx, out: Outcome) -> None:
    request = o.request
    assert request is not None
    if request.kind is RequestKind.CANCELLATION:
        _cancellation(o, c, mutual=True, reason=request.reason)  # O11; entering CANCELLED refunds
        return
    if request.kind is RequestKind.EXTENSION:
        o.delivery_days += request.days
    if request.offer is not None:  # O10: the buyer pays for what they accept; the due time moves
        offer = request.offer
        if o.due_at is not None and offer.added_days < 0 and o.due_at + timedelta(days=offer.added_days) < c.now:
            raise Conflict("Accepted now, this offer would put the due time in the past; ask the seller for "
                           "a new one.", code="offer_outdated", rule=REQUEST_RULES[request.kind].rule)
        out.ledger += o.balance.pay(offer.total, c.now, f"{request.kind.value.replace('_', ' ')} on {o.number}")
        o.lines = o.lines + offer.lines
        o.delivery_days += offer.added_days
        if o.revisions_allowed is not None:
            o.revisions_allowed += offer.added_revisions
    if request.kind is RequestKind.ADDITIONAL_REVISIONS:
        o.completed_at = None  # reopened: the seller delivers again
    o.request = None


def _expire_request(o: Order, c: _Ctx, out: Outcome) -> None:
    request = o.request
    assert request is not None
    if request.kind is RequestKind.CANCELLATION:  # O12: unanswered, it shows as mutually cancelled
        _cancellation(o, c, mutual=True, reason=request.reason)
    elif REQUEST_RULES[request.kind].cancels_on_expiry:  # O12: no progress update in time
        _cancellation(o, c, mutual=False, reason="no progress update came in time")
    o.request = None


def _send_progress_update(o: Order, c: _Ctx, out: Outcome) -> None:
    _text(c.payload, "message", required=True, rule="O12")
    o.request = None


EFFECTS: dict[OrderAction, Callable[[Order, _Ctx, Outcome], None]] = {
    _A.PLACE: _place,
    _A.SUBMIT_REQUIREMENTS: _submit_requirements,
    _A.EXPIRE_REQUIREMENTS: lambda o, c, out: _cancellation(
        o, c, mutual=False, reason="the requirements were not submitted in time"),
    _A.DELIVER: _deliver,
    _A.REQUEST_REVISION: _request_revision,
    _A.CANCEL_LATE: lambda o, c, out: _cancellation(
        o, c, mutual=False, reason=_text(c.payload, "reason", required=False, rule="O9") or "the order was late"),
    _A.OPERATOR_CANCEL: lambda o, c, out: _cancellation(
        o, c, mutual=False, reason=_text(c.payload, "reason", required=True, rule="O13")),
    _A.OPEN_REQUEST: _open_request,
    _A.WITHDRAW_REQUEST: _close_request,
    _A.DECLINE_REQUEST: _close_request,  # O11: the order goes on as it was
    _A.ACCEPT_REQUEST: _accept_request,
    _A.EXPIRE_REQUEST: _expire_request,
    _A.SEND_PROGRESS_UPDATE: _send_progress_update,
}


# Money follows the state entered: completion settles what is held (M1), cancellation refunds it
# (M3). Either way no request stays open on a finished order.
def _enter_completed(o: Order, c: _Ctx, out: Outcome) -> None:
    o.completed_at = c.now
    o.request = None
    out.ledger += o.balance.settle(c.now)


def _enter_cancelled(o: Order, c: _Ctx, out: Outcome) -> None:
    o.cancelled_at = c.now
    o.request = None
    out.ledger += o.balance.refund_held(c.now)


ON_ENTER: dict[OrderState, Callable[[Order, _Ctx, Outcome], None]] = {
    OrderState.COMPLETED: _enter_completed,
    OrderState.CANCELLED: _enter_cancelled,
}
