"""The payment port: where a real processor plugs in.

The ledger (domain/ledger.py, store/orders.py) is the book of record for what is held, earned,
charged as fees and refunded. The port is the processor's side of a placement: the buyer's money
is taken *before* the order's transaction commits and voided if the commit fails, so no order
exists unpaid and no charge exists without an order.

A real processor (e.g. Stripe) implements ``PaymentPort``: ``charge`` creates and confirms a
PaymentIntent with the order id as its idempotency key; ``void`` cancels or refunds it. Refunds
(M3) and payouts (M1) are not made inline: they follow the ledger entries, which the order's
events carry through the outbox (``order.*`` events with ``state`` cancelled / completed), so a
consumer of the outbox can issue them at least once, keyed by ledger entry, without doubling.

Which port runs is the composition root's choice (chalicelib/root.py, ``port_for``): settings
``PAYMENTS`` names the provider; ``LocalPayments`` only for the local run and the tests."""
from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Protocol

from chalicelib.domain.errors import Unavailable
from chalicelib.domain.ids import new_id
from chalicelib.observability import logger


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


class PaymentsUnavailable:
    """The port of a deployed stage with no processor configured: every charge fails closed (503
    ``payments_unavailable``) before anything is written, instead of accepting money it cannot take."""

    def charge(self, *, order_id: str, buyer_id: str, amount: int) -> str:
        raise Unavailable("Payments are not available right now; nothing was charged or ordered.",
                          code="payments_unavailable")

    def void(self, charge_id: str) -> None:
        raise Unavailable("Payments are not available right now.", code="payments_unavailable")


LOCAL_STAGES = frozenset({"local", "test"})  # the stages where LocalPayments may stand in


def port_for(provider: str, stage: str) -> PaymentPort:
    """The payment port the settings name. ``local`` (or nothing configured) accepts every charge,
    which only the local run and the tests may do; a deployed stage gets a real processor or fails
    closed. [decision] No processor is wired yet (Stripe comes with its own issue): any provider a
    deployed stage names fails closed too, and so does an unknown one."""
    provider = provider.strip().lower()
    if stage.strip().lower() in LOCAL_STAGES and provider in ("", "local"):
        return LocalPayments()
    if provider not in ("", "local"):
        logger.error("unknown payment provider; charges fail closed", extra={"provider": provider})
    else:
        logger.error("no payment provider for a deployed stage; charges fail closed", extra={"stage": stage})
    return PaymentsUnavailable()
