"""Buyer requests (B1, B2, B3, W2, and C1 in answer to a request): the aggregate alone, with an
injected time. Every refusal names its rule."""
from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from chalicelib.domain.buyer_requests import (
    ATTACHMENTS_MAX,
    BUDGET_MAX,
    BUDGET_MIN,
    DAYS_MAX,
    DESCRIPTION_MAX,
    OPEN_DAYS,
    OPEN_REQUESTS_MAX,
    TRANSITIONS,
    BuyerRequest,
    RequestAction,
    RequestDraft,
    RequestState,
    excerpt,
    listed_categories,
)
from chalicelib.domain.custom_offers import CustomOffer, OfferAction, OfferDraft, OfferState
from chalicelib.domain.errors import Conflict, DomainError, Forbidden, InvalidInput
from chalicelib.domain.events import Actor
from chalicelib.domain.gigs import GigState
from chalicelib.domain.relationships import Relationship
from tests.unit.gig_factory import NOW, SELLER_ID, demo_catalogue, published_gig

BUYER = "usr_buyer0000000000000000"


def _draft(**overrides) -> RequestDraft:
    values = dict(description="Photos of my flat before I sell it, about 20 pictures", category="real-estate",
                  subcategory="photography", budget=15_000, delivery_days=5)
    return RequestDraft(**(values | overrides))


def _post(draft: RequestDraft | None = None, open_requests: int = 0) -> BuyerRequest:
    return BuyerRequest.post(buyer_id=BUYER, draft=draft or _draft(), catalogue=demo_catalogue(),
                             open_requests=open_requests, now=NOW)


def _refusal(exc: pytest.ExceptionInfo[DomainError]) -> tuple[str | None, str | None]:
    return exc.value.code, exc.value.rule


# -- B1: posting -------------------------------------------------------------------------------------
def test_b1_a_posted_request_is_open_for_14_days() -> None:
    request = _post()
    assert request.state is RequestState.OPEN and request.is_open(NOW)
    assert request.expires_at == NOW + timedelta(days=OPEN_DAYS) == NOW + timedelta(days=14)
    assert request.is_open(NOW + timedelta(days=14, seconds=-1))
    assert not request.is_open(NOW + timedelta(days=14))


@pytest.mark.parametrize("field,value", [
    ("description", ""), ("description", "x" * (DESCRIPTION_MAX + 1)), ("category", "gardening"),
    ("subcategory", "roofing"), ("budget", BUDGET_MIN - 1), ("budget", BUDGET_MAX + 1), ("delivery_days", 0),
    ("delivery_days", DAYS_MAX + 1), ("attachments", tuple(f"file_{n}" for n in range(ATTACHMENTS_MAX + 1))),
])
def test_b1_every_field_is_checked_and_the_refusal_names_b1(field: str, value: object) -> None:
    with pytest.raises(InvalidInput) as exc:
        _post(_draft(**{field: value}))
    assert _refusal(exc) == ("invalid_request", "B1")
    assert [(e.field, e.rule) for e in exc.value.fields] == [(field, "B1")]


@pytest.mark.parametrize("text", ["Write to me at dana@example.com", "Call +1 415 555 0199 today",
                                  "whatsapp me", "see www.example.com"])
def test_w2_a_request_with_contact_details_is_refused(text: str) -> None:
    with pytest.raises(InvalidInput) as exc:
        _post(_draft(description=text))
    assert _refusal(exc) == ("contact_details", "W2")


def test_w2_ordinary_numbers_are_not_contact_details() -> None:
    assert _post(_draft(description="A 120 m2 flat, 3 rooms, built 1998, budget $150")).state is RequestState.OPEN


def test_b1_a_buyer_has_at_most_10_open_requests() -> None:
    assert _post(open_requests=OPEN_REQUESTS_MAX - 1).state is RequestState.OPEN
    with pytest.raises(Conflict) as exc:
        _post(open_requests=OPEN_REQUESTS_MAX)
    assert OPEN_REQUESTS_MAX == 10 and _refusal(exc) == ("too_many_open_requests", "B1")


