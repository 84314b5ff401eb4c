"""A seller's quick responses (O18): one item per seller, ``USER#<seller id>`` / ``QUICK_RESPONSES``,
so the cap holds under concurrent edits (the version decides)."""
from __future__ import annotations

from pynamodb.attributes import JSONAttribute, VersionAttribute

from chalicelib.domain.codec import from_primitive, to_primitive
from chalicelib.domain.messaging import QuickResponses
from chalicelib.store.records import Record
from chalicelib.store.table import TableItem
from chalicelib.store.unit_of_work import UnitOfWork


class QuickResponsesItem(TableItem, discriminator="quick_responses"):
    version = VersionAttribute()
    data = JSONAttribute()


def _key(seller_id: str) -> tuple[str, str]:
    return f"USER#{seller_id}", "QUICK_RESPONSES"


def get_or_new(seller_id: str) -> Record[QuickResponses, QuickResponsesItem]:
    try:
        item = QuickResponsesItem.get(*_key(seller_id), consistent_read=True)
    except QuickResponsesItem.DoesNotExist:
        return Record(QuickResponses(seller_id=seller_id), QuickResponsesItem(*_key(seller_id)))
    return Record(from_primitive(QuickResponses, item.data), item)


def stage_save(uow: UnitOfWork, record: Record[QuickResponses, QuickResponsesItem], value: QuickResponses) -> None:
    record.value = value
    record.item.data = to_primitive(value)
    uow.save(record.item)
