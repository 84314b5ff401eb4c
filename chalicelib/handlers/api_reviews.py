"""Reviews (R1): the parties review a completed order (double-blind), the seller replies once, an
operator hides a review; gig and seller pages list the published buyer reviews. Thin: each view
calls one service function."""
from __future__ import annotations

from datetime import datetime

from chalicelib.domain.errors import NotFound
from chalicelib.domain.events import Actor
from chalicelib.domain.reviews import Draft, OrderReviews, Rating, Ratings, Review, ReviewAction
from chalicelib.handlers.actions import REVIEW_ACTION_ROUTES, link
from chalicelib.handlers.api import Api, Call
from chalicelib.handlers.schemas import PageQuery
from chalicelib.handlers.schemas.reviews import (
    HideIn,
    OrderReviewsOut,
    PublicReviewOut,
    PublicReviewPage,
    RatingOut,
    RatingsOut,
    ReplyIn,
    ReplyOut,
    ReviewIn,
    ReviewOut,
    ReviewReportIn,
    ReviewReportOut,
)
from chalicelib.services import reviews, runtime
from chalicelib.services.viewer import Viewer

api = Api(__name__, tag="reviews")


def _viewer(call: Call) -> Viewer:
    return Viewer(call.user.user_id, call.user.is_operator)


def _ratings(review: Review) -> RatingsOut:
    r = review.ratings
    return RatingsOut(overall=r.overall, communication=r.communication,
                      service_as_described=r.service_as_described, would_recommend=r.would_recommend)


def _reply(review: Review) -> ReplyOut | None:
    return ReplyOut(text=review.reply.text, at=review.reply.at) if review.reply else None


def review_out(review: Review, role: Actor) -> ReviewOut:
    hidden = review.hidden
    return ReviewOut(id=review.id, author=review.author.value, author_id=review.author_id,
                     subject_id=review.subject_id, ratings=_ratings(review), text=review.text,
                     submitted_at=review.submitted_at, published_at=review.published_at, reply=_reply(review),
                     hidden=hidden is not None, hidden_at=hidden.at if hidden else None,
                     hidden_reason=hidden.reason if hidden and role is Actor.OPERATOR else None)


def public_review_out(review: Review) -> PublicReviewOut:
    assert review.published_at is not None
    return PublicReviewOut(id=review.id, gig_id=review.gig_id, gig_title=review.gig_title,
                           reviewer=review.author_name, ratings=_ratings(review), text=review.text,
                           published_at=review.published_at, reply=_reply(review))


def rating_out(rating: Rating) -> RatingOut:
    """The ``rating`` object of gig pages and seller profiles."""
    return RatingOut(average=rating.average, count=rating.count,
                     distribution={str(stars): n for stars, n in enumerate(rating.distribution, start=1)},
                     **rating.sub_averages)


def order_reviews_out(order_id: str, value: OrderReviews | None, role: Actor) -> OrderReviewsOut:
    your_role = role.value if role in (Actor.BUYER, Actor.SELLER) else "operator"
    if value is None:
        return OrderReviewsOut(order_id=order_id, phase="awaiting_completion", completed_at=None, blind_until=None,
                               closes_at=None, published_at=None, buyer_review=None, seller_review=None,
                               your_role=your_role, allowed_actions=[])
    w = value.window
    now = runtime.clock().now()
    shown = {a: value.visible_to(role, a) for a in (Actor.BUYER, Actor.SELLER)}
    return OrderReviewsOut(
        order_id=order_id, phase=value.phase(now).value, completed_at=w.completed_at, blind_until=w.blind_until,
        closes_at=w.closes_at, published_at=w.published_at,
        buyer_review=review_out(r, role) if (r := shown[Actor.BUYER]) else None,
        seller_review=review_out(r, role) if (r := shown[Actor.SELLER]) else None,
        your_role=your_role, allowed_actions=_links(order_id, value, role, now))


def _links(order_id: str, value: OrderReviews, role: Actor, now: datetime) -> list[dict]:
    out = []
    for action in value.allowed_actions(role, now):
        route = REVIEW_ACTION_ROUTES[action]
        if action is ReviewAction.HIDE:
            out += [link(action, route, order_id=order_id, author=author.value)
                    for author in (Actor.BUYER, Actor.SELLER)
                    if (review := value.review_by(author)) is not None and review.hidden is None]
        else:
            out.append(link(action, route, order_id=order_id))
    return out


