from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, PlainSerializer, PlainValidator, WithJsonSchema, model_validator

from chalicelib.domain.audit import REASON_MAX as AUDIT_REASON_MAX
from chalicelib.domain.gigs import REJECTION_REASON_MAX
from chalicelib.domain.levels import SellerLevel
from chalicelib.domain.money import CURRENCY
from chalicelib.handlers.schemas import PageQuery, RequestModel
from chalicelib.handlers.schemas.accounts import PublicAvailability
from chalicelib.handlers.schemas.reviews import RatingOut

MONEY_SCHEMA = {
    "type": "object",
    "description": "Money in minor units (cents).",
    "properties": {"amount": {"type": "integer", "minimum": 0, "maximum": 100_000_000},
                   "currency": {"type": "string", "enum": [CURRENCY]}},
    "required": ["amount", "currency"],
    "additionalProperties": False,
}


def _money_in(value: Any) -> int:
    amount = value.get("amount") if isinstance(value, dict) else None
    # JSON Schema's integer includes 100.0; a fraction of a minor unit is refused.
    if isinstance(amount, float) and amount.is_integer():
        amount = int(amount)
    if (isinstance(value, dict) and set(value) == {"amount", "currency"} and type(amount) is int
            and 0 <= amount <= 100_000_000 and value["currency"] == CURRENCY):
        return amount
    raise ValueError(f'money is {{"amount": <minor units, 0 to 100000000>, "currency": "{CURRENCY}"}}')


# Prices travel as {"amount", "currency"} and live in the domain as int minor units.
PriceIn = Annotated[int, PlainValidator(_money_in), WithJsonSchema(MONEY_SCHEMA)]
PriceOut = Annotated[int, PlainSerializer(lambda v: {"amount": v, "currency": CURRENCY}, return_type=dict,
                                          when_used="json"), WithJsonSchema(MONEY_SCHEMA)]
Days = Annotated[int, Field(ge=0, le=1000)]
Tier = Literal["basic", "standard", "premium"]


class PackageModel(RequestModel):
    tier: Tier
    name: str = Field(max_length=200)
    description: str = Field(max_length=1000)
    delivery_days: Days
    revisions: Annotated[int, Field(ge=0, le=1000)] | None = Field(description="null means unlimited")
    price: PriceIn


class FastDeliveryModel(RequestModel):
    tier: Tier
    days: Days
    price: PriceIn


class AdditionalRevisionModel(RequestModel):
    price: PriceIn
    added_days: Days = 0


class CustomExtraModel(RequestModel):
    id: str | None = Field(None, max_length=64, description="Server-chosen when omitted.")
    title: str = Field(max_length=200)
    price: PriceIn
    added_days: Days = 0


class ShippingModel(RequestModel):
    price: PriceIn


class ExtrasModel(RequestModel):
    fast_delivery: list[FastDeliveryModel] = Field(default_factory=list, max_length=3)
    additional_revision: AdditionalRevisionModel | None = None
    custom: list[CustomExtraModel] = Field(default_factory=list, max_length=20)
    shipping: ShippingModel | None = None


class FaqModel(RequestModel):
    question: str = Field(max_length=1000)
    answer: str = Field(max_length=2000)


class RequirementModel(RequestModel):
    id: str | None = Field(None, max_length=64, description="Server-chosen when omitted.")
    question: str = Field(max_length=1000)
    answer_type: Literal["free_text", "multiple_choice", "file"]
    mandatory: bool = False
    options: list[Annotated[str, Field(max_length=200)]] = Field(default_factory=list, max_length=20)
    multiple: bool = False


class GigFields(RequestModel):
    """A draft may be incomplete; publishing checks every G rule. In a PATCH only the fields sent
    change."""

    title: str | None = Field(None, max_length=200)
    category: str | None = Field(None, max_length=100)
    subcategory: str | None = Field(None, max_length=100)
    service_type: str | None = Field(None, max_length=100)
    tags: list[Annotated[str, Field(max_length=100)]] | None = Field(None, max_length=20)
    description: str | None = Field(None, max_length=5000)
    packages: list[PackageModel] | None = Field(None, max_length=5)
    extras: ExtrasModel | None = None
    faq: list[FaqModel] | None = Field(None, max_length=30)
    requirements: list[RequirementModel] | None = Field(None, max_length=30)
    physical: bool | None = None
    media: list[Annotated[str, Field(max_length=64)]] | None = Field(
        None, max_length=20, description="G8: ids of the seller's uploaded gig media files, gallery order.")

    def changes(self) -> dict[str, Any]:
        """Fields the client sent; ``null`` for a text field clears it."""
        # Only top-level fields follow "sent or not"; nested models keep their defaults.
        out = {name: value for name, value in self.model_dump().items() if name in self.model_fields_set}
        for name in ("title", "category", "subcategory", "description"):
            if name in out and out[name] is None:
                out[name] = ""
        for name in ("tags", "packages", "faq", "requirements", "media"):
            if name in out and out[name] is None:
                out[name] = []
        if out.get("extras", 0) is None:
            out["extras"] = {}
        if out.get("physical", 0) is None:
            out["physical"] = False
        return out


class PackageOut(BaseModel):
    tier: Tier
    name: str
    description: str
    delivery_days: int
    revisions: int | None
    price: PriceOut


class FastDeliveryOut(BaseModel):
    tier: Tier
    days: int
    price: PriceOut


class AdditionalRevisionOut(BaseModel):
    price: PriceOut
    added_days: int


class CustomExtraOut(BaseModel):
    id: str
    title: str
    price: PriceOut
    added_days: int


class ShippingOut(BaseModel):
    price: PriceOut


