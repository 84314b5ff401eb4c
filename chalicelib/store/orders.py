"""Orders and everything in their partition (``ORDER#<id>``):

    ORDER              the aggregate (version)          gsi1 SELLER#<seller> / ORDER#<placed>#<id>
                                                        gsi2 BUYER#<buyer>   / ORDER#<placed>#<id>
    TIMER#<kind>       a running timer, in the due index (a projection of ``order.timers``)
    DELIVERY#<nnnn>    a delivery (immutable)
    DRAFT              the seller's delivery draft (version)
    NOTE               the seller's private note (version)
    LEDGER#<nnnn>      a ledger entry, written once (seller earnings also on gsi1 EARNINGS#<seller>)
    EVENT#<at>#<id>    history and outbox (store/events.py)

The aggregate and its timers are read with one Query (``sk >= ORDER``). Timers carry no version:
they change only in the order's transactions, which the order's version guards."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from pynamodb.attributes import JSONAttribute, NumberAttribute, UnicodeAttribute, VersionAttribute

from chalicelib.config import settings
from chalicelib.domain.clock import iso
from chalicelib.domain.codec import from_primitive, to_primitive
from chalicelib.domain.deadlines import Deadline, DeadlineKind, shard_of
from chalicelib.domain.ledger import EntryKind, LedgerEntry
from chalicelib.domain.orders import Delivery, Order, OrderState
from chalicelib.store import cursors
from chalicelib.store.table import TableItem
from chalicelib.store.unit_of_work import UnitOfWork


class OrderItem(TableItem, discriminator="order"):
    version = VersionAttribute()
    state = UnicodeAttribute()
    buyer_id = UnicodeAttribute()
    seller_id = UnicodeAttribute()
    data = JSONAttribute()


class OrderTimerItem(TableItem, discriminator="order_timer"):
    kind = UnicodeAttribute()
    subject = UnicodeAttribute()  # the order id
    ref = UnicodeAttribute()


class OrderDeliveryItem(TableItem, discriminator="order_delivery"):
    data = JSONAttribute()


class OrderDocItem(TableItem, discriminator="order_doc"):
    """A seller-only document of an order: the delivery draft or the private note."""

    version = VersionAttribute()
    data = JSONAttribute()


class LedgerItem(TableItem, discriminator="ledger"):
    order_id = UnicodeAttribute()
    kind = UnicodeAttribute()
    amount = NumberAttribute()
    data = JSONAttribute()


class EarningsItem(TableItem, discriminator="earnings"):
    """A seller's running totals (M1), updated with ADD in the completing transaction."""

    earned = NumberAttribute(default=0)
    settlements = NumberAttribute(default=0)  # completions that paid the seller


def _pk(order_id: str) -> str:
    return f"ORDER#{order_id}"


@dataclass
class OrderRecord:
    value: Order
    item: OrderItem
    timers: dict[DeadlineKind, OrderTimerItem] = field(default_factory=dict)


def get(order_id: str) -> OrderRecord | None:
    """The order and its running timers, in one strongly consistent Query."""
    record: OrderRecord | None = None
    timers: dict[DeadlineKind, OrderTimerItem] = {}
    for item in TableItem.query(_pk(order_id), TableItem.sk >= "ORDER", consistent_read=True):
        if isinstance(item, OrderItem):
            record = OrderRecord(from_primitive(Order, item.data), item)
        elif isinstance(item, OrderTimerItem):
            timers[DeadlineKind(item.kind)] = item
    if record is not None:
        record.timers = timers
    return record


def new_record(order: Order) -> OrderRecord:
    return OrderRecord(order, OrderItem(_pk(order.id), "ORDER"))


def stage_save(uow: UnitOfWork, record: OrderRecord) -> None:
    """Saves the order (version-checked) and brings the timer items in line with ``order.timers``."""
    order = record.value
    item = record.item
    item.state = order.state.value
    item.buyer_id = order.buyer_id
    item.seller_id = order.seller_id
    placed = f"ORDER#{iso(order.placed_at)}#{order.id}"
    item.gsi1pk, item.gsi1sk = f"SELLER#{order.seller_id}", placed
    item.gsi2pk, item.gsi2sk = f"BUYER#{order.buyer_id}", placed
    item.data = to_primitive(order)
    uow.save(item)
    for kind, timer in order.timers.items():
        existing = record.timers.get(kind)
        if existing is not None and existing.ref == timer.ref:
            continue
        timer_item = OrderTimerItem(_pk(order.id), f"TIMER#{kind.value}")
        timer_item.kind, timer_item.subject, timer_item.ref = kind.value, order.id, timer.ref
        timer_item.due_shard = f"DUE#{shard_of(order.id, settings().due_shards):02d}"
        timer_item.due_at = f"{iso(timer.due_at)}#{kind.value}#{order.id}"
        uow.save(timer_item)
    for kind, existing in record.timers.items():
        if kind not in order.timers:
            uow.delete(existing)


