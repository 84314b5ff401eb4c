"""Races on an order (O7/O8, O9, M1, M3, the sweeper): two writers at once, exactly one wins.

Each use case reads the order and commits one transaction conditioned on the version it read
(store/unit_of_work.py), and a timer fires through the same path (services/orders.fire_timer).
The threaded tests line the writers up with a barrier and repeat, so both orders of arrival
happen; the ``held`` variants hold every commit until both sides have read (a hook before
TransactWriteItems), so the losing interleaving is forced regardless of thread timing; the
``sequenced`` variants load both sides' records first and commit one after the other through
the services' own staging, with no threads at all."""
from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from functools import partial

import pytest

from chalicelib.config import settings
from chalicelib.domain.deadlines import DeadlineKind
from chalicelib.domain.errors import Conflict
from chalicelib.domain.events import Actor
from chalicelib.domain.orders import LATE_CANCEL_AFTER, Accept, CancelLate, Deliver, OrderState
from chalicelib.services import orders, runtime, sweeper
from chalicelib.store import deadlines as deadline_store
from chalicelib.store import orders as order_store
from chalicelib.store.unit_of_work import UnitOfWork
from tests.integration.conftest import uid
from tests.integration.orders_under_stress import (
    PRICE,
    Parties,
    assert_completed_once,
    assert_earnings,
    atomic_moto,
    commits_held_until_all_have_read,
    delivered_order,
    due_index_items,
    past_review_period,
    refused,
    run_together,
    started_order,
    written,
)

ROUNDS = 5


@pytest.fixture
def parties(published_gig) -> Parties:
    with atomic_moto():
        yield Parties(uid("dana"), uid("alice"), published_gig)


def _order_deadlines(order_id: str, kind: DeadlineKind):
    return [d for shard in range(settings().due_shards) for d in deadline_store.due(_far_future(), shard, 1000)
            if d.value.subject == order_id and d.value.kind is kind]


def _far_future() -> datetime:
    return datetime(2100, 1, 1, tzinfo=UTC)


# -- (a) the buyer accepts while the sweeper auto-completes (O7 vs O8) ----------------------------
def _accept_vs_sweep(p: Parties, clock, held: bool):
    order = delivered_order(p, clock)
    past_review_period(clock)  # the auto-complete timer is due; the buyer may still accept (O7)
    sides = (lambda: orders.accept(order.id, p.buyer, clock), lambda: sweeper.sweep(clock))
    if held:
        with commits_held_until_all_have_read(2):
            accepted, swept = run_together(*sides)
    else:
        accepted, swept = run_together(*sides)
    return order.id, accepted, swept


@pytest.mark.parametrize("held", [False, True], ids=["free", "held"])
def test_accept_vs_auto_complete_settles_once(parties, clock, held):
    winners = Counter()
    for _ in range(ROUNDS):
        order_id, accepted, swept = _accept_vs_sweep(parties, clock, held)
        assert swept.error is None, swept.error  # the sweeper never crashes on a lost race
        report = swept.value
        assert report.failed == 0
        if accepted.error is None:
            winners["buyer"] += 1
            # the sweeper lost: a Conflict at commit, or the timer was gone when it looked
            assert report.lost_races + report.fired <= 1
        else:
            assert refused(accepted), accepted.error  # 409: concurrent_update or invalid_transition
            assert report.fired == 1 and report.lost_races == 0
            winners["sweeper"] += 1
        if held:  # both read before either committed: the loser's commit was refused
            assert accepted.error is not None or report.lost_races == 1
        assert_completed_once(order_id)
    assert sum(winners.values()) == ROUNDS
    assert_earnings(parties.seller_id, ROUNDS)


def test_accept_vs_auto_complete_sequenced(parties, clock):
    """No threads: both sides read, the sweeper commits first, the buyer's commit is refused; and
    the other way round on a second order."""
    for first in ("sweeper", "buyer"):
        order = delivered_order(parties, clock)
        past_review_period(clock)
        [deadline] = _order_deadlines(order.id, DeadlineKind.ORDER_AUTO_COMPLETE)
        buyer_side = order_store.get(order.id)
        system_side = order_store.get(order.id)
        now = clock.now()
        buyer_outcome = buyer_side.value.apply(Accept(), Actor.BUYER, parties.buyer_id, now)
        system_outcome = system_side.value.fire(deadline.value.kind, deadline.value.ref, now)
        assert system_outcome is not None
        commits = [(buyer_side, buyer_outcome), (system_side, system_outcome)]
        if first == "sweeper":
            commits.reverse()
        _commit(*commits[0])
        with pytest.raises(Conflict) as refused_:
            _commit(*commits[1])
        assert refused_.value.code == "concurrent_update"
        assert_completed_once(order.id)
        w = written(order.id)
        assert w.events["order.auto_complete" if first == "sweeper" else "order.accept"] == 1
    assert_earnings(parties.seller_id, 2)