class ExtrasOut(BaseModel):
    fast_delivery: list[FastDeliveryOut]
    additional_revision: AdditionalRevisionOut | None
    custom: list[CustomExtraOut]
    shipping: ShippingOut | None


class RequirementOut(BaseModel):
    id: str
    question: str
    answer_type: str
    mandatory: bool
    options: list[str]
    multiple: bool


class FaqOut(BaseModel):
    question: str
    answer: str


class GigSellerOut(BaseModel):
    id: str
    display_name: str
    level: SellerLevel = Field(description="A2: the seller's level")
    away: PublicAvailability | None = None


class GigRevisionOut(BaseModel):
    """G9: a new seller's edit of a live gig's title, description and gallery; the gig's own fields
    are the approved version buyers see until an operator approves this."""

    title: str
    description: str
    media: list[str]
    submitted_at: datetime
    state: Literal["pending", "rejected"]
    rejection_reason: str | None = Field(description="Why an operator rejected it (state rejected)")
    decided_at: datetime | None


class GigOut(BaseModel):
    id: str
    seller_id: str
    state: Literal["draft", "pending_approval", "published", "paused", "rejected", "removed"] = Field(
        description="G9: pending_approval waits in the operators' queue; rejected carries rejection_reason "
                    "and may be edited and published again")
    pause_reason: str | None
    title: str
    category: str
    subcategory: str
    service_type: str | None
    tags: list[str]
    description: str
    packages: list[PackageOut]
    extras: ExtrasOut
    faq: list[FaqOut]
    requirements: list[RequirementOut]
    physical: bool
    media: list[str] = Field(description="G8: file ids; listed gigs' media download at "
                                         "/gigs/{gig_id}/media/{file_id}/download")
    created_at: datetime
    updated_at: datetime
    published_at: datetime | None
    submitted_at: datetime | None = Field(None, description="G9: when it last entered the review queue "
                                                            "(the owner's and operators' views)")
    rejection_reason: str | None = Field(None, description="G9: why an operator rejected it (state rejected; "
                                                           "the owner's and operators' views)")
    revision: GigRevisionOut | None = Field(None, description="G9: a pending or rejected edit of the live gig's "
                                                              "texts or gallery (the owner's and operators' views)")
    seller: GigSellerOut | None = None
    orderable: bool | None = Field(None, description="The public gig page (GET /gigs/{gig_id}): whether an order "
                                                     "can be placed now (A4: false while the seller is away)")
    rating: RatingOut | None = Field(None, description="The public gig page (GET /gigs/{gig_id}): the gig's rating "
                                                       "from its published buyer reviews (R1)")


class GigSummaryOut(BaseModel):
    id: str
    seller_id: str
    title: str
    category: str
    subcategory: str
    tags: list[str]
    starting_price: PriceOut
    min_delivery_days: int
    published_at: datetime | None


class GigPage(BaseModel):
    items: list[GigSummaryOut]
    next_cursor: str | None


class OwnGigPage(BaseModel):
    items: list[GigOut]
    next_cursor: str | None


class BrowseQueryIn(PageQuery):
    category: str | None = Field(None, max_length=100)
    subcategory: str | None = Field(None, max_length=100, description="Needs category.")
    tag: str | None = Field(None, max_length=100)
    min_price: int | None = Field(None, ge=0, le=100_000_000, description="Minor units.")
    max_price: int | None = Field(None, ge=0, le=100_000_000, description="Minor units.")
    max_delivery_days: int | None = Field(None, ge=1, le=1000)
    sort: Literal["price_asc", "price_desc"] = "price_asc"

    @model_validator(mode="after")
    def _consistent(self) -> BrowseQueryIn:
        if self.min_price is not None and self.max_price is not None and self.min_price > self.max_price:
            raise ValueError("min_price must not exceed max_price")
        if self.subcategory and not self.category:
            raise ValueError("subcategory needs category")
        return self


class CustomExtraChoice(RequestModel):
    id: str = Field(max_length=64)
    quantity: int = Field(1, ge=1, le=1000)


class SelectionIn(RequestModel):
    """What a buyer picks (G10: a quantity of one package; G5: extras)."""

    tier: Tier
    quantity: int = Field(1, ge=1, le=1000)
    fast_delivery: bool = False
    extra_revisions: int = Field(0, ge=0, le=1000)
    custom_extras: list[CustomExtraChoice] = Field(default_factory=list, max_length=20)
    shipping: bool = False


class QuoteLineOut(BaseModel):
    kind: str
    description: str
    unit_price: PriceOut
    quantity: int
    amount: PriceOut


class QuoteOut(BaseModel):
    lines: list[QuoteLineOut]
    total: PriceOut
    delivery_days: int
    revisions: int | None


class RemoveIn(RequestModel):
    reason: str = Field(min_length=1, max_length=500)


class ApprovalIn(RequestModel):
    """G9: approve what awaits review (a gig pending approval, or a live gig's pending revision)."""

    note: str = Field("", max_length=AUDIT_REASON_MAX, description="For the audit log only; the seller never sees it")


class RejectionIn(RequestModel):
    """G9: reject what awaits review; the seller is told the reason."""

    reason: str = Field(min_length=1, max_length=REJECTION_REASON_MAX, description="Shown to the seller")


class GigApprovalOut(BaseModel):
    """One entry of the operators' review queue (G9)."""

    subject: Literal["gig", "revision"] = Field(description="gig: a gig pending approval; revision: a live gig's "
                                                            "pending edit of its title, description or gallery")
    submitted_at: datetime
    gig: GigOut


class GigApprovalPage(BaseModel):
    items: list[GigApprovalOut]
    next_cursor: str | None
