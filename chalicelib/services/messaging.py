"""Messages in any thread: the part of messaging that inbox conversations and order conversations
share. Owners of a thread kind (inbox conversations here, orders elsewhere) decide who may write
and call ``stage_message`` inside their own transaction; they register who may see a thread so
that spam reports (O5) work for every kind.

Seams other code wires:
- the runtime's ``thread_kinds`` (registered by chalicelib/root.py): kind -> ``may_see(thread_id, user_id)``.
- ``use_attachment_check(check)``: ``check(uow, thread, sender_id, file_ids)`` raises a DomainError
  (e.g. InvalidInput naming ``attachment_ids``) for files that may not be attached, and may stage
  condition checks into ``uow``. The default attaches the sender's message uploads (F1).
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from chalicelib.domain.accounts import NotificationKind
from chalicelib.domain.clock import Clock
from chalicelib.domain.errors import NotFound
from chalicelib.domain.events import Actor, Event
from chalicelib.domain.files import Purpose
from chalicelib.domain.messaging import Message, SpamReport, Thread, already_reported
from chalicelib.domain.reports import ReportKind
from chalicelib.services import files, reports, runtime
from chalicelib.store import events as event_store
from chalicelib.store import messages as message_store
from chalicelib.store.unit_of_work import UnitOfWork

AttachmentCheck = Callable[[UnitOfWork, Thread, str, Sequence[str]], None]


def may_see(thread: Thread | str, user_id: str) -> bool:
    thread = Thread.parse(thread) if isinstance(thread, str) else thread
    check = runtime.current().thread_kinds.get(thread.kind)
    return bool(check and check(thread.id, user_id))


def attach_files(uow: UnitOfWork, thread: Thread, sender_id: str, file_ids: Sequence[str]) -> None:
    """F1: a message carries only the sender's own uploads for messages, attached to this thread
    in the message's transaction (422 naming ``attachment_ids.N`` otherwise). Whoever may see the
    thread may then see the files (see ``_files_visible``)."""
    if file_ids:
        files.stage_attach(uow, list(file_ids), sender_id, Purpose.MESSAGE, str(thread), path="attachment_ids")


_attachment_check: AttachmentCheck = attach_files


def use_attachment_check(check: AttachmentCheck) -> AttachmentCheck:
    """Installs ``check`` and returns the previous one (tests put it back)."""
    global _attachment_check
    previous, _attachment_check = _attachment_check, check
    return previous


def stage_message(uow: UnitOfWork, thread: Thread | str, sender_id: str, sender_role: Actor,
                  recipient_ids: Sequence[str], text: str, attachment_ids: Sequence[str], now: datetime,
                  notification: NotificationKind, call_link: str | None = None, seq: int = 0,
                  kind: str = "text", offer_id: str | None = None, gig_id: str | None = None) -> Message:
    """Checks the message (limits, W2, O16), the attachments (the installed check), and stages it
    with its event (``message.sent`` in the thread's stream, notifying ``recipient_ids`` under
    ``notification``) into the caller's transaction. Who may write is the caller's to decide.
    ``seq``: the message's number in a thread that counts its messages (0 where none does)."""
    thread = Thread.parse(thread) if isinstance(thread, str) else thread
    message = Message.new(thread, sender_id, sender_role, text, tuple(attachment_ids), now, call_link, seq,
                          kind=kind, offer_id=offer_id, gig_id=gig_id)
    _attachment_check(uow, thread, sender_id, message.attachment_ids)
    message_store.stage_save(uow, message)
    event_store.stage(uow, Event.new(
        "message.sent", str(thread), now, sender_role, sender_id, f"New message: {message.preview}",
        recipients=tuple(r for r in recipient_ids if r != sender_id), notification=notification,
        data={"message_id": message.id, "attachments": len(message.attachment_ids),
              "call_link": message.call_link is not None, "kind": message.kind, "offer_id": message.offer_id}))
    return message


def list_thread(thread: Thread | str, limit: int, cursor: str | None) -> tuple[list[Message], str | None]:
    """A thread's messages, newest first. The caller has checked the reader may see the thread."""
    return message_store.page(thread, limit, cursor)


def report_spam(message_id: str, reporter_id: str, reason: str | None, clock: Clock) -> SpamReport:
    """O5: any message can be reported as spam by someone who sees its thread, not its sender;
    once per message and reporter."""
    message = message_store.by_id(message_id)
    if message is None or not may_see(message.thread, reporter_id):
        raise NotFound("No such message.")
    report = SpamReport.of(message, reporter_id, reason, clock.now())
    if message_store.report_exists(message.id, reporter_id):
        raise already_reported()
    uow = runtime.current().unit_of_work()
    message_store.stage_report(uow, report)
    # W1: the report is operators' work too: one queue across kinds (services/reports.py).
    reports.stage_filed(uow, ReportKind.SPAM, message.id, message.sender_id, reporter_id, report.reason,
                        message.text, clock)
    uow.commit()
    return report


def spam_reports(limit: int, cursor: str | None) -> tuple[list[SpamReport], str | None]:
    return message_store.reports_page(limit, cursor)
