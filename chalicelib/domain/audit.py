"""The operators' audit log (W1, and every operator action): who did what, to which object, why
and when. An entry is written in the same transaction as the action it records, so the log never
claims an action that did not happen nor misses one that did. Entries are never changed."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from .clock import Clock
from .errors import InvalidInput
from .ids import new_id

REASON_MAX = 1000  # characters


class AuditAction(StrEnum):
    """Every kind of operator action. A new operator route adds its action here (and nowhere else)."""

    ORDER_CANCELLED = "order.cancelled"
    GIG_REMOVED = "gig.removed"
    CATEGORY_SAVED = "category.saved"
    CATEGORY_REMOVED = "category.removed"
    DEAD_LETTER_REPLAYED = "dead_letter.replayed"
    CLOCK_ADVANCED = "clock.advanced"
    GIG_APPROVED = "gig.approved"
    GIG_REJECTED = "gig.rejected"
    REVIEW_HIDDEN = "review.hidden"
    WARNING_ISSUED = "warning.issued"
    SUSPENSION_LIFTED = "suspension.lifted"
    ACCOUNT_UNBLOCKED = "account.unblocked"
    REPORT_DISMISSED = "report.dismissed"
    REPORT_ACTIONED = "report.actioned"
    CANCELLATION_EXCUSED = "cancellation.excused"
    SELLER_MEMBERSHIP_SET = "seller.membership_set"  # M2: a seller made a member (or no longer one)


class ObjectKind(StrEnum):
    ORDER = "order"
    GIG = "gig"
    CATEGORY = "category"
    DEAD_LETTER = "dead_letter"
    CLOCK = "clock"
    REVIEW = "review"
    USER = "user"
    REPORT = "report"


@dataclass(frozen=True)
class AuditEntry:
    id: str
    at: datetime
    operator_id: str
    action: AuditAction
    object_kind: ObjectKind
    object_id: str
    reason: str
    details: dict[str, str] = field(default_factory=dict)


def record(operator_id: str, action: AuditAction, object_kind: ObjectKind, object_id: str, reason: str,
           clock: Clock, details: dict[str, str] | None = None) -> AuditEntry:
    """An entry for an action taken now. An operator's reason is kept as written (trimmed); it is
    for other operators, never shown to the user it concerns."""
    reason = reason.strip()
    if len(reason) > REASON_MAX:
        raise InvalidInput(f"A reason has at most {REASON_MAX} characters.", code="reason_too_long")
    return AuditEntry(id=new_id("aud"), at=clock.now(), operator_id=operator_id, action=action,
                      object_kind=object_kind, object_id=object_id, reason=reason,
                      details=dict(details or {}))
