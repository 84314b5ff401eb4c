"""Reviews (R1): after an order is completed, its buyer rates the seller (overall 1–5, three
sub-ratings 1–5 and a text) and the seller may rate the buyer (overall 1–5 and a text), double-blind.

[decision] (after Fiverr and Sharetribe), every number a named constant below:

- the review window opens at the order's first completion (a milestone order cancelled after an
  approved milestone counts as completed, C4/O13) and lasts ``REVIEW_WINDOW`` (14 days) for the buyer;
- the seller may rate the buyer only after the buyer reviewed, and only while the reviews are still
  blind: once published, a rating would answer a review the seller has read (double-blind);
- both stay hidden (``blind``) until both are in, or ``BLIND_PERIOD`` (10 days) after completion
  passes: then they publish together, whatever is in (the sweeper fires ``review_publication``);
- a buyer who reviews after the blind period (days 10–14) is published at once: nothing to answer;
- one review per order and party, never edited; the seller replies once, publicly, to a published
  buyer review; an operator hides a published review that breaks the rules (W2, abuse) with a
  reason (audit entry, W1), which takes it out of the lists and out of the ratings;
- the buyer is invited at completion and reminded ``REMINDER_BEFORE`` (2 days) before the window
  closes while no review of theirs is in;
- a gig's and a seller's rating: average of the published, not hidden buyer reviews, their count and
  the distribution of the overall stars (``RatingDelta``, added to counters in the publication's
  transaction).

The phases are derived from the stored times and ``now``, never from whether the sweeper ran yet, so a
late sweep changes nothing about what a party may do:

    blind     -> published            both in (the seller's rating publishes both), or
    blind     -> due -> published     the blind period ended with the buyer's review in (sweeper)
    blind     -> open -> published    the blind period ended with no buyer review; one comes by day 14
    blind     -> open -> closed       no buyer review in 14 days

The actions are data (``ACTIONS``): who takes each and in which phases."""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from .contact_details import text_field_errors
from .errors import Conflict, FieldError, Forbidden, InvalidInput
from .events import Actor
from .ids import new_id

REVIEW_WINDOW = timedelta(days=14)  # [decision] R1: the buyer reviews within 14 days of completion
BLIND_PERIOD = timedelta(days=10)  # [decision] R1: hidden until both are in or 10 days pass
REMINDER_BEFORE = timedelta(days=2)  # [decision] the buyer is reminded 2 days before the window closes
RATING_MIN, RATING_MAX = 1, 5  # R1
REVIEW_TEXT_MAX = 1_200  # [decision] as a gig's description (G6)
REVIEW_TEXT_MIN = 1  # R1: "with a text"
REPLY_TEXT_MAX = 1_200  # [decision]
HIDE_REASON_MAX = 500  # [decision]
SUB_RATINGS = ("communication", "service_as_described", "would_recommend")  # R1, the buyer's


class ReviewPhase(StrEnum):
    BLIND = "blind"  # reviews may come in; nothing is shown to the other party
    DUE = "due"  # the blind period ended with the buyer's review in: publication is due (sweeper)
    OPEN = "open"  # the blind period ended with no buyer review: one publishes at once (until day 14)
    PUBLISHED = "published"  # published together; replies and hiding from now on
    CLOSED = "closed"  # the window passed without a buyer review


class ReviewAction(StrEnum):
    SUBMIT = "review"  # a party writes their review
    PUBLISH = "publish"  # the blind period ended (system)
    REMIND = "remind"  # the window closes soon and the buyer has not reviewed (system)
    REPLY = "reply"  # the seller answers the buyer's published review, once
    HIDE = "hide"  # an operator takes a published review down


@dataclass(frozen=True)
class ActionRule:
    actors: frozenset[Actor]
    phases: frozenset[ReviewPhase]


def _of(*actors: Actor) -> frozenset[Actor]:
    return frozenset(actors)


def _in(*phases: ReviewPhase) -> frozenset[ReviewPhase]:
    return frozenset(phases)


# The whole machine (R1): who takes each action, in which phases. Further checks (the buyer first,
# one review per party, one reply, not hidden twice) are in the methods, each with its refusal.
ACTIONS: dict[ReviewAction, ActionRule] = {
    ReviewAction.SUBMIT: ActionRule(_of(Actor.BUYER, Actor.SELLER), _in(ReviewPhase.BLIND, ReviewPhase.OPEN)),
    ReviewAction.PUBLISH: ActionRule(_of(Actor.SYSTEM), _in(ReviewPhase.DUE)),
    ReviewAction.REMIND: ActionRule(_of(Actor.SYSTEM), _in(ReviewPhase.BLIND, ReviewPhase.OPEN)),
    ReviewAction.REPLY: ActionRule(_of(Actor.SELLER), _in(ReviewPhase.PUBLISHED)),
    ReviewAction.HIDE: ActionRule(_of(Actor.OPERATOR), _in(ReviewPhase.PUBLISHED)),
}