def test_b1_sellers_see_requests_in_the_categories_of_their_published_gigs() -> None:
    gigs = [published_gig(), replace(published_gig(id="gig_2"), category="music-audio", state=GigState.DRAFT)]
    assert listed_categories(gigs) == {"real-estate"}
    request = _post()
    assert request.matches(listed_categories(gigs))
    assert not request.matches(listed_categories(gigs[1:]))


def test_b1_the_feed_shows_an_excerpt() -> None:
    assert excerpt("a  b\nc") == "a b c"
    long = excerpt("word " * 100)
    assert len(long) == 200 and long.endswith("…")


# -- B1/B3: the machine ------------------------------------------------------------------------------
def test_b1_b3_the_transition_table_is_open_to_one_end() -> None:
    assert {a: (t.actor, t.source, t.target, t.rule) for a, t in TRANSITIONS.items()} == {
        RequestAction.ACCEPT_OFFER: (Actor.BUYER, RequestState.OPEN, RequestState.ACCEPTED, "B3"),
        RequestAction.CLOSE: (Actor.BUYER, RequestState.OPEN, RequestState.CLOSED, "B1"),
        RequestAction.EXPIRE: (Actor.SYSTEM, RequestState.OPEN, RequestState.EXPIRED, "B1"),
    }


def test_b3_accepting_an_offer_closes_the_request_naming_offer_and_order() -> None:
    later = NOW + timedelta(days=3)
    ended = _post().apply(RequestAction.ACCEPT_OFFER, Actor.BUYER, later, offer_id="cof_1", order_id="ord_1")
    assert (ended.state, ended.accepted_offer_id, ended.order_id, ended.ended_at) == (
        RequestState.ACCEPTED, "cof_1", "ord_1", later)
    assert ended.allowed_actions(Actor.BUYER, later) == []


def test_b1_the_buyer_closes_an_open_request() -> None:
    request = _post()
    assert request.allowed_actions(Actor.BUYER, NOW) == [RequestAction.CLOSE]
    assert request.allowed_actions(Actor.SELLER, NOW) == []
    assert request.apply(RequestAction.CLOSE, Actor.BUYER, NOW).state is RequestState.CLOSED


@pytest.mark.parametrize("action,actor,rule", [
    (RequestAction.CLOSE, Actor.SELLER, "B1"), (RequestAction.CLOSE, Actor.OPERATOR, "B1"),
    (RequestAction.ACCEPT_OFFER, Actor.SELLER, "B3"), (RequestAction.EXPIRE, Actor.BUYER, "B1"),
])
def test_b1_b3_each_action_belongs_to_one_party(action: RequestAction, actor: Actor, rule: str) -> None:
    with pytest.raises(Forbidden) as exc:
        _post().apply(action, actor, NOW + timedelta(days=OPEN_DAYS), offer_id="cof_1", order_id="ord_1")
    assert exc.value.rule == rule


@pytest.mark.parametrize("action,actor,rule", [
    (RequestAction.CLOSE, Actor.BUYER, "B1"), (RequestAction.ACCEPT_OFFER, Actor.BUYER, "B3"),
])
def test_b1_b3_an_ended_request_takes_nothing_more(action: RequestAction, actor: Actor, rule: str) -> None:
    closed = _post().apply(RequestAction.CLOSE, Actor.BUYER, NOW)
    with pytest.raises(Conflict) as exc:
        closed.apply(action, actor, NOW, offer_id="cof_1", order_id="ord_1")
    assert _refusal(exc) == ("request_not_open", rule)


def test_b1_a_request_expires_only_once_its_time_came() -> None:
    request = _post()
    with pytest.raises(Conflict) as exc:
        request.apply(RequestAction.EXPIRE, Actor.SYSTEM, NOW + timedelta(days=OPEN_DAYS, seconds=-1))
    assert _refusal(exc) == ("request_not_expired", "B1")
    assert request.apply(RequestAction.EXPIRE, Actor.SYSTEM, NOW + timedelta(days=OPEN_DAYS)).state \
        is RequestState.EXPIRED


