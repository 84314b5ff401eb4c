"""The composition root: the one place that decides what services are handed (the runtime,
chalicelib/services/runtime.py) and registers every kind that some service owns.

``build_runtime(settings)`` is called once per process: by app.py (the deployed Lambda functions,
``chalice local``), local/run.py (``make run``), the tests' conftest (with a FixedClock and
LocalPayments) and the benchmarks. Importing a service registers nothing; what is registered is
listed here, in ``registrations()``, and nowhere else.

Adding a thread kind, a stream kind files attach to, or a deadline kind means adding one line to
``registrations()`` (for timers see docs/adding-a-timer.md); tests/unit/test_root.py checks that
every DeadlineKind has exactly one home."""
from __future__ import annotations

from chalicelib.config import Settings
from chalicelib.domain.clock import Clock, SystemClock
from chalicelib.domain.deadlines import DeadlineKind
from chalicelib.domain.dev_clock import ShiftedClock
from chalicelib.domain.messaging import CONVERSATION
from chalicelib.services import (
    accounts,
    buyer_requests,
    conversations,
    custom_offers,
    files,
    metrics,
    orders,
    reviews,
    warnings,
)
from chalicelib.services.payments import PaymentPort, port_for
from chalicelib.services.reactions import default_reactions
from chalicelib.services.runtime import Registrations, Runtime, UnitOfWorkFactory
from chalicelib.store import dev_clock as dev_clock_store
from chalicelib.store.unit_of_work import UnitOfWork


def registrations() -> Registrations:
    return (
        Registrations()
        # Message threads (O5): who may see one may report its messages and see its files (F1).
        .thread_kind(CONVERSATION, conversations.may_see)
        .thread_kind("order", orders.may_see_thread)
        # Files attached to other things: a seller's profile photo (A1) is as public as the profile.
        .stream_kind(accounts.PHOTO_KIND, accounts.may_see_profile_photo)
        # A buyer request's attachments (F1): its buyer and the sellers it is shown to (B1).
        .stream_kind(buyer_requests.STREAM_KIND, buyer_requests.may_see)
        # Timers: each deadline kind and the one function that fires it (docs/adding-a-timer.md).
        .timer(DeadlineKind.AVAILABILITY_START, accounts.fire_availability_deadline)  # A4
        .timer(DeadlineKind.AVAILABILITY_END, accounts.fire_availability_deadline)  # A4
        .timer(DeadlineKind.ORDER_REQUIREMENTS, orders.fire_timer)  # O3
        .timer(DeadlineKind.ORDER_LATE, orders.fire_timer)  # O9
        .timer(DeadlineKind.ORDER_LATE_CANCELLABLE, orders.fire_timer)  # O9
        .timer(DeadlineKind.ORDER_AUTO_COMPLETE, orders.fire_timer)  # O7, O8
        .timer(DeadlineKind.ORDER_REQUEST, orders.fire_timer)  # O11, O12
        .timer(DeadlineKind.ORDER_NEXT_MILESTONE, orders.fire_timer)  # C2
        .timer(DeadlineKind.CUSTOM_OFFER_EXPIRY, custom_offers.fire_expiry)  # C1
        .timer(DeadlineKind.BUYER_REQUEST_EXPIRY, buyer_requests.fire_expiry)  # B1
        .timer(DeadlineKind.REVIEW_PUBLICATION, reviews.fire_deadline)  # R1: the blind period ends
        .timer(DeadlineKind.REVIEW_REMINDER, reviews.fire_deadline)  # R1: the buyer is reminded
        .timer(DeadlineKind.RESPONSE_WAIT, metrics.fire_response_deadline)  # O14: unresponded
        .timer(DeadlineKind.FILE_SCAN, files.fire_scan_deadline)  # F1
        .timer(DeadlineKind.WARNING_LAPSE, warnings.fire_warning_lapse)  # W1
        .timer(DeadlineKind.SUSPENSION_END, warnings.fire_suspension_end)  # W1
    )


def build_runtime(settings: Settings, *, clock: Clock | None = None, payments: PaymentPort | None = None,
                  unit_of_work: UnitOfWorkFactory | None = None) -> Runtime:
    """The runtime the settings describe; tests pass their own clock, payments or unit of work."""
    base = clock or SystemClock()
    if settings.test_clock:  # the test clock (domain/dev_clock.py): the real time plus a stored offset
        base = ShiftedClock(base, dev_clock_store.offset)
    return Runtime.of(
        clock=base,
        payments=payments if payments is not None else port_for(settings.payments, settings.stage),
        unit_of_work=unit_of_work or UnitOfWork,
        registrations=registrations(),
        reactions=default_reactions(),  # the outbox's handlers by event kind; a feature adds its own there
    )
