"""The order's money (M1, M3) per payment stage, through ``ledger.Balance``: the buyer pays into the
stage that runs (placement, accepted offers); completion settles what every stage holds (M1: 80%
to the seller, the floor, 20% to the platform); cancellation refunds what is still held (M3), so
money settled at an earlier completion stays settled. Every payment entry returned here has its
charge through the payment port, taken by the service in the same use case. A milestone order
(C2) pays each milestone into its own stage and settles it when it is approved (C5)."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from ..ledger import EntryKind, LedgerEntry

if TYPE_CHECKING:
    from .aggregate import Order


def pay(order: Order, amount: int, at: datetime, memo: str) -> list[LedgerEntry]:
    return order.balance.pay(amount, at, memo, stage=order.stage)


def settle(order: Order, at: datetime) -> list[LedgerEntry]:
    return order.balance.settle(at)  # M1


def settle_stage(order: Order, at: datetime) -> list[LedgerEntry]:
    return order.balance.settle(at, stage=order.stage)  # C5, M1: an approved milestone pays the seller


def refund(order: Order, at: datetime) -> list[LedgerEntry]:
    return order.balance.refund_held(at)  # M3


def payments_in(entries: list[LedgerEntry]) -> int:
    """What the buyer must be charged for these entries (O1, O10)."""
    return sum(e.amount for e in entries if e.kind is EntryKind.PAYMENT)


def settled_in(entries: list[LedgerEntry]) -> int:
    """What a completion settled (O19's total spent)."""
    return sum(e.amount for e in entries if e.kind in (EntryKind.SELLER_EARNING, EntryKind.PLATFORM_FEE))