def _commit(record, outcome) -> None:
    uow = UnitOfWork()
    orders._stage_outcome(uow, record, outcome)
    uow.commit()


# -- (b) the seller delivers while the buyer cancels the late order (O6 vs O9) --------------------
def _late_enough(clock, order) -> None:
    """Past O9's 24 hours after the due time."""
    clock.advance(seconds=(order.due_at + LATE_CANCEL_AFTER - clock.now()).total_seconds() + 60)


def assert_delivered_xor_cancelled(order_id: str) -> str:
    w = written(order_id)
    if w.order.state is OrderState.DELIVERED:
        assert w.deliveries == 1 and w.order.deliveries == 1
        assert w.ledger == Counter({"payment": 1}) and w.order.balance.held == PRICE  # nothing refunded
        assert w.events["order.deliver"] == 1 and w.events["order.cancel_late"] == 0
        assert w.order.cancelled_at is None and w.order.cancellation is None
        assert w.timer_items == [f"TIMER#{DeadlineKind.ORDER_AUTO_COMPLETE.value}"]
        return "seller"
    assert w.order.state is OrderState.CANCELLED, w.order.state
    # M3: refunded in full, and no delivery was recorded
    assert w.ledger == Counter({"payment": 1, "refund": 1}) and w.order.balance.refunded == PRICE
    assert w.order.balance.held == 0 and w.order.balance.seller_earnings == 0
    assert w.deliveries == 0 and w.order.deliveries == 0 and w.order.delivered_at is None
    assert w.events["order.cancel_late"] == 1 and w.events["order.deliver"] == 0
    assert w.timer_items == []
    return "buyer"


@pytest.mark.parametrize("held", [False, True], ids=["free", "held"])
def test_delivery_vs_late_cancellation_one_wins(parties, clock, held):
    winners = Counter()
    for _ in range(ROUNDS):
        order = started_order(parties, clock)
        _late_enough(clock, order)
        sides = (partial(orders.deliver, order.id, parties.seller, "Sorry for the wait: the plan.", (), False, clock),
                 partial(orders.cancel_late, order.id, parties.buyer, "Too late for me.", clock))
        if held:
            with commits_held_until_all_have_read(2):
                delivered, cancelled = run_together(*sides)
        else:
            delivered, cancelled = run_together(*sides)
        assert (delivered.error is None) != (cancelled.error is None), (delivered.error, cancelled.error)
        loser = cancelled if delivered.error is None else delivered
        assert refused(loser), loser.error  # 409, never a 500 or a half-written order
        if held:
            assert loser.error.code == "concurrent_update"
        winner = assert_delivered_xor_cancelled(order.id)
        assert winner == ("seller" if delivered.error is None else "buyer")
        winners[winner] += 1
    assert sum(winners.values()) == ROUNDS


def test_delivery_vs_late_cancellation_sequenced(parties, clock):
    for first in ("seller", "buyer"):
        order = started_order(parties, clock)
        _late_enough(clock, order)
        now = clock.now()
        seller_side, buyer_side = order_store.get(order.id), order_store.get(order.id)
        deliver = seller_side.value.apply(Deliver(message="Here it is."), Actor.SELLER, parties.seller_id, now)
        cancel = buyer_side.value.apply(CancelLate(reason="Too late."), Actor.BUYER, parties.buyer_id, now)
        commits = [(seller_side, deliver), (buyer_side, cancel)]
        if first == "buyer":
            commits.reverse()
        _commit(*commits[0])
        with pytest.raises(Conflict) as refused_:
            _commit(*commits[1])
        assert refused_.value.code == "concurrent_update"
        assert assert_delivered_xor_cancelled(order.id) == first


# -- (c) two sweepers over many due timers --------------------------------------------------------
DUE_ORDERS = 30


def test_two_sweepers_fire_every_timer_once(parties, clock):
    ids = [delivered_order(parties, clock).id for _ in range(DUE_ORDERS)]
    past_review_period(clock)
    assert len(due_index_items()) == DUE_ORDERS
    first, second = run_together(lambda: sweeper.sweep(clock), lambda: sweeper.sweep(clock))
    assert first.error is None and second.error is None, (first.error, second.error)
    reports = [first.value, second.value]
    # What the concurrent pair left (lost races: conflicts on the shared relationship and
    # earnings items) stays due; later sweeps finish it.
    for _ in range(DUE_ORDERS):
        if not due_index_items():
            break
        reports.append(sweeper.sweep(clock))
    assert due_index_items() == []
    assert all(r.failed == 0 for r in reports), [r.as_dict() for r in reports]
    assert sum(r.fired for r in reports) == DUE_ORDERS, [r.as_dict() for r in reports]
    for order_id in ids:
        assert_completed_once(order_id)
        assert written(order_id).events["order.auto_complete"] == 1
    assert_earnings(parties.seller_id, DUE_ORDERS)


