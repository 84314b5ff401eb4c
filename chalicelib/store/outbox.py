"""The outbox as the reactions see it: due events, their retry status, dead letters, and the
per-(event, handler) markers that make each reaction run once. Keys (docs/data-model.md,
"Reactions"):

    event (pending)       <stream partition>  EVENT#...   outbox: OUTBOX#<nn> / <next attempt at>#<event id>
    event (dead letter)   <stream partition>  EVENT#...   gsi1: DEAD_LETTERS / <dead-lettered at>#<event id>
                                                          gsi2: DEAD_LETTER#<event id> / DEAD_LETTER
    reaction              REACTION#<event id> <handler>   state (running | done), lease_until

The outbox index's sort key is the time the event may next be tried: a new event's own time, a
failed one's backoff. So the dispatcher reads ``outbox_at <= now`` and never an event that waits:
its cost follows the events due, not the ones backing off, nor the table."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from pynamodb.attributes import UnicodeAttribute

from chalicelib.domain.audit import AuditEntry
from chalicelib.domain.clock import iso
from chalicelib.domain.codec import from_primitive, to_primitive
from chalicelib.domain.errors import Conflict
from chalicelib.domain.events import SECRET, Event
from chalicelib.domain.reactions import OutboxStatus
from chalicelib.store import audit as audit_store
from chalicelib.store import cursors
from chalicelib.store.events import outbox_shard_of
from chalicelib.store.models import EventItem
from chalicelib.store.records import Record
from chalicelib.store.table import TableItem
from chalicelib.store.unit_of_work import UnitOfWork

DEAD_LETTERS = "DEAD_LETTERS"


class ReactionItem(TableItem, discriminator="reaction"):
    state = UnicodeAttribute()  # ReactionState
    lease_until = UnicodeAttribute(null=True)
    done_at = UnicodeAttribute(null=True)


class ReactionState(StrEnum):
    RUNNING = "running"  # claimed by a dispatcher until lease_until
    DONE = "done"


class Claim(StrEnum):
    CLAIMED = "claimed"  # run the handler now, then ``reaction_done``
    DONE = "done"  # ran before (an earlier run, or before a replay): nothing to do
    BUSY = "busy"  # another dispatcher runs it now: leave the event pending


def status_of(item: EventItem) -> OutboxStatus:
    return from_primitive(OutboxStatus, item.status) if item.status else OutboxStatus()


def _record(item: EventItem) -> Record[Event]:
    return Record(from_primitive(Event, item.data), item)


# --- pending events ---------------------------------------------------------------------------
def due(shard: int, now: datetime, limit: int) -> Iterator[Record[Event]]:
    """Events of one outbox shard due at or before ``now`` (new, or past their backoff), by due
    time."""
    upper = f"{iso(now)}#~"  # '~' sorts after every id character
    for item in EventItem.outbox.query(f"OUTBOX#{shard:02d}", EventItem.outbox_at <= upper, limit=limit):
        yield _record(item)


def mark_dispatched(item: EventItem) -> bool:
    """Every reaction is done: removes the event's outbox keys (the sparse index no longer holds
    it) and erases its SECRET data. False when another dispatcher did it first."""
    actions: list[Any] = [EventItem.outbox_shard.remove(), EventItem.outbox_at.remove()]
    event_data = (item.data or {}).get("data") or {}
    if SECRET in event_data:
        actions.append(EventItem.data.set({**item.data, "data": {k: v for k, v in event_data.items() if k != SECRET}}))
    uow = UnitOfWork()
    uow.update(item, actions=actions, condition=EventItem.outbox_shard.exists())
    try:
        uow.commit()
    except Conflict:
        return False
    return True


def record_failure(record: Record[Event], status: OutboxStatus) -> bool:
    """Stores the status after a failed attempt: the event's outbox key moves to its next attempt,
    or, dead-lettered, it leaves the outbox for the dead-letter index. Conditioned on the outbox
    key read, so two dispatchers failing the same event count one attempt. False when the event
    changed meanwhile (dispatched, or another run recorded its failure)."""
    item, event = record.item, record.value
    actions = [EventItem.status.set(to_primitive(status))]
    if status.dead:
        assert status.dead_lettered_at is not None
        actions += [EventItem.outbox_shard.remove(), EventItem.outbox_at.remove(),
                    EventItem.gsi1pk.set(DEAD_LETTERS),
                    EventItem.gsi1sk.set(f"{iso(status.dead_lettered_at)}#{event.id}"),
                    EventItem.gsi2pk.set(f"DEAD_LETTER#{event.id}"), EventItem.gsi2sk.set("DEAD_LETTER")]
    else:
        actions.append(EventItem.outbox_at.set(f"{iso(status.due_at(event.at))}#{event.id}"))
    uow = UnitOfWork()
    uow.update(item, actions=actions, condition=EventItem.outbox_at == item.outbox_at)
    try:
        uow.commit()
    except Conflict:
        return False
    return True


# --- dead letters -----------------------------------------------------------------------------
def dead_letters(limit: int, cursor: str | None) -> tuple[list[tuple[Event, OutboxStatus]], str | None]:
    """Dead letters, newest first."""
    start = cursors.decode(cursor, expect={"gsi1pk": DEAD_LETTERS})
    result = EventItem.gsi1.query(DEAD_LETTERS, scan_index_forward=False, limit=limit, last_evaluated_key=start)
    items = [(from_primitive(Event, i.data), status_of(i)) for i in result]
    return items, cursors.encode(result.last_evaluated_key)


def dead_letter(event_id: str) -> Record[Event] | None:
    """The dead letter of this id, read back consistently; None when there is none (never was,
    or replayed since)."""
    found = next(iter(EventItem.gsi2.query(f"DEAD_LETTER#{event_id}", limit=1)), None)
    if found is None:
        return None
    try:
        item = EventItem.get(found.pk, found.sk, consistent_read=True)
    except EventItem.DoesNotExist:
        return None
    if item.gsi2pk != f"DEAD_LETTER#{event_id}":
        return None
    return _record(item)


def replay(record: Record[Event], status: OutboxStatus, audit: AuditEntry) -> None:
    """Puts a dead letter back in the outbox, due at once, with ``status`` (attempts reset, the
    replay recorded) and the operator's action in the audit log, in one transaction. Conditioned on it
    still being a dead letter: a concurrent replay is a 409."""
    item, event = record.item, record.value
    item.status = to_primitive(status)
    uow = UnitOfWork()
    uow.update(item, actions=[EventItem.status.set(item.status),
                              EventItem.outbox_shard.set(outbox_shard_of(event.id)),
                              EventItem.outbox_at.set(f"{iso(status.due_at(event.at))}#{event.id}"),
                              EventItem.gsi1pk.remove(), EventItem.gsi1sk.remove(),
                              EventItem.gsi2pk.remove(), EventItem.gsi2sk.remove()],
               condition=EventItem.gsi2pk == f"DEAD_LETTER#{event.id}")
    audit_store.stage(uow, audit)
    uow.commit()


# --- once per (event, handler) ----------------------------------------------------------------
def _reaction(event_id: str, handler: str) -> ReactionItem:
    return ReactionItem(f"REACTION#{event_id}", handler)


def claim_reaction(event_id: str, handler: str, now: datetime, lease: timedelta) -> Claim:
    """Takes the right to run one handler on one event: a conditional put that succeeds when no
    marker exists or another dispatcher's lease ran out (it crashed). A ``done`` marker is never
    overwritten, so a handler that succeeded never runs again, whatever reruns or replays."""
    item = _reaction(event_id, handler)
    item.state = ReactionState.RUNNING.value
    item.lease_until = iso(now + lease)
    expired = (ReactionItem.state == ReactionState.RUNNING.value) & (ReactionItem.lease_until < iso(now))
    uow = UnitOfWork()
    uow.save(item, condition=ReactionItem.pk.does_not_exist() | expired)
    try:
        uow.commit()
    except Conflict:
        state = reaction_state(event_id, handler)
        if state is None:
            return Claim.BUSY  # released in between: the next run takes it
        return Claim.DONE if state is ReactionState.DONE else Claim.BUSY
    return Claim.CLAIMED


def reaction_done(event_id: str, handler: str, now: datetime) -> None:
    item = _reaction(event_id, handler)
    item.state = ReactionState.DONE.value
    item.done_at = iso(now)
    item.save()


def release_reaction(event_id: str, handler: str) -> None:
    """Gives a claim back (the handler failed or must wait), so the next attempt runs it without
    waiting out the lease. Only a marker still running is removed."""
    uow = UnitOfWork()
    uow.delete(_reaction(event_id, handler), condition=ReactionItem.state == ReactionState.RUNNING.value)
    try:
        uow.commit()
    except Conflict:
        pass


def reaction_state(event_id: str, handler: str) -> ReactionState | None:
    item = _reaction(event_id, handler)
    try:
        return ReactionState(ReactionItem.get(item.pk, item.sk, consistent_read=True).state)
    except ReactionItem.DoesNotExist:
        return None
