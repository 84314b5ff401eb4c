"""Opaque pagination cursors: DynamoDB's LastEvaluatedKey, base64url JSON. A cursor is checked
against the partition it is used with, so a forged or foreign one is a 400, never a 500."""
from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from chalicelib.domain.errors import BadRequest


def encode(last_evaluated_key: dict | None) -> str | None:
    if not last_evaluated_key:
        return None
    raw = json.dumps(last_evaluated_key, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(cursor: str | None, *, expect: dict[str, str]) -> dict | None:
    """``expect`` names key attributes whose values the cursor must carry unchanged."""
    if not cursor:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        key = json.loads(raw)
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise BadRequest("The cursor is not one this API issued.", code="invalid_cursor") from None
    if not isinstance(key, dict) or not all(
        isinstance(v, dict) and len(v) == 1 and isinstance(next(iter(v.values())), str) for v in key.values()
    ):
        raise BadRequest("The cursor is not one this API issued.", code="invalid_cursor")
    for attr, value in expect.items():
        if key.get(attr, {}).get("S") != value:
            raise BadRequest("The cursor belongs to another listing.", code="invalid_cursor")
    return key


def party_page(model: Any, user_id: str, as_seller: bool, prefix: str, state: str | None, limit: int,
               cursor: str | None) -> tuple[list[Any], str | None]:
    """A seller's (gsi1 ``SELLER#<id>``) or buyer's (gsi2 ``BUYER#<id>``) items whose index sort key
    starts with ``prefix``, newest first: one Query; a ``state`` filter reads past the items it
    drops. Orders and custom offers are listed this way."""
    index, key = (model.gsi1, "gsi1pk") if as_seller else (model.gsi2, "gsi2pk")
    pk = f"{'SELLER' if as_seller else 'BUYER'}#{user_id}"
    start = decode(cursor, expect={key: pk})
    sk_attr = model.gsi1sk if as_seller else model.gsi2sk
    result = index.query(pk, sk_attr.startswith(prefix), scan_index_forward=False, limit=limit,
                         last_evaluated_key=start, filter_condition=(model.state == state) if state else None)
    return list(result), encode(result.last_evaluated_key)
