"""Custom offers (C1, O5, O17, W2, O3): the aggregate alone, with an injected time."""
from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from chalicelib.domain.custom_offers import (
    EXPIRY_DAYS_DEFAULT,
    EXPIRY_DAYS_MAX,
    OFFER_DAYS_MAX,
    OFFER_PRICE_MAX,
    OFFER_PRICE_MIN,
    OFFER_REVISIONS_MAX,
    TRANSITIONS,
    CustomOffer,
    OfferAction,
    OfferDraft,
    OfferState,
    check_offer_request_text,
)
from chalicelib.domain.errors import Conflict, DomainError, Forbidden, InvalidInput
from chalicelib.domain.events import Actor
from chalicelib.domain.gigs import GigState
from chalicelib.domain.orders import Order
from chalicelib.domain.relationships import Relationship
from tests.unit.gig_factory import NOW, SELLER_ID, published_gig

BUYER = "usr_buyer0000000000000000"


def _rel(**overrides) -> Relationship:
    return replace(Relationship(SELLER_ID, BUYER, buyer_wrote_first=True), **overrides)


def _draft(**overrides) -> OfferDraft:
    values = dict(gig_id="gig_test0000000000000000", description="Photos of your two flats, 40 in all",
                  price=12_345, delivery_days=4, revisions=2)
    return OfferDraft(**(values | overrides))


def _send(draft: OfferDraft | None = None, gig=None, rel=None, seller_id=SELLER_ID) -> CustomOffer:
    return CustomOffer.send(seller_id=seller_id, gig=gig or published_gig(), relationship=rel or _rel(),
                            conversation_id="conv_1", draft=draft or _draft(), now=NOW)


def _refusal(exc: pytest.ExceptionInfo[DomainError]) -> tuple[str | None, str | None]:
    return exc.value.code, exc.value.rule


# -- sending ---------------------------------------------------------------------------------------
def test_c1_a_sent_offer_is_pending_and_expires_after_7_days_by_default() -> None:
    offer = _send()
    assert offer.state is OfferState.PENDING
    assert offer.expires_at == NOW + timedelta(days=EXPIRY_DAYS_DEFAULT) == NOW + timedelta(days=7)
    assert (offer.seller_id, offer.buyer_id, offer.conversation_id) == (SELLER_ID, BUYER, "conv_1")
    assert offer.total == 12_345


@pytest.mark.parametrize("days", [1, 30])
def test_c1_the_seller_chooses_1_to_30_days_of_expiry(days: int) -> None:
    assert _send(_draft(expiry_days=days)).expires_at == NOW + timedelta(days=days)


@pytest.mark.parametrize("field,value", [
    ("expiry_days", 0), ("expiry_days", EXPIRY_DAYS_MAX + 1), ("price", OFFER_PRICE_MIN - 1),
    ("price", OFFER_PRICE_MAX + 1), ("delivery_days", 0), ("delivery_days", OFFER_DAYS_MAX + 1),
    ("revisions", -1), ("revisions", OFFER_REVISIONS_MAX + 1), ("description", ""),
])
def test_c1_offer_bounds_are_refused_naming_the_field(field: str, value) -> None:
    with pytest.raises(InvalidInput) as exc:
        _send(_draft(**{field: value}))
    assert exc.value.rule == "C1" and [e.field for e in exc.value.fields] == [field]


def test_c1_unlimited_revisions_are_none() -> None:
    assert _send(_draft(revisions=None)).revisions is None


def test_w2_contact_details_in_the_description_are_refused() -> None:
    with pytest.raises(InvalidInput) as exc:
        _send(_draft(description="Write me at john@example.com for more"))
    assert _refusal(exc) == ("contact_details", "W2")


def test_o5_no_offer_to_a_buyer_who_never_wrote() -> None:
    with pytest.raises(Forbidden) as exc:
        _send(rel=_rel(buyer_wrote_first=False, orders_placed=1))
    assert _refusal(exc) == ("buyer_must_write_first", "O5")


def test_o17_no_offer_to_a_blocked_buyer() -> None:
    with pytest.raises(Conflict) as exc:
        _send(rel=_rel(blocked_at=NOW))
    assert _refusal(exc) == ("buyer_blocked", "O17")


def test_c1_an_offer_is_based_on_one_of_the_sellers_own_gigs() -> None:
    with pytest.raises(Forbidden) as exc:
        _send(seller_id="usr_other0000000000000000", rel=_rel(seller_id="usr_other0000000000000000"))
    assert _refusal(exc) == ("not_your_gig", "C1")


def test_c1_an_offer_is_based_on_a_published_gig() -> None:
    with pytest.raises(Conflict) as exc:
        _send(gig=replace(published_gig(), state=GigState.PAUSED))
    assert _refusal(exc) == ("gig_not_published", "C1")


def test_c1_chosen_extras_are_priced_from_the_gig_and_add_their_days() -> None:
    offer = _send(_draft(custom_extras=(("drone", 2),)))
    assert [(line.kind, line.amount) for line in offer.extra_lines] == [("custom_extra", 12_000)]
    assert offer.total == 12_345 + 12_000 and offer.extra_days == 4
    terms = offer.terms()
    assert terms.total == offer.total and terms.delivery_days == 4 + 4


def test_c1_an_extra_the_gig_does_not_offer_is_refused() -> None:
    with pytest.raises(InvalidInput) as exc:
        _send(_draft(custom_extras=(("nope", 1),)))
    assert [e.rule for e in exc.value.fields] == ["O10"]


# -- terms (O3, C1) --------------------------------------------------------------------------------
def test_c1_terms_carry_the_offer_price_days_revisions_and_the_gig_requirements() -> None:
    terms = _send().terms()
    assert [(line.kind, line.amount) for line in terms.lines] == [("offer", 12_345)]
    assert (terms.total, terms.delivery_days, terms.revisions) == (12_345, 4, 2)
    assert terms.requirements == published_gig().requirements and len(terms.stages) == 1


