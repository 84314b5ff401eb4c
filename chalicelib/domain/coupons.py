"""Seller coupons (M2, M1): a member seller gives a chosen recent buyer a percentage off their next
order on the seller's gigs.

- issuing: the seller is a member (a flag operators set on the seller profile, ``User.member``);
  the buyer completed an order with the seller within ``ELIGIBILITY_WINDOW`` (the pair's
  relationship keeps the last completion); the discount is 1..``DISCOUNT_PERCENT_MAX`` percent;
  the optional note is free text one person writes to another (W2); at most
  ``COUPONS_PER_MONTH`` per seller and calendar month (UTC); valid ``VALIDITY`` from issuing.
- using: by its buyer, once, on this seller's gigs, before it expires, on an order of at least
  ``MINIMUM_ORDER`` before the discount. The discount is a negative line of the order's price
  (``discount_line``), so what the buyer pays, the ledger, the 80/20 split (M1) and refunds (M3)
  all follow from the discounted total.
- a coupon used on an order that is then cancelled becomes void (``void_for``), never usable
  again.

Pure: the clock is passed in as ``now``."""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from .contact_details import text_field_errors
from .errors import Conflict, FieldError, Forbidden, InvalidInput, NotFound
from .ids import new_id
from .orders.terms import OrderLine

DISCOUNT_PERCENT_MIN = 1
DISCOUNT_PERCENT_MAX = 20  # M2: at most 20% of the original price
MINIMUM_ORDER = 100_00  # M2: minimum order $100 before the discount (minor units)
ELIGIBILITY_WINDOW = timedelta(days=90)  # M2: a buyer whose order was completed in the last 90 days
VALIDITY = timedelta(days=30)  # M2 [decision]: valid 30 days
COUPONS_PER_MONTH = 5  # M2 [decision]: per seller per calendar month
NOTE_MAX = 300  # [decision] characters of the optional personal note
COUPON_LINE = "coupon"  # the kind of the order line the discount is


class CouponState(StrEnum):
    ISSUED = "issued"  # usable until it expires
    USED = "used"  # on an order (single use)
    VOID = "void"  # M2: its order was cancelled


class CouponStatus(StrEnum):
    """What a party sees: the state, with an issued coupon past its time shown as expired."""

    ACTIVE = "active"
    EXPIRED = "expired"
    USED = "used"
    VOID = "void"


@dataclass(frozen=True)
class Coupon:
    id: str
    seller_id: str
    buyer_id: str
    percent: int
    note: str
    issued_at: datetime
    expires_at: datetime
    state: CouponState = CouponState.ISSUED
    order_id: str | None = None
    used_at: datetime | None = None
    voided_at: datetime | None = None

    def status(self, now: datetime) -> CouponStatus:
        if self.state is CouponState.USED:
            return CouponStatus.USED
        if self.state is CouponState.VOID:
            return CouponStatus.VOID
        return CouponStatus.EXPIRED if now >= self.expires_at else CouponStatus.ACTIVE

    # -- using (M2) ---------------------------------------------------------------------------
    def discount_for(self, *, buyer_id: str, gig_seller_id: str, subtotal: int, now: datetime) -> OrderLine:
        """The discount line of an order of ``subtotal`` (before the discount) on a gig of
        ``gig_seller_id``, or the refusal naming M2. Someone else's coupon is a 404."""
        if buyer_id != self.buyer_id:
            raise NotFound("No such coupon.")
        if gig_seller_id != self.seller_id:
            raise Conflict("This coupon is valid only on its seller's gigs.", code="coupon_other_seller",
                           rule="M2")
        if self.state is CouponState.USED:
            raise Conflict("This coupon was used already.", code="coupon_used", rule="M2")
        if self.state is CouponState.VOID:
            raise Conflict("This coupon is void: the order it was used on was cancelled.", code="coupon_void",
                           rule="M2")
        if now >= self.expires_at:
            raise Conflict("This coupon has expired.", code="coupon_expired", rule="M2")
        if subtotal < MINIMUM_ORDER:
            raise Conflict(f"A coupon needs an order of at least ${MINIMUM_ORDER // 100} before the discount.",
                           code="coupon_minimum_order", rule="M2")
        return discount_line(subtotal, self.percent)

    def used_on(self, order_id: str, now: datetime) -> Coupon:
        """Single use: the coupon is spent on ``order_id`` (after ``discount_for`` allowed it)."""
        if self.state is not CouponState.ISSUED:
            raise Conflict("This coupon was used already.", code="coupon_used", rule="M2")
        return replace(self, state=CouponState.USED, order_id=order_id, used_at=now)

    def void_for(self, order_id: str, now: datetime) -> Coupon | None:
        """M2: the coupon's order was cancelled; None when there is nothing to change (not used
        on that order, or void already), so a replayed cancellation changes nothing."""
        if self.state is not CouponState.USED or self.order_id != order_id:
            return None
        return replace(self, state=CouponState.VOID, voided_at=now)


