from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from chalicelib.domain.accounts import AvailabilityReason, LanguageLevel, NotificationKind
from chalicelib.domain.levels import SellerLevel
from chalicelib.handlers.schemas import RequestModel
from chalicelib.handlers.schemas.metrics import PublicResponseOut
from chalicelib.handlers.schemas.reviews import RatingOut


class ChannelPreferenceModel(RequestModel):
    push: bool = True
    email: bool = True


class PreferencesIn(RequestModel):
    """Only the kinds named change; the others keep their setting (A3)."""

    preferences: dict[NotificationKind, ChannelPreferenceModel] = Field(min_length=1)


class LanguageModel(RequestModel):
    language: str = Field(min_length=2, max_length=40)
    level: LanguageLevel


class PortfolioEntryModel(RequestModel):
    client: str = Field(max_length=200)
    description: str = Field(max_length=1000)


class SellerProfileIn(RequestModel):
    """A1: everything here is required to sell; the rules answer with field errors naming A1."""

    display_name: str = Field(max_length=200)
    description: str = Field(max_length=2000)
    photo: str = Field(max_length=200, description="A1: the id of one's own clean upload for purpose "
                                                   "profile_photo (POST /uploads).")
    skills: list[str] = Field(max_length=50)
    languages: list[LanguageModel] = Field(max_length=50)
    portfolio: list[PortfolioEntryModel] = Field(max_length=50)


class SellerProfileOut(BaseModel):
    display_name: str
    description: str
    photo: str
    skills: list[str]
    languages: list[LanguageModel]
    portfolio: list[PortfolioEntryModel]
    level: SellerLevel = Field(description="A2: new_seller, level_1, level_2 or top_rated; set by the platform, "
                                           "never by the seller (G9: Level 1 and above publish without review)")


class AvailabilityIn(RequestModel):
    """A4: whole UTC days; available again on ``end_date`` by itself."""

    start_date: date
    end_date: date
    reason: AvailabilityReason
    message: str | None = Field(None, max_length=1000)
    allow_new_clients_contact: bool = False


class AvailabilityOut(BaseModel):
    start_date: date
    end_date: date
    reason: AvailabilityReason
    message: str | None
    allow_new_clients_contact: bool
    active: bool


class MeOut(BaseModel):
    id: str
    username: str
    email: str | None
    operator: bool
    is_seller: bool
    seller_since: datetime | None
    seller: SellerProfileOut | None
    available: bool
    availability: AvailabilityOut | None
    preferences: dict[str, ChannelPreferenceModel]


class PublicAvailability(BaseModel):
    """What buyers see of an availability period on profiles and gig pages (A4)."""

    until: date
    message: str | None
    allow_new_clients_contact: bool


class SellerOut(SellerProfileOut):
    id: str
    username: str
    seller_since: datetime | None
    away: PublicAvailability | None
    rating: RatingOut = Field(description="R1: the seller's rating from their published buyer reviews")
    response: PublicResponseOut = Field(description="O15: response rate and average response time, last 90 days")
