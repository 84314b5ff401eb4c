"""Reactions on the outbox: handlers registered by event kind, run after the event's transaction
committed, each at most once per event (cosmicpython's EVENT_HANDLERS on a DynamoDB outbox).

``Reactions`` is an explicit registry: ``on("order.*", "metrics", MetricsReactions())``. Nothing
registers itself when a module is imported; ``default_reactions()`` builds the one the app runs
(notifications, invitation e-mail), and a composition root may add more before dispatching. A
feature adds its reaction there, without touching the service that emits the event.

``dispatch(reactions, clock)`` drains the sparse ``outbox`` index, reading only events due now
(new, or past their backoff). For each event and each handler its kind wakes:

1. the (event, handler) marker is claimed with a conditional put (a lease); a ``done`` marker
   means the handler ran before (an earlier run, or before a replay) and is skipped;
2. the handler runs; it returns False to say "not yet" (another run holds part of its work),
   raises to fail, anything else is success and the marker becomes ``done``;
3. when every handler is done the event leaves the outbox (and its SECRET data is erased).

A failed attempt counts against the event (domain.reactions.OutboxStatus): it waits an
exponential backoff, and after MAX_ATTEMPTS it becomes a dead letter that operators list and
replay (``dead_letters`` / ``replay``); the ``DeadLettered`` metric has an alarm. Nothing is
dropped."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Protocol

from chalicelib.config import settings
from chalicelib.domain.audit import AuditAction, ObjectKind
from chalicelib.domain.audit import record as audit_entry
from chalicelib.domain.clock import Clock
from chalicelib.domain.errors import NotFound
from chalicelib.domain.events import Event
from chalicelib.domain.reactions import OutboxStatus, matches
from chalicelib.notify.email import EmailSender
from chalicelib.notify.live import LiveSender
from chalicelib.notify.push import PushSender
from chalicelib.observability import logger
from chalicelib.store import outbox
from chalicelib.store.records import Record

if TYPE_CHECKING:
    from chalicelib.services.identity import IdentityPort

# [decision] a claim on one (event, handler) lasts this long: longer than any one handler run,
# short enough that a crashed dispatcher's work is picked up within a few runs.
REACTION_LEASE = timedelta(minutes=5)


@dataclass
class DispatchReport:
    dispatched: int = 0  # events whose reactions are all done, taken out of the outbox
    deferred: int = 0  # left pending: another run holds a claim on part of its work
    failed: int = 0  # failed attempts (retried after the backoff)
    dead_lettered: int = 0  # failed attempts that were the last (MAX_ATTEMPTS): now dead letters
    feed_entries: int = 0
    emails: int = 0
    pushes: int = 0
    live: int = 0  # frames sent to open WebSockets (services/live.py)
    undeliverable: int = 0

    def as_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass(frozen=True)
class ReactionContext:
    clock: Clock
    report: DispatchReport


class Handler(Protocol):
    def __call__(self, event: Event, context: ReactionContext) -> bool | None:
        """Reacts to one event. False: not done yet, try again later (no failure counted);
        raising: a failed attempt; anything else: done, never run again for this event."""


@dataclass(frozen=True)
class Registration:
    pattern: str  # an event kind, ``prefix.*`` or ``*``
    name: str  # stable: the once-per-event marker is keyed by it
    handler: Handler


class Reactions:
    """The registry: which handlers an event kind wakes, in registration order."""

    def __init__(self) -> None:
        self._registrations: list[Registration] = []

    def on(self, kind_or_prefix: str, name: str, handler: Handler) -> Reactions:
        if any(r.name == name for r in self._registrations):
            raise ValueError(f"a reaction named {name!r} is registered already")
        if not name or "#" in name:
            raise ValueError("a reaction's name is a non-empty key without '#'")
        self._registrations.append(Registration(kind_or_prefix, name, handler))
        return self

    def handlers_for(self, kind: str) -> list[Registration]:
        return [r for r in self._registrations if matches(r.pattern, kind)]

    @property
    def names(self) -> list[str]:
        return [r.name for r in self._registrations]


def default_reactions(*, email: EmailSender | None = None, push: PushSender | None = None,
                      live: LiveSender | None = None, identity: IdentityPort | None = None) -> Reactions:
    """The reactions the app runs: notifications (feed, e-mail, push) on every event, the F3
    invitation e-mail, buyer requests' fan-out and wrap-up, the review window (R1), a block's
    sign-in switch (W1), coupons voided by a cancellation (M2) and the seller metrics (O13-O15).
    The senders default to SES, SNS and the configured live endpoint (none: no live push)."""
    # Imported here: those services import this module's report and context types.
    from chalicelib.services.buyer_requests import BuyerRequestReactions
    from chalicelib.services.collaboration import InvitationMailer
    from chalicelib.services.coupons import CouponReactions
    from chalicelib.services.identity import AccountIdentityReaction, identity_port_for
    from chalicelib.services.metrics import MetricsReactions
    from chalicelib.services.notifications import NotificationHandler
    from chalicelib.services.reviews import ReviewReactions

    return (Reactions()
            .on("*", "notifications", NotificationHandler(email=email, push=push, live=live))
            .on("invitation.created", "invitation_email", InvitationMailer(email=email))
            # B1: fan a new request out to its category's sellers; B3: lapse the rest once it ended.
            .on("buyer_request.*", "buyer_requests", BuyerRequestReactions())
            # R1: a completed order opens its review window and invites the buyer.
            .on("order.*", "reviews", ReviewReactions())
            # W1: a block disables the sign-in (and signs out everywhere); an unblock enables it.
            .on("account.*", "account_identity",
                AccountIdentityReaction(identity if identity is not None else identity_port_for(settings())))
            # M2: a cancelled order voids the coupon used on it.
            .on("order.*", "coupons", CouponReactions())
            # O13, O14, O15: the seller's metrics, counted once per fact.
            .on("order.*", "metrics", MetricsReactions())
            .on("message.sent", "metrics_messages", MetricsReactions()))


class ReactionsFailed(Exception):
    def __init__(self, failures: list[tuple[str, Exception]]) -> None:
        super().__init__("; ".join(f"{name}: {exc!r}" for name, exc in failures))
        self.handlers = tuple(name for name, _ in failures)


def dispatch(reactions: Reactions, clock: Clock, *, batch: int = 100,
             keep_going: Callable[[], bool] = lambda: True) -> DispatchReport:
    """One pass over every outbox shard, at most ``batch`` due events per shard. ``keep_going``
    is asked before each event (the Lambda handler stops while time remains)."""
    report = DispatchReport()
    now = clock.now()
    for shard in range(settings().due_shards):
        for record in outbox.due(shard, now, batch):
            if not keep_going():
                logger.info("dispatch stopped early", extra=report.as_dict())
                return report
            try:
                if react(reactions, record, clock, report):
                    report.dispatched += 1
                else:
                    report.deferred += 1
            except Exception as exc:  # one bad event must not stop the rest
                _failed(record, exc, clock.now(), report)
    logger.info("dispatch done", extra=report.as_dict())
    return report


def react(reactions: Reactions, record: Record[Event], clock: Clock, report: DispatchReport) -> bool:
    """Runs every handler the event's kind wakes that has not run yet. True when all are done and
    the event left the outbox; False when some part is held by another run. Raises
    ReactionsFailed after giving every handler its turn."""
    event = record.value
    context = ReactionContext(clock, report)
    complete = True
    failures: list[tuple[str, Exception]] = []
    for registration in reactions.handlers_for(event.kind):
        name = registration.name
        try:
            claim = outbox.claim_reaction(event.id, name, clock.now(), REACTION_LEASE)
            if claim is outbox.Claim.DONE:
                continue
            if claim is outbox.Claim.BUSY:
                complete = False
                continue
            try:
                done = registration.handler(event, context) is not False
                if done:
                    outbox.reaction_done(event.id, name, clock.now())
            except Exception:
                _release(event.id, name)
                raise
            if not done:
                _release(event.id, name)
                complete = False
        except Exception as exc:  # noqa: BLE001 - raised below, once the others had their turn
            logger.exception("reaction failed", extra={"event_id": event.id, "kind": event.kind, "handler": name})
            failures.append((name, exc))
    if failures:
        raise ReactionsFailed(failures)
    if complete:
        outbox.mark_dispatched(record.item)
    return complete


def _release(event_id: str, name: str) -> None:
    try:
        outbox.release_reaction(event_id, name)
    except Exception:  # the lease runs out by itself
        logger.exception("could not release a reaction's claim", extra={"event_id": event_id, "handler": name})


def _failed(record: Record[Event], exc: Exception, now: datetime, report: DispatchReport) -> None:
    """Counts the attempt on the event: its backoff, or the dead letter."""
    event = record.value
    report.failed += 1
    handlers = exc.handlers if isinstance(exc, ReactionsFailed) else ()
    if not isinstance(exc, ReactionsFailed):
        logger.exception("event dispatch failed", extra={"event_id": event.id, "kind": event.kind})
    status = outbox.status_of(record.item).after_failure(now, handlers, str(exc) or repr(exc))
    try:
        recorded = outbox.record_failure(record, status)
    except Exception:  # the event stays due as it was; the next run tries again
        logger.exception("could not record a failed attempt", extra={"event_id": event.id})
        return
    if recorded and status.dead:
        report.dead_lettered += 1
        logger.error("event dead-lettered", extra={"event_id": event.id, "kind": event.kind,
                                                   "attempts": status.attempts, "handlers": list(handlers),
                                                   "error": status.last_error})


# --- dead letters (operators) ---------------------------------------------------------------
@dataclass(frozen=True)
class DeadLetter:
    event: Event
    status: OutboxStatus


def dead_letters(limit: int, cursor: str | None) -> tuple[list[DeadLetter], str | None]:
    """Events given up after MAX_ATTEMPTS, newest first."""
    items, next_cursor = outbox.dead_letters(limit, cursor)
    return [DeadLetter(event, status) for event, status in items], next_cursor


def replay(event_id: str, operator_id: str, clock: Clock) -> DeadLetter:
    """Puts a dead letter back in the outbox, due at once, attempts from zero, the replay (who,
    when) recorded on the event. Handlers that succeeded before do not run again (their markers).
    An unknown id, or an event that is no dead letter (any more), is a 404."""
    record = outbox.dead_letter(event_id)
    if record is None:
        raise NotFound("No such dead letter.", code="dead_letter_not_found")
    status = outbox.status_of(record.item).replayed(operator_id, clock.now())
    outbox.replay(record, status, audit_entry(operator_id, AuditAction.DEAD_LETTER_REPLAYED, ObjectKind.DEAD_LETTER,
                                              event_id, "", clock, {"kind": record.value.kind}))
    logger.info("dead letter replayed", extra={"event_id": event_id, "operator_id": operator_id})
    return DeadLetter(record.value, status)
