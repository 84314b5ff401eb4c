from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from chalicelib.domain.accounts import NotificationKind
from chalicelib.handlers.schemas import PageQuery


class NotificationQuery(PageQuery):
    unread_only: bool = Field(False, description="Only entries not yet read.")


class LinkOut(BaseModel):
    """The object a notification is about, and where to read it (null path: nothing the
    recipient can open, e.g. an invitation)."""

    kind: str = Field(description="order, conversation, file, buyer_request, review, account, ...")
    id: str
    path: str | None


class NotificationOut(BaseModel):
    id: str = Field(description="The id of the event it tells of.")
    kind: NotificationKind = Field(description="What it is about, in the preferences' vocabulary (A3).")
    event: str = Field(description="Exactly what happened: the event's own kind, e.g. order.deliver.")
    summary: str
    stream: str = Field(description="Whose history it belongs to, e.g. order:<id>.")
    link: LinkOut | None
    at: datetime
    read: bool
    read_at: datetime | None = None


class NotificationPage(BaseModel):
    items: list[NotificationOut]
    next_cursor: str | None = None


class UnreadCountOut(BaseModel):
    unread: int


class ReadAllOut(BaseModel):
    marked: int = Field(description="How many entries this call marked read.")
    more: bool = Field(description="Older unread entries remain: call again.")