def test_o3_c1_skipped_requirements_start_the_clock_at_placement() -> None:
    offer = _send(_draft(requirements_asked=False))
    assert offer.terms().requirements == ()
    order, _ = Order.place(gig=published_gig(), terms=offer.terms(), buyer_id=BUYER, seller_available=True,
                           relationship=_rel(), now=NOW)
    assert order.started_at == NOW and order.total == 12_345


# -- the machine -----------------------------------------------------------------------------------
def test_c1_the_transition_table_is_pending_to_one_end() -> None:
    assert {a: (t.actor, t.source, t.target) for a, t in TRANSITIONS.items()} == {
        OfferAction.ACCEPT: (Actor.BUYER, OfferState.PENDING, OfferState.ACCEPTED),
        OfferAction.DECLINE: (Actor.BUYER, OfferState.PENDING, OfferState.DECLINED),
        OfferAction.WITHDRAW: (Actor.SELLER, OfferState.PENDING, OfferState.WITHDRAWN),
        OfferAction.EXPIRE: (Actor.SYSTEM, OfferState.PENDING, OfferState.EXPIRED),
        OfferAction.LAPSE: (Actor.SYSTEM, OfferState.PENDING, OfferState.LAPSED),  # B3
    }


def test_c1_the_buyer_accepts_naming_the_order() -> None:
    later = NOW + timedelta(days=1)
    offer = _send().apply(OfferAction.ACCEPT, Actor.BUYER, later, order_id="ord_1")
    assert (offer.state, offer.answered_at, offer.order_id) == (OfferState.ACCEPTED, later, "ord_1")


def test_c1_the_buyer_declines_with_an_optional_reason() -> None:
    assert _send().apply(OfferAction.DECLINE, Actor.BUYER, NOW).decline_reason is None
    offer = _send().apply(OfferAction.DECLINE, Actor.BUYER, NOW, reason="Too far away")
    assert (offer.state, offer.decline_reason) == (OfferState.DECLINED, "Too far away")


def test_w2_a_decline_reason_with_contact_details_is_refused() -> None:
    with pytest.raises(InvalidInput) as exc:
        _send().apply(OfferAction.DECLINE, Actor.BUYER, NOW, reason="call me on 555-123-4567")
    assert exc.value.rule == "W2"


def test_c1_the_seller_withdraws_while_pending() -> None:
    assert _send().apply(OfferAction.WITHDRAW, Actor.SELLER, NOW).state is OfferState.WITHDRAWN


@pytest.mark.parametrize("action,actor", [(OfferAction.ACCEPT, Actor.SELLER), (OfferAction.DECLINE, Actor.SELLER),
                                          (OfferAction.WITHDRAW, Actor.BUYER), (OfferAction.EXPIRE, Actor.BUYER)])
def test_c1_each_action_belongs_to_one_party(action: OfferAction, actor: Actor) -> None:
    with pytest.raises(Forbidden) as exc:
        _send().apply(action, actor, NOW + timedelta(days=8), order_id="ord_1")
    assert exc.value.rule == "C1"


@pytest.mark.parametrize("action,actor", [(OfferAction.ACCEPT, Actor.BUYER), (OfferAction.DECLINE, Actor.BUYER),
                                          (OfferAction.WITHDRAW, Actor.SELLER)])
def test_c1_nothing_answers_an_offer_twice(action: OfferAction, actor: Actor) -> None:
    done = _send().apply(OfferAction.WITHDRAW, Actor.SELLER, NOW)
    with pytest.raises(Conflict) as exc:
        done.apply(action, actor, NOW, order_id="ord_1")
    assert _refusal(exc) == ("offer_not_pending", "C1")


def test_c1_an_offer_expires_only_once_its_time_came() -> None:
    offer = _send()
    with pytest.raises(Conflict) as exc:
        offer.apply(OfferAction.EXPIRE, Actor.SYSTEM, offer.expires_at - timedelta(seconds=1))
    assert _refusal(exc) == ("offer_not_expired", "C1")
    assert offer.apply(OfferAction.EXPIRE, Actor.SYSTEM, offer.expires_at).state is OfferState.EXPIRED


@pytest.mark.parametrize("action,actor", [(OfferAction.ACCEPT, Actor.BUYER), (OfferAction.DECLINE, Actor.BUYER),
                                          (OfferAction.WITHDRAW, Actor.SELLER)])
def test_c1_an_expired_offer_takes_no_answer_before_the_sweeper_runs(action: OfferAction, actor: Actor) -> None:
    offer = _send()
    with pytest.raises(Conflict) as exc:
        offer.apply(action, actor, offer.expires_at, order_id="ord_1")
    assert _refusal(exc) == ("offer_expired", "C1")


def test_c1_allowed_actions_per_party() -> None:
    offer = _send()
    assert offer.allowed_actions(Actor.BUYER, NOW) == [OfferAction.ACCEPT, OfferAction.DECLINE]
    assert offer.allowed_actions(Actor.SELLER, NOW) == [OfferAction.WITHDRAW]
    assert offer.allowed_actions(Actor.OPERATOR, NOW) == []
    assert offer.allowed_actions(Actor.BUYER, offer.expires_at) == []


def test_c1_w2_a_request_for_an_offer_is_checked() -> None:
    check_offer_request_text("Could you shoot two flats next week?")
    with pytest.raises(InvalidInput) as exc:
        check_offer_request_text("   ")
    assert exc.value.rule == "C1"
    with pytest.raises(InvalidInput) as exc:
        check_offer_request_text("mail me: a@b.com")
    assert exc.value.rule == "W2"
