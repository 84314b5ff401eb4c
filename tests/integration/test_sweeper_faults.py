"""The sweeper under DynamoDB faults (O8, M1, the sweeper): throttling and failed conditions
injected mid-sweep with botocore hooks on the clients PynamoDB uses. Each sweep reports what
failed or lost a race without crashing, the next sweep finishes the work, and nothing is lost
(every due order fired once) or doubled (ledger entries, history events, earnings)."""
from __future__ import annotations

from collections import Counter

import pytest

from chalicelib.config import settings
from chalicelib.domain.deadlines import shard_of
from chalicelib.domain.orders import OrderState
from chalicelib.services import orders, sweeper
from tests.integration.conftest import uid
from tests.integration.orders_under_stress import (
    SELLER_SHARE,
    Faults,
    Parties,
    assert_completed_once,
    assert_earnings,
    atomic_moto,
    delivered_order,
    due_index_items,
    past_review_period,
    written,
)

DUE = 10
THROTTLES = ("ProvisionedThroughputExceededException", "ThrottlingException")


@pytest.fixture
def due_orders(published_gig, clock) -> tuple[Parties, list[str]]:
    """DUE delivered orders whose auto-complete (O8) is due."""
    with atomic_moto():
        p = Parties(uid("dana"), uid("alice"), published_gig)
        ids = [delivered_order(p, clock).id for _ in range(DUE)]
        past_review_period(clock)
        assert len(due_index_items()) == DUE
        yield p, ids


def _is_due_query(params: dict) -> bool:
    return params.get("IndexName") == "due"


def _is_order_read(params: dict) -> bool:
    """store/orders.get: the Query of an order's partition (the order and its timers)."""
    values = [v.get("S", "") for v in (params.get("ExpressionAttributeValues") or {}).values()]
    return "IndexName" not in params and any(v.startswith("ORDER#") for v in values) and "ORDER" in values


def assert_all_fired_once(p: Parties, ids: list[str]) -> None:
    assert due_index_items() == []
    for order_id in ids:
        assert_completed_once(order_id)
        assert written(order_id).events["order.auto_complete"] == 1
    assert_earnings(p.seller_id, len(ids))


def _finish(clock, reports: list, rounds: int = 5) -> None:
    for _ in range(rounds):
        if not due_index_items():
            return
        reports.append(sweeper.sweep(clock))


@pytest.mark.parametrize("code", THROTTLES)
def test_throttled_commits_fail_alone_and_the_next_sweep_fires_them(due_orders, clock, code):
    p, ids = due_orders
    with Faults("TransactWriteItems", {2, 5, 9}, code).installed() as faults:
        first = sweeper.sweep(clock)
    assert faults.injected == 3
    assert first.as_dict() == {"fired": DUE - 3, "lost_races": 0, "failed": 3, "stale": 0}
    assert len(due_index_items()) == 3  # the failed ones stay due, nothing else does
    second = sweeper.sweep(clock)
    assert second.as_dict() == {"fired": 3, "lost_races": 0, "failed": 0, "stale": 0}
    assert_all_fired_once(p, ids)


@pytest.mark.parametrize("code", THROTTLES)
def test_throttled_order_reads_fail_alone(due_orders, clock, code):
    p, ids = due_orders
    with Faults("Query", {1, 4}, code, matching=_is_order_read).installed() as faults:
        first = sweeper.sweep(clock)
    assert faults.injected == 2
    assert first.fired == DUE - 2 and first.failed == 2
    reports = [first]
    _finish(clock, reports)
    assert sum(r.fired for r in reports) == DUE
    assert_all_fired_once(p, ids)


