"""What an order is placed on: its ``Terms``. A gig selection is priced into terms
(``pricing.gig_terms``); an accepted custom offer will produce them too. Terms are a plan of one or
more payment stages: a gig order is one stage, a milestone order (C2) several. The order keeps the
priced lines, and its money is held, settled and refunded per stage (``money.py``)."""
from __future__ import annotations

from dataclasses import dataclass, replace

from ..gigs import Requirement


@dataclass(frozen=True)
class OrderLine:
    kind: str  # package | fast_delivery | additional_revision | custom_extra | shipping | offer | coupon
    description: str
    unit_price: int  # minor units
    quantity: int
    amount: int


@dataclass(frozen=True)
class Stage:
    """One payment stage of the plan: what the buyer pays to start it, how long it runs and how
    many revisions it carries (None: unlimited, O7). A milestone (C2) also has a description."""

    title: str
    amount: int
    delivery_days: int
    revisions: int | None
    description: str = ""


@dataclass(frozen=True)
class Terms:
    lines: tuple[OrderLine, ...]
    delivery_days: int
    revisions: int | None  # None = unlimited (O7)
    requirements: tuple[Requirement, ...]  # the questions asked before the clock starts (O3)
    stages: tuple[Stage, ...]
    tier: str = ""  # what the buyer chose, for the order page (G4, G10)
    quantity: int = 1
    coupon_id: str | None = None  # M2: the seller's coupon the buyer used (its line takes the discount off)

    def __post_init__(self) -> None:
        if not self.stages:
            raise ValueError("terms have at least one payment stage")
        if sum(stage.amount for stage in self.stages) != self.total:
            raise ValueError("the stages must add up to the priced lines")

    @property
    def total(self) -> int:
        return sum(line.amount for line in self.lines)

    def with_coupon(self, coupon_id: str, line: OrderLine) -> Terms:
        """M2/M1: a single-stage order with a coupon's discount line (a negative amount): the stage
        the buyer pays, and so the ledger and the 80/20 split, is the discounted total."""
        if len(self.stages) != 1:
            raise ValueError("a coupon applies to a single-stage order")
        stage = replace(self.stages[0], amount=self.stages[0].amount + line.amount)
        return replace(self, lines=self.lines + (line,), stages=(stage,), coupon_id=coupon_id)

    @classmethod
    def single_stage(cls, title: str, lines: tuple[OrderLine, ...], delivery_days: int,
                     revisions: int | None, requirements: tuple[Requirement, ...], *, tier: str = "",
                     quantity: int = 1) -> Terms:
        """A gig order: the whole price is one stage."""
        stage = Stage(title, sum(line.amount for line in lines), delivery_days, revisions)
        return cls(lines, delivery_days, revisions, requirements, (stage,), tier, quantity)
