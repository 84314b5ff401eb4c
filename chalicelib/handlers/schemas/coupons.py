"""Seller coupons (M2): request and response models; limits from domain/coupons.py. The percent's
bounds are checked by the domain, so a refusal names its rule (M2)."""
from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from chalicelib.domain.audit import REASON_MAX
from chalicelib.domain.coupons import (
    COUPONS_PER_MONTH,
    DISCOUNT_PERCENT_MAX,
    DISCOUNT_PERCENT_MIN,
    ELIGIBILITY_WINDOW,
    MINIMUM_ORDER,
    NOTE_MAX,
    VALIDITY,
    CouponStatus,
)
from chalicelib.handlers.schemas import RequestModel


class MembershipIn(RequestModel):
    member: bool = Field(description="M2: a member seller may issue coupons.")
    reason: str = Field(max_length=REASON_MAX, description="For the audit log; never shown to the seller.")


class MembershipOut(BaseModel):
    seller_id: str
    member: bool


class CouponIn(RequestModel):
    buyer_id: str = Field(min_length=1, max_length=64,
                          description=f"A buyer whose order with you was completed in the last "
                                      f"{ELIGIBILITY_WINDOW.days} days.")
    percent: int = Field(description=f"The discount, {DISCOUNT_PERCENT_MIN} to {DISCOUNT_PERCENT_MAX} percent.")
    note: str = Field("", max_length=NOTE_MAX, description="Optional personal note; no contact details (W2).")


class CouponOut(BaseModel):
    id: str
    seller_id: str
    buyer_id: str
    percent: int
    note: str
    status: CouponStatus = Field(description="active (usable until expires_at), expired, used, or void (its "
                                             "order was cancelled).")
    issued_at: datetime
    expires_at: datetime = Field(description=f"{VALIDITY.days} days after issuing.")
    minimum_order: int = Field(description=f"Minor units before the discount (M2: ${MINIMUM_ORDER // 100}).")
    order_id: str | None = Field(description="The order it was used on.")
    used_at: datetime | None
    voided_at: datetime | None


class CouponPage(BaseModel):
    items: list[CouponOut]
    next_cursor: str | None


MONTHLY_LIMIT_TEXT = f"at most {COUPONS_PER_MONTH} per calendar month (UTC)"
