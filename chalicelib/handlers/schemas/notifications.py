from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from chalicelib.handlers.schemas import PageQuery


class NotificationQuery(PageQuery):
    unread_only: bool = Field(False, description="Only entries not yet read.")


class NotificationOut(BaseModel):
    id: str = Field(description="The id of the event it tells of.")
    kind: str = Field(description="What happened, e.g. order.placed.")
    summary: str
    stream: str = Field(description="What it is about, e.g. order:<id>.")
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
