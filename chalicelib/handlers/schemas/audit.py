"""The operators' audit log."""
from __future__ import annotations

from datetime import datetime

from pydantic import AwareDatetime, BaseModel, Field

from chalicelib.domain.audit import AuditAction, ObjectKind
from chalicelib.handlers.schemas import PageQuery


class AuditQueryIn(PageQuery):
    operator_id: str | None = Field(None, max_length=128, description="Only this operator's actions.")
    object_kind: ObjectKind | None = Field(None, description="Only actions on objects of this kind.")
    object_id: str | None = Field(None, max_length=128, description="Only actions on this object (needs object_kind).")
    action: AuditAction | None = Field(None, description="Only this kind of action.")
    since: AwareDatetime | None = Field(None, description="Only actions at or after this instant (with an offset).")
    until: AwareDatetime | None = Field(None, description="Only actions at or before this instant.")


class AuditEntryOut(BaseModel):
    id: str
    at: datetime
    operator_id: str = Field(description="Who acted")
    action: AuditAction
    object_kind: ObjectKind
    object_id: str
    reason: str = Field(description="The operator's reason as given (may be empty where the action takes none)")
    details: dict[str, str]


class AuditPage(BaseModel):
    items: list[AuditEntryOut]
    next_cursor: str | None = Field(description="A filtered page may come back short: go on while a cursor is given")
