"""The audit log of operator actions (W1), for operators. Thin: one service call per view."""
from __future__ import annotations

from chalicelib.domain.clock import utc
from chalicelib.domain.codec import to_primitive
from chalicelib.handlers.api import Api, Call
from chalicelib.handlers.schemas.audit import AuditEntryOut, AuditPage, AuditQueryIn
from chalicelib.services import audit

api = Api(__name__, tag="operations")


@api.route("/operator/audit-log", "GET",
           summary="Every operator action (who, what, on which object, why, when), newest first, filtered "
                   "by operator, object, action or time (operators) (W1)",
           query=AuditQueryIn, response=AuditPage, operator_only=True)
def audit_log(call: Call) -> AuditPage:
    q: AuditQueryIn = call.query
    query = audit.AuditQuery(operator_id=q.operator_id, object_kind=q.object_kind, object_id=q.object_id,
                             action=q.action, since=utc(q.since) if q.since else None,
                             until=utc(q.until) if q.until else None)
    items, cursor = audit.entries(query, q.limit, q.cursor)
    return AuditPage(items=[AuditEntryOut(**to_primitive(e)) for e in items], next_cursor=cursor)
