"""The test clock's domain (domain/dev_clock.py): forward only, bounded, and a clock that is the real
time plus the stored offset, reloaded at most once per interval."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.config import Settings
from chalicelib.domain.clock import FixedClock
from chalicelib.domain.codec import from_primitive, to_primitive
from chalicelib.domain.dev_clock import (
    MAX_ADVANCE,
    MIN_ADVANCE,
    AdvanceClock,
    ClockShift,
    ShiftedClock,
    advanced,
)
from chalicelib.domain.errors import InvalidInput

NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


def test_advance_by_a_duration_adds_to_the_offset_and_records_who() -> None:
    first = advanced(ClockShift(), AdvanceClock(by=timedelta(days=3)), now=NOW, operator_id="olga")
    assert first == ClockShift(offset=timedelta(days=3), set_by="olga", set_at=NOW + timedelta(days=3), advances=1)
    second = advanced(first, AdvanceClock(by=timedelta(hours=24)), now=first.set_at, operator_id="omri")
    assert second.offset == timedelta(days=4)
    assert (second.set_by, second.advances) == ("omri", 2)


def test_advance_to_an_instant_moves_by_the_difference() -> None:
    target = NOW + timedelta(days=8, minutes=1)
    shift = advanced(ClockShift(offset=timedelta(hours=5)), AdvanceClock(to=target), now=NOW, operator_id="olga")
    assert shift.offset == timedelta(hours=5) + timedelta(days=8, minutes=1)
    assert shift.set_at == target


@pytest.mark.parametrize("command, code", [
    (AdvanceClock(), "clock_advance_invalid"),
    (AdvanceClock(by=timedelta(days=1), to=NOW + timedelta(days=1)), "clock_advance_invalid"),
    (AdvanceClock(by=timedelta(0)), "clock_backwards"),
    (AdvanceClock(by=-timedelta(hours=1)), "clock_backwards"),
    (AdvanceClock(by=MIN_ADVANCE - timedelta(microseconds=1)), "clock_backwards"),
    (AdvanceClock(to=NOW), "clock_backwards"),
    (AdvanceClock(to=NOW - timedelta(days=1)), "clock_backwards"),
    (AdvanceClock(by=MAX_ADVANCE + timedelta(seconds=1)), "clock_advance_too_far"),
    (AdvanceClock(to=NOW + MAX_ADVANCE + timedelta(seconds=1)), "clock_advance_too_far"),
])
def test_refusals_name_the_field_and_leave_nothing(command: AdvanceClock, code: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        advanced(ClockShift(), command, now=NOW, operator_id="olga")
    assert refused.value.code == code
    assert refused.value.fields


def test_the_edges_are_allowed() -> None:
    assert advanced(ClockShift(), AdvanceClock(by=MIN_ADVANCE), now=NOW, operator_id="o").offset == MIN_ADVANCE
    assert advanced(ClockShift(), AdvanceClock(by=MAX_ADVANCE), now=NOW, operator_id="o").offset == MAX_ADVANCE


class Ticks:
    def __init__(self) -> None:
        self.t = 0.0

    def __call__(self) -> float:
        return self.t


def test_shifted_clock_reloads_the_offset_at_most_once_per_interval() -> None:
    stored = [timedelta(0)]
    loads: list[int] = []

    def load() -> timedelta:
        loads.append(1)
        return stored[0]

    ticks, base = Ticks(), FixedClock(NOW)
    clock = ShiftedClock(base, load, reload_every=1.0, monotonic=ticks)
    assert clock.now() == NOW
    stored[0] = timedelta(days=3)  # another container advanced it
    ticks.t = 0.5
    assert clock.now() == NOW  # cached
    ticks.t = 1.0
    assert clock.now() == NOW + timedelta(days=3)
    assert len(loads) == 2
    clock.set(timedelta(days=5))  # this process advanced it: at once, no load
    assert clock.now() == NOW + timedelta(days=5)
    assert len(loads) == 2
    assert clock.real_now() == NOW


def test_shift_round_trips_through_the_codec() -> None:
    shift = ClockShift(offset=timedelta(days=3, microseconds=7), set_by="olga", set_at=NOW, advances=2)
    assert from_primitive(ClockShift, to_primitive(shift)) == shift


@pytest.mark.parametrize("stage", ["prod", "production", "PROD"])
def test_settings_refuse_the_test_clock_in_production(stage: str) -> None:
    with pytest.raises(ValueError, match="TEST_CLOCK"):
        Settings(stage=stage, test_clock=True)
    assert Settings(stage=stage).test_clock is False


def test_settings_allow_it_elsewhere() -> None:
    assert Settings(stage="dev", test_clock=True).test_clock
