"""Messages of any thread, and spam reports.

A message lives in the partition of its thread (``conversation:c`` → ``CONVERSATION#c``,
``order:o`` → ``ORDER#o``, the same partition as the thread's events), sorted by time, then the
message's number in its thread (``Message.seq``), then its id: messages of one instant each have
their own key and keep a stable order, and a cursor (the last key) resumes exactly after one. A
thread's messages are one Query. ``gsi1`` finds a message by id (``MESSAGE#<id>``), which is
what a spam report starts from. A spam report is one item per message and reporter (so a second
one is refused by a condition), listed for operators through ``gsi1`` under ``SPAM_REPORTS``."""
from __future__ import annotations

from pynamodb.attributes import JSONAttribute, UnicodeAttribute

from chalicelib.domain.clock import iso
from chalicelib.domain.codec import from_primitive, to_primitive
from chalicelib.domain.messaging import Message, SpamReport, Thread
from chalicelib.store import cursors
from chalicelib.store.events import partition_of
from chalicelib.store.table import TableItem
from chalicelib.store.unit_of_work import UnitOfWork

SPAM_REPORTS = "SPAM_REPORTS"


class MessageItem(TableItem, discriminator="message"):
    """Immutable once written: no version."""

    sender_id = UnicodeAttribute()
    data = JSONAttribute()


class SpamReportItem(TableItem, discriminator="spam_report"):
    data = JSONAttribute()


def sort_key(message: Message) -> str:
    return f"MESSAGE#{iso(message.at)}#{message.seq:010d}#{message.id}"


def stage_save(uow: UnitOfWork, message: Message) -> None:
    item = MessageItem(partition_of(message.thread), sort_key(message))
    item.sender_id = message.sender_id
    item.gsi1pk, item.gsi1sk = f"MESSAGE#{message.id}", "MESSAGE"
    item.data = to_primitive(message)
    uow.save(item, MessageItem.pk.does_not_exist())


def stage_replace(uow: UnitOfWork, message: Message) -> None:
    """W1: rewrites a stored message (an operator hid it); it must exist."""
    item = MessageItem(partition_of(message.thread), sort_key(message))
    item.sender_id = message.sender_id
    item.gsi1pk, item.gsi1sk = f"MESSAGE#{message.id}", "MESSAGE"
    item.data = to_primitive(message)
    uow.save(item, MessageItem.pk.exists())


def page(thread: Thread | str, limit: int, cursor: str | None) -> tuple[list[Message], str | None]:
    """A thread's messages, newest first."""
    pk = partition_of(str(thread))
    start = cursors.decode(cursor, expect={"pk": pk})
    result = MessageItem.query(pk, MessageItem.sk.startswith("MESSAGE#"), scan_index_forward=False,
                               limit=limit, last_evaluated_key=start, consistent_read=True)
    messages = [from_primitive(Message, item.data) for item in result]
    return messages, cursors.encode(result.last_evaluated_key)


def by_id(message_id: str) -> Message | None:
    for item in MessageItem.gsi1.query(f"MESSAGE#{message_id}", MessageItem.gsi1sk == "MESSAGE", limit=1):
        return from_primitive(Message, item.data)
    return None


def _report_key(message_id: str, reporter_id: str) -> tuple[str, str]:
    return f"MESSAGE#{message_id}", f"SPAM#{reporter_id}"


def report_exists(message_id: str, reporter_id: str) -> bool:
    try:
        SpamReportItem.get(*_report_key(message_id, reporter_id), consistent_read=True)
    except SpamReportItem.DoesNotExist:
        return False
    return True


def stage_report(uow: UnitOfWork, report: SpamReport) -> None:
    """Conditioned on absence: one report per message and reporter, also when two race."""
    item = SpamReportItem(*_report_key(report.message_id, report.reporter_id))
    item.gsi1pk, item.gsi1sk = SPAM_REPORTS, f"{iso(report.at)}#{report.message_id}#{report.reporter_id}"
    item.data = to_primitive(report)
    uow.save(item, SpamReportItem.pk.does_not_exist())


def reports_page(limit: int, cursor: str | None) -> tuple[list[SpamReport], str | None]:
    """Every spam report, newest first (operators)."""
    start = cursors.decode(cursor, expect={"gsi1pk": SPAM_REPORTS})
    result = SpamReportItem.gsi1.query(SPAM_REPORTS, scan_index_forward=False, limit=limit,
                                       last_evaluated_key=start)
    return [from_primitive(SpamReport, item.data) for item in result], cursors.encode(result.last_evaluated_key)
