"""Reviews (R1, W1, W2): a party reviews a completed order, the seller replies, an operator hides
a review; the sweeper publishes at the end of the blind period and reminds the buyer; the outbox
invites the buyer at completion; gig and seller pages read the ratings and the published reviews.

Each use case is one transaction through the unit of work, serialised on the order's review window
(version-checked): the window, the review written (put only if absent: one per order and party),
the deadlines that should run after the change (``_stage_deadlines``), the event, and, when reviews
publish or a public one is hidden, the gig's and the seller's rating counters (``ADD``) — so a
rating moves exactly once per review. A window is opened by the first of: the completion's
reaction (``ReviewReactions``, which also invites the buyer) or a party's first review (the
reaction may not have run yet); both put it only if absent. Timers fire through ``fire_deadline``,
the same code with the ``system`` actor."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from chalicelib.domain.accounts import NotificationKind
from chalicelib.domain.audit import AuditAction, ObjectKind, record
from chalicelib.domain.clock import Clock
from chalicelib.domain.deadlines import Deadline, DeadlineKind
from chalicelib.domain.errors import Conflict, Forbidden, NotFound
from chalicelib.domain.events import Actor, Event
from chalicelib.domain.orders import Order, OrderState
from chalicelib.domain.reports import Report, ReportKind
from chalicelib.domain.reviews import (
    BLIND_PERIOD,
    REMINDER_BEFORE,
    REVIEW_WINDOW,
    Draft,
    OrderReviews,
    Published,
    Rating,
    RatingDelta,
    Review,
    ReviewPhase,
)
from chalicelib.services import reports, runtime
from chalicelib.services.reactions import ReactionContext
from chalicelib.services.viewer import Viewer
from chalicelib.store import audit as audit_store
from chalicelib.store import deadlines as deadline_store
from chalicelib.store import events as event_store
from chalicelib.store import orders as order_store
from chalicelib.store import reports as report_store
from chalicelib.store import reviews as review_store
from chalicelib.store.records import Record
from chalicelib.store.reviews import ReviewsRecord
from chalicelib.store.unit_of_work import UnitOfWork

STREAM = "review"  # events of an order's reviews: stream ``review:<order id>``


@dataclass(frozen=True)
class ReviewsView:
    reviews: OrderReviews | None  # None: the order does not count as completed (yet)
    role: Actor


def completed_at(order: Order) -> datetime | None:
    """When the order counts as completed (R1): its completion, or for a milestone order cancelled
    after an approved milestone (C4/O13) its cancellation; None while it does not count."""
    if order.state is OrderState.COMPLETED:
        return order.completed_at
    if order.counts_as_completed:
        return order.cancelled_at
    return None


def _window_of(order: Order) -> OrderReviews:
    return OrderReviews.open(order_id=order.id, order_number=order.number, gig_id=order.gig_id,
                             gig_title=order.gig_title, seller_id=order.seller_id, buyer_id=order.buyer_id,
                             completed_at=completed_at(order))


def _load(order_id: str, viewer: Viewer) -> tuple[ReviewsRecord | None, Actor]:
    """The order's reviews (opened in memory from the order when no window is stored yet: None
    while it is not completed) and the viewer's part; anyone else gets the order's 404."""
    stored = review_store.get(order_id)
    if stored is not None:
        role = stored.value.role_of(viewer.user_id)
    else:
        order = order_store.get(order_id)
        if order is None:
            raise NotFound("No such order.")
        role = order.value.role_of(viewer.user_id)
        if completed_at(order.value) is not None:
            stored = review_store.new_record(_window_of(order.value))
    if role is None:
        if not viewer.is_operator:
            raise NotFound("No such order.")
        role = Actor.OPERATOR
    return stored, role


def _require(stored: ReviewsRecord | None) -> ReviewsRecord:
    if stored is None:
        raise Conflict("An order is reviewed once it is completed.", code="order_not_completed", rule="R1")
    return stored


# -- deadlines: which should run after a change ------------------------------------------------------
_DEADLINE_KINDS = (DeadlineKind.REVIEW_PUBLICATION, DeadlineKind.REVIEW_REMINDER)


def _wanted(value: OrderReviews, now: datetime) -> dict[DeadlineKind, datetime]:
    """Publication while nothing is published and the blind period runs or just ended with the
    buyer's review in; the reminder while the buyer has not reviewed and was not reminded."""
    phase = value.phase(now)
    out: dict[DeadlineKind, datetime] = {}
    if phase in (ReviewPhase.BLIND, ReviewPhase.DUE):
        out[DeadlineKind.REVIEW_PUBLICATION] = value.window.blind_until
    if value.buyer is None and value.window.reminded_at is None and phase in (ReviewPhase.BLIND, ReviewPhase.OPEN):
        out[DeadlineKind.REVIEW_REMINDER] = value.window.remind_at
    return out


