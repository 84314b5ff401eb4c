"""Reviews (R1): an order's review window and its two reviews in one partition, read with one Query;
published buyer reviews in two sparse listings; a gig's and a seller's rating as counters.

    REVIEW#<order id> / REVIEWS          review_window (version): parties, completion, published_at
    REVIEW#<order id> / REVIEW#buyer     review (version), put only if absent: one per order and party
                      while public (published, not hidden) and written by the buyer:
                      gsi1 SELLER#<seller id> / REVIEW#<published at>#<order id>
                      gsi2 GIG#<gig id>       / REVIEW#<published at>#<order id>
    REVIEW#<order id> / REVIEW#seller    review (version), put only if absent; never listed
    REVIEW#<order id> / EVENT#...        the reviews' events (stream ``review:<order id>``)
    GIG#<gig id>      / RATING           rating counters (ADD in the publication's or hiding's transaction)
    USER#<seller id>  / RATING           rating counters of the seller

Its deadlines are ``DeadlineItem``s (kinds ``review_publication`` and ``review_reminder``, subject
and ref the order id) in the due index (store/deadlines.py)."""
from __future__ import annotations

from dataclasses import dataclass, field

from pynamodb.attributes import JSONAttribute, NumberAttribute, UnicodeAttribute, VersionAttribute

from chalicelib.domain.clock import iso
from chalicelib.domain.codec import from_primitive, to_primitive
from chalicelib.domain.events import Actor
from chalicelib.domain.reviews import OrderReviews, Rating, RatingDelta, Review, ReviewWindow
from chalicelib.store import cursors
from chalicelib.store.table import TableItem
from chalicelib.store.unit_of_work import UnitOfWork

WINDOW_SK = "REVIEWS"
REVIEW_PREFIX = "REVIEW#"


class ReviewWindowItem(TableItem, discriminator="review_window"):
    version = VersionAttribute()
    data = JSONAttribute()


class ReviewItem(TableItem, discriminator="review"):
    version = VersionAttribute()
    author = UnicodeAttribute()
    data = JSONAttribute()


class RatingItem(TableItem, discriminator="rating"):
    """Counters only, changed with ADD: a read is one GetItem."""

    reviews = NumberAttribute(default=0)  # ("count" is a Model method)
    overall_sum = NumberAttribute(default=0)
    communication_sum = NumberAttribute(default=0)
    service_as_described_sum = NumberAttribute(default=0)
    would_recommend_sum = NumberAttribute(default=0)
    stars_1 = NumberAttribute(default=0)
    stars_2 = NumberAttribute(default=0)
    stars_3 = NumberAttribute(default=0)
    stars_4 = NumberAttribute(default=0)
    stars_5 = NumberAttribute(default=0)


def _pk(order_id: str) -> str:
    return f"REVIEW#{order_id}"


@dataclass
class ReviewsRecord:
    """The aggregate and the items it was read from (None: not stored yet)."""

    value: OrderReviews
    window: ReviewWindowItem | None
    reviews: dict[Actor, ReviewItem] = field(default_factory=dict)


def get(order_id: str) -> ReviewsRecord | None:
    """The window and both reviews: one strongly consistent Query (``REVIEW`` covers ``REVIEWS`` and
    ``REVIEW#<author>``, never the ``EVENT#`` items)."""
    window: ReviewWindowItem | None = None
    reviews: dict[Actor, ReviewItem] = {}
    for item in TableItem.query(_pk(order_id), TableItem.sk.startswith("REVIEW"), consistent_read=True):
        if isinstance(item, ReviewWindowItem):
            window = item
        elif isinstance(item, ReviewItem):
            reviews[Actor(item.author)] = item
    if window is None:
        return None
    value = OrderReviews(from_primitive(ReviewWindow, window.data),
                         *(from_primitive(Review, reviews[a].data) if a in reviews else None
                           for a in (Actor.BUYER, Actor.SELLER)))
    return ReviewsRecord(value, window, reviews)


def new_record(value: OrderReviews) -> ReviewsRecord:
    return ReviewsRecord(value, None)


def _listing_key(review: Review) -> str:
    assert review.published_at is not None
    return f"{REVIEW_PREFIX}{iso(review.published_at)}#{review.order_id}"


