"""Notifications: the dispatcher that drains the outbox, and the in-app feed's use cases.

The dispatcher reads only the sparse ``outbox`` index (each shard, oldest first), so its cost
follows the pending events, not the table. For each event and each recipient it

1. writes the feed entry (keyed by the event: a repeat is a no-op) and counts it unread in the
   same transaction, only when the entry is new;
2. sends e-mail (SES) and push (SNS) as the recipient's preferences say (A3), each
   (event, recipient, channel) claimed with a conditional put before sending and recorded as
   sent after: a normal re-run never resends; a crash between send and record sends again once
   the claim's lease runs out (at least once);
3. when every recipient and channel is done, removes the event's outbox keys (conditionally).

Anything that fails (throttling, a timeout, a bug) is logged and leaves the event pending for the
next run; the other events go on."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Callable

from chalicelib.config import settings
from chalicelib.domain.clock import Clock
from chalicelib.domain.errors import NotFound
from chalicelib.domain.events import Event
from chalicelib.domain.notifications import Channel, Notification, channels_for, email_message, push_message
from chalicelib.notify import Undeliverable
from chalicelib.notify.email import EmailSender, SesEmailSender
from chalicelib.notify.push import PushSender, SnsPushSender
from chalicelib.observability import logger
from chalicelib.services import runtime
from chalicelib.store import events as event_store
from chalicelib.store import notifications as store
from chalicelib.store import users
from chalicelib.store.records import Record

# [decision] a claim on a delivery lasts this long: longer than any one send, short enough that a
# crashed dispatcher's work is picked up within a few runs.
CLAIM_LEASE = timedelta(minutes=5)
# [decision] how many unread entries one "read all" marks: one transaction (plus the counter).
READ_ALL_BATCH = 50


@dataclass
class DispatchReport:
    dispatched: int = 0  # events fully delivered and taken out of the outbox
    deferred: int = 0  # left pending: another run holds a claim on one of its deliveries
    failed: int = 0  # left pending: something failed (retried next run)
    feed_entries: int = 0
    emails: int = 0
    pushes: int = 0
    undeliverable: int = 0

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def dispatch(clock: Clock, *, email: EmailSender | None = None, push: PushSender | None = None,
             batch: int = 100, keep_going: Callable[[], bool] = lambda: True) -> DispatchReport:
    """One pass over every outbox shard, at most ``batch`` events per shard. ``keep_going`` is
    asked before each event (the Lambda handler stops while time remains)."""
    email = email or SesEmailSender()
    push = push or SnsPushSender()
    report = DispatchReport()
    for shard in range(settings().due_shards):
        for record in event_store.pending(shard, batch):
            if not keep_going():
                logger.info("dispatch stopped early", extra=report.as_dict())
                return report
            try:
                if dispatch_event(record, clock, email, push, report):
                    report.dispatched += 1
                else:
                    report.deferred += 1
            except Exception:  # one bad event must not stop the rest; it stays pending
                logger.exception("event dispatch failed", extra={"event_id": record.value.id,
                                                                 "kind": record.value.kind})
                report.failed += 1
    logger.info("dispatch done", extra=report.as_dict())
    return report


def dispatch_event(record: Record[Event], clock: Clock, email: EmailSender, push: PushSender,
                   report: DispatchReport | None = None) -> bool:
    """Delivers one event to all its recipients. True when it is done and out of the outbox;
    False when a delivery is claimed by another run. Raises when a delivery failed, after trying
    every other recipient and channel."""
    report = report if report is not None else DispatchReport()
    event = record.value
    complete = True
    failures: list[Exception] = []
    for user_id in dict.fromkeys(event.recipients):  # each recipient once, in order
        try:
            found = users.get(user_id)
            recipient = found.value if found else None
            if store.add(Notification.of(event, user_id)):
                report.feed_entries += 1
        except Exception as exc:  # noqa: BLE001 - re-raised below, once the others had their turn
            failures.append(exc)
            continue
        for channel in channels_for(event, recipient):
            try:
                complete &= _deliver_once(event, user_id, recipient.email if recipient else None, channel,
                                          clock, email, push, report)
            except Exception as exc:  # noqa: BLE001 - as above
                failures.append(exc)
    if failures:
        raise failures[0]
    if complete:
        store.mark_dispatched(record.item)
    return complete


def _deliver_once(event: Event, user_id: str, address: str | None, channel: Channel, clock: Clock,
                  email: EmailSender, push: PushSender, report: DispatchReport) -> bool:
    claim = store.claim(event.id, user_id, channel, clock.now(), CLAIM_LEASE)
    if claim is store.Claim.DONE:
        return True
    if claim is store.Claim.BUSY:
        return False
    try:
        if channel is Channel.EMAIL:
            assert address  # channels_for offers e-mail only with an address
            email.send(address, email_message(event))
        else:
            push.send(user_id, push_message(event), event)
    except Undeliverable as refused:
        logger.warning("notification undeliverable", extra={"event_id": event.id, "user_id": user_id,
                                                            "channel": channel.value, "reason": str(refused)})
        store.delivered(event.id, user_id, channel, clock.now(), store.DeliveryState.UNDELIVERABLE)
        report.undeliverable += 1
        return True
    except Exception:
        store.release(event.id, user_id, channel)
        raise
    store.delivered(event.id, user_id, channel, clock.now())
    if channel is Channel.EMAIL:
        report.emails += 1
    else:
        report.pushes += 1
    return True


# --- the feed -------------------------------------------------------------------------------
def feed(user_id: str, limit: int, cursor: str | None, unread_only: bool = False) -> tuple[list[Notification], str | None]:
    return store.page(user_id, limit, cursor, unread_only)


def unread_count(user_id: str) -> int:
    return store.unread_count(user_id)


def mark_read(user_id: str, notification_id: str, clock: Clock) -> Notification:
    """Marks one of the caller's entries read; someone else's is as good as missing (404).
    Marking a read entry again changes nothing."""
    record = store.get(user_id, notification_id)
    if record is None:
        raise NotFound("No such notification.", code="notification_not_found")
    updated = record.value.mark_read(clock.now())
    if updated is record.value:
        return updated
    uow = runtime.current().unit_of_work()
    store.stage_read(uow, user_id, [(record, updated)])
    uow.commit()
    return updated


@dataclass(frozen=True)
class ReadAll:
    marked: int
    more: bool  # unread entries remain: call again


def mark_all_read(user_id: str, clock: Clock) -> ReadAll:
    """Marks the newest ``READ_ALL_BATCH`` unread entries read in one transaction; ``more`` says
    whether older unread ones remain (the client calls again)."""
    now = clock.now()
    records = store.unread(user_id, READ_ALL_BATCH + 1)
    batch, rest = records[:READ_ALL_BATCH], records[READ_ALL_BATCH:]
    if batch:
        uow = runtime.current().unit_of_work()
        store.stage_read(uow, user_id, [(record, record.value.mark_read(now)) for record in batch])
        uow.commit()
    return ReadAll(marked=len(batch), more=bool(rest))
