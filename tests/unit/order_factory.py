"""Builders for order domain tests: a placed order on the factory gig, valid answers, and small
drivers that take an order to a given state through ``Order.apply`` alone (no AWS)."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from chalicelib.domain.deadlines import DeadlineKind
from chalicelib.domain.events import ActorRole
from chalicelib.domain.gigs import Gig
from chalicelib.domain.orders import Order, OrderAction, Outcome, RequestKind
from chalicelib.domain.pricing import Selection, price_selection
from chalicelib.domain.relationships import Relationship
from chalicelib.domain.requirements import Answer

from .gig_factory import NOW, SELLER_ID, published_gig

BUYER_ID = "usr_buyer0000000000000000"
OPERATOR_ID = "usr_operator0000000000000"
B, S, OP, SYS = ActorRole.BUYER, ActorRole.SELLER, ActorRole.OPERATOR, ActorRole.SYSTEM
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
    quote = price_selection(gig, selection)
    return Order.place(gig=gig, quote=quote, selection=selection, buyer_id=buyer_id,
                       seller_available=seller_available,
                       relationship=relationship or Relationship(gig.seller_id, buyer_id), now=now)


def no_requirements_gig(**overrides: Any) -> Gig:
    return published_gig(requirements=(), **overrides)


def in_progress(selection: Selection | None = None, *, now: datetime = NOW, **gig_overrides: Any) -> Order:
    """Placed on a gig without requirements: the clock starts at ``now``."""
    order, _ = place(no_requirements_gig(**gig_overrides), selection, now=now)
    return order


def delivered(at: datetime | None = None, **kw: Any) -> Order:
    order = in_progress(**kw)
    order.apply(A.DELIVER, S, SELLER_ID, at or NOW + timedelta(days=1), message="Here are the photos")
    return order


def completed(at: datetime | None = None, **kw: Any) -> Order:
    order = delivered(**kw)
    order.apply(A.ACCEPT, B, BUYER_ID, at or NOW + timedelta(days=2))
    return order


def actor_id(role: ActorRole) -> str | None:
    return {B: BUYER_ID, S: SELLER_ID, OP: OPERATOR_ID}.get(role)


def open_request(order: Order, role: ActorRole, kind: RequestKind, now: datetime, **payload: Any) -> Outcome:
    payload.setdefault("reason", "because")
    if kind is RequestKind.EXTENSION:
        payload.setdefault("days", 2)
    return order.apply(A.OPEN_REQUEST, role, actor_id(role), now, kind=kind, **payload)


def fire_due(order: Order, now: datetime) -> list[Outcome]:
    """Fires every timer of the order due at ``now`` (earliest first), as the sweeper would."""
    outcomes = []
    while True:
        due = sorted((t.due_at, k) for k, t in order.timers.items() if t.due_at <= now)
        if not due:
            return outcomes
        kind = due[0][1]
        outcome = order.fire(kind, order.timers[kind].ref, now)
        assert outcome is not None
        outcomes.append(outcome)


def assert_money_conserved(order: Order) -> None:
    b = order.balance
    assert b.held >= 0
    assert b.paid == b.refunded + b.seller_earnings + b.platform_fees + b.held
