"""The audit log's items: one per operator action, written in the action's own transaction.

    AUDIT#<object kind>#<object id> / <at>#<entry id>   the entry (never updated)
                      gsi1 AUDITOP#<operator id> / <at>#<entry id>   (an operator's actions)
                      gsi2 AUDIT / <at>#<entry id>                     (the whole log)

Every listing is ONE Query, newest first: by object on the table, by operator on gsi1, the rest
on gsi2 (operator actions are a few thousand a day at most, well within one partition's write
rate). An action filter and a time range narrow a page; a filter that drops items returns a short
page with a cursor to go on, never a second Query."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from pynamodb.attributes import JSONAttribute, UnicodeAttribute

from chalicelib.domain.audit import AuditAction, AuditEntry, ObjectKind
from chalicelib.domain.clock import iso
from chalicelib.domain.codec import from_primitive, to_primitive
from chalicelib.store import cursors
from chalicelib.store.table import TableItem
from chalicelib.store.unit_of_work import UnitOfWork

ALL = "AUDIT"


class AuditItem(TableItem, discriminator="audit_entry"):
    action = UnicodeAttribute()
    object_kind = UnicodeAttribute()
    data = JSONAttribute()


def _sk(entry: AuditEntry) -> str:
    return f"{iso(entry.at)}#{entry.id}"


def stage(uow: UnitOfWork, entry: AuditEntry) -> None:
    """Adds the entry to the action's transaction (put only if new: an entry is never rewritten)."""
    item = AuditItem(f"AUDIT#{entry.object_kind.value}#{entry.object_id}", _sk(entry))
    item.action, item.object_kind = entry.action.value, entry.object_kind.value
    item.gsi1pk, item.gsi1sk = f"AUDITOP#{entry.operator_id}", _sk(entry)
    item.gsi2pk, item.gsi2sk = ALL, _sk(entry)
    item.data = to_primitive(entry)
    uow.save(item, condition=AuditItem.pk.does_not_exist())


def page(*, operator_id: str | None, object_kind: ObjectKind | None, object_id: str | None,
         action: AuditAction | None, since: datetime | None, until: datetime | None, limit: int,
         cursor: str | None) -> tuple[list[AuditEntry], str | None]:
    """Entries newest first. ``object_id`` needs ``object_kind`` (the caller checks); a kind alone
    filters."""
    low = iso(since) if since else "0"
    high = (iso(until) if until else "9") + "~"  # "~" sorts after every "#<id>" suffix
    query: Any
    if object_kind is not None and object_id is not None:
        pk, key, query, sk = f"AUDIT#{object_kind.value}#{object_id}", "pk", AuditItem.query, AuditItem.sk
    elif operator_id is not None:
        pk, key, query, sk = f"AUDITOP#{operator_id}", "gsi1pk", AuditItem.gsi1.query, AuditItem.gsi1sk
    else:
        pk, key, query, sk = ALL, "gsi2pk", AuditItem.gsi2.query, AuditItem.gsi2sk
    start = cursors.decode(cursor, expect={key: pk})
    conditions = []
    if action is not None:
        conditions.append(AuditItem.action == action.value)
    if object_kind is not None and key != "pk":
        conditions.append(AuditItem.object_kind == object_kind.value)
    if operator_id is not None and key != "gsi1pk":
        conditions.append(AuditItem.gsi1pk == f"AUDITOP#{operator_id}")
    condition = None
    for c in conditions:
        condition = c if condition is None else condition & c
    result = query(pk, sk.between(low, high), filter_condition=condition, scan_index_forward=False,
                   last_evaluated_key=start, page_size=limit)
    raw = result.page_iter.next()
    items = [AuditItem.from_raw_data(r) for r in raw.get("Items", [])]
    return [from_primitive(AuditEntry, i.data) for i in items], cursors.encode(raw.get("LastEvaluatedKey"))
