"""W1: reports in one queue. Keys (docs/data-model.md):

    report   REPORT#<report id>   REPORT    gsi2: REPORTS#open / <created at>#<report id>   (open only)

The queue is the sparse ``REPORTS#open`` partition of gsi2: a report leaves it when it is
resolved (its gsi2 keys are removed), so a page of the queue is ONE Query, oldest first, and
reads only open reports."""
from __future__ import annotations

from pynamodb.attributes import JSONAttribute, VersionAttribute

from chalicelib.domain.clock import iso
from chalicelib.domain.codec import from_primitive, to_primitive
from chalicelib.domain.reports import Report, ReportState
from chalicelib.store import cursors
from chalicelib.store.records import Record
from chalicelib.store.table import TableItem
from chalicelib.store.unit_of_work import UnitOfWork

QUEUE = "REPORTS#open"


class ReportItem(TableItem, discriminator="report"):
    version = VersionAttribute()
    data = JSONAttribute()


def _key(report_id: str) -> tuple[str, str]:
    return f"REPORT#{report_id}", "REPORT"


def get(report_id: str) -> Record[Report, ReportItem] | None:
    try:
        item = ReportItem.get(*_key(report_id), consistent_read=True)
    except ReportItem.DoesNotExist:
        return None
    return Record(from_primitive(Report, item.data), item)


def new_record(report: Report) -> Record[Report, ReportItem]:
    return Record(report, ReportItem(*_key(report.id)))


def stage_save(uow: UnitOfWork, record: Record[Report, ReportItem], report: Report) -> None:
    item = record.item
    if report.state is ReportState.OPEN:
        item.gsi2pk, item.gsi2sk = QUEUE, f"{iso(report.created_at)}#{report.id}"
    else:
        item.gsi2pk = item.gsi2sk = None
    item.data = to_primitive(report)
    record.value = report
    uow.save(item)


def queue(limit: int, cursor: str | None) -> tuple[list[Report], str | None]:
    """Open reports, oldest first: one Query."""
    start = cursors.decode(cursor, expect={"gsi2pk": QUEUE})
    result = ReportItem.gsi2.query(QUEUE, scan_index_forward=True, limit=limit, last_evaluated_key=start)
    return [from_primitive(Report, i.data) for i in result], cursors.encode(result.last_evaluated_key)
