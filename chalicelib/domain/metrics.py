"""Seller metrics (O13, O14, O15, and on-time delivery for levels, A2): pure arithmetic from counters
to figures. The counters live in per-seller daily buckets (what happened on a UTC day, attributed to
that day) and one lifetime totals item; the reactions on the outbox add to them
(services/metrics.py). A read is the buckets of the last ``READ_DAYS`` days and the totals; every
figure is computed here with the time passed in.

Which day a fact is counted on:
- O13: an order's first completion or cancellation (its "last update"; [decision] a completed order
  that is reopened (O12) and finishes again keeps the day of its first finish); an operator's excuse
  is counted on the day of the cancellation it excuses;
- O14: the day the 24-hour timer fired (the order became unresponded); "orders active in the last 60
  days" = orders placed so far − orders finished before the window (lifetime totals − the window's
  finishes);
- O15: the day the buyer started the conversation; its first seller reply is counted on that day too,
  so a conversation and its answer fall in the same window;
- on-time delivery: the day of a stage's first delivery (a milestone order counts each milestone)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum

from .clock import utc

COMPLETION_WINDOW_DAYS = 60  # O13: orders finished in the last 60 days
UNRESPONSIVE_WINDOW_DAYS = 60  # O14
RESPONSE_WINDOW_DAYS = 90  # O15 [decision]: conversations buyers started in the last 90 days
ON_TIME_WINDOW_DAYS = 60  # [decision] as A2's rolling 60-day window
RESPONSE_WITHIN = timedelta(hours=24)  # O15 [decision]: a reply within 24 hours counts as a response
UNRESPONDED_AFTER = timedelta(hours=24)  # O14: a buyer's message or revision request waits this long
READ_DAYS = max(COMPLETION_WINDOW_DAYS, UNRESPONSIVE_WINDOW_DAYS, RESPONSE_WINDOW_DAYS, ON_TIME_WINDOW_DAYS)


class Counter(StrEnum):
    """What a daily bucket counts (attribute names of the bucket item)."""

    COMPLETED = "completed"  # O13 (C4: a milestone order with an approved milestone counts here)
    CANCELLED = "cancelled"  # O13: every cancellation that did not count as completed
    EXCUSED = "excused"  # O13: of those, the ones an operator said were not the seller's fault
    UNRESPONDED = "unresponded"  # O14: orders whose buyer waited more than 24 hours
    DELIVERIES = "deliveries"  # first deliveries of an order's stage
    ON_TIME = "on_time"  # of those, delivered by the due time
    CONVERSATIONS = "conversations"  # O15: inbox conversations buyers started
    REPLIED = "replied"  # O15: of those, answered by the seller within 24 hours
    ANSWERED = "answered"  # O15: of those, answered at all (the mean response time's divisor)
    RESPONSE_SECONDS = "response_seconds"  # O15: the sum of the times to the first reply


class Total(StrEnum):
    """Lifetime counters (one item per seller)."""

    PLACED = "placed"  # orders placed with the seller
    FINISHED = "finished"  # orders that finished (first completion or cancellation)


Bucket = dict[Counter, int]


def day_of(at: datetime) -> date:
    """The UTC day a fact is counted on."""
    return utc(at).date()


def window_start(now: datetime, days: int) -> date:
    """The first day of a window of ``days`` days that ends today (today included)."""
    return day_of(now) - timedelta(days=days - 1)


def read_from(now: datetime) -> date:
    """The first bucket a read needs: the longest window's first day."""
    return window_start(now, READ_DAYS)


@dataclass(frozen=True)
class Figure:
    """A rate (0..1) or a mean with the counts behind it; ``value`` is None when nothing was counted."""

    value: float | None
    window_days: int
    since: date  # the window's first day (UTC)
    counts: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class SellerMetrics:
    completion_rate: Figure  # O13
    unresponsiveness_rate: Figure  # O14
    response_rate: Figure  # O15
    response_time_seconds: Figure  # O15: the mean time to the first reply
    on_time_delivery_rate: Figure  # for A2


