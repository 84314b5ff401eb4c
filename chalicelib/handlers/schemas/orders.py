"""Order requests and answers (O1–O12, C2–C5, M1)."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from chalicelib.domain.events import Actor
from chalicelib.domain.ledger import EntryKind
from chalicelib.domain.orders import (
    LATE_CANCEL_HOURS,
    OFFER_LINES_MAX,
    ORDER_TIMERS,
    TEXT_MAX,
    MilestoneState,
    OrderState,
    RequestKind,
)
from chalicelib.domain.requirements import ANSWER_FILES_MAX, ANSWER_TEXT_MAX
from chalicelib.handlers.actions import ORDER_ACTION_ROUTES
from chalicelib.handlers.schemas import ActionLinkOut, PageQuery, PartyRole, RequestModel
from chalicelib.handlers.schemas.gigs import PriceIn, PriceOut, QuoteLineOut, RequirementOut, SelectionIn

# The states an order can be listed in (every state but the one before placement).
ListedState = Literal.__getitem__(tuple(s.value for s in OrderState if s is not OrderState.NEW))
OrderTimerKind = Literal.__getitem__(tuple(k.value for k in ORDER_TIMERS))
OrderActionName = Literal.__getitem__(tuple(a.value for a in ORDER_ACTION_ROUTES))  # the ones a person takes
NOTE_MAX = 5_000  # [decision] the seller's private note (O4)
LINE_DESCRIPTION_MAX = 200  # [decision] a custom line of an offer (O10)


class PlaceOrderIn(SelectionIn):
    gig_id: str = Field(min_length=1, max_length=64)
    coupon_id: str | None = Field(None, min_length=1, max_length=64,
                                  description="M2: one of my coupons from this gig's seller; its discount is a line "
                                              "of the price (the order must reach the coupon's minimum before it).")


class OrdersQuery(PageQuery):
    role: Literal["buyer", "seller"] = Field("buyer", description="Orders I bought, or orders I sell.")
    state: ListedState | None = None  # type: ignore[valid-type]


class AnswerIn(RequestModel):
    requirement_id: str = Field(min_length=1, max_length=64)
    text: str | None = Field(None, max_length=ANSWER_TEXT_MAX)
    choices: list[str] = Field(default_factory=list, max_length=20)
    files: list[str] = Field(default_factory=list, max_length=ANSWER_FILES_MAX)


class AnswersIn(RequestModel):
    answers: list[AnswerIn] = Field(max_length=20)


class DeliveryIn(RequestModel):
    message: str | None = Field(None, max_length=TEXT_MAX)
    files: list[str] = Field(default_factory=list, max_length=20,
                             description="Ids of the seller's delivery uploads (POST /uploads, purpose delivery).")
    from_draft: bool = Field(False, description="Deliver the saved draft (and clear it).")


class DraftIn(RequestModel):
    message: str = Field(max_length=TEXT_MAX)
    files: list[str] = Field(default_factory=list, max_length=20)


class DraftOut(BaseModel):
    message: str
    files: list[str] = []


class OrderTextIn(RequestModel):
    """A revision request's or a progress update's text (one name per schema: clients are generated
    from the document, and two models of one name get mangled component names)."""

    message: str = Field(min_length=1, max_length=TEXT_MAX)


class ReasonIn(RequestModel):
    reason: str | None = Field(None, max_length=TEXT_MAX)


class OperatorCancelIn(RequestModel):
    reason: str = Field(min_length=1, max_length=TEXT_MAX)
    seller_at_fault: bool = Field(True, description="False for fraud, ordering by mistake, too little "
                                                    "information from the buyer (O13).")


class CustomExtraIn(RequestModel):
    id: str = Field(min_length=1, max_length=64)
    quantity: int = Field(1, ge=1, le=1000)


class CustomLineIn(RequestModel):
    description: str = Field(min_length=1, max_length=LINE_DESCRIPTION_MAX)
    price: PriceIn
    quantity: int = Field(1, ge=1, le=1000)


class OpenRequestIn(RequestModel):
    """One open request per order (O12). Fields by kind: cancellation → reason; extension → days +
    reason; progress_update → reason (optional); extras → extra_revisions / custom_extras (from
    the gig's list) and/or custom_lines; modification → custom_lines, added_days (may be
    negative), added_revisions; additional_revisions → added_revisions, custom_lines (a price)."""

    kind: RequestKind
    reason: str | None = Field(None, max_length=TEXT_MAX)
    days: int = Field(0, ge=0, le=1000)
    extra_revisions: int = Field(0, ge=0, le=1000)
    custom_extras: list[CustomExtraIn] = Field(default_factory=list, max_length=20)
    custom_lines: list[CustomLineIn] = Field(default_factory=list, max_length=OFFER_LINES_MAX)
    added_days: int = Field(0, ge=-1000, le=1000)
    added_revisions: int = Field(0, ge=0, le=1000)


class NoteIn(RequestModel):
    text: str = Field(max_length=NOTE_MAX)


class NoteOut(BaseModel):
    text: str


# -- answers ----------------------------------------------------------------------------------
class AnswerOut(BaseModel):
    requirement_id: str
    text: str | None
    choices: list[str]
    files: list[str]


class OfferOut(BaseModel):
    lines: list[QuoteLineOut]
    total: PriceOut
    added_days: int
    added_revisions: int


class RequestOut(BaseModel):
    id: str
    kind: RequestKind
    opened_by: str
    opened_at: datetime
    expires_at: datetime
    reason: str
    days: int
    offer: OfferOut | None


class TimerOut(BaseModel):
    """A countdown both parties see (O4)."""

    kind: OrderTimerKind  # type: ignore[valid-type]
    due_at: datetime


class CancellationOut(BaseModel):
    by: str
    reason: str
    mutual: bool
    seller_at_fault: bool


class MoneyOut(BaseModel):
    """M1/M3: paid = refunded + seller_earnings + platform_fees + held."""

    paid: PriceOut
    refunded: PriceOut
    seller_earnings: PriceOut
    platform_fees: PriceOut
    held: PriceOut


class EventOut(BaseModel):
    kind: str = Field(description="What happened, ``order.<action>`` (e.g. order.delivered).")
    summary: str
    actor_role: Actor
    actor_id: str | None
    at: datetime
    data: dict[str, Any]


class MilestonePlanOut(BaseModel):
    """One milestone of a milestone order (C2–C5): its state, money, due time and countdowns."""

    number: int
    name: str
    description: str
    amount: PriceOut
    delivery_days: int
    state: MilestoneState
    final: bool = Field(description="C2: the last milestone carries the full project delivery.")
    started_at: datetime | None
    due_at: datetime | None = Field(description="O9 applies to the running milestone.")
    delivered_at: datetime | None
    review_ends_at: datetime | None = Field(description="C3: approved by itself then, and the order stops.")
    approved_at: datetime | None
    pay_by: datetime | None = Field(description="C2: the buyer pays it by then to start it, or the order ends.")
    deliveries: int
    revisions_allowed: int | None
    revisions_used: int
    paid: PriceOut
    refunded: PriceOut
    seller_earnings: PriceOut
    platform_fees: PriceOut
    held: PriceOut


class OrderActionOut(ActionLinkOut):
    action: OrderActionName  # type: ignore[valid-type]
    kinds: list[RequestKind] | None = Field(None, description="For open_request: the kinds the caller may open "
                                                              "now (O12).")


class OrderOut(BaseModel):
    id: str
    number: str
    gig_id: str
    gig_title: str
    buyer_id: str
    seller_id: str
    your_role: PartyRole
    state: OrderState
    late: bool = Field(description="O9: past the due time without a delivery.")
    late_cancellable: bool = Field(description=f"O9: {LATE_CANCEL_HOURS} hours late; the buyer may cancel alone.")
    tier: str
    quantity: int
    lines: list[QuoteLineOut]
    total: PriceOut
    delivery_days: int
    revisions_allowed: int | None = Field(description="null means unlimited")
    revisions_used: int
    placed_at: datetime
    started_at: datetime | None
    due_at: datetime | None = Field(description="Expected delivery; null until the requirements are in (O3).")
    delivered_at: datetime | None
    review_ends_at: datetime | None = Field(description="O7/O8: revision window and auto-complete.")
    completed_at: datetime | None
    cancelled_at: datetime | None
    cancellation: CancellationOut | None
    requirements: list[RequirementOut]
    answers: list[AnswerOut]
    request: RequestOut | None
    timers: list[TimerOut]
    money: MoneyOut
    allowed_actions: list[OrderActionOut] = Field(
        description="What the caller may do now, and the route that does it (checks that need input are not run).")
    history: list[EventOut] | None = Field(None, description="Every event, oldest first (on the order page).")
    milestones: list[MilestonePlanOut] = Field(
        default_factory=list, description="C2: the plan of a milestone order, every milestone with its state; "
                                          "empty for an order in one piece. Events name their milestone.")


class OrderSummaryOut(BaseModel):
    id: str
    number: str
    gig_title: str
    buyer_id: str
    seller_id: str
    state: OrderState
    late: bool
    total: PriceOut
    placed_at: datetime
    due_at: datetime | None


class OrderPage(BaseModel):
    items: list[OrderSummaryOut]
    next_cursor: str | None


class DeliveryOut(BaseModel):
    number: int
    message: str
    files: list[str]
    at: datetime
    milestone: int = Field(0, description="C2: the milestone it delivers (from 1); 0 for an order in one piece.")


class DeliveryPage(BaseModel):
    items: list[DeliveryOut]
    next_cursor: str | None


class LedgerEntryOut(BaseModel):
    seq: int
    kind: EntryKind
    amount: PriceOut
    at: datetime
    memo: str
    order_id: str
    order_number: str


class LedgerOut(BaseModel):
    items: list[LedgerEntryOut]


class EarningsOut(BaseModel):
    earned: PriceOut = Field(description="M1: the seller's 80% of completed orders, all time.")
    settlements: int
    items: list[LedgerEntryOut]
    next_cursor: str | None
