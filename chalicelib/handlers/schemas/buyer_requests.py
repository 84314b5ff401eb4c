"""Buyer requests (B1–B3): request and response models; limits from domain/buyer_requests.py."""
from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from chalicelib.domain.buyer_requests import (
    ATTACHMENTS_MAX,
    DAYS_MAX,
    DAYS_MIN,
    DESCRIPTION_MAX,
    RequestState,
)
from chalicelib.handlers.actions import REQUEST_ACTION_ROUTES
from chalicelib.handlers.schemas import ActionLinkOut, PageQuery, PartyRole, RequestModel
from chalicelib.handlers.schemas.custom_offers import CustomOfferOut
from chalicelib.handlers.schemas.gigs import PriceIn, PriceOut

RequestStateName = Literal["open", "accepted", "closed", "expired"]
assert set(RequestStateName.__args__) == {s.value for s in RequestState}  # type: ignore[attr-defined]
FileStateName = Literal["awaiting_upload", "scanning", "clean", "infected", "unscannable"]


class BuyerRequestIn(RequestModel):
    description: str = Field(min_length=1, max_length=DESCRIPTION_MAX, description="No contact details (W2).")
    category: str = Field(min_length=1, max_length=64)
    subcategory: str = Field(min_length=1, max_length=64)
    budget: PriceIn
    delivery_days: int = Field(ge=DAYS_MIN, le=DAYS_MAX)
    attachments: list[str] = Field(default_factory=list, max_length=ATTACHMENTS_MAX,
                                   description="Ids of your uploads with purpose `buyer_request` (scanned, F1).")


class AttachmentOut(BaseModel):
    id: str
    name: str
    content_type: str
    size: int | None
    state: FileStateName = Field(description="F1: only a clean file can be downloaded (GET /files/{id}/download).")


class RequestActionOut(ActionLinkOut):
    action: Literal.__getitem__(tuple(a.value for a in REQUEST_ACTION_ROUTES))  # type: ignore[valid-type]


class BuyerRequestOut(BaseModel):
    id: str
    state: RequestStateName
    buyer_id: str
    description: str
    category: str
    subcategory: str
    budget: PriceOut
    delivery_days: int
    attachments: list[AttachmentOut]
    created_at: datetime
    expires_at: datetime
    ended_at: datetime | None
    accepted_offer_id: str | None
    order_id: str | None
    your_role: PartyRole
    your_offer_id: str | None = Field(None, description="A seller's own offer on this request (B2: one).")
    allowed_actions: list[RequestActionOut] = Field(description="What the caller may do now, and the route that "
                                                                "does it.")


class BuyerRequestPage(BaseModel):
    items: list[BuyerRequestOut]
    next_cursor: str | None


class BuyerRequestsQuery(PageQuery):
    state: RequestStateName | None = None


class FeedEntryOut(BaseModel):
    """What a seller's feed shows of an open request; the whole request is at /buyer-requests/{id}."""

    id: str
    buyer_id: str
    excerpt: str
    category: str
    subcategory: str
    budget: PriceOut
    delivery_days: int
    attachments: int = Field(description="How many files the request carries.")
    created_at: datetime
    expires_at: datetime


class FeedPage(BaseModel):
    items: list[FeedEntryOut]
    next_cursor: str | None


class RequestOffersOut(BaseModel):
    items: list[CustomOfferOut]
