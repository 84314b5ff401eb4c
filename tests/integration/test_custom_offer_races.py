"""Races on one custom offer (C1): accept, withdraw and the sweeper's expiry at once; exactly one
wins, the others get a 409 (the sweeper: a lost race), never two orders from one offer and no
charge left for an order that was not placed.

The buyer and the seller read the offer just before it expires; the sweeper fires at its expiry
(each side is handed its own clock, as a request that read just before the boundary and a sweep
just after it would be). The ``held`` variant holds every commit until all three have read
(``commits_held_until_all_have_read``), so the interleaving where only one commit can win is
forced whatever the threads' timing; the ``free`` variant lets them run as they come."""
from __future__ import annotations

from collections import Counter
from datetime import timedelta
from functools import partial

import pytest

from chalicelib.domain.clock import FixedClock
from chalicelib.domain.errors import Conflict
from chalicelib.services import custom_offers, payments, runtime, sweeper
from chalicelib.services.viewer import Viewer
from chalicelib.store import custom_offers as offer_store
from chalicelib.store import orders as order_store
from tests.integration.conftest import uid
from tests.integration.orders_under_stress import atomic_moto, commits_held_until_all_have_read, run_together

ROUNDS = 4
PRICE = 23_456


@pytest.fixture
def conversation(api, published_gig):
    with atomic_moto():
        first = api.post("/conversations", "carol", body={"seller_id": uid("dana"), "text": "Hi, a kitchen?"})
        assert first.status_code == 201, first.json
        yield first.json["conversation_id"], published_gig["id"]


def _send(api, conversation_id: str, gig_id: str) -> str:
    sent = api.post(f"/conversations/{conversation_id}/custom-offers", "dana", body={
        "gig_id": gig_id, "description": "One kitchen plan", "price": {"amount": PRICE, "currency": "USD"},
        "delivery_days": 5, "revisions": 1, "expiry_days": 1})
    assert sent.status_code == 201, sent.json
    return sent.json["id"]


@pytest.mark.parametrize("held", [False, True], ids=["free", "held"])
def test_c1_accept_withdraw_and_expiry_race_exactly_one_wins(api, clock, conversation, held):
    conversation_id, gig_id = conversation
    port = runtime.current().payments
    assert isinstance(port, payments.LocalPayments)
    winners: Counter[str] = Counter()
    for _ in range(ROUNDS):
        offer_id = _send(api, conversation_id, gig_id)
        record = offer_store.get(offer_id)
        assert record is not None
        before = FixedClock(record.value.expires_at - timedelta(seconds=1))
        at_expiry = FixedClock(record.value.expires_at)
        sides = (partial(custom_offers.accept, offer_id, Viewer(uid("carol")), before),
                 partial(custom_offers.withdraw, offer_id, Viewer(uid("dana")), before),
                 partial(sweeper.sweep, at_expiry))
        if held:
            with commits_held_until_all_have_read(3):
                accepted, withdrawn, swept = run_together(*sides)
        else:
            accepted, withdrawn, swept = run_together(*sides)
        assert swept.error is None, swept.error
        report = swept.value
        assert report.failed == 0
        for side in (accepted, withdrawn):  # a loser is told with a 409, nothing else
            assert side.error is None or isinstance(side.error, Conflict), side.error
        won = [name for name, ok in (("accept", accepted.error is None), ("withdraw", withdrawn.error is None),
                                     ("expire", report.fired == 1)) if ok]
        assert len(won) == 1, (won, accepted.error, withdrawn.error, report)
        if held:  # all three read before any committed: each loser's commit was refused
            assert report.fired == 1 or report.lost_races == 1
        winners[won[0]] += 1
        final = offer_store.get(offer_id)
        assert final is not None
        expected_state = {"accept": "accepted", "withdraw": "withdrawn", "expire": "expired"}[won[0]]
        assert final.value.state.value == expected_state
        orders_of_offer = [o for o in order_store.page_of(uid("carol"), False, None, 100, None)[0]
                           if o.id == final.value.order_id]
        assert len(orders_of_offer) == (1 if won[0] == "accept" else 0)
        clock.advance(days=2)  # the next round's offer is a fresh one
    # Charges: one kept per accepted offer, every other one voided.
    kept = [c for c in port.charges.values() if not c["voided"]]
    assert [c["amount"] for c in kept] == [PRICE] * winners["accept"]
    placed = order_store.page_of(uid("carol"), False, None, 100, None)[0]
    assert len(placed) == winners["accept"]
    assert sum(winners.values()) == ROUNDS
