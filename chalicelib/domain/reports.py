"""W1: reports as operators' work. Every kind of report (a message reported as spam, O5; a file
reported as suspicious, F1; repeated contact-detail refusals, W1/W2) is one ``Report`` in one
queue, oldest first; an operator dismisses it, warns the user it is about (W1), or removes the
content (the message or the file is hidden). The reporter, when a person, is told the outcome.

A new kind of report (reviews, R1) is one ``ReportKind`` member; ``REMOVABLE`` names the content
its "remove content" action hides, when it has any. Pure: the time is passed in."""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from .errors import Conflict, InvalidInput
from .ids import new_id

EXCERPT_MAX = 500  # characters of the reported content kept on the report for operators
NOTE_MAX = 1000


class ReportKind(StrEnum):
    SPAM = "spam"  # O5: a message, reported by whom it was sent to
    FILE = "file"  # F1: a file, reported as suspicious by someone who sees it
    CONTACT_DETAILS = "contact_details"  # W1/W2: repeated contact-detail refusals, filed by the system


class ContentKind(StrEnum):
    MESSAGE = "message"
    FILE = "file"


# What "remove content" hides for each kind of report (a kind absent here has no content to remove).
REMOVABLE: dict[ReportKind, ContentKind] = {
    ReportKind.SPAM: ContentKind.MESSAGE,
    ReportKind.FILE: ContentKind.FILE,
}


class ReportState(StrEnum):
    OPEN = "open"
    DISMISSED = "dismissed"
    ACTIONED = "actioned"


class ReportAction(StrEnum):
    DISMISS = "dismiss"  # nothing wrong found
    WARN = "warn"  # a W1 warning to the user the report is about
    REMOVE_CONTENT = "remove_content"  # the message or file is hidden


# The state each action leaves a report in.
RESOLUTIONS: dict[ReportAction, ReportState] = {
    ReportAction.DISMISS: ReportState.DISMISSED,
    ReportAction.WARN: ReportState.ACTIONED,
    ReportAction.REMOVE_CONTENT: ReportState.ACTIONED,
}


@dataclass(frozen=True)
class Report:
    id: str
    kind: ReportKind
    subject_id: str  # the message, the file, or (contact details) the user
    subject_user_id: str  # whom it is about: the sender, the uploader, the user
    reporter_id: str | None  # None: filed by the system
    reason: str | None
    excerpt: str  # what was reported, as it was, for operators
    created_at: datetime
    state: ReportState = ReportState.OPEN
    action: ReportAction | None = None
    resolved_by: str | None = None
    resolved_at: datetime | None = None
    note: str | None = None
    warning_id: str | None = None

    @staticmethod
    def new(kind: ReportKind, subject_id: str, subject_user_id: str, reporter_id: str | None,
            reason: str | None, excerpt: str, now: datetime) -> Report:
        return Report(id=new_id("rep"), kind=kind, subject_id=subject_id, subject_user_id=subject_user_id,
                      reporter_id=reporter_id, reason=reason, excerpt=excerpt[:EXCERPT_MAX], created_at=now)

    @property
    def content(self) -> ContentKind | None:
        return REMOVABLE.get(self.kind)

    def allowed_actions(self) -> tuple[ReportAction, ...]:
        if self.state is not ReportState.OPEN:
            return ()
        return tuple(a for a in ReportAction if a is not ReportAction.REMOVE_CONTENT or self.content is not None)

    def resolve(self, action: ReportAction, operator_id: str, note: str, now: datetime,
                warning_id: str | None = None) -> Report:
        """W1: an open report is acted on once."""
        if self.state is not ReportState.OPEN:
            raise Conflict(f"This report was already {self.state}.", code="report_resolved", rule="W1")
        if action not in self.allowed_actions():
            raise Conflict(f"A {self.kind} report has no content to remove.", code="nothing_to_remove", rule="W1")
        note = note.strip()
        if len(note) > NOTE_MAX:
            raise InvalidInput(f"A note has at most {NOTE_MAX} characters.", code="reason_too_long", rule="W1")
        return replace(self, state=RESOLUTIONS[action], action=action, resolved_by=operator_id, resolved_at=now,
                       note=note or None, warning_id=warning_id)

    def outcome_summary(self) -> str:
        """What the reporter is told (never who was warned or how)."""
        if self.state is ReportState.DISMISSED:
            return "We reviewed your report and found nothing against our rules. Thank you for telling us."
        return "We reviewed your report and took action. Thank you for telling us."
