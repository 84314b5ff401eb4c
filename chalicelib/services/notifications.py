"""Notifications: the reaction that delivers an event to its recipients, and the in-app feed's
use cases.

``NotificationHandler`` is one reaction (services/reactions.py, registered on every kind by
``default_reactions``). For each recipient of an event it

1. writes the feed entry (keyed by the event: a repeat is a no-op) and counts it unread in the
   same transaction, only when the entry is new;
2. pushes that new entry to the recipient's open WebSockets (services/live.py; best effort, only
   when the entry is new, only where a live endpoint is configured);
3. sends e-mail (SES) and push (SNS) as the recipient's preferences say (A3), each
   (event, recipient, channel) claimed with a conditional put before sending and recorded as
   sent after: a normal re-run never resends; a crash between send and record sends again once
   the claim's lease runs out (at least once).

It returns False while another run holds a delivery's claim, and raises (after trying every other
recipient and channel) when something failed; the dispatcher then retries the event after its
backoff, and gives it up as a dead letter after too many attempts (domain/reactions.py)."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from chalicelib.domain.clock import Clock
from chalicelib.domain.errors import NotFound
from chalicelib.domain.events import Event
from chalicelib.domain.notifications import Channel, Notification, channels_for, email_message, push_message
from chalicelib.notify import Undeliverable
from chalicelib.notify.email import EmailSender, SesEmailSender
from chalicelib.notify.live import LiveSender, configured_sender
from chalicelib.notify.push import PushSender, SnsPushSender
from chalicelib.observability import logger
from chalicelib.services import live, runtime
from chalicelib.services.reactions import DispatchReport, ReactionContext
from chalicelib.store import notifications as store
from chalicelib.store import users

# [decision] a claim on a delivery lasts this long: longer than any one send, short enough that a
# crashed dispatcher's work is picked up within a few runs.
CLAIM_LEASE = timedelta(minutes=5)
# [decision] how many unread entries one "read all" marks: one transaction (plus the counter).
READ_ALL_BATCH = 50

__all__ = ["CLAIM_LEASE", "READ_ALL_BATCH", "DispatchReport", "NotificationHandler", "dispatch"]


def dispatch(clock: Clock, *, email: EmailSender | None = None, push: PushSender | None = None,
             live: LiveSender | None = None, batch: int = 100,
             keep_going: Callable[[], bool] = lambda: True) -> DispatchReport:
    """One pass of the dispatcher with ``default_reactions`` built on these senders (scripts and
    tests that hold senders rather than a registry)."""
    from chalicelib.services import reactions

    return reactions.dispatch(reactions.default_reactions(email=email, push=push, live=live), clock, batch=batch,
                              keep_going=keep_going)


class NotificationHandler:
    """The reaction that puts an event in its recipients' feeds and sends e-mail and push (A3)."""

    def __init__(self, email: EmailSender | None = None, push: PushSender | None = None,
                 live: LiveSender | None = None) -> None:
        self._email = email
        self._push = push
        self._live = live if live is not None else configured_sender()  # None: no live channel

    @property
    def email(self) -> EmailSender:
        if self._email is None:
            self._email = SesEmailSender()
        return self._email

    @property
    def push(self) -> PushSender:
        if self._push is None:
            self._push = SnsPushSender()
        return self._push

    def __call__(self, event: Event, context: ReactionContext) -> bool:
        """True when every recipient and channel is done; False when a delivery is claimed by
        another run. Raises when a delivery failed, after trying every other one."""
        report = context.report
        complete = True
        failures: list[Exception] = []
        for user_id in dict.fromkeys(event.recipients):  # each recipient once, in order
            try:
                found = users.get(user_id)
                recipient = found.value if found else None
                entry = Notification.of(event, user_id)
                if store.add(entry):
                    report.feed_entries += 1
                    if self._live is not None:
                        report.live += live.push(entry, self._live, context.clock.now())
            except Exception as exc:  # noqa: BLE001 - re-raised below, once the others had their turn
                failures.append(exc)
                continue
            for channel in channels_for(event, recipient):
                try:
                    complete &= self._deliver_once(event, user_id, recipient.email if recipient else None, channel,
                                                   context.clock, report)
                except Exception as exc:  # noqa: BLE001 - as above
                    failures.append(exc)
        if failures:
            raise failures[0]
        return complete

    def _deliver_once(self, event: Event, user_id: str, address: str | None, channel: Channel, clock: Clock,
                      report: DispatchReport) -> bool:
        claim = store.claim(event.id, user_id, channel, clock.now(), CLAIM_LEASE)
        if claim is store.Claim.DONE:
            return True
        if claim is store.Claim.BUSY:
            return False
        try:
            if channel is Channel.EMAIL:
                assert address  # channels_for offers e-mail only with an address
                self.email.send(address, email_message(event))
            else:
                self.push.send(user_id, push_message(event), event)
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
def feed(user_id: str, limit: int, cursor: str | None,
         unread_only: bool = False) -> tuple[list[Notification], str | None]:
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
