"""Reviews through the HTTP API, the outbox reaction and the sweeper (R1, W1, W2, C4).

dana sells (the ``published_gig``); alice buys and completes an order; bob is a stranger to it; olga
is an operator."""
from __future__ import annotations

from datetime import timedelta

import pytest

from chalicelib.domain.audit import ObjectKind
from chalicelib.domain.deadlines import DeadlineKind
from chalicelib.domain.reviews import BLIND_PERIOD, REMINDER_BEFORE, REVIEW_WINDOW
from chalicelib.services import reactions, reviews, runtime
from chalicelib.services.reactions import DispatchReport, ReactionContext
from chalicelib.services.sweeper import sweep
from chalicelib.store import audit as audit_store
from chalicelib.store import deadlines as deadline_store
from chalicelib.store import events as event_store
from chalicelib.store import reviews as review_store
from tests.integration.conftest import uid

BUYER, SELLER, STRANGER, OPERATOR = "alice", "dana", "bob", "olga"
MINUTE = timedelta(minutes=1)
BUYER_REVIEW = {"overall": 5, "communication": 5, "service_as_described": 4, "would_recommend": 5,
                "text": "Clear plan, on time, and the trades loved the drawings."}
SELLER_RATING = {"overall": 4, "text": "Quick answers and a clear brief."}


def move_to(clock, when) -> None:
    clock.advance(seconds=(when - clock.now()).total_seconds())


def drain(clock) -> None:
    """Runs the dispatcher until the outbox is empty."""
    for _ in range(5):
        if reactions.dispatch(runtime.current().reactions, clock).dispatched == 0:
            return
    raise AssertionError("the outbox did not drain")


@pytest.fixture
def complete(api, published_gig):
    """Places an order of dana's gig as alice, delivers and accepts it: the order id (completed at
    the clock's time)."""

    def run(buyer: str = BUYER) -> str:
        placed = api.post("/orders", buyer, body={"gig_id": published_gig["id"], "tier": "basic"})
        assert placed.status_code == 201, placed.json
        order_id = placed.json["id"]
        requirement = published_gig["requirements"][0]["id"]
        answers = {"answers": [{"requirement_id": requirement, "text": "12 m2"}]}
        assert api.post(f"/orders/{order_id}/requirements", buyer, body=answers).status_code == 200
        assert api.post(f"/orders/{order_id}/deliveries", SELLER, body={"message": "Done"}).status_code == 201
        accepted = api.post(f"/orders/{order_id}/acceptance", buyer)
        assert accepted.json["state"] == "completed", accepted.json
        return order_id

    return run


def reviews_of(api, order_id: str, user: str) -> dict:
    response = api.request("GET", f"/orders/{order_id}/reviews", user,
                           groups=("operators",) if user == OPERATOR else ())
    assert response.status_code == 200, response.json
    return response.json


def actions(page: dict) -> list[str]:
    return [a["action"] for a in page["allowed_actions"]]


def feed_kinds(api, user: str) -> list[str]:
    return [n["event"] for n in api.get("/me/notifications", user).json["items"]]


def gig_rating(api, gig_id: str) -> dict:
    return api.get(f"/gigs/{gig_id}").json["rating"]


def review_events(order_id: str) -> list[str]:
    return [e.kind for e in event_store.history(f"review:{order_id}")]


