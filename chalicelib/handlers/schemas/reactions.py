"""Dead letters of the outbox (operators)."""
from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from chalicelib.domain.reactions import MAX_ATTEMPTS


class ReplayOut(BaseModel):
    by: str = Field(description="The operator's user id")
    at: datetime


class DeadLetterOut(BaseModel):
    """An event whose reactions failed MAX_ATTEMPTS times. The event's data is not shown (it may
    carry a secret for its reactions, or personal details): the summary says what happened."""

    event_id: str
    kind: str
    stream: str
    at: datetime
    summary: str
    attempts: int = Field(description=f"Failed attempts since queued or last replayed (at most {MAX_ATTEMPTS})")
    failed_handlers: list[str] = Field(description="The reactions that failed on the last attempt")
    last_error: str | None
    last_failed_at: datetime | None
    dead_lettered_at: datetime | None = Field(description="None once replayed")
    replays: list[ReplayOut] = Field(description="Every operator replay, oldest first")


class DeadLetterPage(BaseModel):
    items: list[DeadLetterOut]
    next_cursor: str | None
