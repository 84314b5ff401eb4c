"""The order's states and actions (O1–O12), and the groups of states the rules speak of."""
from __future__ import annotations

from enum import StrEnum


class OrderState(StrEnum):
    NEW = "new"  # only before placement: the source of PLACE
    AWAITING_REQUIREMENTS = "awaiting_requirements"  # O3: the clock has not started
    IN_PROGRESS = "in_progress"
    DELIVERED = "delivered"  # O7: waiting for the buyer's answer
    REVISION_REQUESTED = "revision_requested"  # O7
    AWAITING_NEXT_MILESTONE = "awaiting_next_milestone"  # C2: a milestone approved; the buyer pays the next to start it
    COMPLETED = "completed"  # O7/O8 (an accepted offer of more revisions reopens it, O12)
    CANCELLED = "cancelled"  # O3, O9, O11, O12, operators (C4)


ACTIVE = frozenset({OrderState.AWAITING_REQUIREMENTS, OrderState.IN_PROGRESS,
                    OrderState.DELIVERED, OrderState.REVISION_REQUESTED, OrderState.AWAITING_NEXT_MILESTONE})
# What the resolution center's requests run on (O10–O12): a milestone order between two milestones
# has nothing running; the buyer starts the next milestone or stops (C4).
RUNNING = ACTIVE - {OrderState.AWAITING_NEXT_MILESTONE}
FINISHED = frozenset({OrderState.COMPLETED, OrderState.CANCELLED})
WORKING = frozenset({OrderState.AWAITING_REQUIREMENTS, OrderState.IN_PROGRESS, OrderState.REVISION_REQUESTED})
ACTIVE_OR_COMPLETED = ACTIVE | {OrderState.COMPLETED}


class OrderAction(StrEnum):
    PLACE = "place"
    SUBMIT_REQUIREMENTS = "submit_requirements"
    EXPIRE_REQUIREMENTS = "expire_requirements"
    DELIVER = "deliver"
    ACCEPT = "accept"
    AUTO_COMPLETE = "auto_complete"
    REQUEST_REVISION = "request_revision"
    MARK_LATE = "mark_late"
    MARK_LATE_CANCELLABLE = "mark_late_cancellable"
    CANCEL_LATE = "cancel_late"
    OPERATOR_CANCEL = "operator_cancel"
    OPEN_REQUEST = "open_request"
    WITHDRAW_REQUEST = "withdraw_request"
    DECLINE_REQUEST = "decline_request"
    ACCEPT_REQUEST = "accept_request"
    EXPIRE_REQUEST = "expire_request"
    SEND_PROGRESS_UPDATE = "send_progress_update"
    START_NEXT_MILESTONE = "start_next_milestone"  # C2: the buyer pays the next milestone, which starts
    STOP = "stop"  # C4: the buyer stops a milestone order after an approved milestone
    EXPIRE_NEXT_MILESTONE = "expire_next_milestone"  # C2: the next milestone was not paid in time


class MilestoneState(StrEnum):
    """One milestone of a milestone order (C2–C4), as the order page shows it."""

    PENDING = "pending"  # a later milestone, not paid yet
    AWAITING_PAYMENT = "awaiting_payment"  # C2: the previous one is approved; the buyer pays this one to start it
    AWAITING_REQUIREMENTS = "awaiting_requirements"  # O3, the first milestone
    IN_PROGRESS = "in_progress"
    DELIVERED = "delivered"  # C3: the buyer approves or asks for a revision
    REVISION_REQUESTED = "revision_requested"
    APPROVED = "approved"  # C3/C5: the seller earned it
    CANCELLED = "cancelled"  # C4/M3: refunded
    NOT_STARTED = "not_started"  # C2–C4: the order ended before it
