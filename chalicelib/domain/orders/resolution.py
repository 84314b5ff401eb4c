"""The resolution center (O10–O12): the requests a party opens on an order, and the offers a seller
makes inside an order (extras, a modification, additional revisions). One request is open at a
time ([decision] O12); the other party answers, the opener may withdraw, and unanswered it expires
(``REQUEST_RULES``: who opens which kind, in which states, for how long, and what expiry does)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from ..contact_details import text_field_errors
from ..errors import FieldError, InvalidInput
from ..events import Actor
from .states import RUNNING, WORKING, OrderState
from .terms import OrderLine
from .values import TEXT_MAX

EXTENSION_DAYS_MAX = 30  # O12 [decision]
MODIFICATION_DAYS_MAX = 30  # O10/O12 [decision] days an offer may add (or take away)
OFFER_LINES_MAX = 10  # O10 [decision]
OFFER_LINE_PRICE_MAX = 1_000_000  # O10 [decision] minor units, as a gig package at most
OFFER_REVISIONS_MAX = 20  # O12 [decision]
OFFER_LIFETIME = timedelta(days=4)  # O10/O12 [decision] extras, modification, additional revisions
EXTENSION_LIFETIME = timedelta(days=4)  # O12
CANCELLATION_LIFETIME = timedelta(hours=48)  # O11/O12
PROGRESS_UPDATE_LIFETIME = timedelta(days=2)  # O12


class RequestKind(StrEnum):
    CANCELLATION = "cancellation"  # O11, O12
    EXTENSION = "extension"  # O12
    PROGRESS_UPDATE = "progress_update"  # O12
    EXTRAS = "extras"  # O10
    MODIFICATION = "modification"  # O12
    ADDITIONAL_REVISIONS = "additional_revisions"  # O12, after completion


OFFER_KINDS = frozenset({RequestKind.EXTRAS, RequestKind.MODIFICATION, RequestKind.ADDITIONAL_REVISIONS})
TIMING_KINDS = frozenset({RequestKind.EXTENSION, RequestKind.EXTRAS, RequestKind.MODIFICATION})  # move the due time


@dataclass(frozen=True)
class RequestRule:
    openers: frozenset[Actor]
    states: frozenset[OrderState]
    lifetime: timedelta
    cancels_on_expiry: bool  # unanswered: the order is cancelled (else the request just lapses)
    rule: str
    reason_required: bool = False


_BUYER, _SELLER = frozenset({Actor.BUYER}), frozenset({Actor.SELLER})
REQUEST_RULES: dict[RequestKind, RequestRule] = {
    RequestKind.CANCELLATION: RequestRule(_BUYER | _SELLER, RUNNING, CANCELLATION_LIFETIME, True, "O11",
                                          reason_required=True),
    RequestKind.EXTENSION: RequestRule(_SELLER, WORKING, EXTENSION_LIFETIME, False, "O12", reason_required=True),
    RequestKind.PROGRESS_UPDATE: RequestRule(
        _BUYER, frozenset({OrderState.IN_PROGRESS, OrderState.REVISION_REQUESTED}), PROGRESS_UPDATE_LIFETIME,
        True, "O12"),
    RequestKind.EXTRAS: RequestRule(_SELLER, RUNNING, OFFER_LIFETIME, False, "O10"),
    RequestKind.MODIFICATION: RequestRule(_SELLER, RUNNING, OFFER_LIFETIME, False, "O12"),
    RequestKind.ADDITIONAL_REVISIONS: RequestRule(_SELLER, frozenset({OrderState.COMPLETED}), OFFER_LIFETIME,
                                                  False, "O12"),
}


@dataclass(frozen=True)
class ChangeOffer:
    """What the seller offers in an extras (O10), modification or additional-revisions request (O12)."""

    lines: tuple[OrderLine, ...] = ()
    added_days: int = 0  # a modification may also shorten (negative)
    added_revisions: int = 0

    @property
    def total(self) -> int:
        return sum(line.amount for line in self.lines)


@dataclass(frozen=True)
class ResolutionRequest:
    id: str
    kind: RequestKind
    opened_by: Actor
    opened_at: datetime
    expires_at: datetime
    reason: str
    days: int = 0  # extension
    offer: ChangeOffer | None = None  # extras, modification, additional revisions


def offer_errors(kind: RequestKind, offer: ChangeOffer, delivery_days: int, due_at: datetime | None,
                 now: datetime) -> list[FieldError]:
    """O10/O12: an offer's bounds, and that it leaves the order at least a day and a due time ahead."""
    errors: list[FieldError] = []
    rule = REQUEST_RULES[kind].rule
    if len(offer.lines) > OFFER_LINES_MAX:
        errors.append(FieldError("offer.lines", f"at most {OFFER_LINES_MAX}", code="too_many", rule=rule))
    for i, line in enumerate(offer.lines):
        if not 0 <= line.unit_price <= OFFER_LINE_PRICE_MAX or line.quantity < 1:
            errors.append(FieldError(f"offer.lines.{i}", f"price 0 to {OFFER_LINE_PRICE_MAX} (minor units) and "
                                     "quantity at least 1", code="out_of_range", rule=rule))
        # W2: what a seller offers is text people read
        errors += text_field_errors(f"offer.lines.{i}.description", line.description, maximum=TEXT_MAX,
                                    rule=rule)
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
    if delivery_days + offer.added_days < 1:  # before the clock starts there is no due time to check
        errors.append(FieldError("offer.added_days", "would leave less than one delivery day",
                                 code="out_of_range", rule=rule))
    elif due_at is not None and due_at + timedelta(days=offer.added_days) < now:
        errors.append(FieldError("offer.added_days", "would move the due time into the past",
                                 code="out_of_range", rule=rule))
    return errors


def check_extension_days(days: int) -> None:
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= EXTENSION_DAYS_MAX:
        raise InvalidInput("bad extension", fields=[FieldError(
            "days", f"a whole number of days from 1 to {EXTENSION_DAYS_MAX}", code="out_of_range", rule="O12")])