@pytest.mark.parametrize("code", THROTTLES)
def test_a_throttled_due_query_skips_its_shard_only(due_orders, clock, code):
    """A shard whose due-index Query fails is reported failed; the other shards are swept."""
    p, ids = due_orders
    shards = settings().due_shards
    with Faults("Query", set(range(1, shards + 1)), code, matching=_is_due_query).installed() as faults:
        everything_failed = sweeper.sweep(clock)
    assert faults.injected == shards  # every shard's query failed, and the sweep went on to the next
    assert everything_failed.as_dict() == {"fired": 0, "lost_races": 0, "failed": shards, "stale": 0}
    assert len(due_index_items()) == DUE
    busiest = max(range(shards), key=lambda shard: _due_in_shard(shard, ids))
    with Faults("Query", {busiest + 1}, code, matching=_is_due_query).installed():  # shards go in order
        first = sweeper.sweep(clock)
    assert first.failed == 1 and first.fired == DUE - _due_in_shard(busiest, ids) < DUE
    assert len(due_index_items()) == _due_in_shard(busiest, ids)
    reports = [first]
    _finish(clock, reports)
    assert sum(r.fired for r in reports) == DUE
    assert_all_fired_once(p, ids)


def _due_in_shard(shard: int, ids: list[str]) -> int:
    return sum(1 for i in ids if shard_of(i, settings().due_shards) == shard)


def test_failed_conditions_count_as_lost_races(due_orders, clock):
    """A transaction cancelled on a condition (another writer got there first) is a lost race:
    left due, fired by the next sweep, never half-written."""
    p, ids = due_orders
    reasons = [{"Code": "ConditionalCheckFailed", "Message": "injected"}]
    with Faults("TransactWriteItems", {1, 3, 10}, "TransactionCanceledException", reasons).installed():
        first = sweeper.sweep(clock)
    assert first.as_dict() == {"fired": DUE - 3, "lost_races": 3, "failed": 0, "stale": 0}
    for order_id in ids:  # the three losers wrote nothing: still delivered, still due, nothing settled
        w = written(order_id)
        if w.order.state is OrderState.DELIVERED:
            assert w.ledger == Counter({"payment": 1}) and w.events["order.auto_complete"] == 0
            assert len(w.timer_items) == 1
    assert len(due_index_items()) == 3
    assert sweeper.sweep(clock).fired == 3
    assert_all_fired_once(p, ids)


def test_a_commit_whose_answer_is_lost_is_not_repeated(due_orders, clock):
    """The transaction commits but the sweeper sees an error (a lost response): it counts a
    failure, and the next sweep finds the timer gone with the commit, so nothing is doubled."""
    p, ids = due_orders
    with Faults("TransactWriteItems", {2, 6}, "InternalServerError", after=True).installed() as faults:
        first = sweeper.sweep(clock)
    assert faults.injected == 2
    assert first.as_dict() == {"fired": DUE - 2, "lost_races": 0, "failed": 2, "stale": 0}
    assert due_index_items() == []  # both had committed
    assert sweeper.sweep(clock).as_dict() == {"fired": 0, "lost_races": 0, "failed": 0, "stale": 0}
    assert_all_fired_once(p, ids)


def test_mixed_faults_over_several_sweeps(due_orders, clock):
    """Throttles, failed conditions and failed reads together, then clean sweeps: every order
    completes once, the seller's earnings count each settlement once."""
    p, ids = due_orders
    reasons = [{"Code": "None"}, {"Code": "TransactionConflict", "Message": "injected"}]
    reports = []
    with Faults("TransactWriteItems", {1, 4}, "ProvisionedThroughputExceededException").installed(), \
            Faults("TransactWriteItems", {2}, "TransactionCanceledException", reasons).installed(), \
            Faults("Query", {3}, "ThrottlingException", matching=_is_order_read).installed(), \
            Faults("Query", {2}, "ThrottlingException", matching=_is_due_query).installed():
        reports.append(sweeper.sweep(clock))
    assert reports[0].failed >= 3 and reports[0].lost_races >= 1
    _finish(clock, reports)
    assert sum(r.fired for r in reports) == DUE
    assert sum(r.stale for r in reports) == 0
    assert_all_fired_once(p, ids)
    summary, _, _ = orders.earnings(p.seller_id, 100, None)
    assert summary["earned"] == DUE * SELLER_SHARE
