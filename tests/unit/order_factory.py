"""Builders for order domain tests: a placed order on the factory gig, valid answers, and small
drivers that take an order to a given state through ``Order.apply`` alone (no AWS)."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from chalicelib.domain.deadlines import DeadlineKind
from chalicelib.domain.events import Actor
from chalicelib.domain.gigs import Gig
from chalicelib.domain.orders import (
    Accept,
    ChangeOffer,
    Deliver,
    Milestone,
    OpenResolutionRequest,
    Order,
    OrderAction,
    Outcome,
    RequestKind,
    milestone_terms,
)
from chalicelib.domain.pricing import Selection, gig_terms
from chalicelib.domain.relationships import Relationship
from chalicelib.domain.requirements import Answer

from .gig_factory import NOW, SELLER_ID, published_gig

BUYER_ID = "usr_buyer0000000000000000"
OPERATOR_ID = "usr_operator0000000000000"
B, S, OP, SYS = Actor.BUYER, Actor.SELLER, Actor.OPERATOR, Actor.SYSTEM
A = OrderAction
K = DeadlineKind

# The factory gig's requirements: address (free text, mandatory), kind (one of House/Apartment/
# Office, mandatory), plan (file, optional).
VALID_ANSWERS = (Answer("address", text="12 Elm Street"), Answer("kind", choices=("House",)))


def place(gig: Gig | None = None, selection: Selection | None = None, *, now: datetime = NOW,
          buyer_id: str = BUYER_ID, seller_available: bool = True,
          relationship: Relationship | None = None) -> tuple[Order, Outcome]:
    gig = gig or published_gig()
    selection = selection or Selection("basic")
    return Order.place(gig=gig, terms=gig_terms(gig, selection), buyer_id=buyer_id,
                       seller_available=seller_available,
                       relationship=relationship or Relationship(gig.seller_id, buyer_id), now=now)


# C2: a custom offer split into three milestones ($60 + $80 + $50), the last one the full delivery.
MILESTONES = (Milestone("Floor plans", "Measured plans of every floor", 5, 6_000, 1),
              Milestone("Renders", "Three renders of the living room", 10, 8_000, 2),
              Milestone("Final set", "The full project: plans, renders, materials list", 3, 5_000, None))


def place_milestones(gig: Gig | None = None, milestones: tuple[Milestone, ...] = MILESTONES, *,
                     now: datetime = NOW) -> tuple[Order, Outcome]:
    """A milestone order (C2) on the gig, as an accepted custom offer places it (by default on a gig
    without requirements, so the first milestone starts at once)."""
    gig = gig or no_requirements_gig()
    return Order.place(gig=gig, terms=milestone_terms(milestones, tuple(gig.requirements)), buyer_id=BUYER_ID,
                       seller_available=True, relationship=Relationship(gig.seller_id, BUYER_ID), now=now)


def no_requirements_gig(**overrides: Any) -> Gig:
    return published_gig(requirements=(), **overrides)


def in_progress(selection: Selection | None = None, *, now: datetime = NOW, **gig_overrides: Any) -> Order:
    """Placed on a gig without requirements: the clock starts at ``now``."""
    order, _ = place(no_requirements_gig(**gig_overrides), selection, now=now)
    return order


def delivered(at: datetime | None = None, **kw: Any) -> Order:
    order = in_progress(**kw)
    order.apply(Deliver(message="Here are the photos"), S, SELLER_ID, at or NOW + timedelta(days=1))
    return order


def completed(at: datetime | None = None, **kw: Any) -> Order:
    order = delivered(**kw)
    order.apply(Accept(), B, BUYER_ID, at or NOW + timedelta(days=2))
    return order


def actor_id(role: Actor) -> str | None:
    return {B: BUYER_ID, S: SELLER_ID, OP: OPERATOR_ID}.get(role)


def open_request(order: Order, role: Actor, kind: RequestKind, now: datetime, *, reason: str = "because",
                 days: Any = ..., offer: ChangeOffer | None = None) -> Outcome:
    if days is ...:  # not given: a valid extension (tests pass bad values on purpose)
        days = 2 if kind is RequestKind.EXTENSION else 0
    return order.apply(OpenResolutionRequest(kind, reason, days, offer), role, actor_id(role), now)


def fire_due(order: Order, now: datetime, passes: int = 5) -> list[Outcome]:
    """Fires the order's timers due at ``now`` as sweeps would: each pass fires every timer due
    at its start once, earliest first (kind breaks ties, as in the due index's sort key), and
    skips the ones an earlier fire of the pass replaced or removed. Stops when a pass fires
    nothing; fails if timers keep firing after ``passes`` passes."""
    outcomes: list[Outcome] = []
    for _ in range(passes):
        due = sorted((t.due_at, k, t.ref) for k, t in order.timers.items() if t.due_at <= now)
        fired = False
        for _, kind, ref in due:
            outcome = order.fire(kind, ref, now)
            if outcome is not None:
                outcomes.append(outcome)
                fired = True
        if not fired:
            return outcomes
    raise AssertionError(f"timers still firing after {passes} sweeps: {order.timers}")


def assert_money_conserved(order: Order) -> None:
    """M1/M3 per order and per stage (C2: per milestone)."""
    b = order.balance
    assert b.held >= 0
    assert b.paid == b.refunded + b.seller_earnings + b.platform_fees + b.held
    for money in b.stages:
        assert money.held >= 0
        assert money.paid == money.refunded + money.seller_earnings + money.platform_fees + money.held