def stage_save(uow: UnitOfWork, record: ReviewsRecord, value: OrderReviews) -> None:
    """The window, always (version-checked: every change to an order's reviews is serialised on
    it), and each review that changed. A new review is put only if absent (R1: one per order and
    party); a public buyer review carries the keys of the gig's and the seller's listings, a hidden
    one loses them."""
    window = record.window or ReviewWindowItem(_pk(value.window.order_id), WINDOW_SK)
    window.data = to_primitive(value.window)
    uow.save(window)
    for author in (Actor.BUYER, Actor.SELLER):
        review = value.review_by(author)
        before = record.value.review_by(author) if record.window is not None else None
        if review is None or (review == before and author in record.reviews):
            continue
        item = record.reviews.get(author)
        condition = None
        if item is None:
            item = ReviewItem(_pk(value.window.order_id), f"{REVIEW_PREFIX}{author.value}")
            condition = ReviewItem.pk.does_not_exist()
        item.author = author.value
        item.data = to_primitive(review)
        listed = author is Actor.BUYER and review.is_public
        item.gsi1pk, item.gsi1sk = (f"SELLER#{review.subject_id}", _listing_key(review)) if listed else (None, None)
        item.gsi2pk, item.gsi2sk = (f"GIG#{review.gig_id}", _listing_key(review)) if listed else (None, None)
        uow.save(item, condition=condition)
    record.value = value


# -- listings (one Query each) ----------------------------------------------------------------------
def _page(index, key: str, pk: str, sk_attr, limit: int, cursor: str | None) -> tuple[list[Review], str | None]:
    start = cursors.decode(cursor, expect={key: pk})
    result = index.query(pk, sk_attr.startswith(REVIEW_PREFIX), scan_index_forward=False, limit=limit,
                         last_evaluated_key=start)
    return [from_primitive(Review, i.data) for i in result], cursors.encode(result.last_evaluated_key)


def page_of_gig(gig_id: str, limit: int, cursor: str | None) -> tuple[list[Review], str | None]:
    """A gig's public buyer reviews, newest first: Query gsi2 ``GIG#<gig>``, ``REVIEW#`` descending."""
    return _page(ReviewItem.gsi2, "gsi2pk", f"GIG#{gig_id}", ReviewItem.gsi2sk, limit, cursor)


def page_of_seller(seller_id: str, limit: int, cursor: str | None) -> tuple[list[Review], str | None]:
    """A seller's public buyer reviews, newest first: Query gsi1 ``SELLER#<seller>``, ``REVIEW#`` descending."""
    return _page(ReviewItem.gsi1, "gsi1pk", f"SELLER#{seller_id}", ReviewItem.gsi1sk, limit, cursor)


# -- ratings (counters) -----------------------------------------------------------------------------
def _gig_key(gig_id: str) -> tuple[str, str]:
    return f"GIG#{gig_id}", "RATING"


def _seller_key(seller_id: str) -> tuple[str, str]:
    return f"USER#{seller_id}", "RATING"


def stage_rating(uow: UnitOfWork, review: Review, delta: RatingDelta) -> None:
    """ADD the delta to the gig's and the seller's counters (an update creates them the first time;
    it writes no discriminator by itself, so it sets it)."""
    for key in (_gig_key(review.gig_id), _seller_key(review.subject_id)):
        stars = getattr(RatingItem, f"stars_{delta.stars}")
        uow.update(RatingItem(*key), actions=[
            RatingItem.item_type.set(RatingItem),
            RatingItem.reviews.add(delta.count),
            RatingItem.overall_sum.add(delta.overall),
            RatingItem.communication_sum.add(delta.communication),
            RatingItem.service_as_described_sum.add(delta.service_as_described),
            RatingItem.would_recommend_sum.add(delta.would_recommend),
            stars.add(delta.count),
        ])


def _rating(key: tuple[str, str]) -> Rating:
    try:
        item = RatingItem.get(*key)
    except RatingItem.DoesNotExist:
        return Rating()
    return Rating(count=int(item.reviews), overall_sum=int(item.overall_sum),
                  communication_sum=int(item.communication_sum),
                  service_as_described_sum=int(item.service_as_described_sum),
                  would_recommend_sum=int(item.would_recommend_sum),
                  distribution=(int(item.stars_1), int(item.stars_2), int(item.stars_3), int(item.stars_4),
                                int(item.stars_5)))


def gig_rating(gig_id: str) -> Rating:
    """One GetItem (eventually consistent: a page may lag a publication by a moment)."""
    return _rating(_gig_key(gig_id))


def seller_rating(seller_id: str) -> Rating:
    return _rating(_seller_key(seller_id))
