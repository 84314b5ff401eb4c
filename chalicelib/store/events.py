"""Events (history and outbox) in the partition of the stream they belong to, so an order's
history is read with the order. An event in the outbox (recipients, or marked ``outbox``) also
carries ``outbox_shard`` / ``outbox_at`` until it is dispatched: the sparse ``outbox`` index then
holds only pending work."""
from __future__ import annotations

import zlib
from collections.abc import Iterator

from chalicelib.config import settings
from chalicelib.domain.clock import iso
from chalicelib.domain.codec import from_primitive, to_primitive
from chalicelib.domain.events import Event
from chalicelib.store.models import EventItem
from chalicelib.store.records import Record
from chalicelib.store.unit_of_work import UnitOfWork


def partition_of(stream: str) -> str:
    """``order:ord_x`` → ``ORDER#ord_x``: a stream's events live in its aggregate's partition."""
    kind, _, ident = stream.partition(":")
    return f"{kind.upper()}#{ident}"


def outbox_shard_of(event_id: str) -> str:
    return f"OUTBOX#{zlib.crc32(event_id.encode()) % settings().due_shards:02d}"


def to_item(event: Event) -> EventItem:
    item = EventItem(partition_of(event.stream), f"EVENT#{iso(event.at)}#{event.seq:06d}#{event.id}")
    item.kind = event.kind
    item.data = to_primitive(event)
    if event.in_outbox:
        item.outbox_shard = outbox_shard_of(event.id)
        item.outbox_at = f"{iso(event.at)}#{event.id}"
    return item


def stage(uow: UnitOfWork, event: Event) -> None:
    uow.save(to_item(event))


def history(stream: str) -> list[Event]:
    """Every event of a stream, oldest first."""
    items = EventItem.query(partition_of(stream), EventItem.sk.startswith("EVENT#"))
    return [from_primitive(Event, item.data) for item in items]


def pending(shard: int, limit: int) -> Iterator[Record[Event]]:
    """Events of one outbox shard not yet dispatched, whether due now or waiting out a backoff,
    by due time (the dispatcher reads only the due ones: ``store.outbox.due``)."""
    for item in EventItem.outbox.query(f"OUTBOX#{shard:02d}", limit=limit):
        yield Record(from_primitive(Event, item.data), item)