def discount(subtotal: int, percent: int) -> int:
    """The amount off, in minor units, rounded down (the buyer never gets more than ``percent``)."""
    return subtotal * percent // 100


def discount_line(subtotal: int, percent: int) -> OrderLine:
    amount = discount(subtotal, percent)
    return OrderLine(COUPON_LINE, f"Seller coupon: {percent}% off", -amount, 1, -amount)


# -- issuing (M2) ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class IssueCoupon:
    seller_id: str
    buyer_id: str
    percent: int
    note: str = ""


def month_of(now: datetime) -> str:
    """The calendar month (UTC) a coupon counts against: ``2026-12``."""
    return now.astimezone(UTC).strftime("%Y-%m")


def month_end(now: datetime) -> datetime:
    """The first instant of the next calendar month (UTC)."""
    first = now.astimezone(UTC).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    return (first + timedelta(days=32)).replace(day=1)


def issue(command: IssueCoupon, *, seller_is_member: bool, last_completed_at: datetime | None,
          issued_this_month: int, now: datetime) -> Coupon:
    """A new coupon, or the refusal naming M2. ``last_completed_at``: when the buyer's latest
    order with the seller was completed (None: never); ``issued_this_month``: the seller's
    counter for ``month_of(now)``."""
    if not seller_is_member:
        raise Forbidden("Only member sellers issue coupons.", code="not_a_member", rule="M2")
    if command.buyer_id == command.seller_id:
        raise Conflict("A coupon is for one of your buyers.", code="coupon_for_self", rule="M2")
    errors: list[FieldError] = []
    percent = command.percent
    if isinstance(percent, bool) or not isinstance(percent, int) or not (
            DISCOUNT_PERCENT_MIN <= percent <= DISCOUNT_PERCENT_MAX):
        errors.append(FieldError("percent", f"must be a whole number from {DISCOUNT_PERCENT_MIN} to "
                                 f"{DISCOUNT_PERCENT_MAX}", code="out_of_range", rule="M2"))
    errors += text_field_errors("note", command.note, maximum=NOTE_MAX, rule="M2", required=False)
    if errors:
        raise InvalidInput("The coupon is invalid.", code="invalid_coupon", rule="M2", fields=errors)
    if last_completed_at is None or now - last_completed_at > ELIGIBILITY_WINDOW:
        raise Conflict(f"A coupon goes to a buyer whose order with you was completed in the last "
                       f"{ELIGIBILITY_WINDOW.days} days.", code="no_recent_order", rule="M2")
    if issued_this_month >= COUPONS_PER_MONTH:
        raise Conflict(f"You issued {COUPONS_PER_MONTH} coupons this month already; the limit resets "
                       "on the 1st.", code="coupon_limit_reached", rule="M2")
    return Coupon(id=new_id("cpn"), seller_id=command.seller_id, buyer_id=command.buyer_id, percent=percent,
                  note=command.note.strip(), issued_at=now, expires_at=now + VALIDITY)
