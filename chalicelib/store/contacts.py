"""A user's contacts (O19) and a seller's blocked buyers (O17), read from the relationship items.

Contacts: a relationship is indexed on both sides, ``gsi1`` (``CONTACTS#<seller id>``) for the
seller and ``gsi2`` (``CONTACTS#<buyer id>``) for the buyer, most recent activity first.
Blocked buyers: a small projection ``USER#<seller id>`` / ``BLOCKED#<buyer id>`` written in the
same transaction as the block and deleted with the unblock, so the list is one Query."""
from __future__ import annotations

from datetime import datetime

from pynamodb.attributes import UnicodeAttribute

from chalicelib.domain.clock import iso
from chalicelib.domain.codec import from_primitive
from chalicelib.domain.relationships import Relationship
from chalicelib.store import cursors
from chalicelib.store.models import RelationshipItem
from chalicelib.store.table import TableItem
from chalicelib.store.unit_of_work import UnitOfWork


class BlockedBuyerItem(TableItem, discriminator="blocked_buyer"):
    buyer_id = UnicodeAttribute()
    blocked_at = UnicodeAttribute()


def page(user_id: str, side: str, limit: int, cursor: str | None) -> tuple[list[Relationship], str | None]:
    """``side`` is the caller's: "seller" reads gsi1, "buyer" gsi2."""
    pk = f"CONTACTS#{user_id}"
    index, attr = (RelationshipItem.gsi1, "gsi1pk") if side == "seller" else (RelationshipItem.gsi2, "gsi2pk")
    start = cursors.decode(cursor, expect={attr: pk})
    result = index.query(pk, scan_index_forward=False, limit=limit, last_evaluated_key=start)
    return [from_primitive(Relationship, item.data) for item in result], cursors.encode(result.last_evaluated_key)


def _blocked_key(seller_id: str, buyer_id: str) -> tuple[str, str]:
    return f"USER#{seller_id}", f"BLOCKED#{buyer_id}"


def stage_blocked(uow: UnitOfWork, seller_id: str, buyer_id: str, at: datetime) -> None:
    item = BlockedBuyerItem(*_blocked_key(seller_id, buyer_id))
    item.buyer_id, item.blocked_at = buyer_id, iso(at)
    uow.save(item)


def stage_unblocked(uow: UnitOfWork, seller_id: str, buyer_id: str) -> None:
    uow.delete(BlockedBuyerItem(*_blocked_key(seller_id, buyer_id)))


def blocked_page(seller_id: str, limit: int, cursor: str | None) -> tuple[list[tuple[str, datetime]], str | None]:
    pk = f"USER#{seller_id}"
    start = cursors.decode(cursor, expect={"pk": pk})
    result = BlockedBuyerItem.query(pk, BlockedBuyerItem.sk.startswith("BLOCKED#"), limit=limit,
                                    last_evaluated_key=start, consistent_read=True)
    out = [(item.buyer_id, from_primitive(datetime, item.blocked_at)) for item in result]
    return out, cursors.encode(result.last_evaluated_key)