@pytest.mark.parametrize("action", [RequestAction.CLOSE, RequestAction.ACCEPT_OFFER])
def test_b1_an_expired_request_takes_no_answer_before_the_sweeper_runs(action: RequestAction) -> None:
    with pytest.raises(Conflict) as exc:
        _post().apply(action, Actor.BUYER, NOW + timedelta(days=OPEN_DAYS), offer_id="cof_1", order_id="ord_1")
    assert _refusal(exc) == ("request_expired", "B1")


# -- B2: answering with an offer ---------------------------------------------------------------------
def test_b2_a_seller_with_a_published_gig_in_the_category_may_offer() -> None:
    _post().check_offer(SELLER_ID, published_gig(), already_offered=False, now=NOW)


def test_b2_one_offer_per_seller_per_request() -> None:
    with pytest.raises(Conflict) as exc:
        _post().check_offer(SELLER_ID, published_gig(), already_offered=True, now=NOW)
    assert _refusal(exc) == ("one_offer_per_request", "B2")


def test_b2_the_gig_is_in_the_requests_category() -> None:
    with pytest.raises(Conflict) as exc:
        _post().check_offer(SELLER_ID, replace(published_gig(), category="music-audio"), already_offered=False,
                            now=NOW)
    assert _refusal(exc) == ("gig_not_in_category", "B2")


def test_b2_nobody_answers_their_own_request() -> None:
    with pytest.raises(Forbidden) as exc:
        _post().check_offer(BUYER, replace(published_gig(), seller_id=BUYER), already_offered=False, now=NOW)
    assert _refusal(exc) == ("own_request", "B2")


def test_b1_no_offer_on_a_request_that_ended_or_expired() -> None:
    with pytest.raises(Conflict) as closed:
        _post().apply(RequestAction.CLOSE, Actor.BUYER, NOW).check_offer(SELLER_ID, published_gig(), False, NOW)
    assert _refusal(closed) == ("request_not_open", "B1")
    with pytest.raises(Conflict) as expired:
        _post().check_offer(SELLER_ID, published_gig(), False, NOW + timedelta(days=OPEN_DAYS))
    assert _refusal(expired) == ("request_expired", "B1")


def _request_offer(rel: Relationship | None = None, gig=None) -> CustomOffer:
    request = _post()
    draft = OfferDraft(gig_id="gig_test0000000000000000", description="Twenty photos, edited", price=14_000,
                       delivery_days=4, revisions=1)
    return CustomOffer.send(seller_id=SELLER_ID, gig=gig or published_gig(),
                            relationship=rel or Relationship(SELLER_ID, BUYER), conversation_id=None, draft=draft,
                            now=NOW, request_id=request.id)


def test_c1_b2_an_offer_on_a_request_needs_no_conversation_the_buyer_opened() -> None:
    offer = _request_offer()
    assert offer.request_id and offer.conversation_id is None and offer.state is OfferState.PENDING
    assert offer.buyer_id == BUYER


def test_o17_b2_a_blocked_buyer_gets_no_offer_on_their_request() -> None:
    with pytest.raises(Conflict) as exc:
        _request_offer(Relationship(SELLER_ID, BUYER, blocked_at=NOW))
    assert _refusal(exc) == ("buyer_blocked", "O17")


def test_c1_b2_the_offer_is_based_on_a_published_gig() -> None:
    with pytest.raises(Conflict) as exc:
        _request_offer(gig=replace(published_gig(), state=GigState.PAUSED))
    assert _refusal(exc) == ("gig_not_published", "C1")


def test_b3_the_other_offers_lapse_even_past_their_own_expiry() -> None:
    offer = _request_offer()
    lapsed = offer.apply(OfferAction.LAPSE, Actor.SYSTEM, NOW + timedelta(days=60))
    assert lapsed.state is OfferState.LAPSED
    with pytest.raises(Forbidden):
        replace(offer).apply(OfferAction.LAPSE, Actor.BUYER, NOW)
    with pytest.raises(Conflict) as exc:
        lapsed.apply(OfferAction.ACCEPT, Actor.BUYER, NOW, order_id="ord_1")
    assert _refusal(exc) == ("offer_not_pending", "C1")
    assert offer.allowed_actions(Actor.BUYER, NOW) == [OfferAction.ACCEPT, OfferAction.DECLINE]
