"""Dataclasses to and from plain JSON-able values, driven by type hints. The store keeps
aggregates' contents in this form and the HTTP layer builds domain values from validated bodies
with it, so no layer writes field-by-field copies."""
from __future__ import annotations

import dataclasses
import enum
import types
import typing
from datetime import UTC, date, datetime, timedelta
from functools import cache
from typing import Any

from .clock import iso


def to_primitive(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_primitive(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime):
        return iso(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, timedelta):
        return value.total_seconds()  # exact to the microsecond for any span this system keeps
    if isinstance(value, (list, tuple, frozenset, set)):
        return [to_primitive(v) for v in value]
    if isinstance(value, dict):
        return {str(k): to_primitive(v) for k, v in value.items()}
    return value


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def from_primitive(tp: Any, data: Any) -> Any:
    if data is None:
        return None
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        return from_primitive(args[0], data) if len(args) == 1 else data
    if origin in (tuple, list, frozenset, set):
        item_args = typing.get_args(tp)
        item = item_args[0] if item_args else Any
        items = [from_primitive(item, v) for v in data]
        return {tuple: tuple, list: list, frozenset: frozenset, set: set}[origin](items)
    if origin is dict:
        key_tp, val_tp = typing.get_args(tp)
        return {from_primitive(key_tp, k): from_primitive(val_tp, v) for k, v in data.items()}
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        hints = _hints(tp)
        kwargs = {f.name: from_primitive(hints[f.name], data[f.name])
                  for f in dataclasses.fields(tp) if f.init and f.name in data}
        return tp(**kwargs)
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return tp(data)
    if tp is datetime:
        dt = datetime.fromisoformat(data.replace("Z", "+00:00")) if isinstance(data, str) else data
        return dt.astimezone(UTC)
    if tp is date:
        return date.fromisoformat(data) if isinstance(data, str) else data
    if tp is timedelta:
        return timedelta(seconds=float(data))
    return data
