"""Races on one buyer request (B3): two sellers' offers accepted at once, and an acceptance against
the sweeper's expiry of the request. Exactly one wins; never two orders from one request, and no
charge left for an order that was not placed.

The ``held`` variant holds every commit until all sides have read
(``commits_held_until_all_have_read``), so the interleaving where only one commit can win is
forced whatever the threads' timing; the ``free`` variant lets them run as they come."""
from __future__ import annotations

from datetime import timedelta
from functools import partial

import pytest

from chalicelib.domain.buyer_requests import RequestState
from chalicelib.domain.clock import FixedClock
from chalicelib.domain.errors import Conflict
from chalicelib.services import custom_offers, payments, runtime, sweeper
from chalicelib.services.viewer import Viewer
from chalicelib.store import buyer_requests as request_store
from chalicelib.store import orders as order_store
from tests.integration.conftest import gig_body, uid, usd
from tests.integration.orders_under_stress import atomic_moto, commits_held_until_all_have_read, run_together

ROUNDS = 3
PRICES = {"dana": 21_000, "omar": 19_000}


@pytest.fixture
def gigs(api, published_gig, make_seller):
    with atomic_moto():
        make_seller("omar")
        created = api.post("/gigs", "omar", body=gig_body(seller="omar", title="I will design your kitchen")).json
        assert api.post(f"/gigs/{created['id']}/publish", "omar").status_code == 200
        yield {"dana": published_gig["id"], "omar": created["id"]}


def _post_with_offers(api, gigs, expiry_days: int = 7) -> tuple[str, dict[str, str]]:
    request = api.post("/buyer-requests", "carol", body={
        "description": "A kitchen plan for a 12 m2 kitchen", "category": "renovation",
        "subcategory": "kitchen-remodel", "budget": usd(25_000), "delivery_days": 10})
    assert request.status_code == 201, request.json
    offers = {}
    for seller, gig_id in gigs.items():
        sent = api.post(f"/buyer-requests/{request.json['id']}/offers", seller, body={
            "gig_id": gig_id, "description": "One kitchen plan", "price": usd(PRICES[seller]),
            "delivery_days": 5, "revisions": 1, "expiry_days": expiry_days})
        assert sent.status_code == 201, sent.json
        offers[seller] = sent.json["id"]
    return request.json["id"], offers


def _orders_of(request_offers: dict[str, str]) -> list:
    placed = order_store.page_of(uid("carol"), False, None, 100, None)[0]
    return [o for o in placed if o.seller_id in {uid(s) for s in request_offers}]


@pytest.mark.parametrize("held", [False, True], ids=["free", "held"])
def test_b3_two_offers_accepted_at_once_place_exactly_one_order(api, clock, gigs, held):
    port = runtime.current().payments
    assert isinstance(port, payments.LocalPayments)
    buyer = Viewer(uid("carol"))
    placed_before = 0
    for _ in range(ROUNDS):
        request_id, offers = _post_with_offers(api, gigs)
        sides = [partial(custom_offers.accept, offers[s], buyer, clock) for s in ("dana", "omar")]
        if held:
            with commits_held_until_all_have_read(2):
                results = run_together(*sides)
        else:
            results = run_together(*sides)
        for side in results:  # the loser is told with a 409, nothing else
            assert side.error is None or isinstance(side.error, Conflict), side.error
        won = [s for s, side in zip(("dana", "omar"), results, strict=True) if side.error is None]
        assert len(won) == 1, [r.error for r in results]
        request = request_store.get(request_id)
        assert request is not None and request.value.state is RequestState.ACCEPTED
        assert request.value.accepted_offer_id == offers[won[0]]
        placed = order_store.page_of(uid("carol"), False, None, 100, None)[0]
        assert len(placed) == placed_before + 1
        assert placed[0].id == request.value.order_id and placed[0].seller_id == uid(won[0])
        placed_before += 1
        clock.advance(minutes=5)
    kept = [c for c in port.charges.values() if not c["voided"]]
    assert len(kept) == ROUNDS  # one charge kept per request; the losers' charges were voided
    assert request_store.open_count(uid("carol")) == 0


@pytest.mark.parametrize("held", [False, True], ids=["free", "held"])
def test_b1_b3_an_acceptance_and_the_request_expiry_race_exactly_one_wins(api, clock, gigs, held):
    request_id, offers = _post_with_offers(api, gigs, expiry_days=30)  # the offers outlive the request
    record = request_store.get(request_id)
    assert record is not None
    before = FixedClock(record.value.expires_at - timedelta(seconds=1))
    at_expiry = FixedClock(record.value.expires_at)
    sides = (partial(custom_offers.accept, offers["dana"], Viewer(uid("carol")), before),
             partial(sweeper.sweep, at_expiry))
    if held:
        with commits_held_until_all_have_read(2):
            accepted, swept = run_together(*sides)
    else:
        accepted, swept = run_together(*sides)
    assert swept.error is None, swept.error
    assert accepted.error is None or isinstance(accepted.error, Conflict), accepted.error
    final = request_store.get(request_id)
    assert final is not None
    expired = final.value.state is RequestState.EXPIRED
    won = [name for name, ok in (("accept", accepted.error is None), ("expire", expired)) if ok]
    assert len(won) == 1, (won, accepted.error, swept.value)
    if held:  # both read before either committed: the loser's commit was refused
        assert swept.value.fired == 1 or swept.value.lost_races == 1
    assert final.value.state is (RequestState.ACCEPTED if won == ["accept"] else RequestState.EXPIRED)
    assert len(order_store.page_of(uid("carol"), False, None, 100, None)[0]) == (1 if won == ["accept"] else 0)
    assert request_store.open_count(uid("carol")) == 0
