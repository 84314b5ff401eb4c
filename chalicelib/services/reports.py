"""W1: the operators' report queue. Spam reports (O5) and file reports (F1) put a report in the
queue in their own transaction (``stage_filed``); repeated W2 refusals file one by themselves
(services/warnings.note_w2_refusal). An operator takes one action on an open report, in one
transaction with its audit entry: dismiss, warn the user it is about (a W1 warning, the ladder
applies), or remove the content (the message or the file is hidden). The reporter is told the
outcome (an event, kind ``report_outcome``)."""
from __future__ import annotations

from dataclasses import dataclass

from chalicelib.domain import audit
from chalicelib.domain.accounts import NotificationKind
from chalicelib.domain.audit import AuditAction, ObjectKind
from chalicelib.domain.clock import Clock
from chalicelib.domain.errors import NotFound
from chalicelib.domain.events import Actor, Event
from chalicelib.domain.reports import ContentKind, Report, ReportAction, ReportKind
from chalicelib.domain.warnings import ViolationType
from chalicelib.services import runtime, warnings
from chalicelib.store import audit as audit_store
from chalicelib.store import events as event_store
from chalicelib.store import files as file_store
from chalicelib.store import messages as message_store
from chalicelib.store import reports as report_store
from chalicelib.store.unit_of_work import UnitOfWork


def stage_filed(uow: UnitOfWork, kind: ReportKind, subject_id: str, subject_user_id: str, reporter_id: str | None,
                reason: str | None, excerpt: str, clock: Clock) -> Report:
    """Puts a new report in the queue, in the caller's transaction (the spam or file report's)."""
    report = Report.new(kind, subject_id, subject_user_id, reporter_id, reason, excerpt, clock.now())
    report_store.stage_save(uow, report_store.new_record(report), report)
    return report


def queue(limit: int, cursor: str | None) -> tuple[list[Report], str | None]:
    """Open reports, oldest first (one Query)."""
    return report_store.queue(limit, cursor)


def get(report_id: str) -> Report:
    found = report_store.get(report_id)
    if found is None:
        raise NotFound("No such report.")
    return found.value


@dataclass(frozen=True)
class WarnWith:
    type: ViolationType
    severe: bool = False


def act(operator_id: str, report_id: str, action: ReportAction, note: str, clock: Clock,
        warn: WarnWith | None = None) -> Report:
    """W1: one action on an open report; ``warn`` says which warning a WARN issues (its reason is
    ``note``, shown to the warned user)."""
    record = report_store.get(report_id)
    if record is None:
        raise NotFound("No such report.")
    now = clock.now()
    report = record.value
    uow = runtime.current().unit_of_work()
    warning_id = None
    if action is ReportAction.WARN:
        assert warn is not None  # the handler's schema requires it
        report.resolve(action, operator_id, note, now)  # refuses a resolved report before reading more
        user = warnings.warned_user(report.subject_user_id, clock)
        warning_id = warnings.stage_warning(uow, operator_id, user, warn.type, note, warn.severe, clock,
                                            report_id=report.id).id
    resolved = report.resolve(action, operator_id, note, now, warning_id)
    if action is ReportAction.REMOVE_CONTENT:
        _stage_removal(uow, report, clock)
    report_store.stage_save(uow, record, resolved)
    audit_store.stage(uow, audit.record(
        operator_id, AuditAction.REPORT_DISMISSED if action is ReportAction.DISMISS else AuditAction.REPORT_ACTIONED,
        ObjectKind.REPORT, report.id, note, clock,
        {"action": action.value, "kind": report.kind.value, "subject_user_id": report.subject_user_id,
         **({"warning_id": warning_id} if warning_id else {})}))
    event_store.stage(uow, Event.new(
        "report.resolved", f"report:{report.id}", now, Actor.OPERATOR, operator_id, resolved.outcome_summary(),
        recipients=(report.reporter_id,) if report.reporter_id else (), notification=NotificationKind.REPORT_OUTCOME,
        data={"report_id": report.id, "kind": report.kind.value, "state": resolved.state.value}))
    uow.commit()
    return resolved


def _stage_removal(uow: UnitOfWork, report: Report, clock: Clock) -> None:
    """Hides what the report is about (domain/reports.REMOVABLE says what that is per kind)."""
    now = clock.now()
    if report.content is ContentKind.MESSAGE:
        message = message_store.by_id(report.subject_id)
        if message is None:
            raise NotFound("The reported message is gone.")
        message_store.stage_replace(uow, message.remove(now))
    elif report.content is ContentKind.FILE:
        found = file_store.get(report.subject_id)
        if found is None:
            raise NotFound("The reported file is gone.")
        file_store.stage_save(uow, found, found.value.remove(now))
    else:  # resolve() refuses it first
        raise AssertionError(f"nothing to remove for a {report.kind} report")
