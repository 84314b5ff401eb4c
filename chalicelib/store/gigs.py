"""Gigs and their browse listings.

A listed (published) gig has one listing item per facet it can be browsed by: everything, its
category, its subcategory and each of its tags. A listing's sort key starts with the starting
price, so a price range is a key condition; delivery days and a second facet are filters on the
same Query. Listings are written and removed in the same transaction as the gig.

G9's review queue is the sparse ``gsi2``: a gig carries ``gsi2pk = GIG_REVIEW`` and
``gsi2sk = <submitted at>#<gig id>`` only while something of it awaits an operator (pending
approval, or a live gig's pending revision), so one Query, ascending, reads the queue oldest first."""
from __future__ import annotations

from dataclasses import dataclass

from chalicelib.domain.clock import iso
from chalicelib.domain.codec import from_primitive, to_primitive
from chalicelib.domain.gigs import Gig
from chalicelib.store import cursors
from chalicelib.store.models import GigItem, ListingItem
from chalicelib.store.records import Record
from chalicelib.store.unit_of_work import UnitOfWork

PRICE_DIGITS = 12
REVIEW_QUEUE = "GIG_REVIEW"  # G9: the operators' queue partition on gsi2


def _key(gig_id: str) -> tuple[str, str]:
    return f"GIG#{gig_id}", "GIG"


def get(gig_id: str) -> Record[Gig, GigItem] | None:
    try:
        item = GigItem.get(*_key(gig_id), consistent_read=True)
    except GigItem.DoesNotExist:
        return None
    return Record(from_primitive(Gig, item.data), item)


def new_record(gig: Gig) -> Record[Gig, GigItem]:
    return Record(gig, GigItem(*_key(gig.id)))


def of_seller(seller_id: str) -> list[Record[Gig, GigItem]]:
    """All of a seller's gigs (bounded by the per-seller cap), newest first."""
    items = GigItem.gsi1.query(f"SELLER#{seller_id}", GigItem.gsi1sk.startswith("GIG#"), scan_index_forward=False)
    return [Record(from_primitive(Gig, i.data), i) for i in items]


def page_of_seller(seller_id: str, limit: int, cursor: str | None) -> tuple[list[Gig], str | None]:
    pk = f"SELLER#{seller_id}"
    start = cursors.decode(cursor, expect={"gsi1pk": pk})
    result = GigItem.gsi1.query(pk, GigItem.gsi1sk.startswith("GIG#"), scan_index_forward=False,
                                limit=limit, last_evaluated_key=start)
    gigs = [from_primitive(Gig, i.data) for i in result]
    return gigs, cursors.encode(result.last_evaluated_key)


def facets(gig: Gig) -> list[str]:
    return ["all", f"cat:{gig.category}", f"sub:{gig.category}/{gig.subcategory}",
            *(f"tag:{t}" for t in gig.tags)]


def starting_price(gig: Gig) -> int:
    return min(p.price for p in gig.packages)


def summary(gig: Gig) -> dict:
    """What a browse page shows of a gig (and all it shows)."""
    return {
        "id": gig.id,
        "seller_id": gig.seller_id,
        "title": gig.title,
        "category": gig.category,
        "subcategory": gig.subcategory,
        "tags": list(gig.tags),
        "starting_price": starting_price(gig),
        "min_delivery_days": min(p.delivery_days for p in gig.packages),
        "published_at": iso(gig.published_at) if gig.published_at else None,
    }


def _listing_items(gig: Gig) -> list[ListingItem]:
    shown = summary(gig)
    out = []
    for facet in facets(gig):
        item = ListingItem(f"LISTING#{facet}", f"{shown['starting_price']:0{PRICE_DIGITS}d}#{gig.id}")
        item.gig_id = gig.id
        item.seller_id = gig.seller_id
        item.category = gig.category
        item.subcategory = gig.subcategory
        item.tags = list(gig.tags)
        item.starting_price = shown["starting_price"]
        item.min_delivery_days = shown["min_delivery_days"]
        item.summary = shown
        out.append(item)
    return out


