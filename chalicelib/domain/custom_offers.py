"""Custom offers (C1): a seller proposes, inside a conversation the buyer opened, an order on
terms of their own, based on one of their published gigs; the buyer accepts (the order is placed,
O2 checks apply), declines, or lets it expire; the seller may withdraw it while pending.

    pending -> accepted | declined | withdrawn | expired

The transitions are data (``TRANSITIONS``): who takes each action and into which state. Every
refusal names its rule. An offer in answer to a buyer request (B2) carries the request's id
(``request_id``) instead of a conversation; accepting it also closes the request (B3), and its
other pending offers lapse (``lapsed``, by the system). An offer may be split into milestones
(C2, ``orders/milestones.py``): the order it places is then a plan of one stage per milestone."""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from .contact_details import text_field_errors
from .errors import Conflict, FieldError, Forbidden, InvalidInput
from .events import Actor
from .gigs import (
    DELIVERY_DAYS_MAX,
    DELIVERY_DAYS_MIN,
    DESCRIPTION_MAX,
    PRICE_MAX,
    PRICE_MIN,
    REVISIONS_MAX,
    Gig,
    Requirement,
)
from .ids import new_id
from .orders.milestones import Milestone, milestone_errors, milestone_terms
from .orders.terms import OrderLine, Terms
from .pricing import order_lines, price_extras
from .relationships import Relationship

# [decision] C1: an offer expires after 7 days unless the seller chose 1–30 days.
EXPIRY_DAYS_DEFAULT = 7
EXPIRY_DAYS_MIN, EXPIRY_DAYS_MAX = 1, 30
# [decision] an offer costs what a gig package may cost (G4), delivers within a package's days
# and carries at most a package's revisions (or unlimited, None).
OFFER_PRICE_MIN, OFFER_PRICE_MAX = PRICE_MIN, PRICE_MAX
OFFER_DAYS_MIN, OFFER_DAYS_MAX = DELIVERY_DAYS_MIN, DELIVERY_DAYS_MAX
OFFER_REVISIONS_MAX = REVISIONS_MAX
OFFER_DESCRIPTION_MAX = DESCRIPTION_MAX  # [decision] as long as a gig's description (G6)
DECLINE_REASON_MAX = 500  # [decision]
OFFER_REQUEST_TEXT_MAX = 2_000  # [decision] what a buyer writes asking for an offer
LINE_DESCRIPTION_MAX = 100  # the order line shows the first characters of the description


