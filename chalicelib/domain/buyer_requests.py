"""Buyer requests (B1–B3): a buyer posts a brief (description, category and subcategory, budget,
delivery days, attachments); sellers with a published gig in that category see it in their feed
and may answer it with one custom offer each (B2, C1); the buyer accepts one offer, which places
the order and closes the request (B3). A request also closes when the buyer closes it, or by
itself after ``OPEN_DAYS`` (the sweeper).

    open -> accepted | closed | expired

The transitions are data (``TRANSITIONS``): who takes each action and into which state. Every
refusal names its rule."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from .catalogue import Catalogue
from .contact_details import text_field_errors
from .errors import Conflict, FieldError, Forbidden, InvalidInput
from .events import Actor
from .gigs import DELIVERY_DAYS_MAX, DELIVERY_DAYS_MIN, PRICE_MAX, PRICE_MIN, Gig
from .ids import new_id

OPEN_DAYS = 14  # B1 [decision] a request stays open 14 days
OPEN_REQUESTS_MAX = 10  # B1 [decision] a buyer has at most 10 open requests
DESCRIPTION_MAX = 2_500  # [decision] Fiverr's request box
ATTACHMENTS_MAX = 5  # [decision]
BUDGET_MIN, BUDGET_MAX = PRICE_MIN, PRICE_MAX  # [decision] what a gig package may cost (G4)
DAYS_MIN, DAYS_MAX = DELIVERY_DAYS_MIN, DELIVERY_DAYS_MAX  # [decision] a package's days (G4)
EXCERPT_MAX = 200  # what a seller's feed shows of the description


class RequestState(StrEnum):
    OPEN = "open"
    ACCEPTED = "accepted"  # B3: an offer was accepted; its order is placed
    CLOSED = "closed"  # the buyer closed it (B1)
    EXPIRED = "expired"  # OPEN_DAYS passed (B1)


class RequestAction(StrEnum):
    ACCEPT_OFFER = "accept_offer"
    CLOSE = "close"
    EXPIRE = "expire"


@dataclass(frozen=True)
class RequestTransition:
    actor: Actor
    source: RequestState
    target: RequestState
    rule: str


# The whole machine: each action, who takes it, from which state, into which (B1, B3).
TRANSITIONS: dict[RequestAction, RequestTransition] = {
    RequestAction.ACCEPT_OFFER: RequestTransition(Actor.BUYER, RequestState.OPEN, RequestState.ACCEPTED, "B3"),
    RequestAction.CLOSE: RequestTransition(Actor.BUYER, RequestState.OPEN, RequestState.CLOSED, "B1"),
    RequestAction.EXPIRE: RequestTransition(Actor.SYSTEM, RequestState.OPEN, RequestState.EXPIRED, "B1"),
}


@dataclass(frozen=True)
class RequestDraft:
    """What the buyer writes (B1)."""

    description: str
    category: str
    subcategory: str
    budget: int  # minor units
    delivery_days: int
    attachments: tuple[str, ...] = ()  # file ids uploaded for the ``buyer_request`` purpose (F1)


def draft_errors(draft: RequestDraft, catalogue: Catalogue) -> list[FieldError]:
    """B1: the brief's fields; W2 on the description; the category from the catalogue (G2)."""
    errors = text_field_errors("description", draft.description, maximum=DESCRIPTION_MAX, rule="B1")
    if catalogue.category(draft.category) is None:
        errors.append(FieldError("category", "no such category", "unknown_category", "B1"))
    elif catalogue.subcategory(draft.category, draft.subcategory) is None:
        errors.append(FieldError("subcategory", f"no such subcategory of {draft.category}", "unknown_subcategory",
                                 "B1"))
    if not BUDGET_MIN <= draft.budget <= BUDGET_MAX:
        errors.append(FieldError("budget", f"must be {BUDGET_MIN}–{BUDGET_MAX} minor units", "out_of_range", "B1"))
    if not DAYS_MIN <= draft.delivery_days <= DAYS_MAX:
        errors.append(FieldError("delivery_days", f"must be {DAYS_MIN}–{DAYS_MAX}", "out_of_range", "B1"))
    if len(draft.attachments) > ATTACHMENTS_MAX:
        errors.append(FieldError("attachments", f"at most {ATTACHMENTS_MAX} files", "too_many", "B1"))
    return errors


def _raise_invalid(errors: list[FieldError]) -> None:
    if errors:
        w2 = any(e.rule == "W2" for e in errors)
        raise InvalidInput("The request contains contact details." if w2 else "The request is invalid.",
                           code="contact_details" if w2 else "invalid_request",
                           rule="W2" if w2 else errors[0].rule, fields=errors)


