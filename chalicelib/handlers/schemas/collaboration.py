"""Comments on an order's files and invitations to review them (F2, F3)."""
from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from chalicelib.domain.collaboration import COMMENT_TEXT_MAX, EMAIL_MAX
from chalicelib.handlers.schemas import RequestModel
from chalicelib.handlers.schemas.files import DownloadOut


class PointIn(RequestModel):
    x: float = Field(allow_inf_nan=False, description="Fraction of the image's width from the left, 0..1")
    y: float = Field(allow_inf_nan=False, description="Fraction of the image's height from the top, 0..1")


class AnchorIn(RequestModel):
    """F2: a point for an image, a timestamp for audio and video."""

    point: PointIn | None = None
    timestamp: float | None = Field(None, allow_inf_nan=False, description="Seconds from the start")


class CommentIn(RequestModel):
    model_config = {**RequestModel.model_config, "str_strip_whitespace": False}

    text: str = Field(max_length=COMMENT_TEXT_MAX * 2, description=f"At most {COMMENT_TEXT_MAX} characters; "
                      "no contact details (W2)")
    anchor: AnchorIn | None = Field(None, description="Required on a first comment; none on a reply")
    parent_id: str | None = Field(None, max_length=64, description="Reply to this first comment of a thread")


class PointOut(BaseModel):
    x: float
    y: float


class AnchorOut(BaseModel):
    point: PointOut | None
    timestamp: float | None


class CommentOut(BaseModel):
    id: str
    order_id: str
    file_id: str
    author_kind: Literal["buyer", "seller", "invitee"]
    author_id: str = Field(description="A user id; for invitees the invitation id")
    text: str
    anchor: AnchorOut | None
    parent_id: str | None
    visible_to_seller: bool = Field(description="F3: false for invitees' threads")
    created_at: datetime


class CommentPage(BaseModel):
    items: list[CommentOut]
    next_cursor: str | None


class OrderFileOut(BaseModel):
    id: str
    name: str
    content_type: str
    size: int | None
    state: Literal["awaiting_upload", "scanning", "clean", "infected", "unscannable"]
    purpose: str
    uploaded_by: Literal["buyer", "seller"]
    commentable: bool = Field(description="F2: image, audio or video")
    duration_seconds: float | None = Field(description="When measured: the last timestamp a comment may use")
    link: str = Field(description="F2: the file's shareable link (a path of this API)")
    created_at: datetime


class OrderFilePage(BaseModel):
    items: list[OrderFileOut]
    next_cursor: str | None


class FilePageOut(BaseModel):
    file: OrderFileOut
    comments: list[CommentOut] = Field(description="The first comments the caller may see, oldest first")
    comments_next_cursor: str | None = Field(description="Continue with the comments list")
    download: DownloadOut | None = Field(description="A short-lived link; only for a clean file (F1)")


class InvitationIn(RequestModel):
    email: str = Field(min_length=3, max_length=EMAIL_MAX, description="Anyone's address, a user's or not")


class InvitationOut(BaseModel):
    id: str
    order_id: str
    email: str
    status: Literal["active", "revoked", "expired"]
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None


class InvitationCreatedOut(InvitationOut):
    token: str = Field(description="The secret; shown this once, only a hash is kept")
    link: str = Field(description="The path the invitee opens: /shared/<token>/files")


class InvitationPage(BaseModel):
    items: list[InvitationOut]
    next_cursor: str | None
