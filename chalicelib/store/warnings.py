"""W1 warnings and the W2 refusal counter. Keys (docs/data-model.md):

    warning          WARNING#<warning id>   WARNING       gsi1: WARNINGS#<user id> / <issued at>#<warning id>
    refusal counter  USER#<user id>         W2REFUSALS    (hourly buckets of the last 24 hours)

A user's warnings are one Query on gsi1, newest first. The account's standing (active warnings,
suspension, block) lives on the user item (store/users.py), which the request pipeline already
reads for writes."""
from __future__ import annotations

from pynamodb.attributes import JSONAttribute, VersionAttribute

from chalicelib.domain.clock import iso
from chalicelib.domain.codec import from_primitive, to_primitive
from chalicelib.domain.warnings import AccountWarning, RefusalCounter
from chalicelib.store import cursors
from chalicelib.store.records import Record
from chalicelib.store.table import TableItem
from chalicelib.store.unit_of_work import UnitOfWork


class WarningItem(TableItem, discriminator="warning"):
    version = VersionAttribute()
    data = JSONAttribute()


class RefusalCounterItem(TableItem, discriminator="w2_refusals"):
    version = VersionAttribute()
    data = JSONAttribute()


def _key(warning_id: str) -> tuple[str, str]:
    return f"WARNING#{warning_id}", "WARNING"


def _partition(user_id: str) -> str:
    return f"WARNINGS#{user_id}"


def get(warning_id: str) -> Record[AccountWarning, WarningItem] | None:
    try:
        item = WarningItem.get(*_key(warning_id), consistent_read=True)
    except WarningItem.DoesNotExist:
        return None
    return Record(from_primitive(AccountWarning, item.data), item)


def stage_new(uow: UnitOfWork, warning: AccountWarning) -> None:
    item = WarningItem(*_key(warning.id))
    item.gsi1pk, item.gsi1sk = _partition(warning.user_id), f"{iso(warning.issued_at)}#{warning.id}"
    item.data = to_primitive(warning)
    uow.save(item, WarningItem.pk.does_not_exist())


def stage_save(uow: UnitOfWork, record: Record[AccountWarning, WarningItem], warning: AccountWarning) -> None:
    record.item.data = to_primitive(warning)
    record.value = warning
    uow.save(record.item)


def of_user(user_id: str, limit: int, cursor: str | None) -> tuple[list[AccountWarning], str | None]:
    """A user's warnings, newest first: one Query."""
    pk = _partition(user_id)
    start = cursors.decode(cursor, expect={"gsi1pk": pk})
    result = WarningItem.gsi1.query(pk, scan_index_forward=False, limit=limit, last_evaluated_key=start)
    return [from_primitive(AccountWarning, i.data) for i in result], cursors.encode(result.last_evaluated_key)


def counter(user_id: str) -> Record[RefusalCounter, RefusalCounterItem]:
    try:
        item = RefusalCounterItem.get(f"USER#{user_id}", "W2REFUSALS", consistent_read=True)
    except RefusalCounterItem.DoesNotExist:
        return Record(RefusalCounter(), RefusalCounterItem(f"USER#{user_id}", "W2REFUSALS"))
    return Record(from_primitive(RefusalCounter, item.data), item)


def stage_counter(uow: UnitOfWork, record: Record[RefusalCounter, RefusalCounterItem], value: RefusalCounter) -> None:
    record.item.data = to_primitive(value)
    record.value = value
    uow.save(record.item)
