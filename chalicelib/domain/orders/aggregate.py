"""The order aggregate. ``Order.place`` makes one from ``Terms``; ``Order.apply`` is the only way it
changes, by the rows of ``table.ORDER_TRANSITIONS``; timers fire through the same ``apply`` as the
``system`` actor (``Order.fire``)."""
from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from ..deadlines import DeadlineKind
from ..errors import Conflict, Forbidden
from ..events import Actor, Event
from ..gigs import Gig, Requirement
from ..ids import new_id
from ..ledger import Balance, LedgerEntry
from ..relationships import Relationship
from ..requirements import Answer
from .commands import (
    AutoComplete,
    ExpireNextMilestone,
    ExpireRequest,
    ExpireRequirements,
    MarkLate,
    MarkLateCancellable,
    OpenResolutionRequest,
    OrderCommand,
    Place,
)
from .effects import ON_ENTER
from .guards import NEEDS_INPUT, Context
from .milestones import StageRun
from .resolution import REQUEST_RULES, RequestKind, ResolutionRequest
from .states import ACTIVE, OrderAction, OrderState
from .table import ORDER_TRANSITIONS, SUMMARIES, TIMER_ACTIONS, Transition
from .terms import OrderLine, Stage, Terms
from .timers import LATE_CANCEL_AFTER, MILESTONE_REVIEW_PERIOD, REVIEW_PERIOD, Timer, due_time
from .values import Cancellation, Delivery