def _may_exist(stored: ReviewsRecord) -> set[DeadlineKind]:
    """The deadlines the last committed write may have left (whatever the time was then): none for
    a new window; never again once published, nor a reminder once the buyer reviewed or was reminded."""
    before = stored.value
    if stored.window is None or before.window.published_at is not None:
        return set()
    if before.buyer is not None or before.window.reminded_at is not None:
        return {DeadlineKind.REVIEW_PUBLICATION}
    return set(_DEADLINE_KINDS)


def _stage_deadlines(uow: UnitOfWork, stored: ReviewsRecord, value: OrderReviews, now: datetime,
                     fired: Record[Deadline] | None = None) -> None:
    """Brings the deadlines in line with ``_wanted``, reading only those that may exist."""
    order_id = value.window.order_id
    wanted = _wanted(value, now)
    may_exist = _may_exist(stored)
    for kind in _DEADLINE_KINDS:
        if fired is not None and fired.value.kind is kind:
            existing: Record[Deadline] | None = fired
        elif kind not in may_exist:
            existing = None
        else:
            existing = deadline_store.get(kind, order_id)
        if kind in wanted:
            if existing is None or existing.value.due_at != wanted[kind]:
                deadline_store.stage_set(uow, Deadline(kind, order_id, order_id, wanted[kind]), existing)
        else:
            deadline_store.stage_clear(uow, existing)


# -- events ------------------------------------------------------------------------------------------
def _event(value: OrderReviews, kind: str, now: datetime, actor: Actor, actor_id: str | None, summary: str,
           recipients: tuple[str, ...], notification: NotificationKind, review: Review | None = None) -> Event:
    w = value.window
    return Event.new(f"review.{kind}", f"{STREAM}:{w.order_id}", now, actor, actor_id, summary,
                     recipients=recipients, notification=notification,
                     data={"order_id": w.order_id, "gig_id": w.gig_id,
                           "review_id": review.id if review else None,
                           "author": review.author.value if review else None})


def _stage_published(uow: UnitOfWork, value: OrderReviews, published: Published, now: datetime, actor: Actor,
                     actor_id: str | None) -> None:
    """R1: both publish together; the buyer's review counts in the gig's and the seller's rating."""
    if published.buyer is not None:
        review_store.stage_rating(uow, published.buyer, RatingDelta.of(published.buyer, 1))
    w = value.window
    event_store.stage(uow, _event(value, "published", now, actor, actor_id,
                                  f"The reviews of order {w.order_number} are published",
                                  (w.buyer_id, w.seller_id), NotificationKind.REVIEW, published.buyer))


def _commit(uow: UnitOfWork, stored: ReviewsRecord, value: OrderReviews, now: datetime,
            fired: Record[Deadline] | None = None) -> None:
    _stage_deadlines(uow, stored, value, now, fired)
    review_store.stage_save(uow, stored, value)
    uow.commit()


# -- reading ---------------------------------------------------------------------------------------
def view(order_id: str, viewer: Viewer) -> ReviewsView:
    stored, role = _load(order_id, viewer)
    return ReviewsView(stored.value if stored else None, role)