# -- double-blind (R1) -----------------------------------------------------------------------------
def test_r1_the_buyers_review_is_hidden_from_the_seller_until_the_seller_rates(api, clock, complete, published_gig):
    order_id = complete()
    mine = reviews_of(api, order_id, BUYER)
    assert mine["phase"] == "blind" and actions(mine) == ["review"]
    assert actions(reviews_of(api, order_id, SELLER)) == []  # R1: the buyer first
    clock.advance(days=1)

    written = api.post(f"/orders/{order_id}/reviews", BUYER, body=BUYER_REVIEW)
    assert written.status_code == 201, written.json
    assert written.headers["Location"] == f"/orders/{order_id}/reviews"
    assert written.json["published_at"] is None and written.json["ratings"]["service_as_described"] == 4
    seller_side = reviews_of(api, order_id, SELLER)
    assert seller_side["buyer_review"] is None and seller_side["phase"] == "blind"
    assert seller_side["allowed_actions"] == [{"action": "review", "method": "POST",
                                              "path": f"/orders/{order_id}/reviews"}]
    assert reviews_of(api, order_id, BUYER)["buyer_review"]["text"] == BUYER_REVIEW["text"]  # one's own: always
    assert reviews_of(api, order_id, OPERATOR)["buyer_review"] is not None
    assert gig_rating(api, published_gig["id"])["count"] == 0
    assert api.get(f"/gigs/{published_gig['id']}/reviews").json["items"] == []
    drain(clock)
    assert "review.submitted" in feed_kinds(api, SELLER)

    rated = api.post(f"/orders/{order_id}/reviews", SELLER, body=SELLER_RATING)
    assert rated.status_code == 201, rated.json
    assert rated.json["published_at"] is not None  # both in: they publish together
    seller_side = reviews_of(api, order_id, SELLER)
    assert seller_side["phase"] == "published" and seller_side["buyer_review"]["published_at"] == \
        rated.json["published_at"]
    assert reviews_of(api, order_id, BUYER)["seller_review"]["ratings"]["overall"] == 4
    rating = gig_rating(api, published_gig["id"])
    assert rating["count"] == 1 and rating["average"] == 5.0 and rating["service_as_described"] == 4.0
    assert rating["distribution"] == {"1": 0, "2": 0, "3": 0, "4": 0, "5": 1}
    assert api.get(f"/sellers/{uid(SELLER)}").json["rating"]["count"] == 1
    [listed] = api.get(f"/gigs/{published_gig['id']}/reviews").json["items"]
    assert listed["reviewer"] == BUYER and listed["text"] == BUYER_REVIEW["text"]
    assert [r["id"] for r in api.get(f"/sellers/{uid(SELLER)}/reviews").json["items"]] == [listed["id"]]
    # Published: nothing is left for the sweeper; no review is added or edited.
    for kind in (DeadlineKind.REVIEW_PUBLICATION, DeadlineKind.REVIEW_REMINDER):
        assert deadline_store.get(kind, order_id) is None
    again = api.post(f"/orders/{order_id}/reviews", BUYER, body=BUYER_REVIEW)
    assert (again.status_code, again.json["code"], again.json["rule"]) == (409, "reviews_published", "R1")
    clock.advance(days=REVIEW_WINDOW.days)
    assert sweep(clock).fired == 0
    assert gig_rating(api, published_gig["id"])["count"] == 1


def test_r1_reviews_publish_by_themselves_10_days_after_completion_through_the_sweeper(api, clock, complete,
                                                                                        published_gig):
    order_id = complete()
    completed = clock.now()
    assert api.post(f"/orders/{order_id}/reviews", BUYER, body=BUYER_REVIEW).status_code == 201
    [deadline] = [d for d in [deadline_store.get(DeadlineKind.REVIEW_PUBLICATION, order_id)] if d]
    assert deadline.value.due_at == completed + BLIND_PERIOD
    assert deadline_store.get(DeadlineKind.REVIEW_REMINDER, order_id) is None  # the buyer reviewed

    move_to(clock, completed + BLIND_PERIOD - MINUTE)
    assert sweep(clock).fired == 0
    assert reviews_of(api, order_id, SELLER)["buyer_review"] is None
    move_to(clock, completed + BLIND_PERIOD + MINUTE)
    late = api.post(f"/orders/{order_id}/reviews", SELLER, body=SELLER_RATING)  # before the sweep: time decides
    assert (late.status_code, late.json["code"], late.json["rule"]) == (409, "blind_period_over", "R1")
    assert sweep(clock).fired == 1
    seller_side = reviews_of(api, order_id, SELLER)
    assert seller_side["phase"] == "published" and seller_side["buyer_review"]["ratings"]["overall"] == 5
    assert seller_side["seller_review"] is None and actions(seller_side) == ["reply"]
    assert gig_rating(api, published_gig["id"])["count"] == 1

    # Exactly once: the sweep again, and the same deadline record fired again, change nothing.
    assert sweep(clock).as_dict() == {"fired": 0, "lost_races": 0, "failed": 0, "stale": 0}
    assert reviews.fire_deadline(deadline, clock) is False
    assert runtime.current().timers[DeadlineKind.REVIEW_PUBLICATION](deadline, clock) is False
    assert gig_rating(api, published_gig["id"])["count"] == 1
    assert api.get(f"/sellers/{uid(SELLER)}").json["rating"]["count"] == 1
    assert review_events(order_id).count("review.published") == 1