@dataclass(frozen=True)
class Ratings:
    """R1: overall 1–5; the buyer's review also rates communication, service as described and
    whether they would recommend (None on the seller's rating of a buyer)."""

    overall: int
    communication: int | None = None
    service_as_described: int | None = None
    would_recommend: int | None = None


@dataclass(frozen=True)
class Reply:
    text: str
    at: datetime


@dataclass(frozen=True)
class Hiding:
    by: str  # the operator
    reason: str  # for operators (the audit log keeps it too); the parties see only that it is hidden
    at: datetime


@dataclass(frozen=True)
class Review:
    id: str
    order_id: str
    author: Actor  # buyer or seller
    author_id: str
    author_name: str  # the username when written: what public lists show
    subject_id: str  # who is rated: the seller (a buyer's review) or the buyer
    gig_id: str
    gig_title: str
    ratings: Ratings
    text: str
    submitted_at: datetime
    published_at: datetime | None = None
    reply: Reply | None = None
    hidden: Hiding | None = None

    @property
    def is_public(self) -> bool:
        """What gig and seller pages list and ratings count: published and not hidden."""
        return self.published_at is not None and self.hidden is None


@dataclass(frozen=True)
class ReviewWindow:
    """One per completed order: its parties and the times that decide the phases."""

    order_id: str
    order_number: str
    gig_id: str
    gig_title: str
    seller_id: str
    buyer_id: str
    completed_at: datetime
    published_at: datetime | None = None
    reminded_at: datetime | None = None

    @property
    def blind_until(self) -> datetime:
        return self.completed_at + BLIND_PERIOD

    @property
    def closes_at(self) -> datetime:
        return self.completed_at + REVIEW_WINDOW

    @property
    def remind_at(self) -> datetime:
        return self.closes_at - REMINDER_BEFORE


@dataclass(frozen=True)
class RatingDelta:
    """What one review adds to (``sign`` 1) or takes from (-1) a gig's and a seller's rating."""

    count: int
    overall: int
    communication: int
    service_as_described: int
    would_recommend: int
    stars: int  # which bucket of the distribution moves (1–5)

    @staticmethod
    def of(review: Review, sign: int) -> RatingDelta:
        r = review.ratings
        return RatingDelta(sign, sign * r.overall, sign * (r.communication or 0),
                           sign * (r.service_as_described or 0), sign * (r.would_recommend or 0), r.overall)


@dataclass(frozen=True)
class Rating:
    """A gig's or a seller's rating as kept in its counters: sums, count and distribution."""

    count: int = 0
    overall_sum: int = 0
    communication_sum: int = 0
    service_as_described_sum: int = 0
    would_recommend_sum: int = 0
    distribution: tuple[int, int, int, int, int] = (0, 0, 0, 0, 0)  # reviews with 1..5 stars

    def _average(self, total: int) -> float | None:
        return round(total / self.count, 2) if self.count > 0 else None

    @property
    def average(self) -> float | None:
        return self._average(self.overall_sum)

    @property
    def sub_averages(self) -> dict[str, float | None]:
        return {"communication": self._average(self.communication_sum),
                "service_as_described": self._average(self.service_as_described_sum),
                "would_recommend": self._average(self.would_recommend_sum)}


@dataclass(frozen=True)
class Draft:
    """What a party writes (R1)."""

    ratings: Ratings
    text: str


def draft_errors(author: Actor, draft: Draft) -> list[FieldError]:
    """R1: stars 1–5; the buyer gives all three sub-ratings, the seller none; a text (W2 applies)."""
    errors: list[FieldError] = []
    r = draft.ratings
    values = {"overall": r.overall, "communication": r.communication,
              "service_as_described": r.service_as_described, "would_recommend": r.would_recommend}
    for name, value in values.items():
        if value is None:
            if author is Actor.BUYER:
                errors.append(FieldError(name, "is required in a buyer's review", "required", "R1"))
        elif name != "overall" and author is Actor.SELLER:
            errors.append(FieldError(name, "a seller rates the buyer overall only", "not_allowed", "R1"))
        elif not RATING_MIN <= value <= RATING_MAX:
            errors.append(FieldError(name, f"must be {RATING_MIN}–{RATING_MAX}", "out_of_range", "R1"))
    errors += text_field_errors("text", draft.text, maximum=REVIEW_TEXT_MAX, rule="R1")
    return errors


