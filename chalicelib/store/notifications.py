"""The in-app feed, its unread counter and delivery records of e-mail and push. Keys
(docs/data-model.md, "Notifications"):

    notification        USER#<user id>          NOTIF#<event id>
                        gsi2: FEED#<user id> / <at>#<event id>            (every entry)
                        gsi1: UNREAD#<user id> / <at>#<event id>          (only while unread)
    notification_count  USER#<user id>          NOTIFICATIONS             unread = N
    delivery            DELIVERY#<event id>     <user id>#<channel>       state, lease_until, TTL

A feed entry is keyed by its event, so writing it again is a no-op; the counter moves only in the
transactions that create an unread entry (+1) or mark one read (-1), so it always equals the
number of unread entries. Events leave the outbox through store/outbox.py."""
from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from pynamodb.attributes import JSONAttribute, NumberAttribute, UnicodeAttribute, VersionAttribute

from chalicelib.domain.clock import iso
from chalicelib.domain.codec import from_primitive, to_primitive
from chalicelib.domain.errors import Conflict
from chalicelib.domain.notifications import Channel, Notification
from chalicelib.store import cursors
from chalicelib.store.records import Record
from chalicelib.store.table import TableItem
from chalicelib.store.unit_of_work import UnitOfWork

# [decision] delivery records outlive any retry of their event by far, then expire.
DELIVERY_RECORD_DAYS = 30


class NotificationItem(TableItem, discriminator="notification"):
    version = VersionAttribute()
    data = JSONAttribute()


class UnreadCountItem(TableItem, discriminator="notification_count"):
    unread = NumberAttribute(default=0)


class DeliveryItem(TableItem, discriminator="delivery"):
    state = UnicodeAttribute()  # DeliveryState
    lease_until = UnicodeAttribute(null=True)


class DeliveryState(StrEnum):
    SENDING = "sending"  # claimed by a dispatcher until lease_until
    SENT = "sent"
    UNDELIVERABLE = "undeliverable"  # the provider refused it for good; never retried


# --- the feed -------------------------------------------------------------------------------
def _key(user_id: str, notification_id: str) -> tuple[str, str]:
    return f"USER#{user_id}", f"NOTIF#{notification_id}"


def _counter(user_id: str) -> UnreadCountItem:
    return UnreadCountItem(f"USER#{user_id}", "NOTIFICATIONS")


def _fill(item: NotificationItem, n: Notification) -> NotificationItem:
    order = f"{iso(n.at)}#{n.id}"
    item.gsi2pk, item.gsi2sk = f"FEED#{n.user_id}", order
    item.gsi1pk, item.gsi1sk = (None, None) if n.read else (f"UNREAD#{n.user_id}", order)
    item.data = to_primitive(n)
    return item


def _counter_add(uow: UnitOfWork, user_id: str, delta: int) -> None:
    # ADD creates the counter on first use; the SET keeps its discriminator.
    uow.update(_counter(user_id), actions=[UnreadCountItem.unread.add(delta),
                                           UnreadCountItem.item_type.set(UnreadCountItem)])


def get(user_id: str, notification_id: str) -> Record[Notification] | None:
    try:
        item = NotificationItem.get(*_key(user_id, notification_id), consistent_read=True)
    except NotificationItem.DoesNotExist:
        return None
    return Record(from_primitive(Notification, item.data), item)


def add(notification: Notification) -> bool:
    """Writes the feed entry and counts it unread, in one transaction, unless it is there
    already. True when it was new. Safe to repeat: the entry's key is its event's id."""
    uow = UnitOfWork()
    # A new versioned item is saved on the condition that it does not exist yet.
    uow.save(_fill(NotificationItem(*_key(notification.user_id, notification.id)), notification))
    _counter_add(uow, notification.user_id, 1)
    try:
        uow.commit()
    except Conflict:
        if get(notification.user_id, notification.id) is not None:
            return False  # written by an earlier run
        raise  # a concurrent transaction on the counter: the event stays pending and is retried
    return True


def page(user_id: str, limit: int, cursor: str | None,
         unread_only: bool = False) -> tuple[list[Notification], str | None]:
    """Newest first: every entry from ``gsi2``, or only unread ones from the sparse ``gsi1``."""
    index: Any
    if unread_only:
        index, pk, attr = NotificationItem.gsi1, f"UNREAD#{user_id}", "gsi1pk"
    else:
        index, pk, attr = NotificationItem.gsi2, f"FEED#{user_id}", "gsi2pk"
    start = cursors.decode(cursor, expect={attr: pk})
    result = index.query(pk, scan_index_forward=False, limit=limit, last_evaluated_key=start)
    items = [from_primitive(Notification, i.data) for i in result]
    return items, cursors.encode(result.last_evaluated_key)


