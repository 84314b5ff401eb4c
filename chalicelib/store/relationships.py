"""Seller–buyer relationships: one item per pair, listed as each side's contacts (O19) through
gsi1 (the seller's) and gsi2 (the buyer's), most recent activity first."""
from __future__ import annotations

from chalicelib.domain.clock import iso
from chalicelib.domain.codec import from_primitive, to_primitive
from chalicelib.domain.relationships import Relationship
from chalicelib.store.models import RelationshipItem
from chalicelib.store.records import Record
from chalicelib.store.unit_of_work import UnitOfWork


def _key(seller_id: str, buyer_id: str) -> tuple[str, str]:
    return f"REL#{seller_id}#{buyer_id}", "REL"


def get(seller_id: str, buyer_id: str) -> Record[Relationship, RelationshipItem] | None:
    try:
        item = RelationshipItem.get(*_key(seller_id, buyer_id), consistent_read=True)
    except RelationshipItem.DoesNotExist:
        return None
    return Record(from_primitive(Relationship, item.data), item)


def get_or_new(seller_id: str, buyer_id: str) -> Record[Relationship, RelationshipItem]:
    found = get(seller_id, buyer_id)
    if found:
        return found
    return Record(Relationship(seller_id=seller_id, buyer_id=buyer_id),
                  RelationshipItem(*_key(seller_id, buyer_id)))


def stage_save(uow: UnitOfWork, record: Record[Relationship, RelationshipItem]) -> None:
    rel = record.value
    item = record.item
    item.data = to_primitive(rel)
    activity = iso(rel.last_activity_at) if rel.last_activity_at else "0"
    item.gsi1pk, item.gsi1sk = f"CONTACTS#{rel.seller_id}", f"{activity}#{rel.buyer_id}"
    item.gsi2pk, item.gsi2sk = f"CONTACTS#{rel.buyer_id}", f"{activity}#{rel.seller_id}"
    uow.save(item)


def stage_check(uow: UnitOfWork, record: Record[Relationship, RelationshipItem]) -> None:
    """Asserts the pair did not change since read (e.g. no block slipped in during a placement)."""
    if record.item.version is None:
        uow.check(record.item, RelationshipItem.pk.does_not_exist())
    else:
        uow.check(record.item, RelationshipItem.version == record.item.version)