# -- the window: invitation, reminder, bounds (R1) ------------------------------------------------------
def test_r1_completion_invites_the_buyer_once_and_a_replayed_reaction_changes_nothing(api, clock, complete):
    order_id = complete()
    drain(clock)
    assert feed_kinds(api, BUYER).count("review.invited") == 1
    assert "review.invited" not in feed_kinds(api, SELLER)
    window = review_store.get(order_id)
    assert window is not None and window.value.window.completed_at == clock.now()
    [completion] = [e for e in event_store.history(f"order:{order_id}") if e.data.get("state") == "completed"]
    handler = reviews.ReviewReactions()
    context = ReactionContext(clock, DispatchReport())
    for _ in range(2):  # replayed: the window is there, nothing more is written
        assert handler(completion, context) is None
    assert reviews.open_window(order_id, clock) is False
    assert review_events(order_id) == ["review.invited"]
    assert review_store.get(order_id).window.version == window.window.version
    drain(clock)
    assert feed_kinds(api, BUYER).count("review.invited") == 1


def test_r1_the_buyer_is_reminded_2_days_before_the_window_closes_and_refused_after_it(api, clock, complete):
    order_id = complete()
    completed = clock.now()
    drain(clock)
    move_to(clock, completed + BLIND_PERIOD + MINUTE)
    report = sweep(clock)
    assert (report.fired, report.stale) == (0, 1)  # nothing to publish: the publication is moot
    assert reviews_of(api, order_id, BUYER)["phase"] == "open"
    move_to(clock, completed + REVIEW_WINDOW - REMINDER_BEFORE + MINUTE)
    assert sweep(clock).fired == 1
    drain(clock)
    assert feed_kinds(api, BUYER).count("review.reminder") == 1
    assert sweep(clock).fired == 0

    move_to(clock, completed + REVIEW_WINDOW + timedelta(days=1))  # 15 days after completion
    late = api.post(f"/orders/{order_id}/reviews", BUYER, body=BUYER_REVIEW)
    assert (late.status_code, late.json["code"], late.json["rule"]) == (409, "review_window_closed", "R1")
    assert reviews_of(api, order_id, BUYER)["phase"] == "closed"
    assert review_store.get(order_id).value.buyer is None


def test_r1_a_buyer_review_after_the_blind_period_publishes_at_once(api, clock, complete, published_gig):
    order_id = complete()
    clock.advance(days=BLIND_PERIOD.days + 1)
    written = api.post(f"/orders/{order_id}/reviews", BUYER, body=BUYER_REVIEW)
    assert written.status_code == 201 and written.json["published_at"] is not None
    assert reviews_of(api, order_id, SELLER)["buyer_review"]["id"] == written.json["id"]
    refused = api.post(f"/orders/{order_id}/reviews", SELLER, body=SELLER_RATING)
    assert (refused.status_code, refused.json["code"]) == (409, "reviews_published")  # no rating answers a review
    assert gig_rating(api, published_gig["id"])["count"] == 1