def excerpt(text: str) -> str:
    one_line = " ".join(text.split())
    return one_line if len(one_line) <= EXCERPT_MAX else one_line[: EXCERPT_MAX - 1] + "…"


def listed_categories(gigs: Iterable[Gig]) -> frozenset[str]:
    """B1/B2: the categories a seller has a published (listed) gig in."""
    return frozenset(g.category for g in gigs if g.is_listed)


@dataclass(frozen=True)
class BuyerRequest:
    id: str
    buyer_id: str
    description: str
    category: str
    subcategory: str
    budget: int
    delivery_days: int
    attachments: tuple[str, ...]
    state: RequestState
    created_at: datetime
    expires_at: datetime
    ended_at: datetime | None = None
    accepted_offer_id: str | None = None  # B3
    order_id: str | None = None  # B3: the order the accepted offer placed

    # -- posting (B1) ---------------------------------------------------------------------------
    @staticmethod
    def post(*, buyer_id: str, draft: RequestDraft, catalogue: Catalogue, open_requests: int,
             now: datetime) -> BuyerRequest:
        _raise_invalid(draft_errors(draft, catalogue))
        if open_requests >= OPEN_REQUESTS_MAX:
            raise Conflict(f"A buyer has at most {OPEN_REQUESTS_MAX} open requests; close one first.",
                           code="too_many_open_requests", rule="B1")
        return BuyerRequest(
            id=new_id("breq"), buyer_id=buyer_id, description=draft.description, category=draft.category,
            subcategory=draft.subcategory, budget=draft.budget, delivery_days=draft.delivery_days,
            attachments=tuple(draft.attachments), state=RequestState.OPEN, created_at=now,
            expires_at=now + timedelta(days=OPEN_DAYS))

    # -- derived --------------------------------------------------------------------------------
    def is_expired(self, now: datetime) -> bool:
        return now >= self.expires_at

    def is_open(self, now: datetime) -> bool:
        return self.state is RequestState.OPEN and not self.is_expired(now)

    def matches(self, categories: Iterable[str]) -> bool:
        """B1: a seller with a published gig in the request's category sees it."""
        return self.category in set(categories)

    def allowed_actions(self, actor: Actor, now: datetime) -> list[RequestAction]:
        if not self.is_open(now):
            return []
        return [a for a, t in TRANSITIONS.items() if t.actor is actor and a is RequestAction.CLOSE]

    # -- answering (B2) -------------------------------------------------------------------------
    def check_offer(self, seller_id: str, gig: Gig, already_offered: bool, now: datetime) -> None:
        """B2: may this seller answer with an offer on this gig? (The gig's own C1 checks, owner
        and published, are the offer's.)"""
        if seller_id == self.buyer_id:
            raise Forbidden("You cannot answer your own request.", code="own_request", rule="B2")
        if self.state is not RequestState.OPEN:
            raise Conflict(f"This request is {self.state.value}.", code="request_not_open", rule="B1")
        if self.is_expired(now):
            raise Conflict("This request has expired.", code="request_expired", rule="B1")
        if gig.category != self.category:
            raise Conflict("An offer on a request is based on your published gig in the request's category.",
                           code="gig_not_in_category", rule="B2")
        if already_offered:
            raise Conflict("You already sent an offer on this request.", code="one_offer_per_request", rule="B2")

    # -- transitions (B1, B3) -------------------------------------------------------------------
    def apply(self, action: RequestAction, actor: Actor, now: datetime, *, offer_id: str | None = None,
              order_id: str | None = None) -> BuyerRequest:
        rule = TRANSITIONS[action]
        if actor is not rule.actor:
            raise Forbidden(f"Only the {rule.actor.value} may {action.value.replace('_', ' ')} this request.",
                            code=f"{rule.actor.value}_only", rule=rule.rule)
        if self.state is not rule.source:
            raise Conflict(f"This request is {self.state.value}.", code="request_not_open", rule=rule.rule)
        if action is RequestAction.EXPIRE:
            if not self.is_expired(now):
                raise Conflict("This request has not expired yet.", code="request_not_expired", rule="B1")
        elif self.is_expired(now):
            raise Conflict("This request has expired.", code="request_expired", rule="B1")
        if action is RequestAction.ACCEPT_OFFER and not (offer_id and order_id):
            raise ValueError("an accepted request names its offer and order")
        return replace(self, state=rule.target, ended_at=now,
                       accepted_offer_id=offer_id if action is RequestAction.ACCEPT_OFFER else None,
                       order_id=order_id if action is RequestAction.ACCEPT_OFFER else None)
