"""Deadlines in the sparse, sharded ``due`` index. Only deadline items carry ``due_shard``, so the
index holds nothing else, and the sweeper's cost follows the number of due deadlines alone."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from chalicelib.config import settings
from chalicelib.domain.clock import iso
from chalicelib.domain.codec import from_primitive
from chalicelib.domain.deadlines import Deadline, DeadlineKind, shard_of
from chalicelib.domain.errors import Conflict
from chalicelib.store.models import DeadlineItem
from chalicelib.store.orders import OrderTimerItem, timer_deadline
from chalicelib.store.records import Record
from chalicelib.store.table import TableItem
from chalicelib.store.unit_of_work import UnitOfWork


def _key(kind: DeadlineKind, subject: str) -> tuple[str, str]:
    return f"DEADLINE#{kind.value}#{subject}", "DEADLINE"


def _to_domain(item: DeadlineItem) -> Deadline:
    return Deadline(kind=DeadlineKind(item.kind), subject=item.subject, ref=item.ref,
                    due_at=from_primitive(datetime, item.due_at.split("#", 1)[0]))


def get(kind: DeadlineKind, subject: str) -> Record[Deadline, DeadlineItem] | None:
    try:
        item = DeadlineItem.get(*_key(kind, subject), consistent_read=True)
    except DeadlineItem.DoesNotExist:
        return None
    return Record(_to_domain(item), item)


def stage_set(uow: UnitOfWork, deadline: Deadline, existing: Record[Deadline, DeadlineItem] | None) -> None:
    """Puts the deadline, replacing the one of the same kind and subject (read as ``existing``)."""
    item = existing.item if existing else DeadlineItem(*_key(deadline.kind, deadline.subject))
    item.kind = deadline.kind.value
    item.subject = deadline.subject
    item.ref = deadline.ref
    item.due_shard = f"DUE#{shard_of(deadline.subject, settings().due_shards):02d}"
    item.due_at = f"{iso(deadline.due_at)}#{deadline.kind.value}#{deadline.subject}"
    uow.save(item)


def stage_clear(uow: UnitOfWork, existing: Record[Deadline] | None) -> None:
    if existing:
        uow.delete(existing.item)


def drop_stale(uow: UnitOfWork, existing: Record[Deadline]) -> None:
    """A fire found its subject ended (or gone): the transaction that ended it deleted this deadline,
    but the due index (eventually consistent) may still show it. Delete it if it is still there;
    already gone (the version-checked delete fails) is the same outcome."""
    stage_clear(uow, existing)
    try:
        uow.commit()
    except Conflict:
        pass


def due(now: datetime, shard: int, limit: int) -> Iterator[Record[Deadline]]:
    """Deadlines of one shard due at or before ``now``, oldest first: the account deadlines of this
    module and the order timers (store/orders.py), which share the index."""
    upper = f"{iso(now)}#~"  # '~' sorts after every kind and subject character
    for item in TableItem.due.query(f"DUE#{shard:02d}", TableItem.due_at <= upper, limit=limit):
        if isinstance(item, DeadlineItem):
            yield Record(_to_domain(item), item)
        elif isinstance(item, OrderTimerItem):
            yield Record(timer_deadline(item), item)