# -- who may review (R1) ----------------------------------------------------------------------------
def test_r1_only_the_buyer_of_a_completed_order_reviews_first(api, clock, complete, published_gig):
    order_id = complete()
    stranger = api.post(f"/orders/{order_id}/reviews", STRANGER, body=BUYER_REVIEW)
    assert stranger.status_code == 404
    assert api.get(f"/orders/{order_id}/reviews", STRANGER).status_code == 404
    operator = api.op("POST", f"/orders/{order_id}/reviews", OPERATOR, body=BUYER_REVIEW)
    assert (operator.status_code, operator.json["rule"]) == (403, "R1")
    seller_first = api.post(f"/orders/{order_id}/reviews", SELLER, body=SELLER_RATING)
    assert (seller_first.status_code, seller_first.json["code"]) == (409, "buyer_reviews_first")
    missing = api.post("/orders/ord_nothing/reviews", BUYER, body=BUYER_REVIEW)
    assert missing.status_code == 404

    placed = api.post("/orders", BUYER, body={"gig_id": published_gig["id"], "tier": "basic"}).json["id"]
    early = api.post(f"/orders/{placed}/reviews", BUYER, body=BUYER_REVIEW)
    assert (early.status_code, early.json["code"], early.json["rule"]) == (409, "order_not_completed", "R1")
    assert reviews_of(api, placed, SELLER)["phase"] == "awaiting_completion"

    assert api.post(f"/orders/{order_id}/reviews", BUYER, body=BUYER_REVIEW).status_code == 201
    twice = api.post(f"/orders/{order_id}/reviews", BUYER, body=BUYER_REVIEW)
    assert (twice.status_code, twice.json["code"]) == (409, "already_reviewed")


def test_r1_w2_a_review_needs_its_ratings_and_no_contact_details(api, clock, complete):
    order_id = complete()
    bad = api.post(f"/orders/{order_id}/reviews", BUYER, body={**BUYER_REVIEW, "overall": 6, "would_recommend": None})
    assert bad.status_code == 422 and bad.json["rule"] == "R1"
    assert {(e["field"], e["code"]) for e in bad.json["errors"]} == {("overall", "out_of_range"),
                                                                    ("would_recommend", "required")}
    leaky = api.post(f"/orders/{order_id}/reviews", BUYER, body={**BUYER_REVIEW, "text": "Great! Call 052-123-4567"})
    assert (leaky.status_code, leaky.json["code"], leaky.json["rule"]) == (422, "contact_details", "W2")
    assert review_store.get(order_id) is None  # nothing half-written


# -- reply, hiding, ratings (R1, W1) --------------------------------------------------------------------
def test_r1_the_seller_replies_once_and_an_operator_hides_a_review_with_an_audit_entry(api, clock, complete,
                                                                                     published_gig):
    order_id = complete()
    early = api.post(f"/orders/{order_id}/reviews/reply", SELLER, body={"text": "Thank you!"})
    assert (early.status_code, early.json["code"]) == (409, "reviews_not_published")
    api.post(f"/orders/{order_id}/reviews", BUYER, body=BUYER_REVIEW)
    api.post(f"/orders/{order_id}/reviews", SELLER, body=SELLER_RATING)
    assert api.post(f"/orders/{order_id}/reviews/reply", BUYER, body={"text": "Me too"}).status_code == 403
    leaky = api.post(f"/orders/{order_id}/reviews/reply", SELLER, body={"text": "Write me at dana@gmail.com"})
    assert (leaky.status_code, leaky.json["rule"]) == (422, "W2")
    replied = api.post(f"/orders/{order_id}/reviews/reply", SELLER, body={"text": "Thank you, it was a pleasure."})
    assert replied.status_code == 201 and replied.json["reply"]["text"] == "Thank you, it was a pleasure."
    second = api.post(f"/orders/{order_id}/reviews/reply", SELLER, body={"text": "Again"})
    assert (second.status_code, second.json["code"]) == (409, "already_replied")
    assert api.get(f"/gigs/{published_gig['id']}/reviews").json["items"][0]["reply"]["text"].startswith("Thank")

    assert [a["path"] for a in reviews_of(api, order_id, OPERATOR)["allowed_actions"]] == [
        f"/orders/{order_id}/reviews/buyer/hide", f"/orders/{order_id}/reviews/seller/hide"]
    assert api.post(f"/orders/{order_id}/reviews/buyer/hide", SELLER, body={"reason": "x"}).status_code == 403
    assert api.op("POST", f"/orders/{order_id}/reviews/nobody/hide", OPERATOR,
                  body={"reason": "x"}).status_code == 404
    hidden = api.op("POST", f"/orders/{order_id}/reviews/buyer/hide", OPERATOR, body={"reason": "Abusive words"})
    assert hidden.status_code == 200 and hidden.json["hidden"] and hidden.json["hidden_reason"] == "Abusive words"
    assert api.get(f"/gigs/{published_gig['id']}/reviews").json["items"] == []
    assert api.get(f"/sellers/{uid(SELLER)}/reviews").json["items"] == []
    assert gig_rating(api, published_gig["id"]) == {"average": None, "count": 0, "distribution": {
        "1": 0, "2": 0, "3": 0, "4": 0, "5": 0}, "communication": None, "service_as_described": None,
        "would_recommend": None}
    assert reviews_of(api, order_id, BUYER)["buyer_review"]["hidden_reason"] is None  # operators only
    assert reviews_of(api, order_id, SELLER)["buyer_review"] is None
    twice = api.op("POST", f"/orders/{order_id}/reviews/buyer/hide", OPERATOR, body={"reason": "Again"})
    assert (twice.status_code, twice.json["code"]) == (409, "review_hidden")
    [entry], _ = audit_store.page(operator_id=None, object_kind=ObjectKind.REVIEW, object_id=hidden.json["id"],
                                  action=None, since=None, until=None, limit=10, cursor=None)
    assert (entry.operator_id, entry.reason, entry.details["order_id"]) == (uid(OPERATOR), "Abusive words", order_id)


