"""Reviews (R1, W2): the aggregate alone, with an injected time. Every refusal names R1 (or W2 for
contact details); the double-blind phases and the window's bounds are checked at their edges."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.domain.errors import Conflict, DomainError, Forbidden, InvalidInput
from chalicelib.domain.events import Actor
from chalicelib.domain.reviews import (
    ACTIONS,
    BLIND_PERIOD,
    RATING_MAX,
    REMINDER_BEFORE,
    REVIEW_TEXT_MAX,
    REVIEW_WINDOW,
    Draft,
    OrderReviews,
    Rating,
    RatingDelta,
    Ratings,
    ReviewAction,
    ReviewPhase,
)

DONE = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # the order's completion
BUYER, SELLER, OPERATOR = "usr_buyer", "usr_seller", "usr_olga"
TICK = timedelta(seconds=1)
BUYER_DRAFT = Draft(Ratings(5, 4, 5, 3), "Clear plan, on time.")
SELLER_DRAFT = Draft(Ratings(4), "Quick answers.")


def _window() -> OrderReviews:
    return OrderReviews.open(order_id="ord_1", order_number="FO-AAAAA-BBBBB", gig_id="gig_1", gig_title="Plans",
                             seller_id=SELLER, buyer_id=BUYER, completed_at=DONE)


def _refusal(exc: pytest.ExceptionInfo[DomainError]) -> tuple[str | None, str | None]:
    return exc.value.code, exc.value.rule


def _buyer_in(at: datetime = DONE + timedelta(days=1)) -> OrderReviews:
    reviews, published = _window().submit(Actor.BUYER, BUYER, "alice", BUYER_DRAFT, at)
    assert published is None
    return reviews


def _published() -> OrderReviews:
    reviews, _ = _buyer_in().submit(Actor.SELLER, SELLER, "dana", SELLER_DRAFT, DONE + timedelta(days=2))
    return reviews


# -- the table ---------------------------------------------------------------------------------------
def test_r1_the_table_names_who_acts_in_which_phase() -> None:
    assert ACTIONS[ReviewAction.SUBMIT].actors == {Actor.BUYER, Actor.SELLER}
    assert ACTIONS[ReviewAction.PUBLISH].phases == {ReviewPhase.DUE}
    assert ACTIONS[ReviewAction.REPLY].actors == {Actor.SELLER}
    assert ACTIONS[ReviewAction.HIDE].actors == {Actor.OPERATOR}
    assert all(ReviewPhase.CLOSED not in rule.phases for rule in ACTIONS.values())


def test_r1_an_order_not_completed_has_no_window() -> None:
    with pytest.raises(Conflict) as refused:
        OrderReviews.open(order_id="o", order_number="n", gig_id="g", gig_title="t", seller_id=SELLER,
                          buyer_id=BUYER, completed_at=None)
    assert _refusal(refused) == ("order_not_completed", "R1")


# -- double-blind phases -------------------------------------------------------------------------------
def test_r1_the_buyers_review_stays_hidden_from_the_seller_while_blind() -> None:
    reviews = _buyer_in()
    at = DONE + timedelta(days=3)
    assert reviews.phase(at) is ReviewPhase.BLIND
    assert reviews.visible_to(Actor.SELLER, Actor.BUYER) is None
    assert reviews.visible_to(Actor.BUYER, Actor.BUYER) is reviews.buyer  # one's own: always
    assert reviews.visible_to(Actor.OPERATOR, Actor.BUYER) is reviews.buyer
    assert reviews.allowed_actions(Actor.SELLER, at) == [ReviewAction.SUBMIT]
    assert reviews.allowed_actions(Actor.BUYER, at) == []


def test_r1_the_sellers_rating_publishes_both_together() -> None:
    at = DONE + timedelta(days=2)
    reviews, published = _buyer_in().submit(Actor.SELLER, SELLER, "dana", SELLER_DRAFT, at)
    assert published is not None and published.buyer is not None and published.seller is not None
    assert reviews.window.published_at == at == reviews.buyer.published_at == reviews.seller.published_at
    assert reviews.phase(at) is ReviewPhase.PUBLISHED
    assert reviews.visible_to(Actor.SELLER, Actor.BUYER) == reviews.buyer
    assert reviews.visible_to(Actor.BUYER, Actor.SELLER) == reviews.seller
    assert reviews.seller.subject_id == BUYER and reviews.buyer.subject_id == SELLER


def test_r1_the_blind_period_ends_10_days_after_completion_and_publishes_what_is_in() -> None:
    reviews = _buyer_in()
    end = DONE + BLIND_PERIOD
    assert reviews.phase(end - TICK) is ReviewPhase.BLIND
    assert reviews.phase(end) is ReviewPhase.DUE
    with pytest.raises(Conflict) as early:
        reviews.publish(end - TICK)
    assert _refusal(early) == ("reviews_not_published", "R1")
    published, what = reviews.publish(end)
    assert what.buyer is not None and what.seller is None
    assert published.phase(end) is ReviewPhase.PUBLISHED
    with pytest.raises(Conflict) as twice:
        published.publish(end)
    assert _refusal(twice) == ("reviews_published", "R1")


def test_r1_nothing_to_publish_without_a_buyer_review() -> None:
    reviews = _window()
    end = DONE + BLIND_PERIOD
    assert reviews.phase(end) is ReviewPhase.OPEN
    with pytest.raises(Conflict) as refused:
        reviews.publish(end)
    assert _refusal(refused) == ("blind_period_over", "R1")


# -- the window's bounds -------------------------------------------------------------------------------
def test_r1_the_buyer_reviews_until_14_days_after_completion() -> None:
    last = DONE + REVIEW_WINDOW - TICK
    reviews, published = _window().submit(Actor.BUYER, BUYER, "alice", BUYER_DRAFT, last)
    assert published is not None and reviews.buyer is not None  # after the blind period: at once
    assert reviews.buyer.published_at == last
    with pytest.raises(Conflict) as late:
        _window().submit(Actor.BUYER, BUYER, "alice", BUYER_DRAFT, DONE + REVIEW_WINDOW)
    assert _refusal(late) == ("review_window_closed", "R1")
    assert _window().phase(DONE + REVIEW_WINDOW + timedelta(days=1)) is ReviewPhase.CLOSED


def test_r1_a_review_on_the_last_blind_second_stays_blind() -> None:
    reviews, published = _window().submit(Actor.BUYER, BUYER, "alice", BUYER_DRAFT, DONE + BLIND_PERIOD - TICK)
    assert published is None and reviews.buyer is not None and reviews.buyer.published_at is None


def test_r1_the_seller_rates_only_after_the_buyer_and_while_blind() -> None:
    with pytest.raises(Conflict) as first:
        _window().submit(Actor.SELLER, SELLER, "dana", SELLER_DRAFT, DONE + timedelta(days=1))
    assert _refusal(first) == ("buyer_reviews_first", "R1")
    with pytest.raises(Conflict) as late:
        _buyer_in().submit(Actor.SELLER, SELLER, "dana", SELLER_DRAFT, DONE + BLIND_PERIOD)
    assert _refusal(late) == ("blind_period_over", "R1")
    reviews, _ = _buyer_in().submit(Actor.SELLER, SELLER, "dana", SELLER_DRAFT, DONE + BLIND_PERIOD - TICK)
    assert reviews.seller is not None


def test_r1_one_review_per_order_and_party() -> None:
    with pytest.raises(Conflict) as again:
        _buyer_in().submit(Actor.BUYER, BUYER, "alice", BUYER_DRAFT, DONE + timedelta(days=2))
    assert _refusal(again) == ("already_reviewed", "R1")
    with pytest.raises(Conflict) as edited:
        _published().submit(Actor.BUYER, BUYER, "alice", BUYER_DRAFT, DONE + timedelta(days=3))
    assert _refusal(edited) == ("reviews_published", "R1")


def test_r1_operators_and_the_system_do_not_write_reviews() -> None:
    for role in (Actor.OPERATOR, Actor.SYSTEM):
        with pytest.raises(Forbidden) as refused:
            _window().submit(role, OPERATOR, "olga", BUYER_DRAFT, DONE)
        assert refused.value.rule == "R1"


# -- what a review says (R1, W2) -------------------------------------------------------------------------
@pytest.mark.parametrize("author,draft,fields", [
    (Actor.BUYER, Draft(Ratings(0, 4, 5, 3), "ok"), {("overall", "out_of_range")}),
    (Actor.BUYER, Draft(Ratings(5, RATING_MAX + 1, 5, 3), "ok"), {("communication", "out_of_range")}),
    (Actor.BUYER, Draft(Ratings(5, None, 5, None), "ok"), {("communication", "required"),
                                                           ("would_recommend", "required")}),
    (Actor.BUYER, Draft(Ratings(5, 4, 5, 3), "  "), {("text", "required")}),
    (Actor.BUYER, Draft(Ratings(5, 4, 5, 3), "x" * (REVIEW_TEXT_MAX + 1)), {("text", "too_long")}),
    (Actor.SELLER, Draft(Ratings(4, 4), "ok"), {("communication", "not_allowed")}),
])
def test_r1_every_rating_is_1_to_5_and_the_buyer_gives_all_four(author, draft, fields) -> None:
    reviews = _window() if author is Actor.BUYER else _buyer_in()
    with pytest.raises(InvalidInput) as refused:
        reviews.submit(author, BUYER if author is Actor.BUYER else SELLER, "x", draft, DONE + timedelta(days=2))
    assert refused.value.rule == "R1"
    assert {(e.field, e.code) for e in refused.value.fields} == fields
    assert all(e.rule == "R1" for e in refused.value.fields)


def test_w2_a_review_and_a_reply_with_contact_details_are_refused() -> None:
    with pytest.raises(InvalidInput) as review:
        _window().submit(Actor.BUYER, BUYER, "alice", Draft(Ratings(5, 5, 5, 5), "mail me: alice@gmail.com"), DONE)
    assert (review.value.code, review.value.rule) == ("contact_details", "W2")
    with pytest.raises(InvalidInput) as reply:
        _published().reply(Actor.SELLER, "call 052-123-4567", DONE + timedelta(days=3))
    assert (reply.value.code, reply.value.rule) == ("contact_details", "W2")


# -- reply and hiding ----------------------------------------------------------------------------------
def test_r1_the_seller_replies_once_to_a_published_review() -> None:
    at = DONE + timedelta(days=3)
    with pytest.raises(Conflict) as blind:
        _buyer_in().reply(Actor.SELLER, "Thanks", at)
    assert _refusal(blind) == ("reviews_not_published", "R1")
    with pytest.raises(Forbidden) as buyer:
        _published().reply(Actor.BUYER, "Thanks", at)
    assert buyer.value.rule == "R1"
    replied = _published().reply(Actor.SELLER, "  Thank you!  ", at)
    assert replied.buyer is not None and replied.buyer.reply is not None and replied.buyer.reply.text == "Thank you!"
    assert ReviewAction.REPLY not in replied.allowed_actions(Actor.SELLER, at)
    with pytest.raises(Conflict) as twice:
        replied.reply(Actor.SELLER, "Again", at)
    assert _refusal(twice) == ("already_replied", "R1")


def test_r1_an_operator_hides_a_published_review_with_a_reason() -> None:
    at = DONE + timedelta(days=3)
    with pytest.raises(Conflict) as blind:
        _buyer_in().hide(Actor.BUYER, OPERATOR, "Abuse", at)
    assert _refusal(blind) == ("reviews_not_published", "R1")
    with pytest.raises(InvalidInput) as reasonless:
        _published().hide(Actor.BUYER, OPERATOR, "   ", at)
    assert reasonless.value.rule == "R1"
    reviews, hidden = _published().hide(Actor.BUYER, OPERATOR, "Abusive words", at)
    assert hidden.hidden is not None and hidden.hidden.reason == "Abusive words" and not hidden.is_public
    assert reviews.visible_to(Actor.SELLER, Actor.BUYER) is None  # hidden: the other party no longer sees it
    assert reviews.visible_to(Actor.BUYER, Actor.BUYER) == hidden
    with pytest.raises(Conflict) as twice:
        reviews.hide(Actor.BUYER, OPERATOR, "Again", at)
    assert _refusal(twice) == ("review_hidden", "R1")
    with pytest.raises(Conflict) as reply:
        reviews.reply(Actor.SELLER, "Thanks", at)
    assert _refusal(reply) == ("review_hidden", "R1")


# -- the reminder --------------------------------------------------------------------------------------
def test_r1_the_buyer_is_reminded_once_2_days_before_the_window_closes() -> None:
    due = DONE + REVIEW_WINDOW - REMINDER_BEFORE
    with pytest.raises(Conflict) as early:
        _window().remind(due - TICK)
    assert _refusal(early) == ("reminder_not_due", "R1")
    reminded = _window().remind(due)
    assert reminded.window.reminded_at == due
    with pytest.raises(Conflict) as twice:
        reminded.remind(due)
    assert _refusal(twice) == ("no_reminder_due", "R1")
    with pytest.raises(Conflict) as reviewed:
        _buyer_in().remind(due)
    assert reviewed.value.rule == "R1"


# -- ratings -------------------------------------------------------------------------------------------
def test_r1_a_rating_averages_the_reviews_and_counts_each_star() -> None:
    rating = Rating()
    assert rating.average is None and rating.sub_averages["communication"] is None
    deltas = [RatingDelta.of(r, 1) for r in (_published().buyer,) if r is not None]
    (delta,) = deltas
    assert (delta.count, delta.overall, delta.communication, delta.stars) == (1, 5, 4, 5)
    hidden = RatingDelta.of(_published().buyer, -1)  # type: ignore[arg-type]
    assert (hidden.count, hidden.overall, hidden.would_recommend, hidden.stars) == (-1, -5, -3, 5)
    rating = Rating(count=3, overall_sum=13, communication_sum=12, distribution=(0, 0, 1, 1, 1))
    assert rating.average == 4.33 and rating.sub_averages["communication"] == 4.0
