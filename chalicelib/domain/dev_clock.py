"""The test clock: the server's time moved forward on purpose, for the local run and the stages whose
configuration enables it (never production; chalicelib/config.py refuses it there). It does for every
timer of this product what Stripe's test clocks do for billing: an operator advances the clock by a
duration or to an instant (forward only) and the sweeper and the outbox reactions run until nothing
more is due, so auto-completion after 3 days or a late order after 24 hours can be tried at once.

``ClockShift`` is what is stored: how far ahead of the real clock the server runs, and who moved it
when. ``ShiftedClock`` is the clock such a runtime reads: the real time plus the stored offset, which
it reloads at most once per ``reload_every`` of real time (one GetItem a second per container, only
where the test clock is on), so that several Lambda containers agree within that interval. In the
process that advanced it the new offset applies at once (``ShiftedClock.set``)."""
from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from .clock import Clock, utc
from .errors import FieldError, InvalidInput

# How far one advance may move the clock: a year and a month covers every timer here (the longest
# are the 30-day invitation links and the 10-day milestone payments) with room to spare.
MAX_ADVANCE = timedelta(days=400)
# The smallest step worth a call.
MIN_ADVANCE = timedelta(seconds=1)


@dataclass(frozen=True)
class ClockShift:
    offset: timedelta = timedelta(0)  # how far the server's clock is ahead of the real one
    set_by: str | None = None  # the operator who moved it last
    set_at: datetime | None = None  # the (shifted) time it was moved at, after the move
    advances: int = 0


@dataclass(frozen=True)
class AdvanceClock:
    """Move the server's clock forward: ``by`` a duration, or ``to`` an instant (exactly one)."""

    by: timedelta | None = None
    to: datetime | None = None


def advanced(shift: ClockShift, command: AdvanceClock, *, now: datetime, operator_id: str) -> ClockShift:
    """The shift after ``command``, given the server's current (shifted) time ``now``. Forward only,
    by at least ``MIN_ADVANCE`` and at most ``MAX_ADVANCE``; a refusal names the field."""
    if (command.by is None) == (command.to is None):
        raise InvalidInput("Give either `by` (a duration) or `to` (an instant), not both and not neither.",
                           code="clock_advance_invalid",
                           fields=[FieldError("by", "give exactly one of by and to")])
    field = "by" if command.by is not None else "to"
    step = command.by if command.by is not None else utc(command.to) - now  # type: ignore[arg-type]
    if step < MIN_ADVANCE:
        message = ("The test clock only moves forward: the instant must be after the server's current "
                   f"time, {now.isoformat()}." if field == "to" else
                   f"The test clock only moves forward, by at least {MIN_ADVANCE.total_seconds():.0f} second.")
        raise InvalidInput(message, code="clock_backwards", fields=[FieldError(field, "must move the clock forward")])
    if step > MAX_ADVANCE:
        raise InvalidInput(f"One advance moves the clock by at most {MAX_ADVANCE.days} days.",
                           code="clock_advance_too_far",
                           fields=[FieldError(field, f"at most {MAX_ADVANCE.days} days ahead")])
    return ClockShift(offset=shift.offset + step, set_by=operator_id, set_at=now + step,
                      advances=shift.advances + 1)


class ShiftedClock:
    """The real clock ``base`` plus the stored offset (``load`` reads it). The offset is cached for
    ``reload_every`` seconds of ``monotonic`` time; ``set`` replaces it at once."""

    def __init__(self, base: Clock, load: Callable[[], timedelta], *, reload_every: float = 1.0,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self._base = base
        self._load = load
        self._reload_every = reload_every
        self._monotonic = monotonic
        self._offset: timedelta | None = None
        self._loaded_at = 0.0

    @property
    def offset(self) -> timedelta:
        stamp = self._monotonic()
        if self._offset is None or stamp - self._loaded_at >= self._reload_every:
            self._offset, self._loaded_at = self._load(), stamp
        return self._offset

    def set(self, offset: timedelta) -> None:
        self._offset, self._loaded_at = offset, self._monotonic()

    def real_now(self) -> datetime:
        return self._base.now()

    def now(self) -> datetime:
        return self._base.now() + self.offset
