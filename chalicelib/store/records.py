"""A loaded aggregate and the item it came from, so a save carries the version that was read."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic

from typing_extensions import TypeVar  # a TypeVar with a default (PEP 696) on Python 3.11

from chalicelib.store.table import TableItem

T = TypeVar("T")
# The item's own model: a store writes ``Record[StoredFile, FileItem]`` so the item's attributes
# type-check; a service that only passes the record on may write ``Record[StoredFile]``.
ItemT = TypeVar("ItemT", bound=TableItem, default=Any)


@dataclass
class Record(Generic[T, ItemT]):
    value: T
    item: ItemT
