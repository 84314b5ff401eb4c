"""Small values an order keeps: how it was cancelled, and what a delivery held."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ..events import Actor

TEXT_MAX = 2_500  # [decision] texts written inside an order: reasons, messages, progress updates, offer lines


@dataclass(frozen=True)
class Cancellation:
    by: Actor
    reason: str
    mutual: bool  # O11/O12: agreed or unanswered request
    seller_at_fault: bool = True  # feeds O13: an operator may say it was not the seller's fault


@dataclass(frozen=True)
class Delivery:
    number: int
    message: str
    files: tuple[str, ...]
    at: datetime
    milestone: int = 0  # C2: the milestone it delivers (from 1); 0 for an order in one piece
