"""Opaque pagination cursors: DynamoDB's LastEvaluatedKey, base64url JSON. A cursor is checked
against the partition it is used with, so a forged or foreign one is a 400, never a 500."""
from __future__ import annotations

import base64
import binascii
import json

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
