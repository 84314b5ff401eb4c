"""Custom offers (C1): request and response models; limits from domain/custom_offers.py."""
from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field, model_validator

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
from chalicelib.domain.orders import (
    MILESTONE_AMOUNT_MIN,
    MILESTONE_DAYS_MAX,
    MILESTONE_DESCRIPTION_MAX,
    MILESTONE_NAME_MAX,
    MILESTONE_TOTAL_MIN,
    MILESTONES_MAX,
    MILESTONES_MIN,
)
from chalicelib.handlers.actions import OFFER_ACTION_ROUTES
from chalicelib.handlers.schemas import ActionLinkOut, PageQuery, PartyRole, RequestModel
from chalicelib.handlers.schemas.gigs import CustomExtraChoice, PriceIn, PriceOut, QuoteLineOut, RequirementOut

OfferStateName = Literal["pending", "accepted", "declined", "withdrawn", "expired", "lapsed"]
assert set(OfferStateName.__args__) == {s.value for s in OfferState}  # type: ignore[attr-defined]


class MilestoneIn(RequestModel):
    """C2: the bounds are checked with the offer, so a refusal names its rule."""

    name: str = Field(max_length=MILESTONE_NAME_MAX)
    description: str = Field(max_length=MILESTONE_DESCRIPTION_MAX)
    delivery_days: int = Field(description=f"1 to {MILESTONE_DAYS_MAX} days.")
    amount: PriceIn = Field(description=f"At least {MILESTONE_AMOUNT_MIN} minor units.")
    revisions: int | None = Field(description="null: unlimited.")


class CustomOfferIn(RequestModel):
    gig_id: str = Field(min_length=1, max_length=64, description="One of your published gigs.")
    description: str = Field(max_length=OFFER_DESCRIPTION_MAX)
    price: PriceIn | None = Field(None, description="Required without milestones; with them, left out (their sum).")
    delivery_days: int | None = Field(None, ge=OFFER_DAYS_MIN, le=OFFER_DAYS_MAX,
                                      description="Required without milestones; with them, left out (their sum).")
    revisions: int | None = Field(ge=0, le=OFFER_REVISIONS_MAX,
                                  description="null: unlimited (with milestones: null, each carries its own).")
    requirements_asked: bool = Field(True, description="False skips the gig's requirements: the delivery "
                                                       "clock starts at acceptance (O3).")
    custom_extras: list[CustomExtraChoice] = Field(default_factory=list, max_length=20)
    expiry_days: int = Field(EXPIRY_DAYS_DEFAULT, ge=EXPIRY_DAYS_MIN, le=EXPIRY_DAYS_MAX)
    milestones: list[MilestoneIn] = Field(
        default_factory=list, max_length=20,
        description=f"C2: {MILESTONES_MIN} to {MILESTONES_MAX} milestones for an offer of at least "
                    f"{MILESTONE_TOTAL_MIN} minor units, each at least {MILESTONE_AMOUNT_MIN}; the last one "
                    "carries the full project delivery. Empty: the offer is one piece.")

    @model_validator(mode="after")
    def _price_and_days(self) -> CustomOfferIn:
        if self.milestones:
            if self.price is not None or self.delivery_days is not None:
                raise ValueError("with milestones, price and delivery_days are left out: the milestones give them")
        elif self.price is None or self.delivery_days is None:
            raise ValueError("price and delivery_days are required without milestones")
        return self


class DeclineIn(RequestModel):
    reason: str | None = Field(None, max_length=DECLINE_REASON_MAX)


class OfferRequestIn(RequestModel):
    text: str = Field(min_length=1, max_length=OFFER_REQUEST_TEXT_MAX)


class MilestoneOut(BaseModel):
    name: str
    description: str
    delivery_days: int
    amount: PriceOut
    revisions: int | None


class OfferActionOut(ActionLinkOut):
    action: Literal.__getitem__(tuple(a.value for a in OFFER_ACTION_ROUTES))  # type: ignore[valid-type]


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
    your_role: PartyRole
    allowed_actions: list[OfferActionOut] = Field(description="What the caller may do now, and the route that does it.")
    milestones: list[MilestoneOut] = Field(description="C2: empty for an offer in one piece.")


class CustomOfferPage(BaseModel):
    items: list[CustomOfferOut]
    next_cursor: str | None


class CustomOffersQuery(PageQuery):
    role: Literal["buyer", "seller"] = Field("buyer", description="Offers I received, or offers I sent.")
    state: OfferStateName | None = None
