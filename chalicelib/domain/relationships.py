"""A seller and a buyer: what lies between them. It answers who may write first (O5), whether
the buyer may order (O2) or be blocked (O17), and the pair's contact card (O19). Order services
update it in the same transaction as the order, so its counts never drift from the orders."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from .errors import Conflict, Forbidden


@dataclass
class Relationship:
    seller_id: str
    buyer_id: str
    buyer_wrote_first: bool = False  # O5
    blocked_at: datetime | None = None  # O17
    orders_placed: int = 0
    active_orders: int = 0
    completed_orders: int = 0
    total_spent: int = 0  # minor units paid on completed orders (O19)
    last_order_at: datetime | None = None
    last_completed_at: datetime | None = None  # M2: coupons go to buyers who completed an order lately
    last_activity_at: datetime | None = None
    conversation_id: str | None = None  # the pair's inbox conversation, once someone wrote (O19)

    @property
    def blocked(self) -> bool:
        return self.blocked_at is not None

    # -- O2 / O17 -----------------------------------------------------------------------------
    def ensure_buyer_may_order(self) -> None:
        if self.blocked:
            raise Forbidden("This seller does not accept orders from you.", code="blocked_by_seller",
                            rule="O2")

    def ensure_buyer_may_write(self) -> None:
        if self.blocked:
            raise Forbidden("This seller does not accept messages from you.", code="blocked_by_seller",
                            rule="O17")

    def block(self, now: datetime) -> None:
        """O17: only a buyer who ordered before, and not while an order of theirs is active."""
        if self.orders_placed == 0:
            raise Conflict("You can block only a buyer who has ordered from you.",
                           code="never_ordered", rule="O17")
        if self.active_orders > 0:
            raise Conflict("This buyer has an active order with you; block them after it ends.",
                           code="active_order", rule="O17")
        if self.blocked:
            raise Conflict("This buyer is already blocked.", code="already_blocked", rule="O17")
        self.blocked_at = now
        self.last_activity_at = now

    def unblock(self, now: datetime) -> None:
        if not self.blocked:
            raise Conflict("This buyer is not blocked.", code="not_blocked", rule="O17")
        self.blocked_at = None
        self.last_activity_at = now

    # -- O5 -------------------------------------------------------------------------------------
    @property
    def seller_may_write(self) -> bool:
        """O5: a seller writes to a buyer only once the buyer wrote first or they share an order."""
        return self.buyer_wrote_first or self.orders_placed > 0

    def buyer_wrote(self, now: datetime) -> None:
        self.buyer_wrote_first = True
        self.last_activity_at = now

    def conversation_opened(self, conversation_id: str, now: datetime) -> None:
        self.conversation_id = conversation_id
        self.last_activity_at = now

    # -- orders ---------------------------------------------------------------------------------
    def order_placed(self, now: datetime) -> None:
        self.orders_placed += 1
        self.active_orders += 1
        self.last_order_at = now
        self.last_activity_at = now

    def order_ended(self, completed: bool, paid: int, now: datetime) -> None:
        self.active_orders = max(0, self.active_orders - 1)
        if completed:
            self.completed_orders += 1
            self.total_spent += paid
            self.last_completed_at = now
        self.last_activity_at = now

    def milestone_settled(self, paid: int, now: datetime) -> None:
        """C5/O19: an approved milestone's money is spent when it is settled (an order with an
        approved milestone counts as completed however it ends, C4)."""
        self.total_spent += paid
        self.last_activity_at = now

    def order_reopened(self, now: datetime) -> None:
        """O12: an accepted offer of more revisions reopens a completed order."""
        self.active_orders += 1
        self.completed_orders = max(0, self.completed_orders - 1)
        self.last_activity_at = now
