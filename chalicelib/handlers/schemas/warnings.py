"""W1: warnings and an account's standing: request and response models; limits from domain/warnings.py."""
from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from chalicelib.domain.warnings import REASON_MAX, SUSPENSION_DAYS, WARNING_ACTIVE_DAYS, LadderOutcome, ViolationType
from chalicelib.handlers.schemas import RequestModel

ViolationName = Literal["abusive_behaviour", "spam", "misleading_profile", "contact_details", "feedback_solicitation",
                        "misrepresented_service", "off_platform", "incomplete_delivery"]
assert set(ViolationName.__args__) == {t.value for t in ViolationType}  # type: ignore[attr-defined]
OutcomeName = Literal["reminder", "demotion", "suspension", "block"]
assert set(OutcomeName.__args__) == {o.value for o in LadderOutcome}  # type: ignore[attr-defined]


class WarningIn(RequestModel):
    type: ViolationName
    reason: str = Field(min_length=1, max_length=REASON_MAX, description="Shown to the warned user (and kept in "
                                                                         "the audit log).")
    severe: bool = Field(False, description="A severe violation blocks the account at once (W1).")


class WarningOut(BaseModel):
    id: str
    user_id: str
    type: ViolationName
    reason: str
    severe: bool
    issued_at: datetime
    expires_at: datetime = Field(description=f"Active {WARNING_ACTIVE_DAYS} days; only active warnings count.")
    active: bool
    lapsed_at: datetime | None
    outcome: OutcomeName = Field(description="What the ladder did: a reminder, a demotion one level (recorded), "
                                             f"a suspension of {SUSPENSION_DAYS} days, or a block.")
    report_id: str | None


class RestrictionOut(BaseModel):
    kind: Literal["suspended", "blocked"]
    since: datetime
    until: datetime | None = Field(description="null: blocked, without end.")


class StandingOut(BaseModel):
    user_id: str
    active_warnings: int
    restriction: RestrictionOut | None = Field(description="The suspension or block in force; null: none.")
    demotions: int = Field(description="Levels lost to the ladder (A2), recorded until levels exist.")


class WarningPage(BaseModel):
    items: list[WarningOut]
    next_cursor: str | None
    standing: StandingOut


class StandingReasonIn(RequestModel):
    reason: str = Field(min_length=1, max_length=REASON_MAX, description="Why (the audit log keeps it).")
