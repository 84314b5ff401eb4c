"""Deadlines: timed rules as data. A deadline names what it acts on (``subject``), what it was set
for (``ref``: the state or period it belongs to), and when it is due. The sweeper fires it through
the service that owns ``kind``; that service does nothing when ``ref`` no longer matches, so a
deadline whose subject moved on is harmless, and so is a doubled or late fire."""
from __future__ import annotations

import zlib
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class DeadlineKind(StrEnum):
    AVAILABILITY_START = "availability_start"  # A4: hide the seller's gigs
    AVAILABILITY_END = "availability_end"  # A4: the seller is available again by itself
    # Order timers (see domain/orders.py TIMER_ACTIONS): subject = order id, ref = the timer's token.
    ORDER_REQUIREMENTS = "order_requirements"  # O3: requirements never came; the order is cleaned up
    ORDER_LATE = "order_late"  # O9: the due time passed without a delivery
    ORDER_LATE_CANCELLABLE = "order_late_cancellable"  # O9: 24 hours late, the buyer may cancel
    ORDER_AUTO_COMPLETE = "order_auto_complete"  # O8 (and the end of O7's revision window)
    ORDER_REQUEST = "order_request"  # O11/O12: an open resolution request expires
    ORDER_NEXT_MILESTONE = "order_next_milestone"  # C2: the next milestone was not paid in time; the order ends
    CUSTOM_OFFER_EXPIRY = "custom_offer_expiry"  # C1: an unanswered custom offer expires (subject, ref: its id)
    BUYER_REQUEST_EXPIRY = "buyer_request_expiry"  # B1: an open request closes after 14 days (subject, ref: its id)
    # R1 (subject, ref: the order id): the blind period ended, the reviews in publish; the buyer's reminder
    REVIEW_PUBLICATION = "review_publication"
    REVIEW_REMINDER = "review_reminder"  # R1: the buyer has not reviewed 2 days before the window closes
    # O14 (subject: the order id, ref: the buyer's event that started the wait): 24 hours unanswered
    RESPONSE_WAIT = "response_wait"
    FILE_SCAN = "file_scan"  # F1: a file with no verdict by then becomes unscannable
    WARNING_LAPSE = "warning_lapse"  # W1: a warning stops counting after 90 days (subject, ref: its id)
    SUSPENSION_END = "suspension_end"  # W1: a suspension ends by itself (subject: the user, ref: the suspension id)


@dataclass(frozen=True)
class Deadline:
    kind: DeadlineKind
    subject: str
    ref: str
    due_at: datetime


def shard_of(subject: str, shards: int) -> int:
    """Stable spread of subjects over the due index's shards."""
    return zlib.crc32(subject.encode()) % shards
