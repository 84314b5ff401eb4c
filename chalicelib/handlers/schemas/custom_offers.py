"""Custom offers (C1): request and response models; limits from domain/custom_offers.py."""
from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from chalicelib.domain.custom_offers import (
    DECLINE_REASON_MAX,
    EXPIRY_DAYS_DEFAULT,
    EXPIRY_DAYS_MAX,
    EXPIRY_DAYS_MIN,
    OFFER_DAYS_MAX,
    OFFER_DAYS_MIN,
    OFFER_DESCRIPTION_MAX,
    OFFER_REQUEST_TEXT_MAX,
    OFFER_REVISIONS_MAX,
    OfferState,
)
from chalicelib.handlers.schemas import PageQuery, RequestModel
from chalicelib.handlers.schemas.gigs import CustomExtraChoice, PriceIn, PriceOut, QuoteLineOut, RequirementOut

OfferStateName = Literal["pending", "accepted", "declined", "withdrawn", "expired", "lapsed"]
assert set(OfferStateName.__args__) == {s.value for s in OfferState}  # type: ignore[attr-defined]


class CustomOfferIn(RequestModel):
    gig_id: str = Field(min_length=1, max_length=64, description="One of your published gigs.")
    description: str = Field(max_length=OFFER_DESCRIPTION_MAX)
    price: PriceIn
    delivery_days: int = Field(ge=OFFER_DAYS_MIN, le=OFFER_DAYS_MAX)
    revisions: int | None = Field(ge=0, le=OFFER_REVISIONS_MAX, description="null: unlimited.")
    requirements_asked: bool = Field(True, description="False skips the gig's requirements: the delivery "
                                                       "clock starts at acceptance (O3).")
    custom_extras: list[CustomExtraChoice] = Field(default_factory=list, max_length=20)
    expiry_days: int = Field(EXPIRY_DAYS_DEFAULT, ge=EXPIRY_DAYS_MIN, le=EXPIRY_DAYS_MAX)


class DeclineIn(RequestModel):
    reason: str | None = Field(None, max_length=DECLINE_REASON_MAX)


class OfferRequestIn(RequestModel):
    text: str = Field(min_length=1, max_length=OFFER_REQUEST_TEXT_MAX)


class CustomOfferOut(BaseModel):
    id: str
    state: OfferStateName
    seller_id: str
    buyer_id: str
    gig_id: str
    gig_title: str
    conversation_id: str | None = Field(description="The conversation it was sent in; null for an offer on a "
                                                    "buyer request (B2).")
    request_id: str | None = Field(None, description="The buyer request it answers (B2), if any.")
    description: str
    price: PriceOut
    total: PriceOut
    delivery_days: int
    extra_days: int
    revisions: int | None
    extras: list[QuoteLineOut]
    requirements_asked: bool
    requirements: list[RequirementOut]
    created_at: datetime
    expires_at: datetime
    answered_at: datetime | None
    decline_reason: str | None
    order_id: str | None
    your_role: Literal["seller", "buyer", "operator"]
    allowed_actions: list[Literal["accept", "decline", "withdraw"]]


class CustomOfferPage(BaseModel):
    items: list[CustomOfferOut]
    next_cursor: str | None


class CustomOffersQuery(PageQuery):
    role: Literal["buyer", "seller"] = Field("buyer", description="Offers I received, or offers I sent.")
    state: OfferStateName | None = None
