"""W1: the operators' report queue (spam, file and contact-detail reports, oldest first) and the
actions on a report. Thin: each view calls one service function."""
from __future__ import annotations

from chalicelib.domain.reports import Report, ReportAction
from chalicelib.domain.warnings import ViolationType
from chalicelib.handlers.api import Api, Call
from chalicelib.handlers.schemas import PageQuery
from chalicelib.handlers.schemas.reports import QueuedReportOut, QueuedReportPage, ReportActionIn
from chalicelib.services import reports, runtime

api = Api(__name__, tag="reports")


def report_out(r: Report) -> QueuedReportOut:
    return QueuedReportOut(id=r.id, kind=r.kind.value, subject_id=r.subject_id, subject_user_id=r.subject_user_id,
                     reporter_id=r.reporter_id, reason=r.reason, excerpt=r.excerpt, created_at=r.created_at,
                     state=r.state.value, action=r.action.value if r.action else None, resolved_by=r.resolved_by,
                     resolved_at=r.resolved_at, note=r.note, warning_id=r.warning_id,
                     allowed_actions=[a.value for a in r.allowed_actions()])


@api.route("/reports", "GET", summary="Open reports of every kind, oldest first (operators, W1)", query=PageQuery,
           response=QueuedReportPage, operator_only=True)
def report_queue(call: Call) -> QueuedReportPage:
    items, cursor = reports.queue(call.query.limit, call.query.cursor)
    return QueuedReportPage(items=[report_out(r) for r in items], next_cursor=cursor)


@api.route("/reports/{report_id}", "GET", summary="A report (operators, W1)", response=QueuedReportOut,
           operator_only=True)
def get_report(call: Call, report_id: str) -> QueuedReportOut:
    return report_out(reports.get(report_id))


@api.route("/reports/{report_id}/actions", "POST", summary="Act on an open report (operators, W1)",
           request=ReportActionIn, response=QueuedReportOut, operator_only=True, idempotent=True)
def act_on_report(call: Call, report_id: str) -> QueuedReportOut:
    """`dismiss`; `warn` the user it is about (`warning`: type, severe; the note is the warning's
    reason); `remove_content` (spam and file reports: the message or the file is hidden). The
    reporter is told the outcome; the action is in the audit log."""
    b = call.body
    warn = reports.WarnWith(ViolationType(b.warning.type), b.warning.severe) if b.warning else None
    return report_out(reports.act(call.user.user_id, report_id, ReportAction(b.action), b.note, runtime.clock(),
                                  warn))