def gig_reviews(gig_id: str, limit: int, cursor: str | None) -> tuple[list[Review], str | None]:
    return review_store.page_of_gig(gig_id, limit, cursor)


def seller_reviews(seller_id: str, limit: int, cursor: str | None) -> tuple[list[Review], str | None]:
    return review_store.page_of_seller(seller_id, limit, cursor)


def gig_rating(gig_id: str) -> Rating:
    return review_store.gig_rating(gig_id)


def seller_rating(seller_id: str) -> Rating:
    return review_store.seller_rating(seller_id)


# -- writing (R1) ------------------------------------------------------------------------------------
def submit(order_id: str, viewer: Viewer, author_name: str, draft: Draft, clock: Clock) -> tuple[Review, Actor]:
    stored, role = _load(order_id, viewer)
    stored = _require(stored)
    now = clock.now()
    value, published = stored.value.submit(role, viewer.user_id, author_name, draft, now)
    uow = runtime.current().unit_of_work()
    w = value.window
    if published is not None:
        _stage_published(uow, value, published, now, role, viewer.user_id)
    else:  # the buyer's review, blind: the seller learns that it exists, never what it says
        event_store.stage(uow, _event(
            value, "submitted", now, role, viewer.user_id,
            f"The buyer reviewed order {w.order_number}. Rate the buyer within {BLIND_PERIOD.days} days of "
            "completion to see it: both reviews then publish together", (w.seller_id,), NotificationKind.REVIEW))
    _commit(uow, stored, value, now)
    review = value.review_by(role)
    assert review is not None
    return review, role


def reply(order_id: str, viewer: Viewer, text: str, clock: Clock) -> Review:
    stored, role = _load(order_id, viewer)
    stored = _require(stored)
    now = clock.now()
    value = stored.value.reply(role, text, now)
    assert value.buyer is not None
    uow = runtime.current().unit_of_work()
    event_store.stage(uow, _event(value, "replied", now, role, viewer.user_id,
                                  f"The seller replied to your review of order {value.window.order_number}",
                                  (value.window.buyer_id,), NotificationKind.REVIEW, value.buyer))
    _commit(uow, stored, value, now)
    return value.buyer


def hide(order_id: str, author: Actor, operator_id: str, reason: str, clock: Clock) -> Review:
    """R1 (W2, abuse): an operator hides a published review, with a reason; the audit entry (W1)
    and, for a buyer's review, the ratings' decrement are in the same transaction."""
    uow = runtime.current().unit_of_work()
    hidden = stage_hidden(uow, order_id, author, operator_id, reason, clock)
    uow.commit()
    return hidden


def stage_hidden(uow: UnitOfWork, order_id: str, author: Actor, operator_id: str, reason: str,
                 clock: Clock) -> Review:
    """``hide`` into the caller's transaction (a review report's "remove content", W1)."""
    stored, _ = _load(order_id, Viewer(operator_id, is_operator=True))
    stored = _require(stored)
    now = clock.now()
    value, hidden = stored.value.hide(author, operator_id, reason, now)
    if author is Actor.BUYER:
        review_store.stage_rating(uow, hidden, RatingDelta.of(hidden, -1))
    audit_store.stage(uow, record(operator_id, AuditAction.REVIEW_HIDDEN, ObjectKind.REVIEW, hidden.id, reason, clock,
                                  details={"order_id": order_id, "author": author.value}))
    event_store.stage(uow, _event(value, "hidden", now, Actor.OPERATOR, operator_id,
                                  f"Your review of order {value.window.order_number} was hidden by support",
                                  (hidden.author_id,), NotificationKind.REVIEW, hidden))
    _stage_deadlines(uow, stored, value, now, None)
    review_store.stage_save(uow, stored, value)
    return hidden


