"""W1: the report queue: request and response models; limits from domain/reports.py."""
from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field, model_validator

from chalicelib.domain.reports import NOTE_MAX, ReportAction, ReportKind, ReportState
from chalicelib.handlers.schemas import RequestModel
from chalicelib.handlers.schemas.warnings import ViolationName

ReportKindName = Literal["spam", "file", "contact_details"]
assert set(ReportKindName.__args__) == {k.value for k in ReportKind}  # type: ignore[attr-defined]
ReportActionName = Literal["dismiss", "warn", "remove_content"]
assert set(ReportActionName.__args__) == {a.value for a in ReportAction}  # type: ignore[attr-defined]
ReportStateName = Literal["open", "dismissed", "actioned"]
assert set(ReportStateName.__args__) == {s.value for s in ReportState}  # type: ignore[attr-defined]


class ReportWarningIn(RequestModel):
    type: ViolationName
    severe: bool = False


class ReportActionIn(RequestModel):
    action: ReportActionName
    note: str = Field(min_length=1, max_length=NOTE_MAX,
                      description="Why (the audit log keeps it); for `warn`, the warning's reason the user reads.")
    warning: ReportWarningIn | None = Field(None, description="Required for `warn`: the warning to issue.")

    @model_validator(mode="after")
    def _warning_with_warn(self) -> ReportActionIn:
        if (self.action == "warn") != (self.warning is not None):
            raise ValueError("`warning` goes with the action `warn`, and only with it")
        return self


class QueuedReportOut(BaseModel):
    id: str
    kind: ReportKindName
    subject_id: str = Field(description="The message, the file, or (contact_details) the user.")
    subject_user_id: str = Field(description="Whom the report is about.")
    reporter_id: str | None = Field(description="null: filed by the system.")
    reason: str | None
    excerpt: str
    created_at: datetime
    state: ReportStateName
    action: ReportActionName | None
    resolved_by: str | None
    resolved_at: datetime | None
    note: str | None
    warning_id: str | None
    allowed_actions: list[ReportActionName]


class QueuedReportPage(BaseModel):
    items: list[QueuedReportOut]
    next_cursor: str | None
