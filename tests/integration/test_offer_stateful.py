"""A stateful property test of custom offers and buyer requests (C1, B1–B3) through the HTTP API,
the sweeper and the outbox reactions, on moto: a buyer writes to a seller and posts requests; two
sellers send offers in the conversation and on the requests (some in milestones, C2); the buyer
accepts, declines and closes; sellers withdraw; time passes (offers and requests expire). No answer
may be a server error; refusals are fine. After every step:

- one state per offer and per request, and the timers follow it: a pending offer has exactly its
  expiry deadline, any other none; an open request has its expiry deadline, an ended one none;
- never two orders from one offer: the buyer's orders are exactly the accepted offers' orders;
- at most one accepted offer per request, and an accepted request names that offer and its order;
- once the reactions ran, no offer on an ended request is still pending (B3: the others lapse).
"""
from __future__ import annotations

import itertools
from datetime import timedelta

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from chalicelib.domain.buyer_requests import RequestState
from chalicelib.domain.custom_offers import OfferState
from chalicelib.domain.deadlines import DeadlineKind
from chalicelib.services import reactions, runtime
from chalicelib.services.sweeper import sweep
from chalicelib.store import buyer_requests as request_store
from chalicelib.store import custom_offers as offer_store
from chalicelib.store import deadlines as deadline_store
from tests.integration.conftest import gig_body, uid, usd

SELLERS = ("dana", "omar")
BUYERS = itertools.count(1)
REQUEST = {"description": "Remodel a 12 m2 kitchen: new cabinets, worktop and tiling.", "category": "renovation",
           "subcategory": "kitchen-remodel", "budget": usd(150_000), "delivery_days": 20}
MILESTONES = [{"name": "Plans", "description": "Plans of the kitchen", "delivery_days": 3, "revisions": 1,
               "amount": usd(6_000)},
              {"name": "Works", "description": "Site management to the end", "delivery_days": 4, "revisions": 1,
               "amount": usd(5_000)}]

advances = st.sampled_from([timedelta(hours=1), timedelta(days=1), timedelta(days=3), timedelta(days=8)])


def offer_body(gig_id: str, expiry_days: int, in_milestones: bool) -> dict:
    body = {"gig_id": gig_id, "description": "Full plan and site management", "requirements_asked": False,
            "expiry_days": expiry_days}
    if in_milestones:
        return {**body, "revisions": None, "milestones": MILESTONES}
    return {**body, "price": usd(12_000), "delivery_days": 7, "revisions": 2}


