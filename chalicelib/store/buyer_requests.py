"""Buyer requests (B1–B3): the request (versioned), one link per offer on it, the buyer's open
count, and the sellers' feed entries.

    BUYER_REQUEST#<id> / REQUEST        the request (version, state)
                                        gsi2 BUYER#<buyer> / BREQ#<created>#<id>
    BUYER_REQUEST#<id> / OFFER#<seller> the seller's one offer on it (B2): offer id
    BUYER_REQUEST#<id> / EVENT#...      its events (stream ``buyer_request:<id>``)
    USER#<buyer>       / BREQ_OPEN      ``open``: the buyer's open requests (B1 cap)
    USER#<seller>      / RFEED#<created>#<request id>
                                        a feed entry (fanned out by a reaction)
                                        gsi1 RFEED#<request id> / <seller id> (clean-up)

Its expiry is a ``DeadlineItem`` (kind ``buyer_request_expiry``, subject and ref the request id).
The seller's feed is one Query of the seller's own partition (``feed_page``), whatever the number
of categories: see docs/data-model.md."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from pynamodb.attributes import JSONAttribute, NumberAttribute, UnicodeAttribute, VersionAttribute

from chalicelib.domain.buyer_requests import BuyerRequest, RequestState, excerpt
from chalicelib.domain.clock import iso
from chalicelib.domain.codec import from_primitive, to_primitive
from chalicelib.store import cursors
from chalicelib.store.records import Record
from chalicelib.store.table import TableItem
from chalicelib.store.unit_of_work import UnitOfWork


class BuyerRequestItem(TableItem, discriminator="buyer_request"):
    version = VersionAttribute()
    state = UnicodeAttribute()
    data = JSONAttribute()


class RequestOfferItem(TableItem, discriminator="buyer_request_offer"):
    """B2: one per seller and request, put with ``attribute_not_exists``."""

    offer_id = UnicodeAttribute()
    seller_id = UnicodeAttribute()
    created_at = UnicodeAttribute()


class OpenRequestsItem(TableItem, discriminator="buyer_request_count"):
    open = NumberAttribute(default=0)


class FeedEntryItem(TableItem, discriminator="request_feed_entry"):
    """What a seller's feed shows of an open request; ``open_until`` lets a read drop expired ones."""

    request_id = UnicodeAttribute()
    category = UnicodeAttribute()
    open_until = UnicodeAttribute()
    data = JSONAttribute()


Rec = Record[BuyerRequest, BuyerRequestItem]
PARTITION = "BUYER_REQUEST#"


def _key(request_id: str) -> tuple[str, str]:
    return f"{PARTITION}{request_id}", "REQUEST"


# -- the request ---------------------------------------------------------------------------------
def get(request_id: str) -> Rec | None:
    try:
        item = BuyerRequestItem.get(*_key(request_id), consistent_read=True)
    except BuyerRequestItem.DoesNotExist:
        return None
    return Record(from_primitive(BuyerRequest, item.data), item)


def new_record(request: BuyerRequest) -> Rec:
    return Record(request, BuyerRequestItem(*_key(request.id)))


def stage_save(uow: UnitOfWork, record: Rec, request: BuyerRequest) -> None:
    """Saves the request conditioned on the version read (a new one: on its absence)."""
    record.value = request
    item = record.item
    item.state = request.state.value
    item.gsi2pk, item.gsi2sk = f"BUYER#{request.buyer_id}", f"BREQ#{iso(request.created_at)}#{request.id}"
    item.data = to_primitive(request)
    uow.save(item)


def stage_check(uow: UnitOfWork, record: Rec) -> None:
    """The request must be as read when this commits (an offer never lands on a closed request)."""
    uow.check(record.item, BuyerRequestItem.version == record.item.version)


def page_of_buyer(buyer_id: str, state: RequestState | None, limit: int,
                  cursor: str | None) -> tuple[list[BuyerRequest], str | None]:
    """A buyer's requests, newest first (one Query on gsi2)."""
    items, next_cursor = cursors.party_page(BuyerRequestItem, buyer_id, False, "BREQ#",
                                            state.value if state else None, limit, cursor)
    return [from_primitive(BuyerRequest, i.data) for i in items], next_cursor


# -- the buyer's open count (B1) -------------------------------------------------------------------
def _count_key(buyer_id: str) -> tuple[str, str]:
    return f"USER#{buyer_id}", "BREQ_OPEN"


def open_count(buyer_id: str) -> int:
    try:
        return int(OpenRequestsItem.get(*_count_key(buyer_id), consistent_read=True).open)
    except OpenRequestsItem.DoesNotExist:
        return 0


