"""Seller metrics (O13, O14, O15): counters in daily buckets, lifetime totals, and the markers that
make every count happen once.

    USER#<seller id>      / METRIC#<yyyy-mm-dd>   metric_day: the day's counters (ADD only)
    USER#<seller id>      / METRIC#TOTAL          metric_totals: orders placed and finished, ever
    METRICS#<subject>     / MARK#<fact>           metric_mark: this fact was counted (put only if
                          absent, in the transaction that adds to the counters); an order's
                          ``MARK#finished`` keeps its day and outcome, and the operator's excuse
    METRICS#order:<id>    / ANSWERED              metric_answer: when the seller last answered (O14)
    METRICS#order:<id>    / AWAITING              metric_wait (version): O14, a buyer waits for the
                          seller since ``since``; its deadline (kind ``response_wait``, subject the
                          order id, ref this item's ``ref``) is in the due index

A read is ONE Query: ``USER#<seller>``, sk between ``METRIC#<first day>`` and ``METRIC#~`` (at most
90 day items and the totals item; the seller's other items sort outside it)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from pynamodb.attributes import BooleanAttribute, NumberAttribute, UnicodeAttribute, VersionAttribute
from pynamodb.exceptions import UpdateError

from chalicelib.domain.clock import iso
from chalicelib.domain.codec import from_primitive
from chalicelib.domain.metrics import Bucket, Counter, Total
from chalicelib.store.records import Record
from chalicelib.store.table import TableItem
from chalicelib.store.unit_of_work import UnitOfWork

PREFIX = "METRIC#"
TOTALS_SK = f"{PREFIX}TOTAL"


class MetricDayItem(TableItem, discriminator="metric_day"):
    completed = NumberAttribute(default=0)
    cancelled = NumberAttribute(default=0)
    excused = NumberAttribute(default=0)
    unresponded = NumberAttribute(default=0)
    deliveries = NumberAttribute(default=0)
    on_time = NumberAttribute(default=0)
    conversations = NumberAttribute(default=0)
    replied = NumberAttribute(default=0)
    answered = NumberAttribute(default=0)
    response_seconds = NumberAttribute(default=0)


class MetricTotalsItem(TableItem, discriminator="metric_totals"):
    placed = NumberAttribute(default=0)
    finished = NumberAttribute(default=0)


class MetricMarkItem(TableItem, discriminator="metric_mark"):
    seller_id = UnicodeAttribute()
    day = UnicodeAttribute()  # the bucket the fact was counted in
    outcome = UnicodeAttribute(null=True)  # MARK#finished: "completed" or "cancelled"
    excused = BooleanAttribute(default=False)  # MARK#finished of a cancellation: not the seller's fault


class MetricAnswerItem(TableItem, discriminator="metric_answer"):
    at = UnicodeAttribute()  # ISO: sorts as time


class MetricWaitItem(TableItem, discriminator="metric_wait"):
    version = VersionAttribute()
    seller_id = UnicodeAttribute()
    ref = UnicodeAttribute()
    since = UnicodeAttribute()


def _user(seller_id: str) -> str:
    return f"USER#{seller_id}"


def _day_sk(day: date) -> str:
    return f"{PREFIX}{day.isoformat()}"


def _subject(subject: str) -> str:
    return f"METRICS#{subject}"


# -- counters --------------------------------------------------------------------------------------
def stage_add(uow: UnitOfWork, seller_id: str, day: date, bucket: Bucket) -> None:
    """ADD the bucket's counts to the seller's day (the update creates the item the first time; it
    writes no discriminator by itself, so it sets it)."""
    actions = [MetricDayItem.item_type.set(MetricDayItem)]
    actions += [getattr(MetricDayItem, counter.value).add(n) for counter, n in bucket.items() if n]
    uow.update(MetricDayItem(_user(seller_id), _day_sk(day)), actions=actions)


def stage_add_totals(uow: UnitOfWork, seller_id: str, totals: dict[Total, int]) -> None:
    actions = [MetricTotalsItem.item_type.set(MetricTotalsItem)]
    actions += [getattr(MetricTotalsItem, total.value).add(n) for total, n in totals.items() if n]
    uow.update(MetricTotalsItem(_user(seller_id), TOTALS_SK), actions=actions)


def read(seller_id: str, since: date) -> tuple[dict[date, Bucket], dict[Total, int]]:
    """The seller's buckets from ``since`` on and the lifetime totals: ONE Query (at most 91 small
    items: 90 days and the totals)."""
    buckets: dict[date, Bucket] = {}
    totals: dict[Total, int] = {}
    for item in TableItem.query(_user(seller_id), TableItem.sk.between(_day_sk(since), f"{PREFIX}~")):
        if isinstance(item, MetricDayItem):
            day = date.fromisoformat(item.sk[len(PREFIX):])
            buckets[day] = {c: int(getattr(item, c.value) or 0) for c in Counter}
        elif isinstance(item, MetricTotalsItem):
            totals = {t: int(getattr(item, t.value) or 0) for t in Total}
    return buckets, totals


# -- markers ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Mark:
    seller_id: str
    day: date
    outcome: str | None = None
    excused: bool = False


def stage_mark(uow: UnitOfWork, subject: str, fact: str, mark: Mark) -> None:
    """Put only if absent: the transaction fails (Conflict) when the fact was counted before."""
    item = MetricMarkItem(_subject(subject), f"MARK#{fact}", seller_id=mark.seller_id, day=mark.day.isoformat(),
                          outcome=mark.outcome, excused=mark.excused)
    uow.save(item, condition=MetricMarkItem.pk.does_not_exist())


def get_mark(subject: str, fact: str) -> Mark | None:
    try:
        item = MetricMarkItem.get(_subject(subject), f"MARK#{fact}", consistent_read=True)
    except MetricMarkItem.DoesNotExist:
        return None
    return Mark(item.seller_id, date.fromisoformat(item.day), item.outcome, bool(item.excused))


def stage_excuse(uow: UnitOfWork, subject: str, fact: str) -> None:
    """Marks a counted cancellation excused, only if it is not already (Conflict otherwise)."""
    item = MetricMarkItem(_subject(subject), f"MARK#{fact}")
    uow.update(item, actions=[MetricMarkItem.excused.set(True)],
               condition=MetricMarkItem.pk.exists() & (MetricMarkItem.excused == False))  # noqa: E712


# -- O14: a buyer waiting for the seller -----------------------------------------------------------
@dataclass(frozen=True)
class Wait:
    seller_id: str
    ref: str
    since: str  # ISO time


def get_wait(order_id: str) -> Record[Wait, MetricWaitItem] | None:
    try:
        item = MetricWaitItem.get(_subject(f"order:{order_id}"), "AWAITING", consistent_read=True)
    except MetricWaitItem.DoesNotExist:
        return None
    return Record(Wait(item.seller_id, item.ref, item.since), item)


def stage_wait(uow: UnitOfWork, order_id: str, wait: Wait) -> None:
    """A new wait, only if none runs (a second buyer message does not restart the 24 hours)."""
    item = MetricWaitItem(_subject(f"order:{order_id}"), "AWAITING", seller_id=wait.seller_id, ref=wait.ref,
                          since=wait.since)
    uow.save(item, condition=MetricWaitItem.pk.does_not_exist())


def stage_end_wait(uow: UnitOfWork, existing: Record[Wait, MetricWaitItem]) -> None:
    uow.delete(existing.item)


def last_answer(order_id: str) -> datetime | None:
    """When the seller last answered in the order (a message, a delivery), or it finished."""
    try:
        item = MetricAnswerItem.get(_subject(f"order:{order_id}"), "ANSWERED", consistent_read=True)
    except MetricAnswerItem.DoesNotExist:
        return None
    return from_primitive(datetime, item.at)


def note_answer(order_id: str, at: datetime) -> None:
    """Keeps the latest answer time (a later one only: the condition refuses going back)."""
    item = MetricAnswerItem(_subject(f"order:{order_id}"), "ANSWERED")
    try:
        item.update(actions=[MetricAnswerItem.item_type.set(MetricAnswerItem), MetricAnswerItem.at.set(iso(at))],
                    condition=MetricAnswerItem.at.does_not_exist() | (MetricAnswerItem.at < iso(at)))
    except UpdateError as exc:
        if getattr(exc, "cause_response_code", None) != "ConditionalCheckFailedException":
            raise
