"""Reviews (R1): request and response models; limits from domain/reviews.py. Star bounds are checked
by the domain, so a refusal names its rule (R1)."""
from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from chalicelib.domain.reviews import (
    BLIND_PERIOD,
    HIDE_REASON_MAX,
    RATING_MAX,
    RATING_MIN,
    REPLY_TEXT_MAX,
    REVIEW_TEXT_MAX,
    REVIEW_WINDOW,
    ReviewPhase,
)
from chalicelib.handlers.actions import REVIEW_ACTION_ROUTES
from chalicelib.handlers.schemas import ActionLinkOut, PartyRole, RequestModel

STARS = f"{RATING_MIN} to {RATING_MAX}."
REPORT_REASON_MAX = 1000  # [decision] as long as an operator's note on it (W1)
PhaseName = Literal["awaiting_completion", "blind", "due", "open", "published", "closed"]
assert set(PhaseName.__args__) == {p.value for p in ReviewPhase} | {"awaiting_completion"}  # type: ignore[attr-defined]


class ReviewActionOut(ActionLinkOut):
    action: Literal.__getitem__(tuple(a.value for a in REVIEW_ACTION_ROUTES))  # type: ignore[valid-type]


class ReviewIn(RequestModel):
    overall: int = Field(description=f"Stars, {STARS}")
    communication: int | None = Field(None, description=f"The buyer's review only (required there): {STARS}")
    service_as_described: int | None = Field(None, description=f"The buyer's review only (required there): {STARS}")
    would_recommend: int | None = Field(None, description=f"The buyer's review only (required there): {STARS}")
    text: str = Field(max_length=REVIEW_TEXT_MAX, description="Required; no contact details (W2).")


class ReplyIn(RequestModel):
    text: str = Field(max_length=REPLY_TEXT_MAX, description="Required; no contact details (W2).")


class ReviewReportIn(RequestModel):
    reason: str | None = Field(None, max_length=REPORT_REASON_MAX, description="What breaks the rules (W2, abuse).")


class ReviewReportOut(BaseModel):
    """W1: the report, queued for operators; the reporter is told the outcome (a notification)."""

    id: str
    order_id: str
    author: Literal["buyer", "seller"]
    reason: str | None
    at: datetime


class HideIn(RequestModel):
    reason: str = Field(max_length=HIDE_REASON_MAX, description="Why (W2, abuse): kept for operators and the "
                                                                "audit log, never shown to the parties.")


class RatingsOut(BaseModel):
    overall: int
    communication: int | None
    service_as_described: int | None
    would_recommend: int | None


class ReplyOut(BaseModel):
    text: str
    at: datetime


class ReviewOut(BaseModel):
    """A review as a party or an operator sees it on the order."""

    id: str
    author: Literal["buyer", "seller"]
    author_id: str
    subject_id: str = Field(description="Who is rated: the seller (the buyer's review) or the buyer.")
    ratings: RatingsOut
    text: str
    submitted_at: datetime
    published_at: datetime | None = Field(description="null: still hidden from the other party (double-blind).")
    reply: ReplyOut | None
    hidden: bool
    hidden_at: datetime | None
    hidden_reason: str | None = Field(description="Operators only; null for the parties.")


class OrderReviewsOut(BaseModel):
    order_id: str
    phase: PhaseName = Field(description=f"awaiting_completion (the order is not completed), blind (hidden until "
                                         f"both are in or {BLIND_PERIOD.days} days after completion), due (the blind "
                                         "period ended: publishing), open (no buyer review yet; one now publishes at "
                                         f"once, until {REVIEW_WINDOW.days} days after completion), published, "
                                         "closed (no buyer review came in time).")
    completed_at: datetime | None
    blind_until: datetime | None
    closes_at: datetime | None
    published_at: datetime | None
    buyer_review: ReviewOut | None = Field(description="The buyer's: always to the buyer; to the seller once "
                                                       "published and not hidden; always to operators.")
    seller_review: ReviewOut | None = Field(description="The seller's, likewise.")
    your_role: PartyRole
    allowed_actions: list[ReviewActionOut] = Field(description="What the caller may do now, and the route that "
                                                               "does it (hide: one per review that may be hidden).")


class PublicReviewOut(BaseModel):
    """A published buyer review as gig and seller pages list it."""

    id: str
    gig_id: str
    gig_title: str
    reviewer: str = Field(description="The buyer's username.")
    ratings: RatingsOut
    text: str
    published_at: datetime
    reply: ReplyOut | None = Field(description="The seller's one public reply.")


class PublicReviewPage(BaseModel):
    items: list[PublicReviewOut]
    next_cursor: str | None


class RatingOut(BaseModel):
    """R1: the average of the published, not hidden buyer reviews, their count and distribution."""

    average: float | None = Field(description="Overall stars, 2 decimals; null with no review.")
    count: int
    distribution: dict[str, int] = Field(description="Reviews per overall star, keys '1' to '5'.")
    communication: float | None
    service_as_described: float | None
    would_recommend: float | None
