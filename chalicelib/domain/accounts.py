"""Users, seller profiles (A1), notification preferences (A3) and availability periods (A4)."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum

from .contact_details import text_field_errors
from .errors import Conflict, FieldError, InvalidInput
from .levels import SellerLevel
from .warnings import Standing

# [decision] limits on free text and lists of a seller profile.
DISPLAY_NAME_MAX = 50
SELLER_DESCRIPTION_MAX = 600
MAX_SKILLS = 15
MAX_LANGUAGES = 10
MAX_PORTFOLIO = 20
# [decision] an availability period may last at most 90 days; its message at most 300 characters.
AVAILABILITY_MAX_DAYS = 90
AVAILABILITY_MESSAGE_MAX = 300


class NotificationKind(StrEnum):
    """What a notification is about: one vocabulary for the feed's ``kind``, the preferences (A3)
    and the OpenAPI document, dotted like the events (``<object>.<what happened>``)."""

    ORDER_PLACED = "order.placed"
    ORDER_MESSAGE = "order.message_received"
    ORDER_DELIVERED = "order.delivered"
    REVISION_REQUESTED = "order.revision_requested"
    ORDER_COMPLETED = "order.completed"
    ORDER_CANCELLED = "order.cancelled"
    ORDER_LATE = "order.late"
    RESOLUTION_REQUEST = "order.resolution_request"
    INBOX_MESSAGE = "message.received"
    FILE_BLOCKED = "file.blocked"
    FILE_COMMENT = "file.commented"  # F2/F3
    BUYER_REQUEST = "buyer_request.activity"  # B1: a request in a seller's category; B2/B3: offers on one's request
    REVIEW_INVITATION = "review.invited"  # R1: review a completed order (at completion, and a reminder)
    REVIEW = "review.activity"  # R1: a review was written about you, reviews published, a reply, a review hidden
    ACCOUNT_STANDING = "account.standing_changed"  # W1: warnings, suspensions, blocks (always e-mailed)
    REPORT_OUTCOME = "report.resolved"  # W1: what became of one's report
    GIG_APPROVAL = "gig.review_decided"  # G9: an operator approved or rejected one's gig (or an edit of it)

    @classmethod
    def _missing_(cls, value: object) -> NotificationKind | None:
        """The names of the first vocabulary (``order_placed``: the member's name in lower case)
        are still read: stored preferences and older clients use them."""
        return cls.__members__.get(str(value).upper())


@dataclass(frozen=True)
class ChannelPreference:
    push: bool = True
    email: bool = True


def default_preferences() -> dict[NotificationKind, ChannelPreference]:
    return {kind: ChannelPreference() for kind in NotificationKind}


class LanguageLevel(StrEnum):
    BASIC = "basic"
    CONVERSATIONAL = "conversational"
    FLUENT = "fluent"
    NATIVE = "native"


@dataclass(frozen=True)
class Language:
    language: str
    level: LanguageLevel


@dataclass(frozen=True)
class PortfolioEntry:
    client: str
    description: str


@dataclass(frozen=True)
class SellerProfile:
    """A1: what a seller must show before selling. ``photo`` is the id of the seller's own clean
    upload for profile photos (checked by the service, ``files.profile_photo_errors``).
    ``level`` (A2) is not the seller's to write: saving the profile keeps it (``User.activate_seller``);
    it changes only through ``User.with_seller_level``."""

    display_name: str
    description: str
    photo: str
    skills: tuple[str, ...]
    languages: tuple[Language, ...]
    portfolio: tuple[PortfolioEntry, ...]
    level: SellerLevel = SellerLevel.NEW_SELLER  # A2; G9: Level 1 and above skip gig review


class AvailabilityReason(StrEnum):
    VACATION = "vacation"
    OVERBOOKED = "overbooked"
    OUT_OF_OFFICE = "out_of_office"
    OTHER = "other"


@dataclass(frozen=True)
class Availability:
    """A4: an out-of-office period, whole UTC days from ``start_date`` up to ``end_date``."""

    id: str
    start_date: date
    end_date: date
    reason: AvailabilityReason
    message: str | None = None
    allow_new_clients_contact: bool = False

    @property
    def starts_at(self) -> datetime:
        return datetime.combine(self.start_date, time(0), tzinfo=UTC)

    @property
    def ends_at(self) -> datetime:
        # A4: at the end date the seller is available again by itself.
        return datetime.combine(self.end_date, time(0), tzinfo=UTC)

    def is_active(self, now: datetime) -> bool:
        return self.starts_at <= now < self.ends_at

    def is_over(self, now: datetime) -> bool:
        return now >= self.ends_at


@dataclass(frozen=True)
class User:
    id: str
    username: str
    email: str | None
    created_at: datetime
    preferences: dict[NotificationKind, ChannelPreference] = field(default_factory=default_preferences)
    seller: SellerProfile | None = None
    seller_since: datetime | None = None
    availability: Availability | None = None
    standing: Standing = field(default_factory=Standing)  # W1: active warnings, suspension or block

    @property
    def is_seller(self) -> bool:
        return self.seller is not None

    def takes_work(self, now: datetime) -> bool:
        """A4 and W1: whether the seller's gigs are listed and take orders (not away, not suspended)."""
        return self.is_available(now) and self.standing.restricted(now) is None

    def is_available(self, now: datetime) -> bool:
        """A4: unavailable sellers' gigs are hidden and take no orders."""
        return not (self.availability and self.availability.is_active(now))

    def current_availability(self, now: datetime) -> Availability | None:
        """The period still to come or running; a finished one is as good as none."""
        if self.availability and not self.availability.is_over(now):
            return self.availability
        return None

    # --- A3 -------------------------------------------------------------------------------
    def with_preferences(self, changes: dict[NotificationKind, ChannelPreference]) -> User:
        merged = dict(self.preferences)
        merged.update(changes)
        return replace(self, preferences=merged)

    def wants(self, kind: NotificationKind) -> ChannelPreference:
        return self.preferences.get(kind, ChannelPreference())

    # --- A1 -------------------------------------------------------------------------------
    def activate_seller(self, profile: SellerProfile, now: datetime,
                        photo_errors: Sequence[FieldError] = ()) -> User:
        """``photo_errors``: what is wrong with the photo's file (the service reads it)."""
        errors = seller_profile_errors(profile) + list(photo_errors)
        if errors:
            raise InvalidInput("The seller profile is incomplete.", code="seller_profile_incomplete",
                               rule="A1", fields=errors)
        # A2: a seller starts as a new seller and keeps their level across profile edits.
        level = self.seller.level if self.seller else SellerLevel.NEW_SELLER
        return replace(self, seller=replace(profile, level=level), seller_since=self.seller_since or now)

    @property
    def seller_level(self) -> SellerLevel | None:
        """A2: the seller's level; None for someone who does not sell."""
        return self.seller.level if self.seller else None

    def with_seller_level(self, level: SellerLevel) -> User:
        """A2: the level the evaluation (or an operator, for Top Rated) gives the seller."""
        if self.seller is None:
            raise Conflict("Only sellers have a level.", code="not_a_seller", rule="A2")
        return replace(self, seller=replace(self.seller, level=SellerLevel(level)))

    # --- A4 -------------------------------------------------------------------------------
    def set_availability(self, period: Availability, now: datetime) -> User:
        if not self.is_seller:
            raise Conflict("Only sellers set availability periods.", code="not_a_seller", rule="A4")
        errors = availability_errors(period, now.date())
        if errors:
            raise InvalidInput("The availability period is invalid.", rule="A4", fields=errors)
        return replace(self, availability=period)

    def clear_availability(self) -> User:
        return replace(self, availability=None)


def _text_errors(path: str, text: str, *, maximum: int, required: bool = True) -> list[FieldError]:
    return text_field_errors(path, text, maximum=maximum, rule="A1", required=required)


def seller_profile_errors(profile: SellerProfile) -> list[FieldError]:
    """A1: display name, description, photo, skills, languages and a portfolio, all present."""
    errors = _text_errors("display_name", profile.display_name, maximum=DISPLAY_NAME_MAX)
    errors += _text_errors("description", profile.description, maximum=SELLER_DESCRIPTION_MAX)
    if not profile.photo.strip():
        errors.append(FieldError("photo", "is required", "required", "A1"))
    for name, items, maximum in (("skills", profile.skills, MAX_SKILLS),
                                 ("languages", profile.languages, MAX_LANGUAGES),
                                 ("portfolio", profile.portfolio, MAX_PORTFOLIO)):
        if not items:
            errors.append(FieldError(name, "needs at least one entry", "required", "A1"))
        if len(items) > maximum:
            errors.append(FieldError(name, f"may have at most {maximum} entries", "too_many"))
    for i, skill in enumerate(profile.skills):
        errors += _text_errors(f"skills.{i}", skill, maximum=40)
    for i, entry in enumerate(profile.portfolio):
        errors += _text_errors(f"portfolio.{i}.client", entry.client, maximum=80)
        errors += _text_errors(f"portfolio.{i}.description", entry.description, maximum=400)
    return errors


def availability_errors(period: Availability, today: date) -> list[FieldError]:
    """A4: starts today or later, ends after it starts; the message carries no contact details."""
    errors = []
    if period.start_date < today:
        errors.append(FieldError("start_date", "must be today or later", "in_past", "A4"))
    if period.end_date <= period.start_date:
        errors.append(FieldError("end_date", "must be after the start date", "before_start", "A4"))
    elif period.end_date - period.start_date > timedelta(days=AVAILABILITY_MAX_DAYS):
        errors.append(FieldError("end_date", f"the period may last at most {AVAILABILITY_MAX_DAYS} days",
                                 "too_long", "A4"))
    if period.message is not None:
        errors += [replace(e, rule=e.rule or "A4") for e in
                   _text_errors("message", period.message, maximum=AVAILABILITY_MESSAGE_MAX, required=False)]
    return errors