def timer_deadline(item: OrderTimerItem) -> Deadline:
    return Deadline(kind=DeadlineKind(item.kind), subject=item.subject, ref=item.ref,
                    due_at=from_primitive(datetime, item.due_at.split("#", 1)[0]))


# -- deliveries, draft, private note ------------------------------------------------------------
def stage_delivery(uow: UnitOfWork, order_id: str, delivery: Delivery) -> None:
    item = OrderDeliveryItem(_pk(order_id), f"DELIVERY#{delivery.number:04d}")
    item.data = to_primitive(delivery)
    uow.save(item, condition=OrderDeliveryItem.pk.does_not_exist())


def deliveries(order_id: str, limit: int, cursor: str | None) -> tuple[list[Delivery], str | None]:
    """Newest first."""
    pk = _pk(order_id)
    start = cursors.decode(cursor, expect={"pk": pk})
    result = OrderDeliveryItem.query(pk, OrderDeliveryItem.sk.startswith("DELIVERY#"), scan_index_forward=False,
                                limit=limit, last_evaluated_key=start)
    return [from_primitive(Delivery, i.data) for i in result], cursors.encode(result.last_evaluated_key)


def get_doc(order_id: str, name: str) -> OrderDocItem | None:
    try:
        return OrderDocItem.get(_pk(order_id), name, consistent_read=True)
    except OrderDocItem.DoesNotExist:
        return None


def new_doc(order_id: str, name: str) -> OrderDocItem:
    return OrderDocItem(_pk(order_id), name)


# -- ledger -------------------------------------------------------------------------------------
def stage_ledger(uow: UnitOfWork, order: Order, entries: list[LedgerEntry]) -> None:
    """Each entry's key is the order plus its sequence number and is written only if absent, so
    no entry is ever written twice. Seller earnings also update the seller's totals."""
    earned = 0
    for entry in entries:
        item = LedgerItem(_pk(order.id), f"LEDGER#{entry.seq:04d}")
        item.order_id, item.kind, item.amount = order.id, entry.kind.value, entry.amount
        item.data = {**to_primitive(entry), "order_id": order.id, "order_number": order.number,
                     "seller_id": order.seller_id, "buyer_id": order.buyer_id}
        if entry.kind is EntryKind.SELLER_EARNING:
            item.gsi1pk, item.gsi1sk = f"EARNINGS#{order.seller_id}", f"{iso(entry.at)}#{order.id}#{entry.seq:04d}"
            earned += entry.amount
        uow.save(item, condition=LedgerItem.pk.does_not_exist())
    if earned:
        totals = EarningsItem(f"USER#{order.seller_id}", "EARNINGS")
        # An update writes no discriminator by itself; set it so the item reads back as what it is.
        uow.update(totals, actions=[EarningsItem.item_type.set(EarningsItem), EarningsItem.earned.add(earned),
                                    EarningsItem.settlements.add(1)])


def ledger_of(order_id: str) -> list[dict]:
    return [i.data for i in LedgerItem.query(_pk(order_id), LedgerItem.sk.startswith("LEDGER#"),
                                             consistent_read=True)]


def earnings_totals(seller_id: str) -> EarningsItem | None:
    try:
        return EarningsItem.get(f"USER#{seller_id}", "EARNINGS", consistent_read=True)
    except EarningsItem.DoesNotExist:
        return None


def earnings_page(seller_id: str, limit: int, cursor: str | None) -> tuple[list[dict], str | None]:
    pk = f"EARNINGS#{seller_id}"
    start = cursors.decode(cursor, expect={"gsi1pk": pk})
    result = LedgerItem.gsi1.query(pk, scan_index_forward=False, limit=limit, last_evaluated_key=start)
    return [i.data for i in result], cursors.encode(result.last_evaluated_key)


# -- lists ----------------------------------------------------------------------------------------
def page_of(user_id: str, as_seller: bool, state: OrderState | None, limit: int,
            cursor: str | None) -> tuple[list[Order], str | None]:
    """A party's orders, newest first; a state filter reads past the orders it drops."""
    items, next_cursor = cursors.party_page(OrderItem, user_id, as_seller, "ORDER#", state.value if state else None,
                                            limit, cursor)
    return [from_primitive(Order, i.data) for i in items], next_cursor
