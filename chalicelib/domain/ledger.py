"""The order's money in integer minor units (M1, M3).

Every amount the buyer pays is *held* by the platform until the order's outcome decides it:

- completion (M1): the held amount is settled, 80% to the seller, 20% to the platform; the seller
  gets the floor of 80% and the platform the rest, so the two always add up to what was held;
- cancellation (M3): the held amount (what was paid for the unfinished part) goes back to the
  buyer. Money settled at an earlier completion stays earned.

So at every moment ``paid == refunded + seller_earnings + platform_fees + held``: the invariant
the stateful test checks after every step."""
from __future__ import annotations

from dataclasses import dataclass, field
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
    stage: int = 0  # the payment stage it belongs to (C2)


@dataclass
class StageMoney:
    """One payment stage's money (an order is a plan of one or more stages, C2)."""

    paid: int = 0
    refunded: int = 0
    seller_earnings: int = 0
    platform_fees: int = 0

    @property
    def held(self) -> int:
        return self.paid - self.refunded - self.seller_earnings - self.platform_fees


@dataclass
class Balance:
    """An order's money, per payment stage; the totals add the stages up. Entries are numbered
    across the order (``entries``), so a stage's entries never collide with another's."""

    stages: list[StageMoney] = field(default_factory=lambda: [StageMoney()])
    entries: int = 0  # entries written so far (the next one is entries + 1)

    @property
    def paid(self) -> int:
        return sum(s.paid for s in self.stages)

    @property
    def refunded(self) -> int:
        return sum(s.refunded for s in self.stages)

    @property
    def seller_earnings(self) -> int:
        return sum(s.seller_earnings for s in self.stages)

    @property
    def platform_fees(self) -> int:
        return sum(s.platform_fees for s in self.stages)

    @property
    def held(self) -> int:
        return sum(s.held for s in self.stages)

    def _stage(self, stage: int) -> StageMoney:
        while len(self.stages) <= stage:
            self.stages.append(StageMoney())
        return self.stages[stage]

    def pay(self, amount: int, at: datetime, memo: str, stage: int = 0) -> list[LedgerEntry]:
        if amount < 0:
            raise ValueError("a payment is never negative")
        if amount == 0:
            return []
        self._stage(stage).paid += amount
        return [self._entry(EntryKind.PAYMENT, amount, at, memo, stage)]

    def settle(self, at: datetime, stage: int | None = None) -> list[LedgerEntry]:
        """M1: what a stage holds goes 80% to the seller, 20% to the platform (every stage holding
        money when ``stage`` is None)."""
        out: list[LedgerEntry] = []
        for i in self._which(stage):
            money = self.stages[i]
            held = money.held
            if held <= 0:
                continue
            seller = held * SELLER_SHARE_PERCENT // 100
            fee = held - seller
            money.seller_earnings += seller
            money.platform_fees += fee
            shares = ((EntryKind.SELLER_EARNING, seller, f"seller's {SELLER_SHARE_PERCENT}%"),
                      (EntryKind.PLATFORM_FEE, fee, f"platform's {100 - SELLER_SHARE_PERCENT}%"))
            out += [self._entry(kind, amount, at, memo, i) for kind, amount, memo in shares if amount > 0]
        return out

    def refund_held(self, at: datetime, stage: int | None = None) -> list[LedgerEntry]:
        """M3: the buyer gets back what was paid for the unfinished part (every stage still holding
        money when ``stage`` is None); what was settled stays settled."""
        out: list[LedgerEntry] = []
        for i in self._which(stage):
            money = self.stages[i]
            held = money.held
            if held <= 0:
                continue
            money.refunded += held
            out.append(self._entry(EntryKind.REFUND, held, at, "refund of the unfinished part", i))
        return out

    def _which(self, stage: int | None) -> range:
        return range(len(self.stages)) if stage is None else range(stage, stage + 1)

    def _entry(self, kind: EntryKind, amount: int, at: datetime, memo: str, stage: int) -> LedgerEntry:
        self.entries += 1
        return LedgerEntry(self.entries, kind, amount, at, memo, stage)