def test_r1_ratings_average_the_published_buyer_reviews_and_lists_page_newest_first(api, clock, complete,
                                                                                   published_gig):
    ids = []
    for overall in (5, 3, 4):
        order_id = complete()
        written = api.post(f"/orders/{order_id}/reviews", BUYER, body={**BUYER_REVIEW, "overall": overall,
                                                                        "communication": overall})
        ids.append(written.json["id"])
        assert api.post(f"/orders/{order_id}/reviews", SELLER, body=SELLER_RATING).status_code == 201
        clock.advance(hours=1)
    rating = gig_rating(api, published_gig["id"])
    assert (rating["count"], rating["average"], rating["communication"]) == (3, 4.0, 4.0)
    assert rating["distribution"] == {"1": 0, "2": 0, "3": 1, "4": 1, "5": 1}
    first = api.get(f"/gigs/{published_gig['id']}/reviews?limit=2").json
    assert [r["id"] for r in first["items"]] == [ids[2], ids[1]] and first["next_cursor"]
    rest = api.get(f"/gigs/{published_gig['id']}/reviews?limit=2&cursor={first['next_cursor']}").json
    assert [r["id"] for r in rest["items"]] == [ids[0]]
    foreign = api.get(f"/sellers/{uid(SELLER)}/reviews?cursor={first['next_cursor']}")
    assert (foreign.status_code, foreign.json["code"]) == (400, "invalid_cursor")


# -- milestone orders count as completed (C4) --------------------------------------------------------------
def test_r1_c4_a_stopped_milestone_order_is_reviewed(api, clock, published_gig):
    first = api.post("/conversations", BUYER, body={"seller_id": uid(SELLER), "text": "Hi there"}).json
    offer = api.post(f"/conversations/{first['conversation_id']}/custom-offers", SELLER, body={
        "gig_id": published_gig["id"], "description": "Your kitchen in two parts", "revisions": None,
        "requirements_asked": False,
        "milestones": [{"name": "Plans", "description": "Plans of the kitchen", "delivery_days": 3, "revisions": 1,
                        "amount": {"amount": 6000, "currency": "USD"}},
                       {"name": "Final set", "description": "The full project", "delivery_days": 4, "revisions": 1,
                        "amount": {"amount": 5000, "currency": "USD"}}]})
    assert offer.status_code == 201, offer.json
    order_id = api.post(f"/custom-offers/{offer.json['id']}/acceptance", BUYER).json["id"]
    assert api.post(f"/orders/{order_id}/deliveries", SELLER, body={"message": "The plans"}).status_code == 201
    assert api.post(f"/orders/{order_id}/acceptance", BUYER).json["state"] == "awaiting_next_milestone"
    early = api.post(f"/orders/{order_id}/reviews", BUYER, body=BUYER_REVIEW)
    assert (early.status_code, early.json["code"]) == (409, "order_not_completed")
    assert api.post(f"/orders/{order_id}/stop", BUYER, body={}).json["state"] == "completed"
    drain(clock)
    assert "review.invited" in feed_kinds(api, BUYER)
    assert api.post(f"/orders/{order_id}/reviews", BUYER, body=BUYER_REVIEW).status_code == 201
