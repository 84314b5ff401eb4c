"""Race on one milestone (C3, C5): the buyer approves a milestone delivery just before its 8 days
end while the sweeper's auto-approval fires at the end. Exactly one wins, the other gets a 409
(the sweeper: a lost race or nothing to fire); the milestone's money is settled once (80% to the
seller, M1), the seller's totals and the pair's total spent count it once.

The ``held`` variant holds both commits until both have read (``commits_held_until_all_have_read``),
so the interleaving where only one commit can win is forced whatever the threads' timing; the
``free`` variant lets them run as they come."""
from __future__ import annotations

from collections import Counter
from datetime import timedelta
from functools import partial

import pytest

from chalicelib.domain.clock import FixedClock
from chalicelib.domain.errors import Conflict
from chalicelib.domain.ledger import EntryKind
from chalicelib.domain.orders import MILESTONE_REVIEW_PERIOD, OrderState
from chalicelib.services import orders, sweeper
from chalicelib.services.viewer import Viewer
from chalicelib.store import orders as order_store
from chalicelib.store import relationships as relationship_store
from tests.integration.conftest import uid, usd
from tests.integration.orders_under_stress import atomic_moto, commits_held_until_all_have_read, run_together

ROUNDS = 4
FIRST = 6_000
MILESTONES = [{"name": "Plans", "description": "Plans of every floor", "delivery_days": 5, "amount": usd(FIRST),
               "revisions": 1},
              {"name": "Final set", "description": "The full project", "delivery_days": 5, "amount": usd(5_000),
               "revisions": 1}]


@pytest.fixture
def conversation(api, published_gig):
    with atomic_moto():
        first = api.post("/conversations", "carol", body={"seller_id": uid("dana"), "text": "Hi, my house?"})
        assert first.status_code == 201, first.json
        yield first.json["conversation_id"], published_gig["id"]


def _delivered_milestone_order(api, conversation_id: str, gig_id: str) -> str:
    sent = api.post(f"/conversations/{conversation_id}/custom-offers", "dana", body={
        "gig_id": gig_id, "description": "Your house in two parts", "revisions": None, "requirements_asked": False,
        "milestones": MILESTONES})
    assert sent.status_code == 201, sent.json
    placed = api.post(f"/custom-offers/{sent.json['id']}/acceptance", "carol")
    assert placed.status_code == 201, placed.json
    order_id = placed.json["id"]
    delivered = api.post(f"/orders/{order_id}/deliveries", "dana", body={"message": "The plans"})
    assert delivered.status_code == 201, delivered.json
    return order_id


@pytest.mark.parametrize("held", [False, True], ids=["free", "held"])
def test_c3_the_buyers_approval_and_the_8_day_auto_approval_race_exactly_one_wins(api, clock, conversation, held):
    conversation_id, gig_id = conversation
    winners: Counter[str] = Counter()
    settled_total = 0
    for _ in range(ROUNDS):
        order_id = _delivered_milestone_order(api, conversation_id, gig_id)
        record = order_store.get(order_id)
        assert record is not None and record.value.delivered_at is not None
        ends = record.value.delivered_at + MILESTONE_REVIEW_PERIOD
        sides = (partial(orders.accept, order_id, Viewer(uid("carol")), FixedClock(ends - timedelta(seconds=1))),
                 partial(sweeper.sweep, FixedClock(ends + timedelta(seconds=1))))
        if held:
            with commits_held_until_all_have_read(2):
                approved, swept = run_together(*sides)
        else:
            approved, swept = run_together(*sides)
        assert swept.error is None, swept.error
        report = swept.value
        assert report.failed == 0
        assert approved.error is None or isinstance(approved.error, Conflict), approved.error
        won = [name for name, ok in (("buyer", approved.error is None), ("auto", report.fired == 1)) if ok]
        assert len(won) == 1, (won, approved.error, report)
        if held:  # both read before either committed: the loser's commit was refused
            assert approved.error is not None or report.lost_races == 1
        winners[won[0]] += 1
        final = order_store.get(order_id)
        assert final is not None
        order = final.value
        expected = OrderState.AWAITING_NEXT_MILESTONE if won[0] == "buyer" else OrderState.COMPLETED
        assert order.state is expected
        ledger = order_store.ledger_of(order_id)
        earnings = [e for e in ledger if e["kind"] == EntryKind.SELLER_EARNING]
        assert [(e["amount"], e["stage"]) for e in earnings] == [(FIRST * 80 // 100, 0)]  # settled once
        assert order.balance.stages[0].held == 0 and order.balance.seller_earnings == FIRST * 80 // 100
        settled_total += FIRST * 80 // 100 + (FIRST - FIRST * 80 // 100)
        clock.advance(days=30)  # past the loser's and the next payment's timers: the next round sweeps alone
        assert sweeper.sweep(clock).failed == 0
    totals = order_store.earnings_totals(uid("dana"))
    assert totals is not None and int(totals.earned) == ROUNDS * FIRST * 80 // 100
    rel = relationship_store.get(uid("dana"), uid("carol"))
    assert rel is not None and rel.value.total_spent == settled_total  # O19 counts each settlement once
    assert sum(winners.values()) == ROUNDS
