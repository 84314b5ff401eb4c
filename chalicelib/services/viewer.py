"""Who is asking: every read and write that depends on the caller takes one of these."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Viewer:
    user_id: str
    is_operator: bool = False