def _sum(buckets: dict[date, Bucket], since: date, until: date, counter: Counter) -> int:
    return sum(b.get(counter, 0) for day, b in buckets.items() if since <= day <= until)


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole > 0 else None


def figures(buckets: dict[date, Bucket], totals: dict[Total, int], now: datetime) -> SellerMetrics:
    """Every figure as of ``now`` from the daily buckets (any days; those outside a window are
    ignored, and so are days after today) and the lifetime totals."""
    today = day_of(now)

    def window(days: int) -> tuple[date, dict[Counter, int]]:
        since = window_start(now, days)
        return since, {c: _sum(buckets, since, today, c) for c in Counter}

    since, c = window(COMPLETION_WINDOW_DAYS)
    counted_cancellations = max(c[Counter.CANCELLED] - c[Counter.EXCUSED], 0)
    completion = Figure(_rate(c[Counter.COMPLETED], c[Counter.COMPLETED] + counted_cancellations),
                        COMPLETION_WINDOW_DAYS, since,
                        {"completed": c[Counter.COMPLETED], "cancelled": c[Counter.CANCELLED],
                         "excused": c[Counter.EXCUSED]})

    since, c = window(UNRESPONSIVE_WINDOW_DAYS)
    finished_in_window = c[Counter.COMPLETED] + c[Counter.CANCELLED]
    finished_before = max(totals.get(Total.FINISHED, 0) - finished_in_window, 0)
    active = max(totals.get(Total.PLACED, 0) - finished_before, 0)
    unresponsive = Figure(_rate(c[Counter.UNRESPONDED], active), UNRESPONSIVE_WINDOW_DAYS, since,
                          {"unresponded": c[Counter.UNRESPONDED], "active": active})

    since, c = window(RESPONSE_WINDOW_DAYS)
    response = Figure(_rate(c[Counter.REPLIED], c[Counter.CONVERSATIONS]), RESPONSE_WINDOW_DAYS, since,
                      {"conversations": c[Counter.CONVERSATIONS], "replied_within_24h": c[Counter.REPLIED]})
    answered = c[Counter.ANSWERED]
    response_time = Figure(c[Counter.RESPONSE_SECONDS] / answered if answered else None, RESPONSE_WINDOW_DAYS,
                           since, {"answered": answered, "total_seconds": c[Counter.RESPONSE_SECONDS]})

    since, c = window(ON_TIME_WINDOW_DAYS)
    on_time = Figure(_rate(c[Counter.ON_TIME], c[Counter.DELIVERIES]), ON_TIME_WINDOW_DAYS, since,
                     {"on_time": c[Counter.ON_TIME], "deliveries": c[Counter.DELIVERIES]})
    return SellerMetrics(completion, unresponsive, response, response_time, on_time)


# -- what one fact adds ----------------------------------------------------------------------------
def finished(counts_as_completed: bool, seller_at_fault: bool) -> Bucket:
    """O13/C4: an order's first completion or cancellation. A cancellation an operator already said
    was not the seller's fault (``seller_at_fault: false``) is counted excused at once."""
    if counts_as_completed:
        return {Counter.COMPLETED: 1}
    return {Counter.CANCELLED: 1} if seller_at_fault else {Counter.CANCELLED: 1, Counter.EXCUSED: 1}


def delivered(at: datetime, due_at: datetime | None) -> Bucket:
    """A stage's first delivery; on time when made by the due time (no due time: on time)."""
    on_time = due_at is None or utc(at) <= utc(due_at)
    return {Counter.DELIVERIES: 1, Counter.ON_TIME: 1 if on_time else 0}


def first_reply(started_at: datetime, replied_at: datetime) -> Bucket:
    """O15: the seller's first reply in a conversation the buyer started at ``started_at``."""
    waited = max(utc(replied_at) - utc(started_at), timedelta(0))
    return {Counter.ANSWERED: 1, Counter.REPLIED: 1 if waited <= RESPONSE_WITHIN else 0,
            Counter.RESPONSE_SECONDS: int(waited.total_seconds())}