def report(order_id: str, author: Actor, reporter_id: str, reason: str | None, clock: Clock) -> Report:
    """W1/R1: anyone signed in who can read a published review (it is public) may report it once,
    but not their own; it joins the operators' report queue, where "remove content" hides it."""
    stored = review_store.get(order_id)
    review = stored.value.review_by(author) if stored else None
    if review is None or not review.is_public:
        raise NotFound("No such review.")
    if review.author_id == reporter_id:
        raise Forbidden("You cannot report your own review.", code="own_review", rule="W1")
    uow = runtime.current().unit_of_work()
    subject = f"{order_id}:{author.value}"
    filed = reports.stage_filed(uow, ReportKind.REVIEW, subject, review.author_id, reporter_id, reason,
                                review.text, clock)
    report_store.stage_once(uow, ReportKind.REVIEW.value, subject, reporter_id, filed.id)
    try:
        uow.commit()
    except Conflict:
        raise Conflict("You have reported this review already.", code="already_reported", rule="W1") from None
    return filed


# -- the timers (R1) --------------------------------------------------------------------------------
def fire_deadline(deadline: Record[Deadline], clock: Clock) -> bool:
    """The sweeper's entry for REVIEW_PUBLICATION and REVIEW_REMINDER: publish whatever is in at
    the end of the blind period; remind a buyer who has not reviewed. A window that moved on (both
    in, the buyer reviewed) or is gone only drops the deadline."""
    stored = review_store.get(deadline.value.subject)
    now = clock.now()
    uow = runtime.current().unit_of_work()
    kind = deadline.value.kind
    if stored is None or deadline.value.ref != stored.value.window.order_id:
        deadline_store.drop_stale(uow, deadline)
        return False
    if now < deadline.value.due_at:
        return False
    value = stored.value
    try:
        if kind is DeadlineKind.REVIEW_PUBLICATION:
            value, published = value.publish(now)
            _stage_published(uow, value, published, now, Actor.SYSTEM, None)
        else:
            value = value.remind(now)
            w = value.window
            event_store.stage(uow, _event(
                value, "reminder", now, Actor.SYSTEM, None,
                f"Review order {w.order_number}: your review window closes in {REMINDER_BEFORE.days} days",
                (w.buyer_id,), NotificationKind.REVIEW_INVITATION))
    except Conflict:  # the phase no longer calls for it (both in, the buyer reviewed...): moot
        deadline_store.drop_stale(uow, deadline)
        return False
    _commit(uow, stored, value, now, fired=deadline)
    return True


# -- the reaction: a completed order opens its window and invites the buyer (R1) ---------------------
def open_window(order_id: str, clock: Clock) -> bool:
    """Opens the review window of an order that counts as completed, with its deadlines and the
    buyer's invitation, put only if absent: True when this call opened it. An order whose window
    exists (opened by a review, an earlier completion or an earlier run) or that does not count as
    completed is left as it is."""
    if review_store.get(order_id) is not None:
        return False
    order = order_store.get(order_id)
    if order is None or completed_at(order.value) is None:
        return False
    value = _window_of(order.value)
    stored = review_store.new_record(value)
    now = clock.now()
    w = value.window
    uow = runtime.current().unit_of_work()
    event_store.stage(uow, _event(
        value, "invited", now, Actor.SYSTEM, None,
        f"Order {w.order_number} is complete: review {w.gig_title!r} within {REVIEW_WINDOW.days} days",
        (w.buyer_id,), NotificationKind.REVIEW_INVITATION))
    _commit(uow, stored, value, now)
    return True


class ReviewReactions:
    """On ``order.*``: an event that leaves the order completed (or cancelled: a milestone order with
    an approved milestone counts as completed, C4) opens the review window. Idempotent: the window
    is put only if absent, so a replayed or doubled event changes nothing; a lost race with a
    party's first review is "not yet" (the next run finds the window)."""

    def __call__(self, event: Event, context: ReactionContext) -> bool | None:
        if event.data.get("state") not in (OrderState.COMPLETED.value, OrderState.CANCELLED.value):
            return None
        try:
            open_window(event.stream.partition(":")[2], context.clock)
        except Conflict:
            return False
        return None
