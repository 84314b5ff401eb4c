"""The clock is injected everywhere: the domain never calls ``datetime.now`` itself."""
from __future__ import annotations

from datetime import UTC, datetime
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """A clock for tests and simulations; ``advance`` moves it forward."""

    def __init__(self, at: datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("FixedClock needs a timezone-aware datetime")
        self._at = at.astimezone(UTC)

    def now(self) -> datetime:
        return self._at

    def advance(self, **delta: float) -> None:
        from datetime import timedelta

        self._at = self._at + timedelta(**delta)


def utc(dt: datetime) -> datetime:
    if dt.tzinfo is None:
        raise ValueError("naive datetime: every time in this system is timezone-aware UTC")
    return dt.astimezone(UTC)


def iso(dt: datetime) -> str:
    """ISO 8601 in UTC with a Z, the one text form times take in the API and in keys."""
    return utc(dt).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
