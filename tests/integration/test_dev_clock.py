"""The test clock (services/dev_clock.py) against moto: advancing it fires what fell due (an
auto-completion after 3 days, O8) and lets the reactions run, records who moved it, and a second
container (another ShiftedClock over the same item) agrees. The HTTP routes exist only where the
test clock is on: tests/contract/test_dev_clock.py drives them on the local run, and tests/infra
checks that the packaged API has no such route."""
from __future__ import annotations

from datetime import timedelta

import pytest

from chalicelib.domain.dev_clock import AdvanceClock, ShiftedClock
from chalicelib.domain.errors import Conflict, InvalidInput
from chalicelib.services import dev_clock, runtime
from chalicelib.store import dev_clock as store
from chalicelib.store import events as event_store
from chalicelib.store.unit_of_work import UnitOfWork
from tests.integration.conftest import uid

BUYER, SELLER, OPERATOR = "alice", "dana", "olga"


@pytest.fixture
def shifted(api, clock):
    """The runtime's clock as a test-clock stage builds it: the (fixed) real time plus the stored offset."""
    shifted = ShiftedClock(clock, store.offset, reload_every=0)
    previous = runtime.use_clock(shifted)
    yield shifted
    runtime.use_clock(previous)


def delivered_order(api, gig) -> str:
    placed = api.post("/orders", BUYER, body={"gig_id": gig["id"], "tier": "basic"})
    assert placed.status_code == 201, placed.json
    order_id = placed.json["id"]
    answer = {"answers": [{"requirement_id": gig["requirements"][0]["id"], "text": "12 m2"}]}
    assert api.post(f"/orders/{order_id}/requirements", BUYER, body=answer).status_code == 200
    assert api.post(f"/orders/{order_id}/deliveries", SELLER, body={"message": "Here it is"}).status_code == 201
    return order_id


def test_advancing_three_days_auto_completes_a_delivered_order_O8(api, published_gig, shifted, clock):
    order_id = delivered_order(api, published_gig)
    before = api.get(f"/orders/{order_id}", BUYER).json
    assert before["state"] == "delivered"

    reading, settled = dev_clock.advance(AdvanceClock(by=timedelta(days=3, minutes=1)), uid(OPERATOR))

    assert reading.now == clock.now() + timedelta(days=3, minutes=1) == shifted.now()
    assert reading.real_now == clock.now()
    assert reading.shift.set_by == uid(OPERATOR) and reading.shift.advances == 1
    assert settled.settled and settled.fired >= 1 and settled.dispatched >= 1
    page = api.get(f"/orders/{order_id}", BUYER).json
    assert page["state"] == "completed"
    assert page["money"]["seller_earnings"]["amount"] == 8000 and page["timers"] == []  # M1: as in 3 days
    feed = api.get("/me/notifications", SELLER).json["items"]
    assert any("complete" in entry["summary"].lower() for entry in feed)  # reactions ran too


def test_the_move_is_recorded_and_another_container_agrees(api, shifted, clock):
    dev_clock.advance(AdvanceClock(to=clock.now() + timedelta(hours=25)), uid(OPERATOR))
    other_container = ShiftedClock(clock, store.offset)
    assert other_container.now() == clock.now() + timedelta(hours=25)
    recorded = event_store.history(dev_clock.STREAM)
    assert [(e.kind, e.actor_id, e.data["by_seconds"]) for e in recorded] == [
        ("dev_clock.advanced", uid(OPERATOR), 25 * 3600.0)]
    assert dev_clock.read().shift.offset == timedelta(hours=25)


def test_backwards_is_refused_and_nothing_is_written(api, shifted, clock):
    with pytest.raises(InvalidInput):
        dev_clock.advance(AdvanceClock(to=clock.now() - timedelta(minutes=5)), uid(OPERATOR))
    assert dev_clock.read().shift.advances == 0
    assert event_store.history(dev_clock.STREAM) == []


def test_two_moves_from_the_same_reading_do_not_both_apply(api, shifted, clock):
    stale = store.get()
    dev_clock.advance(AdvanceClock(by=timedelta(days=1)), uid(OPERATOR))
    uow = UnitOfWork()
    store.stage_save(uow, stale, stale.value)
    with pytest.raises(Conflict):
        uow.commit()
    assert dev_clock.read().shift.offset == timedelta(days=1)
