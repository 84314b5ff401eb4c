"""The catalogue: all categories live in one partition, read with one Query."""
from __future__ import annotations

from chalicelib.domain.catalogue import Catalogue, Category
from chalicelib.domain.codec import from_primitive, to_primitive
from chalicelib.store.models import CategoryItem
from chalicelib.store.records import Record
from chalicelib.store.unit_of_work import UnitOfWork

PK = "CATALOGUE"


def load() -> Catalogue:
    items = CategoryItem.query(PK, CategoryItem.sk.startswith("CATEGORY#"))
    return Catalogue(categories=tuple(from_primitive(Category, i.data) for i in items))


def get(slug: str) -> Record[Category, CategoryItem] | None:
    try:
        item = CategoryItem.get(PK, f"CATEGORY#{slug}", consistent_read=True)
    except CategoryItem.DoesNotExist:
        return None
    return Record(from_primitive(Category, item.data), item)


def stage_save(uow: UnitOfWork, record: Record[Category, CategoryItem] | None, category: Category) -> None:
    item = record.item if record else CategoryItem(PK, f"CATEGORY#{category.slug}")
    item.data = to_primitive(category)
    uow.save(item)


def stage_delete(uow: UnitOfWork, record: Record[Category, CategoryItem]) -> None:
    uow.delete(record.item)