def stage_save(uow: UnitOfWork, record: Record[Gig, GigItem], gig: Gig) -> None:
    """Saves the gig and brings its listings in line: removes the old ones (they were derived
    from what was read) and writes new ones if the gig is listed."""
    # The aggregate changes in place, so what was stored is read back from the item itself.
    before = from_primitive(Gig, record.item.data) if getattr(record.item, "data", None) else None
    item = record.item
    item.seller_id = gig.seller_id
    item.state = gig.state.value
    item.gsi1pk = f"SELLER#{gig.seller_id}"
    item.gsi1sk = f"GIG#{iso(gig.created_at)}#{gig.id}"
    item.data = to_primitive(gig)
    submitted = gig.review_submitted_at
    item.gsi2pk, item.gsi2sk = (REVIEW_QUEUE, f"{iso(submitted)}#{gig.id}") if submitted else (None, None)
    uow.save(item)
    old = {(i.pk, i.sk): i for i in _listing_items(before)} if before is not None and before.is_listed else {}
    new = {(i.pk, i.sk): i for i in _listing_items(gig)} if gig.is_listed else {}
    for key, listing in old.items():
        if key not in new:
            uow.delete(listing)
    for key, listing in new.items():
        if key not in old or listing.summary != old[key].summary:
            uow.save(listing)
    record.value = gig


def review_queue(limit: int, cursor: str | None) -> tuple[list[Gig], str | None]:
    """G9: gigs awaiting review, oldest submission first: one Query on gsi2 per page."""
    start = cursors.decode(cursor, expect={"gsi2pk": REVIEW_QUEUE})
    result = GigItem.gsi2.query(REVIEW_QUEUE, limit=limit, last_evaluated_key=start, scan_index_forward=True)
    gigs = [from_primitive(Gig, i.data) for i in result]
    return gigs, cursors.encode(result.last_evaluated_key)


@dataclass(frozen=True)
class BrowseQuery:
    category: str | None = None
    subcategory: str | None = None
    tag: str | None = None
    min_price: int | None = None
    max_price: int | None = None
    max_delivery_days: int | None = None
    descending: bool = False


def _facet(q: BrowseQuery) -> str:
    # The most selective facet is the partition; the rest become filters.
    if q.tag:
        return f"tag:{q.tag}"
    if q.category and q.subcategory:
        return f"sub:{q.category}/{q.subcategory}"
    if q.category:
        return f"cat:{q.category}"
    return "all"


def browse(q: BrowseQuery, limit: int, cursor: str | None) -> tuple[list[dict], str | None]:
    pk = f"LISTING#{_facet(q)}"
    lo = f"{(q.min_price or 0):0{PRICE_DIGITS}d}#"
    hi = f"{q.max_price:0{PRICE_DIGITS}d}#~" if q.max_price is not None else "~"
    condition = ListingItem.sk.between(lo, hi)
    filters = None

    def also(cond):
        nonlocal filters
        filters = cond if filters is None else filters & cond

    if q.tag and q.category:
        also(ListingItem.category == q.category)
    if q.tag and q.subcategory:
        also(ListingItem.subcategory == q.subcategory)
    if q.subcategory and not q.category:
        also(ListingItem.subcategory == q.subcategory)
    if q.max_delivery_days is not None:
        also(ListingItem.min_delivery_days <= q.max_delivery_days)

    start = cursors.decode(cursor, expect={"pk": pk})
    # Price and facet are key conditions; only delivery days and a second facet are filters, so
    # most pages are read exactly. With a filter PynamoDB reads on until the page is full.
    result = ListingItem.query(pk, condition, filter_condition=filters, limit=limit,
                               last_evaluated_key=start, scan_index_forward=not q.descending)
    items = [i.summary for i in result]
    return items, cursors.encode(result.last_evaluated_key)


def has_listings(facet: str) -> bool:
    return any(True for _ in ListingItem.query(f"LISTING#{facet}", limit=1))