def test_offers_and_requests_hold_together(api, clock, published_gig, make_seller):
    make_seller("omar")
    created = api.post("/gigs", "omar", body=gig_body(seller="omar", title="I will design your kitchen"))
    assert created.status_code == 201, created.json
    published = api.post(f"/gigs/{created.json['id']}/publish", "omar")
    assert published.status_code == 200, published.json
    gigs = {"dana": published_gig["id"], "omar": created.json["id"]}

    class OffersAndRequests(RuleBasedStateMachine):
        """Each example has a buyer of its own, so examples share the table and not their state."""

        def __init__(self) -> None:
            super().__init__()
            self.buyer = f"offer-buyer-{next(BUYERS)}"
            self.conversation = ""
            self.offers: list[str] = []
            self.requests: list[str] = []
            self.drained = True

        def call(self, method: str, path: str, user: str, body: dict | None = None):
            response = api.request(method, path, user, body=body)
            assert response.status_code < 500, (method, path, response.json)
            return response

        @initialize()
        def write_to_dana(self) -> None:
            written = self.call("POST", "/conversations", self.buyer,
                                {"seller_id": uid("dana"), "text": "Could you plan my kitchen?"})
            assert written.status_code == 201, written.json
            self.conversation = written.json["conversation_id"]

        @rule(expiry=st.integers(1, 30), in_milestones=st.booleans())
        def dana_sends_an_offer(self, expiry: int, in_milestones: bool) -> None:
            sent = self.call("POST", f"/conversations/{self.conversation}/custom-offers", "dana",
                             offer_body(gigs["dana"], expiry, in_milestones))
            assert sent.status_code == 201, sent.json
            self.offers.append(sent.json["id"])

        @rule()
        def the_buyer_posts_a_request(self) -> None:
            posted = self.call("POST", "/buyer-requests", self.buyer, REQUEST)
            if posted.status_code == 201:
                self.requests.append(posted.json["id"])
                self.drained = False

        @precondition(lambda self: self.requests)
        @rule(data=st.data(), seller=st.sampled_from(SELLERS), expiry=st.integers(1, 30),
              in_milestones=st.booleans())
        def a_seller_answers_a_request(self, data, seller: str, expiry: int, in_milestones: bool) -> None:
            request_id = data.draw(st.sampled_from(self.requests))
            answered = self.call("POST", f"/buyer-requests/{request_id}/offers", seller,
                                 offer_body(gigs[seller], expiry, in_milestones))
            if answered.status_code == 201:
                self.offers.append(answered.json["id"])

        @precondition(lambda self: self.offers)
        @rule(data=st.data(), answer=st.sampled_from(["acceptance", "acceptance", "decline", "withdrawal"]))
        def someone_answers_an_offer(self, data, answer: str) -> None:
            offer_id = data.draw(st.sampled_from(self.offers))
            seller = offer_store.get(offer_id).value.seller_id  # type: ignore[union-attr]
            who = next(s for s in SELLERS if uid(s) == seller) if answer == "withdrawal" else self.buyer
            body = {"reason": "Not now"} if answer == "decline" else None
            self.call("POST", f"/custom-offers/{offer_id}/{answer}", who, body)
            self.drained = False

        @precondition(lambda self: self.requests)
        @rule(data=st.data())
        def the_buyer_closes_a_request(self, data) -> None:
            self.call("POST", f"/buyer-requests/{data.draw(st.sampled_from(self.requests))}/closure", self.buyer)
            self.drained = False

        @rule(by=advances)
        def time_passes(self, by: timedelta) -> None:
            clock.advance(seconds=by.total_seconds())
            sweep(clock)
            self.drain()

        @rule()
        def the_reactions_run(self) -> None:
            self.drain()

        def drain(self) -> None:
            for _ in range(10):
                if reactions.dispatch(runtime.current().reactions, clock).dispatched == 0:
                    self.drained = True
                    return
            raise AssertionError("the outbox did not drain")

        # -- what must hold after every step ----------------------------------------------------
        @invariant()
        def offers_and_their_timers_agree(self) -> None:
            for offer_id in self.offers:
                offer = offer_store.get(offer_id).value  # type: ignore[union-attr]
                deadline = deadline_store.get(DeadlineKind.CUSTOM_OFFER_EXPIRY, offer_id)
                assert (deadline is not None) == (offer.state is OfferState.PENDING), (offer.state, offer_id)
                assert (offer.order_id is not None) == (offer.state is OfferState.ACCEPTED), offer

        @invariant()
        def never_two_orders_from_one_offer(self) -> None:
            orders = api.get("/orders?limit=100", self.buyer).json["items"]
            accepted = [offer_store.get(o).value.order_id for o in self.offers]  # type: ignore[union-attr]
            assert sorted(o["id"] for o in orders) == sorted(a for a in accepted if a)

        @invariant()
        def requests_and_their_timers_agree(self) -> None:
            for request_id in self.requests:
                request = request_store.get(request_id).value  # type: ignore[union-attr]
                deadline = deadline_store.get(DeadlineKind.BUYER_REQUEST_EXPIRY, request_id)
                assert (deadline is not None) == (request.state is RequestState.OPEN), (request.state, request_id)
                on_it = [offer_store.get(o).value for o in self.offers]  # type: ignore[union-attr]
                on_it = [o for o in on_it if o.request_id == request_id]
                taken = [o for o in on_it if o.state is OfferState.ACCEPTED]
                assert len(taken) <= 1
                if request.state is RequestState.ACCEPTED:
                    assert [(o.id, o.order_id) for o in taken] == [(request.accepted_offer_id, request.order_id)]
                else:
                    assert taken == [] and request.accepted_offer_id is None
                if self.drained and request.state is not RequestState.OPEN:
                    assert not [o.id for o in on_it if o.state is OfferState.PENDING], request.state

    run_state_machine_as_test(OffersAndRequests, settings=settings(
        max_examples=5, stateful_step_count=12, deadline=None, derandomize=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]))

