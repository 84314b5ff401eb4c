"""The order's timers: how long each waits, and when each is due. The seeds give O7/O8's 3 days,
O9's 24 hours, C3's 8 days and O11/O12's periods (resolution.py); the rest are [decision]s.

A running timer is kept on the order (``Order.timers``) with a token (``ref``); the deadline items
the sweeper reads are projections of it, written in the order's own transaction. A fire whose token
no longer matches (the order moved on, the timer was re-armed) does nothing. Which action a timer
takes is in the table (``table.TIMER_ACTIONS``)."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from ..deadlines import DeadlineKind
from .resolution import RequestKind

if TYPE_CHECKING:
    from .aggregate import Order

REQUIREMENTS_WAIT = timedelta(days=7)  # O3 [decision] unanswered requirements: cancelled, refunded
REVIEW_PERIOD = timedelta(days=3)  # O7 revision window = O8 auto-complete delay
MILESTONE_REVIEW_PERIOD = timedelta(days=8)  # C3: the same window for a milestone delivery (its auto-approval)
NEXT_MILESTONE_WAIT = timedelta(days=10)  # C2 [decision]: the next milestone unpaid by then never starts
LATE_CANCEL_AFTER = timedelta(hours=24)  # O9
LATE_CANCEL_HOURS = int(LATE_CANCEL_AFTER.total_seconds() // 3600)  # for texts

ORDER_TIMERS = (DeadlineKind.ORDER_REQUIREMENTS, DeadlineKind.ORDER_LATE, DeadlineKind.ORDER_LATE_CANCELLABLE,
                DeadlineKind.ORDER_AUTO_COMPLETE, DeadlineKind.ORDER_REQUEST, DeadlineKind.ORDER_NEXT_MILESTONE)
LATE_TIMERS = (DeadlineKind.ORDER_LATE, DeadlineKind.ORDER_LATE_CANCELLABLE)


@dataclass(frozen=True)
class Timer:
    due_at: datetime
    ref: str  # the token a deadline carries: a fire with another token does nothing


def requirements_due(order: Order) -> datetime:
    return order.placed_at + REQUIREMENTS_WAIT  # O3


def late_due(order: Order) -> datetime:
    assert order.due_at is not None
    return order.due_at  # O9: late once this passes


def late_cancellable_due(order: Order) -> datetime:
    return late_due(order) + LATE_CANCEL_AFTER  # O9


def auto_complete_due(order: Order) -> datetime:
    assert order.review_ends_at is not None
    due = order.review_ends_at  # O8
    if order.request is not None and order.request.kind is RequestKind.CANCELLATION:
        due = max(due, order.request.expires_at)  # O8 waits for the O11 answer
    return due


def next_milestone_due(order: Order) -> datetime:
    assert order.approved_at is not None
    return order.approved_at + NEXT_MILESTONE_WAIT  # C2


def request_due(order: Order) -> datetime:
    assert order.request is not None
    return order.request.expires_at  # O11/O12


DUE: dict[DeadlineKind, Callable[[Order], datetime]] = {
    DeadlineKind.ORDER_REQUIREMENTS: requirements_due,
    DeadlineKind.ORDER_LATE: late_due,
    DeadlineKind.ORDER_LATE_CANCELLABLE: late_cancellable_due,
    DeadlineKind.ORDER_AUTO_COMPLETE: auto_complete_due,
    DeadlineKind.ORDER_REQUEST: request_due,
    DeadlineKind.ORDER_NEXT_MILESTONE: next_milestone_due,
}


def due_time(order: Order, kind: DeadlineKind) -> datetime:
    compute = DUE.get(kind)
    if compute is None:
        raise ValueError(f"not an order timer: {kind}")
    return compute(order)
