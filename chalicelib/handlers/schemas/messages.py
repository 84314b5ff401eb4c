from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from chalicelib.domain.messaging import (
    CALL_LINK_MAX,
    MAX_ATTACHMENTS,
    MESSAGE_TEXT_MAX,
    QUICK_RESPONSE_TITLE_MAX,
    SPAM_REASON_MAX,
)
from chalicelib.handlers.schemas import PageQuery, RequestModel
from chalicelib.handlers.schemas.accounts import PublicAvailability
from chalicelib.handlers.schemas.gigs import PriceOut

UserId = Annotated[str, Field(min_length=1, max_length=128)]
FileId = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_\-]+$")]


class MessageIn(RequestModel):
    """A message needs text, an attachment or a call link. Contact details are refused (W2)."""

    text: str = Field("", max_length=MESSAGE_TEXT_MAX)
    attachment_ids: list[FileId] = Field(default_factory=list, max_length=MAX_ATTACHMENTS,
                                         description="Ids of uploaded files.")
    call_link: str | None = Field(None, max_length=CALL_LINK_MAX,
                                  description="O16: an https Zoom link; sellers only.")


class WriteIn(MessageIn):
    """Name the seller you write to (as a buyer) or the buyer (as a seller, O5)."""

    seller_id: UserId | None = None
    buyer_id: UserId | None = None


class MessageOut(BaseModel):
    id: str
    thread: str
    conversation_id: str | None = None
    sender_id: str
    text: str
    attachment_ids: list[str]
    call_link: str | None
    at: datetime
    kind: Literal["text", "custom_offer", "offer_request"] = Field(
        "text", description="C1: a text message, a custom offer (offer_id) or a request for one (gig_id).")
    offer_id: str | None = None
    gig_id: str | None = None


class MessagePage(BaseModel):
    items: list[MessageOut]
    next_cursor: str | None


class ConversationOut(BaseModel):
    id: str
    seller_id: str
    buyer_id: str
    my_role: Literal["seller", "buyer"]
    counterpart_id: str
    started_by: str
    started_at: datetime
    last_message_at: datetime
    last_sender_id: str
    last_message_preview: str
    message_count: int
    unread: int = Field(description="Messages to the caller since they last marked it read.")
    away: PublicAvailability | None = Field(
        None, description="A4: the seller's away notice while the other party is a seller who is away now "
                          "(as on the seller's profile and gig pages).")


class ConversationPage(BaseModel):
    items: list[ConversationOut]
    next_cursor: str | None


class SpamReportIn(RequestModel):
    reason: str | None = Field(None, max_length=SPAM_REASON_MAX)


class SpamReportOut(BaseModel):
    message_id: str
    thread: str
    reporter_id: str
    sender_id: str
    at: datetime
    reason: str | None
    text: str


class SpamReportPage(BaseModel):
    items: list[SpamReportOut]
    next_cursor: str | None


class QuickResponseIn(RequestModel):
    title: str = Field(max_length=QUICK_RESPONSE_TITLE_MAX)
    text: str = Field(max_length=MESSAGE_TEXT_MAX)


class QuickResponseOut(BaseModel):
    id: str
    title: str
    text: str
    created_at: datetime
    updated_at: datetime


class QuickResponsePage(BaseModel):
    items: list[QuickResponseOut]
    next_cursor: str | None


class BlockedBuyerOut(BaseModel):
    buyer_id: str
    blocked_at: datetime


class BlockedBuyerPage(BaseModel):
    items: list[BlockedBuyerOut]
    next_cursor: str | None


class ContactsQuery(PageQuery):
    role: Literal["seller", "buyer"] = Field("seller", description="The caller's side: 'seller' lists "
                                             "their buyers, 'buyer' their sellers.")


class ContactOut(BaseModel):
    """O19: per counterpart, the orders between the pair and their conversation."""

    counterpart_id: str
    my_role: Literal["seller", "buyer"]
    completed_orders: int
    active_orders: int
    orders_placed: int
    total_spent: PriceOut
    last_order_at: datetime | None
    last_activity_at: datetime | None
    conversation_id: str | None
    blocked: bool


class ContactPage(BaseModel):
    items: list[ContactOut]
    next_cursor: str | None
