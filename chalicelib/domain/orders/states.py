"""The order's states and actions (O1–O12), and the groups of states the rules speak of."""
from __future__ import annotations

from enum import StrEnum


class OrderState(StrEnum):
    NEW = "new"  # only before placement: the source of PLACE
    AWAITING_REQUIREMENTS = "awaiting_requirements"  # O3: the clock has not started
    IN_PROGRESS = "in_progress"
    DELIVERED = "delivered"  # O7: waiting for the buyer's answer
    REVISION_REQUESTED = "revision_requested"  # O7
    COMPLETED = "completed"  # O7/O8 (an accepted offer of more revisions reopens it, O12)
    CANCELLED = "cancelled"  # O3, O9, O11, O12, operators (C4)


ACTIVE = frozenset({OrderState.AWAITING_REQUIREMENTS, OrderState.IN_PROGRESS,
                    OrderState.DELIVERED, OrderState.REVISION_REQUESTED})
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