def _raise_invalid(errors: list[FieldError], what: str) -> None:
    if any(e.rule == "W2" for e in errors):
        raise InvalidInput(f"The {what} contains contact details.", code="contact_details", rule="W2", fields=errors)
    if errors:
        raise InvalidInput(f"The {what} is invalid.", code="invalid_review", rule=errors[0].rule, fields=errors)


@dataclass(frozen=True)
class Published:
    """What a publication made public: the buyer's review (which counts in the ratings) and the
    seller's, either of which may be missing."""

    buyer: Review | None
    seller: Review | None


@dataclass(frozen=True)
class OrderReviews:
    """The aggregate: an order's review window and the reviews written in it."""

    window: ReviewWindow
    buyer: Review | None = None
    seller: Review | None = None

    # -- opening (R1, C4) ---------------------------------------------------------------------------
    @staticmethod
    def open(*, order_id: str, order_number: str, gig_id: str, gig_title: str, seller_id: str, buyer_id: str,
             completed_at: datetime | None) -> OrderReviews:
        """The window of an order that counts as completed (the caller says when it completed:
        ``completed_at``, or its cancellation for a milestone order with an approved milestone, C4);
        None: it does not count as completed (yet)."""
        if completed_at is None:
            raise Conflict("An order is reviewed once it is completed.", code="order_not_completed", rule="R1")
        return OrderReviews(ReviewWindow(order_id, order_number, gig_id, gig_title, seller_id, buyer_id,
                                         completed_at))

    # -- derived ------------------------------------------------------------------------------------
    def phase(self, now: datetime) -> ReviewPhase:
        w = self.window
        if w.published_at is not None:
            return ReviewPhase.PUBLISHED
        if now < w.blind_until:
            return ReviewPhase.BLIND
        if self.buyer is not None:
            return ReviewPhase.DUE
        return ReviewPhase.OPEN if now < w.closes_at else ReviewPhase.CLOSED

    def role_of(self, user_id: str) -> Actor | None:
        if user_id == self.window.buyer_id:
            return Actor.BUYER
        if user_id == self.window.seller_id:
            return Actor.SELLER
        return None

    def review_by(self, author: Actor) -> Review | None:
        return self.buyer if author is Actor.BUYER else self.seller if author is Actor.SELLER else None

    def visible_to(self, role: Actor, author: Actor) -> Review | None:
        """Double-blind (R1): one's own review always; the other party's once published and not
        hidden; operators everything."""
        review = self.review_by(author)
        if review is None or role in (Actor.OPERATOR, author):
            return review
        return review if review.is_public else None

    def allowed_actions(self, role: Actor, now: datetime) -> list[ReviewAction]:
        out = []
        for action in (ReviewAction.SUBMIT, ReviewAction.REPLY, ReviewAction.HIDE):
            try:
                self._check(action, role, now)
                if action is ReviewAction.SUBMIT:
                    self._check_submit(role, now)
                elif action is ReviewAction.REPLY:
                    self._check_reply()
            except (Conflict, Forbidden):
                continue
            out.append(action)
        return out

    def _check(self, action: ReviewAction, role: Actor, now: datetime) -> ReviewPhase:
        rule = ACTIONS[action]
        if role not in rule.actors:
            who = " or ".join(sorted(a.value for a in rule.actors))
            raise Forbidden(f"Only the {who} may {action.value} here.", code="review_action_not_allowed",
                            rule="R1")
        phase = self.phase(now)
        if phase not in rule.phases:
            raise _phase_refusal(phase)
        return phase

    def _check_submit(self, role: Actor, now: datetime) -> None:
        if self.review_by(role) is not None:
            raise Conflict("You reviewed this order already; a review is not edited.", code="already_reviewed",
                           rule="R1")
        if role is Actor.SELLER:
            if self.buyer is None:
                raise Conflict("The seller rates the buyer after the buyer's review.", code="buyer_reviews_first",
                               rule="R1")

    def _check_reply(self) -> None:
        if self.buyer is None:
            raise Conflict("There is no buyer review to reply to.", code="no_review", rule="R1")
        if self.buyer.hidden is not None:
            raise Conflict("This review is hidden.", code="review_hidden", rule="R1")
        if self.buyer.reply is not None:
            raise Conflict("The seller replies once.", code="already_replied", rule="R1")

    # -- actions ------------------------------------------------------------------------------------
    def submit(self, role: Actor, author_id: str, author_name: str, draft: Draft,
               now: datetime) -> tuple[OrderReviews, Published | None]:
        """R1: a party's one review. The seller's (the buyer's is in) publishes both; a buyer's
        after the blind period publishes at once. Returns what was published, if anything."""
        phase = self._check(ReviewAction.SUBMIT, role, now)
        self._check_submit(role, now)
        _raise_invalid(draft_errors(role, draft), "review")
        w = self.window
        review = Review(id=new_id("rev"), order_id=w.order_id, author=role, author_id=author_id,
                        author_name=author_name, subject_id=w.seller_id if role is Actor.BUYER else w.buyer_id,
                        gig_id=w.gig_id, gig_title=w.gig_title, ratings=draft.ratings, text=draft.text.strip(),
                        submitted_at=now)
        written = replace(self, buyer=review) if role is Actor.BUYER else replace(self, seller=review)
        if role is Actor.SELLER or phase is ReviewPhase.OPEN:
            return written._publish(now)
        return written, None

    def publish(self, now: datetime) -> tuple[OrderReviews, Published]:
        """The sweeper at the end of the blind period: whatever is in goes public."""
        self._check(ReviewAction.PUBLISH, Actor.SYSTEM, now)
        return self._publish(now)

    def _publish(self, now: datetime) -> tuple[OrderReviews, Published]:
        buyer = replace(self.buyer, published_at=now) if self.buyer else None
        seller = replace(self.seller, published_at=now) if self.seller else None
        published = OrderReviews(replace(self.window, published_at=now), buyer, seller)
        return published, Published(buyer, seller)

    def remind(self, now: datetime) -> OrderReviews:
        """Two days before the window closes, once, while the buyer has not reviewed."""
        self._check(ReviewAction.REMIND, Actor.SYSTEM, now)
        if self.buyer is not None or self.window.reminded_at is not None:
            raise Conflict("No reminder is due.", code="no_reminder_due", rule="R1")
        if now < self.window.remind_at:
            raise Conflict("The reminder is not due yet.", code="reminder_not_due", rule="R1")
        return replace(self, window=replace(self.window, reminded_at=now))

    def reply(self, role: Actor, text: str, now: datetime) -> OrderReviews:
        """R1: the seller answers the buyer's published review once, publicly (W2 applies)."""
        self._check(ReviewAction.REPLY, role, now)
        self._check_reply()
        _raise_invalid(text_field_errors("text", text, maximum=REPLY_TEXT_MAX, rule="R1"), "reply")
        assert self.buyer is not None
        return replace(self, buyer=replace(self.buyer, reply=Reply(text.strip(), now)))

    def hide(self, author: Actor, operator_id: str, reason: str, now: datetime) -> tuple[OrderReviews, Review]:
        """R1 (W2, abuse): an operator hides a published review, with a reason."""
        self._check(ReviewAction.HIDE, Actor.OPERATOR, now)
        review = self.review_by(author)
        if review is None:
            raise Conflict(f"There is no {author.value}'s review on this order.", code="no_review", rule="R1")
        if review.hidden is not None:
            raise Conflict("This review is hidden already.", code="review_hidden", rule="R1")
        errors = [] if reason.strip() else [FieldError("reason", "is required", "required", "R1")]
        if len(reason) > HIDE_REASON_MAX:
            errors.append(FieldError("reason", f"must be at most {HIDE_REASON_MAX} characters", "too_long", "R1"))
        _raise_invalid(errors, "reason")
        hidden = replace(review, hidden=Hiding(operator_id, reason.strip(), now))
        return (replace(self, buyer=hidden) if author is Actor.BUYER else replace(self, seller=hidden)), hidden


def _phase_refusal(phase: ReviewPhase) -> Conflict:
    """Why an action is refused in a phase that does not allow it (R1)."""
    if phase is ReviewPhase.BLIND:
        return Conflict("The reviews of this order are not published yet.", code="reviews_not_published", rule="R1")
    if phase is ReviewPhase.PUBLISHED:
        return Conflict("The reviews of this order are published; none is added or edited now.",
                        code="reviews_published", rule="R1")
    if phase is ReviewPhase.CLOSED:
        return Conflict(f"The review window of {REVIEW_WINDOW.days} days after completion has closed.",
                        code="review_window_closed", rule="R1")
    return Conflict(f"The blind period of {BLIND_PERIOD.days} days after completion is over"
                    + ("; the reviews in are being published." if phase is ReviewPhase.DUE else
                       " and the buyer has not reviewed."), code="blind_period_over", rule="R1")
