"""The test clock for operators: `GET /dev/clock` tells the offset, `POST /dev/clock` moves the
server's time forward and lets every timer and reaction catch up. app.py registers this blueprint
only when ``settings.test_clock`` is on (the local run; a deployed stage whose context enables it;
never production, see chalicelib/config.py), so elsewhere the route does not exist."""
from __future__ import annotations

from chalicelib.domain.dev_clock import AdvanceClock
from chalicelib.handlers.api import Api, Call
from chalicelib.handlers.schemas.dev_clock import CatchUpOut, ClockAdvancedOut, ClockAdvanceIn, ClockOut
from chalicelib.services import dev_clock

api = Api(__name__, tag="operations")


def clock_out(reading: dev_clock.ClockReading) -> dict:
    shift = reading.shift
    return {"now": reading.now, "real_now": reading.real_now, "offset_seconds": shift.offset.total_seconds(),
            "advances": shift.advances, "set_by": shift.set_by, "set_at": shift.set_at}


@api.route("/dev/clock", "GET", summary="The test clock: the server's time and how far it runs ahead (operators)",
           response=ClockOut, operator_only=True)
def read_clock(call: Call) -> ClockOut:
    return ClockOut(**clock_out(dev_clock.read()))


@api.route("/dev/clock", "POST",
           summary="Advance the test clock by a duration or to an instant (forward only), then run the "
                   "sweeper and the outbox reactions until nothing more is due (operators)",
           request=ClockAdvanceIn, response=ClockAdvancedOut, operator_only=True)
def advance_clock(call: Call) -> ClockAdvancedOut:
    body: ClockAdvanceIn = call.body
    reading, settled = dev_clock.advance(AdvanceClock(by=body.by, to=body.to), call.user.user_id)
    caught_up = CatchUpOut(rounds=settled.rounds, fired=settled.fired, dispatched=settled.dispatched,
                           failed=settled.failed, settled=settled.settled)
    return ClockAdvancedOut(**clock_out(reading), caught_up=caught_up)
