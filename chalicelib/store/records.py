"""A loaded aggregate and the item it came from, so a save carries the version that was read."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from chalicelib.store.table import TableItem

T = TypeVar("T")


@dataclass
class Record(Generic[T]):
    value: T
    item: TableItem
