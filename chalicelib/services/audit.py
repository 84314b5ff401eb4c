"""Reading the audit log (operators). Entries are written by each operator action's own service,
in its own transaction (``store.audit.stage``); this module only reads."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from chalicelib.domain.audit import AuditAction, AuditEntry, ObjectKind
from chalicelib.domain.errors import FieldError, InvalidInput
from chalicelib.store import audit as audit_store


@dataclass(frozen=True)
class AuditQuery:
    operator_id: str | None = None
    object_kind: ObjectKind | None = None
    object_id: str | None = None
    action: AuditAction | None = None
    since: datetime | None = None
    until: datetime | None = None


def entries(query: AuditQuery, limit: int, cursor: str | None) -> tuple[list[AuditEntry], str | None]:
    if query.object_id is not None and query.object_kind is None:
        raise InvalidInput("object_id needs object_kind.", code="object_kind_missing",
                           fields=[FieldError("object_kind", "required with object_id", "missing")])
    if query.since is not None and query.until is not None and query.since > query.until:
        raise InvalidInput("since is after until.", code="empty_range",
                           fields=[FieldError("since", "after until", "range")])
    return audit_store.page(operator_id=query.operator_id, object_kind=query.object_kind,
                            object_id=query.object_id, action=query.action, since=query.since,
                            until=query.until, limit=limit, cursor=cursor)
