"""The payment port: where a real processor plugs in.

The ledger (domain/ledger.py, store/orders.py) is the book of record for what is held, earned,
charged as fees and refunded. The port is the processor's side of a placement: the buyer's money
is taken *before* the order's transaction commits and voided if the commit fails, so no order
exists unpaid and no charge exists without an order.

A real processor (e.g. Stripe) implements ``PaymentPort``: ``charge`` creates and confirms a
PaymentIntent with the order id as its idempotency key; ``void`` cancels or refunds it. Refunds
(M3) and payouts (M1) are not made inline: they follow the ledger entries, which the order's
events carry through the outbox (``order.*`` events with ``state`` cancelled / completed), so a
consumer of the outbox can issue them at least once, keyed by ledger entry, without doubling."""
from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Protocol

from chalicelib.domain.ids import new_id


class PaymentPort(Protocol):
    def charge(self, *, order_id: str, buyer_id: str, amount: int) -> str: ...

    def void(self, charge_id: str) -> None: ...


@dataclass
class LocalPayments:
    """Accepts every charge and remembers it: the local run, the tests and the demo."""

    charges: dict[str, dict] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def charge(self, *, order_id: str, buyer_id: str, amount: int) -> str:
        charge_id = new_id("ch")
        with self._lock:
            self.charges[charge_id] = {"order_id": order_id, "buyer_id": buyer_id, "amount": amount,
                                       "voided": False}
        return charge_id

    def void(self, charge_id: str) -> None:
        with self._lock:
            self.charges[charge_id]["voided"] = True


_port: PaymentPort = LocalPayments()


def port() -> PaymentPort:
    return _port


def use_port(new: PaymentPort) -> PaymentPort:
    global _port
    previous, _port = _port, new
    return previous
