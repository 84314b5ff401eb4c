"""The order's money in integer minor units (M1, M3).

Every amount the buyer pays is *held* by the platform until the order's outcome decides it:

- completion (M1): the held amount is settled, 80% to the seller, 20% to the platform; the seller
  gets the floor of 80% and the platform the rest, so the two always add up to what was held;
- cancellation (M3): the held amount (what was paid for the unfinished part) goes back to the
  buyer. Money settled at an earlier completion stays earned.

So at every moment ``paid == refunded + seller_earnings + platform_fees + held``: the invariant
the stateful test checks after every step."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

SELLER_SHARE_PERCENT = 80  # M1


class EntryKind(StrEnum):
    PAYMENT = "payment"  # buyer → platform (held)
    REFUND = "refund"  # platform → buyer (M3)
    SELLER_EARNING = "seller_earning"  # held → seller (M1)
    PLATFORM_FEE = "platform_fee"  # held → platform (M1)


@dataclass(frozen=True)
class LedgerEntry:
    seq: int  # per order, from 1; with the order id it keys the entry, so it is written once
    kind: EntryKind
    amount: int
    at: datetime
    memo: str


@dataclass
class Balance:
    paid: int = 0
    refunded: int = 0
    seller_earnings: int = 0
    platform_fees: int = 0
    entries: int = 0  # entries written so far (the next one is entries + 1)

    @property
    def held(self) -> int:
        return self.paid - self.refunded - self.seller_earnings - self.platform_fees

    def pay(self, amount: int, at: datetime, memo: str) -> list[LedgerEntry]:
        if amount < 0:
            raise ValueError("a payment is never negative")
        if amount == 0:
            return []
        self.paid += amount
        return [self._entry(EntryKind.PAYMENT, amount, at, memo)]

    def settle(self, at: datetime) -> list[LedgerEntry]:
        """M1: what is held goes 80% to the seller, 20% to the platform."""
        held = self.held
        if held <= 0:
            return []
        seller = held * SELLER_SHARE_PERCENT // 100
        fee = held - seller
        self.seller_earnings += seller
        self.platform_fees += fee
        shares = ((EntryKind.SELLER_EARNING, seller, "seller's 80%"), (EntryKind.PLATFORM_FEE, fee, "platform's 20%"))
        return [self._entry(kind, amount, at, memo) for kind, amount, memo in shares if amount > 0]

    def refund_held(self, at: datetime) -> list[LedgerEntry]:
        """M3: the buyer gets back what was paid for the unfinished part."""
        held = self.held
        if held <= 0:
            return []
        self.refunded += held
        return [self._entry(EntryKind.REFUND, held, at, "refund of the unfinished part")]

    def _entry(self, kind: EntryKind, amount: int, at: datetime, memo: str) -> LedgerEntry:
        self.entries += 1
        return LedgerEntry(self.entries, kind, amount, at, memo)