TIMER_COMMANDS: dict[OrderAction, OrderCommand] = {
    OrderAction.EXPIRE_REQUIREMENTS: ExpireRequirements(),
    OrderAction.AUTO_COMPLETE: AutoComplete(),
    OrderAction.MARK_LATE: MarkLate(),
    OrderAction.MARK_LATE_CANCELLABLE: MarkLateCancellable(),
    OrderAction.EXPIRE_REQUEST: ExpireRequest(),
    OrderAction.EXPIRE_NEXT_MILESTONE: ExpireNextMilestone(),
}


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
    requirements: tuple[Requirement, ...]  # the questions when the order was placed
    placed_at: datetime
    stages: tuple[Stage, ...] = ()  # the payment plan (a gig order: one stage)
    stage: int = 0  # the stage that runs (a milestone order, C2: the milestone; see milestones.py)
    past_stages: tuple[StageRun, ...] = ()  # C2: how each milestone before ``stage`` ran
    approved_at: datetime | None = None  # C3: when the running stage was approved (completion, for a gig order)
    deliveries_before: int = 0  # deliveries of the stages before ``stage`` (each milestone counts its own)
    state: OrderState = OrderState.NEW
    answers: tuple[Answer, ...] = ()
    started_at: datetime | None = None  # O3: the delivery clock
    revisions_used: int = 0
    deliveries: int = 0
    delivered_at: datetime | None = None  # the latest delivery (O8)
    completed_at: datetime | None = None
    reopened_at: datetime | None = None  # O12: more revisions accepted after completion
    cancelled_at: datetime | None = None
    cancellation: Cancellation | None = None
    request: ResolutionRequest | None = None
    timers: dict[DeadlineKind, Timer] = field(default_factory=dict)
    balance: Balance = field(default_factory=Balance)
    seq: int = 0  # transitions applied; makes timer tokens unique
    updated_at: datetime | None = None
    coupon_id: str | None = None  # M2: the coupon used on it (void if the order is cancelled)

    # -- placement (O1, O2, A4) -----------------------------------------------------------------
    @classmethod
    def place(cls, *, gig: Gig, terms: Terms, buyer_id: str, seller_available: bool,
              relationship: Relationship, now: datetime) -> tuple[Order, Outcome]:
        if gig.seller_id == buyer_id:
            raise Forbidden("You cannot order your own gig.", code="own_gig", rule="O2")
        if not gig.is_listed:
            raise Conflict("This gig is not open to orders.", code="gig_not_published", rule="O2")
        if not seller_available:
            raise Conflict("The seller is unavailable and accepts no orders now.",
                           code="seller_unavailable", rule="A4")
        relationship.ensure_buyer_may_order()  # O2/O17
        order = cls(id=new_id("ord"), number=new_order_number(), gig_id=gig.id, gig_title=gig.title,
                    seller_id=gig.seller_id, buyer_id=buyer_id, tier=terms.tier, quantity=terms.quantity,
                    lines=terms.lines, delivery_days=terms.delivery_days, revisions_allowed=terms.revisions,
                    requirements=terms.requirements, placed_at=now, stages=terms.stages,
                    coupon_id=terms.coupon_id)
        outcome = order.apply(Place(), Actor.BUYER, buyer_id, now)
        return order, outcome

    # -- derived --------------------------------------------------------------------------------
    @property
    def is_active(self) -> bool:
        return self.state in ACTIVE

    @property
    def is_milestone_order(self) -> bool:
        """C2: a plan of more than one stage (a gig order, and a plain custom offer, is one)."""
        return len(self.stages) > 1

    @property
    def milestones_approved(self) -> int:
        """C3/C4: milestones the buyer approved (or that were approved by themselves)."""
        return len(self.past_stages) + (1 if self.approved_at is not None else 0)

    @property
    def counts_as_completed(self) -> bool:
        """O19 (and O13): completed, or completed once and cancelled by support after a reopening
        (what was settled then stays settled), or a milestone order cancelled after at least one
        approved milestone (C4)."""
        return self.state is OrderState.COMPLETED or (
            self.state is OrderState.CANCELLED and (
                self.reopened_at is not None or (self.is_milestone_order and self.milestones_approved > 0)))

    @property
    def review_period(self) -> timedelta:
        """O7/O8: 3 days after a delivery; C3: 8 days after a milestone's."""
        return MILESTONE_REVIEW_PERIOD if self.is_milestone_order else REVIEW_PERIOD

    def current_run(self) -> StageRun:
        """The running stage as it runs now (kept in ``past_stages`` when the next starts, C2)."""
        return StageRun(started_at=self.started_at, due_at=self.due_at, delivered_at=self.delivered_at,
                        approved_at=self.approved_at, deliveries=self.deliveries - self.deliveries_before,
                        revisions_allowed=self.revisions_allowed, revisions_used=self.revisions_used)

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
        return self.delivered_at + self.review_period if self.delivered_at else None

    @property
    def revisions_left(self) -> int | None:
        return None if self.revisions_allowed is None else self.revisions_allowed - self.revisions_used

    def role_of(self, user_id: str) -> Actor | None:
        if user_id == self.buyer_id:
            return Actor.BUYER
        if user_id == self.seller_id:
            return Actor.SELLER
        return None

    def _row(self, action: OrderAction, role: Actor) -> Transition | None:
        return next((t for t in ORDER_TRANSITIONS if t.action is action and role in t.actors
                     and self.state in t.sources and (t.when is None or t.when(self))), None)

    def allowed_actions(self, role: Actor, now: datetime) -> list[OrderAction]:
        """What ``role`` could try now (for the order page); checks that need input are not run."""
        out: list[OrderAction] = []
        for action in dict.fromkeys(t.action for t in ORDER_TRANSITIONS):  # in the table's order
            row = self._row(action, role)
            if row is None:
                continue
            ctx = Context(role, None, now, None)
            if all(check in NEEDS_INPUT or check(self, ctx) is None for check in row.checks):
                out.append(action)
        return out

    def openable_request_kinds(self, role: Actor, now: datetime) -> list[RequestKind]:
        """O12: the kinds of resolution request ``role`` could open now: the open-request row's
        checks run once per kind (the kind is the only input they read)."""
        if OrderAction.OPEN_REQUEST not in self.allowed_actions(role, now):
            return []
        row = self._row(OrderAction.OPEN_REQUEST, role)
        assert row is not None  # allowed_actions found it
        return [kind for kind in REQUEST_RULES
                if all(check(self, Context(role, None, now, OpenResolutionRequest(kind))) is None
                       for check in row.checks)]

    # -- the one way an order changes -----------------------------------------------------------
    def apply(self, command: OrderCommand, role: Actor | str, actor_id: str | None, now: datetime) -> Outcome:
        """Take ``command`` as ``role``. Forbidden when the role never takes it (or it is not this
        party's to take), Conflict when the state or a check refuses, InvalidInput for bad input."""
        action, role = command.ACTION, Actor(role)
        rows = [t for t in ORDER_TRANSITIONS if t.action is action]
        if not any(role in t.actors for t in rows):
            raise Forbidden(f"The {role} cannot {action.replace('_', ' ')}.", code="actor_not_allowed",
                            rule=self._rule_of(rows))
        row = self._row(action, role)
        if row is None:
            raise Conflict(f"Cannot {action.replace('_', ' ')} an order that is "
                           f"{self.state.replace('_', ' ')}.", code="invalid_transition",
                           rule=self._rule_of([t for t in rows if role in t.actors]))
        ctx = Context(role, actor_id, now, command)
        for check in row.checks:
            error = check(self, ctx)
            if error is not None:
                raise error
        previous, request = self.state, self.request
        outcome = Outcome(action, previous, None)
        row.effect(self, ctx, outcome)
        if row.target is not None:
            self.state = row.target
            if row.target is not previous and row.target in ON_ENTER:
                ON_ENTER[row.target](self, ctx, outcome)
        self.seq += 1
        for kind in row.clears:
            self.timers.pop(kind, None)
        for kind in row.sets:
            self.timers[kind] = Timer(due_time(self, kind), f"{kind.value}:{self.seq}")
        self.updated_at = now
        outcome.event = self._event(row, ctx, request or self.request)
        return outcome

    def _rule_of(self, rows: list[Transition]) -> str | None:
        """The rule a refused action belongs to: of its rows, the one whose condition fits the order."""
        fitting = [t for t in rows if t.when is None or t.when(self)] or rows
        return next((t.rule for t in fitting if t.rule), None)

    def fire(self, kind: DeadlineKind, ref: str, now: datetime) -> Outcome | None:
        """The sweeper's entry: None when this timer is no longer the order's (or not yet due)."""
        timer = self.timers.get(kind)
        if timer is None or timer.ref != ref or timer.due_at > now:
            return None
        try:
            return self.apply(TIMER_COMMANDS[TIMER_ACTIONS[kind]], Actor.SYSTEM, None, now)
        except Conflict as refused:
            # A late timer is due at the due time itself, but an order is late only once that time
            # has passed (O9): a sweep at that very instant leaves it for the next one.
            if refused.code in ("not_late", "not_late_enough"):
                return None
            raise

    def _event(self, row: Transition, ctx: Context, request: ResolutionRequest | None) -> Event:
        recipients: tuple[str, ...]
        if ctx.role in (Actor.BUYER, Actor.SELLER):
            recipients = (self.seller_id,) if ctx.role is Actor.BUYER else (self.buyer_id,)
        else:
            recipients = (self.buyer_id, self.seller_id)
        data: dict[str, Any] = {"state": self.state.value, "action": row.action.value}
        if self.is_milestone_order:  # C2: the history names the milestone of each event
            data["milestone"] = self.stage + 1
            data["milestone_name"] = self.stages[self.stage].title
        if request is not None:
            data["request_id"] = request.id
            data["request_kind"] = request.kind.value
        for key in ("message", "reason"):
            value = getattr(ctx.command, key, None)
            if isinstance(value, str) and value.strip():
                data[key] = value.strip()
        summary = (row.summary or SUMMARIES[row.action]).format(
            number=self.number, request=request.kind.value.replace("_", " ") if request else "",
            review_days=self.review_period.days, milestone=self.stage + 1)
        if self.is_milestone_order and "milestone" not in (row.summary or SUMMARIES[row.action]):
            summary += f" (milestone {self.stage + 1}: {self.stages[self.stage].title})"
        return Event.new(kind=f"order.{row.action.value}", stream=f"order:{self.id}", at=ctx.now,
                         actor_role=ctx.role, actor_id=ctx.actor_id, summary=summary,
                         recipients=recipients if row.notify else (), notification=row.notify, data=data,
                         seq=self.seq)


def new_order_number() -> str:
    """Readable and random, never sequential: ``FO-7K3Q9-XD2MP`` (50 bits; collisions are not
    a practical concern, and the order id, not the number, is the key)."""
    alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
    chars = "".join(secrets.choice(alphabet) for _ in range(10))
    return f"FO-{chars[:5]}-{chars[5:]}"
