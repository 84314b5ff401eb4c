"""What services are handed from outside: the clock. Tests and simulations swap it."""
from __future__ import annotations

from chalicelib.domain.clock import Clock, SystemClock

_clock: Clock = SystemClock()


def clock() -> Clock:
    return _clock


def use_clock(new: Clock) -> Clock:
    """Installs ``new`` and returns the previous clock (so a test can put it back)."""
    global _clock
    previous, _clock = _clock, new
    return previous
