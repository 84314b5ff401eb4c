"""The test clock (domain/dev_clock.py): present only where the stage's configuration enables it."""
from __future__ import annotations

from datetime import timedelta

from pydantic import AwareDatetime, BaseModel, Field

from chalicelib.domain.dev_clock import MAX_ADVANCE
from chalicelib.handlers.schemas import RequestModel


class ClockAdvanceIn(RequestModel):
    """Exactly one of ``by`` and ``to``. The clock only moves forward, at most MAX_ADVANCE at once."""

    by: timedelta | None = Field(None, description="A duration, ISO 8601 (`P3D`, `PT24H`, `P1DT2H30M`) "
                                                   f"or seconds; at most {MAX_ADVANCE.days} days",
                                 examples=["P3D"])
    to: AwareDatetime | None = Field(None, description="An instant after the server's current time, with "
                                                       "its offset (`2026-12-10T09:00:00Z`)")


class ClockOut(BaseModel):
    now: AwareDatetime = Field(description="The server's time: the real time plus the offset")
    real_now: AwareDatetime
    offset_seconds: float = Field(description="How far the server's clock runs ahead of the real one")
    advances: int
    set_by: str | None = Field(description="The operator who moved it last")
    set_at: AwareDatetime | None = Field(description="The server's time right after the last move")


class CatchUpOut(BaseModel):
    rounds: int = Field(description="Rounds of sweeper + outbox reactions run after the move")
    fired: int = Field(description="Deadlines fired")
    dispatched: int = Field(description="Outbox events whose reactions ran")
    failed: int
    settled: bool = Field(description="True when the last round found nothing more to do")


class ClockAdvancedOut(ClockOut):
    caught_up: CatchUpOut