# -- (d) a deadline record fired again ----------------------------------------------------------
def _snapshot(order_id: str):
    record = order_store.get(order_id)
    w = written(order_id)
    return record.item.version, w.ledger, w.ledger_seqs, w.events, w.timer_items, w.order


def test_a_fired_deadline_fired_again_changes_nothing(parties, clock):
    order = delivered_order(parties, clock)
    past_review_period(clock)
    [deadline] = _order_deadlines(order.id, DeadlineKind.ORDER_AUTO_COMPLETE)
    assert sweeper.sweep(clock).fired == 1
    before = _snapshot(order.id)
    for _ in range(3):  # the same record again: directly, through the runtime's timers, and one day later
        assert orders.fire_timer(deadline, clock) is False
        assert runtime.current().timers[deadline.value.kind](deadline, clock) is False
        clock.advance(days=1)
        assert sweeper.sweep(clock).as_dict() == {"fired": 0, "lost_races": 0, "failed": 0, "stale": 0}
    assert _snapshot(order.id) == before
    assert_completed_once(order.id)
    assert_earnings(parties.seller_id, 1)


def test_a_deadline_of_a_rearmed_timer_changes_nothing(parties, clock):
    """O7: delivered, revision asked, delivered again: the first auto-complete's record (its token)
    no longer counts, even once its time has come; the re-armed one completes the order."""
    order = delivered_order(parties, clock)
    [first] = _order_deadlines(order.id, DeadlineKind.ORDER_AUTO_COMPLETE)
    clock.advance(days=1)
    orders.request_revision(order.id, parties.buyer, "Please add the pantry.", clock)
    clock.advance(days=1)
    orders.deliver(order.id, parties.seller, "Pantry added.", (), False, clock)
    [second] = _order_deadlines(order.id, DeadlineKind.ORDER_AUTO_COMPLETE)
    assert second.value.ref != first.value.ref and second.value.due_at > first.value.due_at
    clock.advance(seconds=(first.value.due_at - clock.now()).total_seconds() + 60)  # only the old one's time
    before = _snapshot(order.id)
    assert orders.fire_timer(first, clock) is False
    assert sweeper.sweep(clock).fired == 0  # the re-armed timer is not due yet
    assert _snapshot(order.id) == before
    assert written(order.id).order.state is OrderState.DELIVERED
    clock.advance(seconds=(second.value.due_at - clock.now()).total_seconds() + 60)
    assert orders.fire_timer(first, clock) is False  # still nothing: the token is stale
    assert sweeper.sweep(clock).fired == 1
    assert_completed_once(order.id)


def test_the_same_deadline_fired_twice_at_once_fires_once(parties, clock):
    """Two sweepers holding the same record, both reading the order before either commits."""
    for _ in range(ROUNDS):
        order = delivered_order(parties, clock)
        past_review_period(clock)
        [deadline] = _order_deadlines(order.id, DeadlineKind.ORDER_AUTO_COMPLETE)
        with commits_held_until_all_have_read(2):
            one, two = run_together(partial(orders.fire_timer, deadline, clock),
                                    partial(orders.fire_timer, deadline, clock))
        assert sorted([one.error is None, two.error is None]) == [False, True]
        loser = one if one.error else two
        assert refused(loser) and loser.error.code == "concurrent_update"
        assert orders.fire_timer(deadline, clock) is False  # and a third, later, does nothing
        assert_completed_once(order.id)
    assert_earnings(parties.seller_id, ROUNDS)


# -- the helpers wait on progress, not on a clock -------------------------------------------------
def test_a_held_commit_goes_through_once_the_other_side_finished_without_one(parties, clock):
    """The other side only reads and returns: the held commit must not wait for a commit that will
    never come (it used to wait 10 s of wall clock, then fail with a broken barrier)."""
    order = delivered_order(parties, clock)
    with commits_held_until_all_have_read(2):
        accepted, looked = run_together(lambda: orders.accept(order.id, parties.buyer, clock),
                                        lambda: order_store.get(order.id))
    assert accepted.error is None and looked.error is None, (accepted.error, looked.error)
    assert_completed_once(order.id)