def unread_count(user_id: str) -> int:
    counter = _counter(user_id)
    try:
        return max(0, int(UnreadCountItem.get(counter.pk, counter.sk, consistent_read=True).unread))
    except UnreadCountItem.DoesNotExist:
        return 0


def unread(user_id: str, limit: int) -> list[Record[Notification]]:
    """Up to ``limit`` unread entries, newest first, read back consistently (the index may lag)."""
    keys = [(i.pk, i.sk) for i in NotificationItem.gsi1.query(f"UNREAD#{user_id}", scan_index_forward=False,
                                                              limit=limit)]
    if not keys:
        return []
    found = {(i.pk, i.sk): i for i in NotificationItem.batch_get(keys, consistent_read=True)}
    records = [Record(from_primitive(Notification, found[k].data), found[k]) for k in keys if k in found]
    return [r for r in records if not r.value.read]


def stage_read(uow: UnitOfWork, user_id: str, changes: list[tuple[Record[Notification], Notification]]) -> None:
    """Saves entries that were unread as read (each on the version read) and counts them off
    with one counter update (an item may appear once in a transaction), in the caller's
    transaction."""
    for record, notification in changes:
        assert not record.value.read and notification.read and notification.user_id == user_id
        _fill(record.item, notification)
        uow.save(record.item)
        record.value = notification
    if changes:
        _counter_add(uow, user_id, -len(changes))


# --- deliveries -----------------------------------------------------------------------------
class Claim(StrEnum):
    CLAIMED = "claimed"  # the caller sends now, then calls ``delivered``
    DONE = "done"  # sent (or undeliverable) before: nothing to do
    BUSY = "busy"  # another dispatcher holds a lease on it: leave the event pending


def _delivery(event_id: str, user_id: str, channel: Channel) -> DeliveryItem:
    return DeliveryItem(f"DELIVERY#{event_id}", f"{user_id}#{channel.value}")


def claim(event_id: str, user_id: str, channel: Channel, now: datetime, lease: timedelta) -> Claim:
    """Takes the right to send one (event, recipient, channel): a conditional put that succeeds
    when no record exists or when another dispatcher's lease has run out (it crashed). So a
    normal re-run never resends, and a crash between sending and ``delivered`` sends again once
    the lease is over: at least once."""
    item = _delivery(event_id, user_id, channel)
    item.state = DeliveryState.SENDING.value
    item.lease_until = iso(now + lease)
    item.expires_at = now + timedelta(days=DELIVERY_RECORD_DAYS)
    expired = (DeliveryItem.state == DeliveryState.SENDING.value) & (DeliveryItem.lease_until < iso(now))
    uow = UnitOfWork()
    uow.save(item, condition=DeliveryItem.pk.does_not_exist() | expired)
    try:
        uow.commit()
    except Conflict:
        try:
            current = DeliveryItem.get(item.pk, item.sk, consistent_read=True)
        except DeliveryItem.DoesNotExist:
            return Claim.BUSY  # released in between: the next run takes it
        return Claim.BUSY if current.state == DeliveryState.SENDING.value else Claim.DONE
    return Claim.CLAIMED


def delivered(event_id: str, user_id: str, channel: Channel, now: datetime,
              state: DeliveryState = DeliveryState.SENT) -> None:
    item = _delivery(event_id, user_id, channel)
    item.state = state.value
    item.expires_at = now + timedelta(days=DELIVERY_RECORD_DAYS)
    item.save()


def release(event_id: str, user_id: str, channel: Channel) -> None:
    """Gives a claim back after a failed send, so the next run retries without waiting out the
    lease. Only a record still being sent is removed."""
    item = _delivery(event_id, user_id, channel)
    uow = UnitOfWork()
    uow.delete(item, condition=DeliveryItem.state == DeliveryState.SENDING.value)
    try:
        uow.commit()
    except Conflict:
        pass


def delivery_state(event_id: str, user_id: str, channel: Channel) -> DeliveryState | None:
    item = _delivery(event_id, user_id, channel)
    try:
        return DeliveryState(DeliveryItem.get(item.pk, item.sk, consistent_read=True).state)
    except DeliveryItem.DoesNotExist:
        return None