def stage_count_open(uow: UnitOfWork, buyer_id: str, read: int) -> None:
    """+1 on the count read: of two concurrent posts one fails (409), so the cap holds (B1)."""
    item = OpenRequestsItem(*_count_key(buyer_id))
    condition = OpenRequestsItem.open == read
    if read == 0:  # never counted, or counted back down to nothing
        condition = OpenRequestsItem.pk.does_not_exist() | condition
    uow.update(item, actions=[OpenRequestsItem.open.add(1), OpenRequestsItem.item_type.set(OpenRequestsItem)],
               condition=condition)


def stage_count_ended(uow: UnitOfWork, buyer_id: str) -> None:
    """-1 when a request leaves ``open``; the request's own version guards the transition."""
    uow.update(OpenRequestsItem(*_count_key(buyer_id)), actions=[OpenRequestsItem.open.add(-1)])


# -- offers on a request (B2) ----------------------------------------------------------------------
def offer_link(request_id: str, seller_id: str) -> RequestOfferItem | None:
    try:
        return RequestOfferItem.get(f"{PARTITION}{request_id}", f"OFFER#{seller_id}", consistent_read=True)
    except RequestOfferItem.DoesNotExist:
        return None


def stage_offer_link(uow: UnitOfWork, request_id: str, seller_id: str, offer_id: str, now: datetime) -> None:
    item = RequestOfferItem(f"{PARTITION}{request_id}", f"OFFER#{seller_id}")
    item.offer_id, item.seller_id, item.created_at = offer_id, seller_id, iso(now)
    uow.save(item, condition=RequestOfferItem.pk.does_not_exist())


def offer_ids(request_id: str) -> list[str]:
    """Every offer sent on the request, newest first (one Query; at most one per seller)."""
    items = RequestOfferItem.query(f"{PARTITION}{request_id}", RequestOfferItem.sk.startswith("OFFER#"))
    return [i.offer_id for i in sorted(items, key=lambda i: i.created_at, reverse=True)]


# -- the sellers' feed -------------------------------------------------------------------------------
def _feed_sk(request: BuyerRequest) -> str:
    return f"RFEED#{iso(request.created_at)}#{request.id}"


def feed_summary(request: BuyerRequest) -> dict[str, Any]:
    """What a feed shows of a request (and all it shows)."""
    return {"id": request.id, "buyer_id": request.buyer_id, "excerpt": excerpt(request.description),
            "category": request.category, "subcategory": request.subcategory, "budget": request.budget,
            "delivery_days": request.delivery_days, "created_at": iso(request.created_at),
            "expires_at": iso(request.expires_at), "attachments": len(request.attachments)}


def feed_entry(seller_id: str, request: BuyerRequest) -> FeedEntryItem:
    item = FeedEntryItem(f"USER#{seller_id}", _feed_sk(request))
    item.request_id, item.category, item.open_until = request.id, request.category, iso(request.expires_at)
    item.gsi1pk, item.gsi1sk = f"RFEED#{request.id}", seller_id
    item.data = feed_summary(request)
    return item


def put_feed_entries(seller_ids: list[str], request: BuyerRequest) -> None:
    """The fan-out: idempotent puts (a re-run writes the same items), 25 per BatchWriteItem."""
    with FeedEntryItem.batch_write() as batch:
        for seller_id in seller_ids:
            batch.save(feed_entry(seller_id, request))


def delete_feed_entries(request_id: str) -> int:
    """Clean-up once a request ended: every seller's entry, found through gsi1."""
    items = list(FeedEntryItem.gsi1.query(f"RFEED#{request_id}"))
    with FeedEntryItem.batch_write() as batch:
        for item in items:
            batch.delete(FeedEntryItem(item.pk, item.sk))
    return len(items)


def delete_feed_entry(seller_id: str, request: BuyerRequest) -> None:
    """B2: a seller dismisses a request from their feed (idempotent)."""
    FeedEntryItem(f"USER#{seller_id}", _feed_sk(request)).delete()


def feed_page(seller_id: str, categories: frozenset[str], now: datetime, limit: int,
              cursor: str | None) -> tuple[list[dict[str, Any]], str | None]:
    """A seller's feed, newest first: ONE Query call of the seller's partition (never more, so a
    page whose entries the filter drops comes back short, with a cursor to go on). The filter
    drops requests past their expiry and categories the seller no longer has a published gig in."""
    pk = f"USER#{seller_id}"
    if not categories:
        return [], None
    start = cursors.decode(cursor, expect={"pk": pk})
    condition = (FeedEntryItem.open_until > iso(now)) & FeedEntryItem.category.is_in(*sorted(categories))
    result = FeedEntryItem.query(pk, FeedEntryItem.sk.startswith("RFEED#"), filter_condition=condition,
                                 scan_index_forward=False, last_evaluated_key=start, page_size=limit)
    page = result.page_iter.next()
    items = [FeedEntryItem.from_raw_data(raw) for raw in page.get("Items", [])]
    return [dict(i.data) for i in items], cursors.encode(page.get("LastEvaluatedKey"))
