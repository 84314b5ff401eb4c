"""File records (F1) and reports on them. Keys (docs/data-model.md):

    file         FILE#<file id>   FILE
    file report  FILE#<file id>   REPORT#<reporter id>   gsi1: FILE_REPORTS / <at>#<file id>#<reporter id>

An attached file is also on gsi1 under what it is attached to (``ATTACHED#order:<id>`` /
``<created>#<file id>``): the files of an order are one query (F2).

A file's events (``file.blocked``) live in its partition too (stream ``file:<id>``)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pynamodb.attributes import JSONAttribute, UnicodeAttribute, VersionAttribute

from chalicelib.domain.clock import iso
from chalicelib.domain.codec import from_primitive, to_primitive
from chalicelib.domain.files import StoredFile
from chalicelib.store import cursors
from chalicelib.store.records import Record
from chalicelib.store.table import TableItem
from chalicelib.store.unit_of_work import UnitOfWork

REPORTS_PARTITION = "FILE_REPORTS"


class FileItem(TableItem, discriminator="file"):
    version = VersionAttribute()
    owner_id = UnicodeAttribute()
    state = UnicodeAttribute()
    data = JSONAttribute()


class FileReportItem(TableItem, discriminator="file_report"):
    file_id = UnicodeAttribute()
    reporter_id = UnicodeAttribute()
    reason = UnicodeAttribute()
    at = UnicodeAttribute()


def _key(file_id: str) -> tuple[str, str]:
    return f"FILE#{file_id}", "FILE"


def get(file_id: str) -> Record[StoredFile, FileItem] | None:
    try:
        item = FileItem.get(*_key(file_id), consistent_read=True)
    except FileItem.DoesNotExist:
        return None
    return Record(from_primitive(StoredFile, item.data), item)


def get_many(file_ids: list[str]) -> dict[str, Record[StoredFile, FileItem]]:
    """Records by id (missing ids are absent). At most 100 per call (BatchGetItem)."""
    keys = list(dict.fromkeys(file_ids))
    if not keys:
        return {}
    out = {}
    for item in FileItem.batch_get([_key(i) for i in keys], consistent_read=True):
        value = from_primitive(StoredFile, item.data)
        out[value.id] = Record(value, item)
    return out


def new_record(f: StoredFile) -> Record[StoredFile, FileItem]:
    return Record(f, FileItem(*_key(f.id)))


def stage_save(uow: UnitOfWork, record: Record[StoredFile, FileItem], f: StoredFile) -> None:
    item = record.item
    item.owner_id = f.owner_id
    item.state = f.state.value
    item.data = to_primitive(f)
    if f.attached_to:
        item.gsi1pk, item.gsi1sk = attached_partition(f.attached_to), f"{iso(f.created_at)}#{f.id}"
    else:
        item.gsi1pk = item.gsi1sk = None
    uow.save(item)
    record.value = f


def attached_partition(target: str) -> str:
    return f"ATTACHED#{target}"


def page_attached(target: str, limit: int, cursor: str | None,
                  owner_id: str | None = None) -> tuple[list[StoredFile], str | None]:
    """Files attached to ``target`` ("order:<id>"), oldest first; only ``owner_id``'s when given."""
    pk = attached_partition(target)
    start = cursors.decode(cursor, expect={"gsi1pk": pk})
    result = FileItem.gsi1.query(pk, limit=limit, last_evaluated_key=start,
                                 filter_condition=(FileItem.owner_id == owner_id) if owner_id else None)
    return [from_primitive(StoredFile, i.data) for i in result], cursors.encode(result.last_evaluated_key)


def stage_check(uow: UnitOfWork, record: Record[StoredFile, FileItem]) -> None:
    uow.check(record.item, FileItem.version == record.item.version)


@dataclass(frozen=True)
class Report:
    file_id: str
    reporter_id: str
    reason: str
    at: datetime


def get_report(file_id: str, reporter_id: str) -> Report | None:
    try:
        item = FileReportItem.get(f"FILE#{file_id}", f"REPORT#{reporter_id}", consistent_read=True)
    except FileReportItem.DoesNotExist:
        return None
    return _report(item)


def stage_report(uow: UnitOfWork, report: Report) -> None:
    item = FileReportItem(f"FILE#{report.file_id}", f"REPORT#{report.reporter_id}")
    item.file_id, item.reporter_id = report.file_id, report.reporter_id
    item.reason, item.at = report.reason, iso(report.at)
    item.gsi1pk = REPORTS_PARTITION
    item.gsi1sk = f"{iso(report.at)}#{report.file_id}#{report.reporter_id}"
    # One report per person and file: a second one is a conflict, not a duplicate row.
    uow.save(item, condition=FileReportItem.pk.does_not_exist())


def _report(item: FileReportItem) -> Report:
    return Report(file_id=item.file_id, reporter_id=item.reporter_id, reason=item.reason,
                  at=from_primitive(datetime, item.at))


def page_of_reports(limit: int, cursor: str | None) -> tuple[list[Report], str | None]:
    """Newest first."""
    start = cursors.decode(cursor, expect={"gsi1pk": REPORTS_PARTITION})
    result = FileReportItem.gsi1.query(REPORTS_PARTITION, scan_index_forward=False, limit=limit,
                                       last_evaluated_key=start)
    reports = [_report(i) for i in result]
    return reports, cursors.encode(result.last_evaluated_key)