@api.route("/orders/{order_id}/reviews", "GET", summary="An order's reviews as the caller may see them "
           "(parties, operators; R1)", response=OrderReviewsOut)
def get_order_reviews(call: Call, order_id: str) -> OrderReviewsOut:
    """Double-blind: one's own review always, the other party's once published; the phase, the
    window's times and what the caller may do now."""
    found = reviews.view(order_id, _viewer(call))
    return order_reviews_out(order_id, found.reviews, found.role)


@api.route("/orders/{order_id}/reviews", "POST", summary="Review a completed order: the buyer rates the seller, "
           "then the seller may rate the buyer (R1, W2)", request=ReviewIn, response=ReviewOut, status=201,
           location="/orders/{order_id}/reviews", idempotent=True)
def post_review(call: Call, order_id: str) -> ReviewOut:
    """One review per order and party, never edited. The buyer reviews within 14 days of completion
    (overall and the three sub-ratings, a text); the seller rates the buyer (overall, a text) after the
    buyer did and while the reviews are blind. Both stay hidden until both are in or 10 days after
    completion pass, then publish together."""
    b = call.body
    draft = Draft(Ratings(b.overall, b.communication, b.service_as_described, b.would_recommend), b.text)
    review, role = reviews.submit(order_id, _viewer(call), call.user.username, draft, runtime.clock())
    return review_out(review, role)


@api.route("/orders/{order_id}/reviews/reply", "POST", summary="Reply once, publicly, to the buyer's published "
           "review (the seller, R1, W2)", request=ReplyIn, response=ReviewOut, status=201,
           location="/orders/{order_id}/reviews", idempotent=True)
def reply_to_review(call: Call, order_id: str) -> ReviewOut:
    return review_out(reviews.reply(order_id, _viewer(call), call.body.text, runtime.clock()), Actor.SELLER)


@api.route("/orders/{order_id}/reviews/{author}/hide", "POST", summary="Hide a published review that breaks the "
           "rules, with a reason (operators, R1, W1)", request=HideIn, response=ReviewOut, operator_only=True,
           idempotent=True)
def hide_review(call: Call, order_id: str, author: str) -> ReviewOut:
    """``author``: ``buyer`` or ``seller``. The review leaves the gig's and seller's lists and
    ratings; the operator's action is in the audit log."""
    if author not in (Actor.BUYER.value, Actor.SELLER.value):
        raise NotFound("No such review.")
    hidden = reviews.hide(order_id, Actor(author), call.user.user_id, call.body.reason, runtime.clock())
    return review_out(hidden, Actor.OPERATOR)


@api.route("/orders/{order_id}/reviews/{author}/reports", "POST",
           summary="Report a published review that breaks the rules; operators decide (W1, R1)",
           request=ReviewReportIn, response=ReviewReportOut, location="/reports/{id}", status=201,
           idempotent=True)
def report_review(call: Call, order_id: str, author: str) -> ReviewReportOut:
    """Anyone signed in may report a published review once (not their own); it joins the report
    queue (``GET /reports``), where "remove content" hides it and the reporter is told the outcome."""
    if author not in (Actor.BUYER.value, Actor.SELLER.value):
        raise NotFound("No such review.")
    filed = reviews.report(order_id, Actor(author), call.user.user_id, call.body.reason, runtime.clock())
    return ReviewReportOut(id=filed.id, order_id=order_id, author=author, reason=filed.reason, at=filed.created_at)


@api.route("/gigs/{gig_id}/reviews", "GET", summary="A gig's published buyer reviews, newest first (R1)",
           query=PageQuery, response=PublicReviewPage, public=True)
def gig_reviews(call: Call, gig_id: str) -> PublicReviewPage:
    items, cursor = reviews.gig_reviews(gig_id, call.query.limit, call.query.cursor)
    return PublicReviewPage(items=[public_review_out(r) for r in items], next_cursor=cursor)


@api.route("/sellers/{seller_id}/reviews", "GET", summary="A seller's published buyer reviews, newest first (R1)",
           query=PageQuery, response=PublicReviewPage, public=True)
def seller_reviews(call: Call, seller_id: str) -> PublicReviewPage:
    items, cursor = reviews.seller_reviews(seller_id, call.query.limit, call.query.cursor)
    return PublicReviewPage(items=[public_review_out(r) for r in items], next_cursor=cursor)
