"""The test clock (domain/dev_clock.py): read it, advance it, and let time catch up.

``advance`` stores the new shift and an event recording who moved the clock and by how much (the
operator's action, in the same transaction), puts the new offset into this process's clock, then
runs the sweeper and the outbox reactions round after round until a round fires nothing and
dispatches nothing: deadlines that fire make events, whose reactions may make more. It stops after
``MAX_ROUNDS`` rounds at most and says whether it settled.

Only a runtime whose clock is a ``ShiftedClock`` has a test clock (chalicelib/root.py builds one
where ``settings.test_clock`` is on); anywhere else these functions are never routed to."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from chalicelib.domain.audit import AuditAction, ObjectKind
from chalicelib.domain.audit import record as audit_entry
from chalicelib.domain.dev_clock import AdvanceClock, ClockShift, ShiftedClock, advanced
from chalicelib.domain.errors import Conflict
from chalicelib.domain.events import Actor, Event
from chalicelib.observability import logger
from chalicelib.services import reactions, runtime, sweeper
from chalicelib.store import audit as audit_store
from chalicelib.store import dev_clock as store
from chalicelib.store import events as event_store

# Rounds of sweep + dispatch after one advance. Each round fires what is due and delivers what
# that made; chains here are short (a deadline's event, its notifications), so a few rounds settle.
MAX_ROUNDS = 10
STREAM = "dev-clock"


@dataclass(frozen=True)
class ClockReading:
    now: datetime  # the server's (shifted) time
    real_now: datetime
    shift: ClockShift


@dataclass
class Settled:
    rounds: int = 0
    fired: int = 0
    dispatched: int = 0
    failed: int = 0
    settled: bool = False  # a round found nothing more to do
    reports: list[dict] = field(default_factory=list)


def _clock() -> ShiftedClock:
    clock = runtime.current().clock
    if not isinstance(clock, ShiftedClock):  # the route exists only where the root built one
        raise RuntimeError("the test clock is off in this runtime")
    return clock


def read() -> ClockReading:
    clock = _clock()
    record = store.get()
    clock.set(record.value.offset)
    return ClockReading(now=clock.now(), real_now=clock.real_now(), shift=record.value)


def advance(command: AdvanceClock, operator_id: str) -> tuple[ClockReading, Settled]:
    clock = _clock()
    record = store.get()
    clock.set(record.value.offset)
    now = clock.now()
    shift = advanced(record.value, command, now=now, operator_id=operator_id)
    step = shift.offset - record.value.offset
    uow = runtime.current().unit_of_work()
    store.stage_save(uow, record, shift)
    event_store.stage(uow, Event.new(
        "dev_clock.advanced", STREAM, now, Actor.OPERATOR, operator_id,
        f"Test clock advanced by {_span(step)} to {shift.set_at:%Y-%m-%d %H:%M:%S} UTC",
        data={"by_seconds": step.total_seconds(), "offset_seconds": shift.offset.total_seconds()}))
    audit_store.stage(uow, audit_entry(operator_id, AuditAction.CLOCK_ADVANCED, ObjectKind.CLOCK, "test-clock", "",
                                       clock, {"by_seconds": str(int(step.total_seconds())),
                                               "offset_seconds": str(int(shift.offset.total_seconds()))}))
    try:
        uow.commit()
    except Conflict:
        raise Conflict("Someone else moved the test clock at the same moment; read it again and retry.",
                       code="clock_moved") from None
    clock.set(shift.offset)
    logger.info("test clock advanced", extra={"operator_id": operator_id, "by_seconds": step.total_seconds(),
                                              "offset_seconds": shift.offset.total_seconds()})
    return read(), catch_up(clock)


def catch_up(clock: ShiftedClock) -> Settled:
    """Sweep and dispatch until nothing more happens (at most ``MAX_ROUNDS`` rounds)."""
    done = Settled()
    registry = runtime.current().reactions
    while done.rounds < MAX_ROUNDS:
        done.rounds += 1
        swept = sweeper.sweep(clock)
        sent = reactions.dispatch(registry, clock)
        done.fired += swept.fired
        done.dispatched += sent.dispatched
        done.failed += swept.failed + sent.failed
        done.reports.append({"sweep": swept.as_dict(), "reactions": sent.as_dict()})
        if swept.fired == 0 and swept.lost_races == 0 and sent.dispatched == 0:
            done.settled = True
            break
    return done


def _span(step: timedelta) -> str:
    days, rest = divmod(int(step.total_seconds()), 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes, seconds = divmod(rest, 60)
    parts = [f"{n}{unit}" for n, unit in ((days, "d"), (hours, "h"), (minutes, "m"), (seconds, "s")) if n]
    return " ".join(parts) or "0s"
