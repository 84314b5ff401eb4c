"""Seller metrics (O13, O14, O15): response models; windows and thresholds from domain/metrics.py."""
from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from chalicelib.domain.audit import REASON_MAX
from chalicelib.domain.metrics import (
    COMPLETION_WINDOW_DAYS,
    ON_TIME_WINDOW_DAYS,
    RESPONSE_WINDOW_DAYS,
    UNRESPONSIVE_WINDOW_DAYS,
)
from chalicelib.handlers.schemas import RequestModel

HOURS = 24


class FigureOut(BaseModel):
    value: float | None = Field(description="A rate from 0 to 1 (or seconds for the response time); null when "
                                            "nothing was counted in the window")
    window_days: int
    since: date = Field(description="The window's first day (UTC), today included in the window")
    counts: dict[str, int] = Field(description="The counts behind the figure")


class MetricsOut(BaseModel):
    completion_rate: FigureOut = Field(description=f"O13: completed ÷ (completed + cancellations not excused), "
                                                   f"orders finished in the last {COMPLETION_WINDOW_DAYS} days")
    unresponsiveness_rate: FigureOut = Field(description=f"O14: orders unresponded (a buyer waited over {HOURS} "
                                                         f"hours) ÷ orders active, last {UNRESPONSIVE_WINDOW_DAYS} "
                                                         "days; does not affect levels")
    response_rate: FigureOut = Field(description=f"O15: inbox conversations buyers started answered within "
                                                 f"{HOURS} hours ÷ those started, last {RESPONSE_WINDOW_DAYS} days")
    response_time_seconds: FigureOut = Field(description="O15: the mean time to the first reply, in seconds")
    on_time_delivery_rate: FigureOut = Field(description=f"First deliveries of an order (or milestone) by its "
                                                         f"due time ÷ first deliveries, last {ON_TIME_WINDOW_DAYS} "
                                                         "days")


class PublicResponseOut(BaseModel):
    """O15, shown to buyers on the seller's profile."""

    response_rate: float | None = Field(description=f"Conversations answered within {HOURS} hours ÷ "
                                                    f"conversations buyers started, last {RESPONSE_WINDOW_DAYS} "
                                                    "days; null: none")
    response_time_seconds: float | None = Field(description="The mean time to the first reply; null: none")
    conversations: int


class ExcuseIn(RequestModel):
    reason: str = Field(min_length=1, max_length=REASON_MAX, description="Why it was not the seller's fault "
                                                                         "(fraud, ordered by mistake, too little "
                                                                         "information): for the audit log")


class ExcuseOut(BaseModel):
    order_id: str
    seller_id: str
    excused: bool
    counted_on: date = Field(description="The day the cancellation is counted on (O13's window)")
    at: datetime