class OfferState(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"
    LAPSED = "lapsed"  # B3: its buyer request was closed, expired or took another offer


class OfferAction(StrEnum):
    ACCEPT = "accept"
    DECLINE = "decline"
    WITHDRAW = "withdraw"
    EXPIRE = "expire"
    LAPSE = "lapse"  # B3


@dataclass(frozen=True)
class OfferTransition:
    actor: Actor
    source: OfferState
    target: OfferState


# The whole machine: each action, who takes it, from which state, into which (C1).
TRANSITIONS: dict[OfferAction, OfferTransition] = {
    OfferAction.ACCEPT: OfferTransition(Actor.BUYER, OfferState.PENDING, OfferState.ACCEPTED),
    OfferAction.DECLINE: OfferTransition(Actor.BUYER, OfferState.PENDING, OfferState.DECLINED),
    OfferAction.WITHDRAW: OfferTransition(Actor.SELLER, OfferState.PENDING, OfferState.WITHDRAWN),
    OfferAction.EXPIRE: OfferTransition(Actor.SYSTEM, OfferState.PENDING, OfferState.EXPIRED),
    OfferAction.LAPSE: OfferTransition(Actor.SYSTEM, OfferState.PENDING, OfferState.LAPSED),  # B3
}


@dataclass(frozen=True)
class OfferDraft:
    """What the seller writes: the offer's own terms (C1)."""

    gig_id: str
    description: str
    price: int  # minor units
    delivery_days: int
    revisions: int | None  # None = unlimited
    requirements_asked: bool = True
    custom_extras: tuple[tuple[str, int], ...] = ()  # the gig's custom extras by id and quantity
    expiry_days: int = EXPIRY_DAYS_DEFAULT
    # C2: split into milestones; price and delivery_days are then their sums, and revisions None
    milestones: tuple[Milestone, ...] = ()


def draft_errors(draft: OfferDraft) -> list[FieldError]:
    errors = text_field_errors("description", draft.description, maximum=OFFER_DESCRIPTION_MAX, rule="C1")
    if draft.milestones:
        return errors + _milestone_draft_errors(draft)
    if not OFFER_PRICE_MIN <= draft.price <= OFFER_PRICE_MAX:
        errors.append(FieldError("price", f"must be {OFFER_PRICE_MIN}–{OFFER_PRICE_MAX} minor units",
                                 "out_of_range", "C1"))
    if not OFFER_DAYS_MIN <= draft.delivery_days <= OFFER_DAYS_MAX:
        errors.append(FieldError("delivery_days", f"must be {OFFER_DAYS_MIN}–{OFFER_DAYS_MAX}", "out_of_range",
                                 "C1"))
    if draft.revisions is not None and not 0 <= draft.revisions <= OFFER_REVISIONS_MAX:
        errors.append(FieldError("revisions", f"must be 0–{OFFER_REVISIONS_MAX}, or null for unlimited",
                                 "out_of_range", "C1"))
    if not EXPIRY_DAYS_MIN <= draft.expiry_days <= EXPIRY_DAYS_MAX:
        errors.append(FieldError("expiry_days", f"must be {EXPIRY_DAYS_MIN}–{EXPIRY_DAYS_MAX}", "out_of_range",
                                 "C1"))
    return errors


def _milestone_draft_errors(draft: OfferDraft) -> list[FieldError]:
    """C2: the milestones carry the offer's money, days and revisions; [decision] no custom extras
    beside milestones (each milestone names what it costs)."""
    errors = milestone_errors(draft.milestones)
    if draft.price != sum(m.amount for m in draft.milestones):
        errors.append(FieldError("price", "must be the sum of the milestones' amounts", "mismatch", "C2"))
    if draft.delivery_days != sum(m.delivery_days for m in draft.milestones):
        errors.append(FieldError("delivery_days", "must be the sum of the milestones' days", "mismatch", "C2"))
    if draft.revisions is not None:
        errors.append(FieldError("revisions", "each milestone carries its own revisions", "not_allowed", "C2"))
    if draft.custom_extras:
        errors.append(FieldError("custom_extras", "an offer with milestones takes no extras", "not_allowed", "C2"))
    if not EXPIRY_DAYS_MIN <= draft.expiry_days <= EXPIRY_DAYS_MAX:
        errors.append(FieldError("expiry_days", f"must be {EXPIRY_DAYS_MIN}–{EXPIRY_DAYS_MAX}", "out_of_range",
                                 "C1"))
    return errors


def _raise_invalid(errors: list[FieldError], what: str) -> None:
    if errors:
        w2 = any(e.rule == "W2" for e in errors)
        raise InvalidInput(f"The {what} contains contact details." if w2 else f"The {what} is invalid.",
                           code="contact_details" if w2 else f"invalid_{what.replace(' ', '_')}",
                           rule="W2" if w2 else errors[0].rule, fields=errors)


def check_offer_request_text(text: str) -> None:
    """C1: a buyer asks a seller for a custom offer from a gig page, in words (W2 applies)."""
    _raise_invalid(text_field_errors("text", text, maximum=OFFER_REQUEST_TEXT_MAX, rule="C1"), "offer request")


@dataclass(frozen=True)
class CustomOffer:
    id: str
    seller_id: str
    buyer_id: str
    gig_id: str
    gig_title: str
    conversation_id: str | None  # None for an offer on a buyer request (B2)
    description: str
    price: int
    delivery_days: int  # the offer's own days; chosen extras may add more (see ``terms``)
    revisions: int | None
    extra_lines: tuple[OrderLine, ...]  # chosen custom extras of the gig, priced as at ordering (G5)
    extra_days: int
    requirements_asked: bool
    requirements: tuple[Requirement, ...]  # the gig's, when asked (O3), as they were at sending
    state: OfferState
    created_at: datetime
    expires_at: datetime
    answered_at: datetime | None = None
    decline_reason: str | None = None
    order_id: str | None = None  # the order an acceptance placed
    request_id: str | None = None  # B2: the buyer request it answers
    milestones: tuple[Milestone, ...] = ()  # C2: empty for an offer in one piece

    # -- sending (C1, O5) ------------------------------------------------------------------------
    @staticmethod
    def send(*, seller_id: str, gig: Gig, relationship: Relationship, conversation_id: str | None,
             draft: OfferDraft, now: datetime, request_id: str | None = None) -> CustomOffer:
        if gig.seller_id != seller_id:
            raise Forbidden("An offer is based on one of your own gigs.", code="not_your_gig", rule="C1")
        if not gig.is_listed:
            raise Conflict("An offer is based on a published gig.", code="gig_not_published", rule="C1")
        if request_id is None and not relationship.buyer_wrote_first:  # O5: never to a stranger (B2: the request asks)
            raise Forbidden("A seller sends an offer only in a conversation the buyer opened.",
                            code="buyer_must_write_first", rule="O5")
        if relationship.blocked:
            raise Conflict("You blocked this buyer.", code="buyer_blocked", rule="O17")
        errors = draft_errors(draft)
        lines: tuple[OrderLine, ...] = ()
        days = 0
        if draft.custom_extras:
            try:
                quote = price_extras(gig, 0, draft.custom_extras)
            except InvalidInput as exc:
                errors += exc.fields
            else:
                lines = order_lines(quote.lines)
                days = quote.added_days
        _raise_invalid(errors, "offer")
        return CustomOffer(
            id=new_id("cof"), seller_id=seller_id, buyer_id=relationship.buyer_id, gig_id=gig.id,
            gig_title=gig.title, conversation_id=conversation_id, description=draft.description,
            price=draft.price, delivery_days=draft.delivery_days, revisions=draft.revisions,
            extra_lines=lines, extra_days=days, requirements_asked=draft.requirements_asked,
            requirements=tuple(gig.requirements) if draft.requirements_asked else (),
            state=OfferState.PENDING, created_at=now, expires_at=now + timedelta(days=draft.expiry_days),
            request_id=request_id,
            milestones=draft.milestones)

    # -- derived --------------------------------------------------------------------------------
    def role_of(self, user_id: str) -> Actor | None:
        if user_id == self.seller_id:
            return Actor.SELLER
        if user_id == self.buyer_id:
            return Actor.BUYER
        return None

    @property
    def total(self) -> int:
        return self.price + sum(line.amount for line in self.extra_lines)

    def is_expired(self, now: datetime) -> bool:
        return now >= self.expires_at

    def allowed_actions(self, actor: Actor, now: datetime) -> list[OfferAction]:
        if self.state is not OfferState.PENDING or self.is_expired(now):
            return []
        return [a for a, t in TRANSITIONS.items() if t.actor is actor and t.actor is not Actor.SYSTEM]

    def terms(self) -> Terms:
        """What accepting places an order on: the offer's price as one line of kind ``offer`` (plus
        chosen extras), its days and revisions, and the gig's requirements unless skipped; with none
        the delivery clock starts at acceptance (O3, C1). Split into milestones, a line and a
        payment stage per milestone (C2)."""
        if self.milestones:
            return milestone_terms(self.milestones, self.requirements)
        text = " ".join(self.description.split())
        line = OrderLine("offer", text if len(text) <= LINE_DESCRIPTION_MAX else text[: LINE_DESCRIPTION_MAX - 1]
                         + "…", self.price, 1, self.price)
        return Terms.single_stage(self.gig_title, (line, *self.extra_lines), self.delivery_days + self.extra_days,
                                  self.revisions, self.requirements, tier="custom_offer")

    # -- transitions (C1) -------------------------------------------------------------------------
    def apply(self, action: OfferAction, actor: Actor, now: datetime, *, reason: str | None = None,
              order_id: str | None = None) -> CustomOffer:
        rule = TRANSITIONS[action]
        if actor is not rule.actor:
            raise Forbidden(f"Only the {rule.actor.value} may {action.value} this offer.",
                            code=f"{rule.actor.value}_only", rule="C1")
        if self.state is not rule.source:
            raise Conflict(f"This offer is {self.state.value}.", code="offer_not_pending", rule="C1")
        if action is OfferAction.EXPIRE:
            if not self.is_expired(now):
                raise Conflict("This offer has not expired yet.", code="offer_not_expired", rule="C1")
        elif action is not OfferAction.LAPSE and self.is_expired(now):
            raise Conflict("This offer has expired.", code="offer_expired", rule="C1")
        if action is OfferAction.DECLINE and reason is not None:
            _raise_invalid(text_field_errors("reason", reason, maximum=DECLINE_REASON_MAX, rule="C1",
                                             required=False), "reason")
        if action is OfferAction.ACCEPT and not order_id:
            raise ValueError("an accepted offer names its order")
        return replace(self, state=rule.target, answered_at=now,
                       decline_reason=(reason or None) if action is OfferAction.DECLINE else None,
                       order_id=order_id if action is OfferAction.ACCEPT else None)
