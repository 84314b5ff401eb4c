"""Profiles, preferences (A3), seller activation (A1) and availability periods (A4).

A seller's profile photo (A1) is their own clean upload for profile photos, attached to
``seller:<user id>`` in the profile's transaction (the previous photo is detached); anyone signed
in may see the attached photo, as they see the profile."""
from __future__ import annotations

from dataclasses import replace

from chalicelib.domain.accounts import Availability, ChannelPreference, NotificationKind, SellerProfile, User
from chalicelib.domain.clock import Clock
from chalicelib.domain.deadlines import Deadline, DeadlineKind
from chalicelib.domain.errors import Conflict, NotFound
from chalicelib.domain.files import profile_photo_errors
from chalicelib.domain.ids import new_id
from chalicelib.domain.levels import SellerLevel
from chalicelib.domain.preconditions import IfMatch, Versioned
from chalicelib.domain.reviews import Rating
from chalicelib.services import files, gig_visibility, runtime
from chalicelib.store import deadlines as deadline_store
from chalicelib.store import files as file_store
from chalicelib.store import gigs as gig_store
from chalicelib.store import reviews as review_store
from chalicelib.store import users as user_store
from chalicelib.store.models import UserItem
from chalicelib.store.records import Record
from chalicelib.store.unit_of_work import UnitOfWork


def profile(user_id: str, username: str, email: str | None, clock: Clock) -> User:
    """The caller's profile; a user who never wrote anything gets the defaults (A1: can buy)."""
    return profile_versioned(user_id, username, email, clock)[0]


def profile_versioned(user_id: str, username: str, email: str | None, clock: Clock) -> tuple[User, int | None]:
    """The profile and the version its ETag names (None: never written, so no ETag)."""
    record = user_store.get_or_new(user_id, username, email, clock.now())
    return record.value, (int(record.item.version) if record.item.version is not None else None)


def public_seller(seller_id: str) -> tuple[User, Rating]:
    """The public profile and the seller's rating (R1: one GetItem of its counters)."""
    found = user_store.get(seller_id)
    if not found or not found.value.is_seller:
        raise NotFound("No such seller.")
    return found.value, review_store.seller_rating(seller_id)


def update_preferences(user_id: str, username: str, email: str | None,
                       changes: dict[NotificationKind, ChannelPreference], clock: Clock) -> User:
    """A3: push and e-mail, per kind of event."""
    record = user_store.get_or_new(user_id, username, email, clock.now())
    uow = runtime.current().unit_of_work()
    user_store.stage_save(uow, record, record.value.with_preferences(changes))
    uow.commit()
    return record.value


def activate_seller(user_id: str, username: str, email: str | None, seller: SellerProfile, clock: Clock,
                    if_match: IfMatch | None = None) -> Versioned[User]:
    """A1: selling needs a complete seller profile; saving it again updates it. The photo must be
    the seller's own clean profile-photo upload (422 naming ``photo`` otherwise). Over an existing
    seller profile the caller's If-Match must name the profile's current version (428/412)."""
    record = user_store.get_or_new(user_id, username, email, clock.now())
    version = int(record.item.version) if record.item.version is not None else None
    (if_match or IfMatch()).check(version, replaces=record.value.seller is not None)
    target = photo_target(user_id)
    photo = file_store.get(seller.photo) if seller.photo.strip() else None
    photo_errors = profile_photo_errors(seller.photo, photo.value if photo else None, user_id, target)
    previous = record.value.seller.photo if record.value.seller else None
    user = record.value.activate_seller(seller, clock.now(), photo_errors)
    uow = runtime.current().unit_of_work()
    user_store.stage_save(uow, record, user)
    assert photo is not None
    if photo.value.attached_to == target:
        file_store.stage_check(uow, photo)  # still clean and still this seller's photo
    else:
        file_store.stage_save(uow, photo, photo.value.attach(target))
    if previous and previous != seller.photo:
        files.stage_detach(uow, [previous], target)
    uow.commit()
    return Versioned(record.value, int(record.item.version))


def set_seller_level(seller_id: str, level: SellerLevel) -> User:
    """A2: sets a seller's level. Levels are evaluated by a later feature (daily, 60-day window);
    until then this is how the demo data, the benchmarks and the tests give a seller a level (G9:
    Level 1 and above publish without review). No route calls it."""
    record = user_store.get(seller_id)
    if record is None:
        raise NotFound("No such seller.")
    user = record.value.with_seller_level(level)
    uow = runtime.current().unit_of_work()
    user_store.stage_save(uow, record, user)
    uow.commit()
    return record.value


PHOTO_KIND = "seller"  # profile photos attach to "seller:<user id>"


def photo_target(user_id: str) -> str:
    return f"{PHOTO_KIND}:{user_id}"


def may_see_profile_photo(seller_id: str, user_id: str) -> bool:
    """A1: a seller's current photo is as public as the profile (only it is attached)."""
    return True


def set_availability(user_id: str, period: Availability, clock: Clock) -> User:
    """A4: sets (or replaces) the seller's out-of-office period. A period that starts today hides
    the gigs at once; deadlines hide them at the start and bring them back at the end."""
    now = clock.now()
    record = _seller_record(user_id)
    user = record.value.set_availability(replace(period, id=new_id("away")), now)
    return _apply_availability(record, user, clock)


def end_availability(user_id: str, clock: Clock) -> User:
    """A4: the seller is back early (or drops a planned period)."""
    record = _seller_record(user_id)
    return _apply_availability(record, record.value.clear_availability(), clock)


def _seller_record(user_id: str) -> Record[User]:
    record = user_store.get(user_id)
    if record is None or not record.value.is_seller:
        raise Conflict("Only sellers set availability periods; activate a seller profile first.",
                       code="not_a_seller", rule="A4")
    return record


def _apply_availability(record: Record[User], user: User, clock: Clock) -> User:
    now = clock.now()
    uow = runtime.current().unit_of_work()
    user_store.stage_save(uow, record, user)
    gig_visibility.stage_reconcile(uow, user, gig_store.of_seller(user.id), now)
    _stage_availability_deadlines(uow, user, clock)
    uow.commit()
    return record.value


def _stage_availability_deadlines(uow: UnitOfWork, user: User, clock: Clock) -> None:
    now = clock.now()
    period = user.current_availability(now)
    start = deadline_store.get(DeadlineKind.AVAILABILITY_START, user.id)
    end = deadline_store.get(DeadlineKind.AVAILABILITY_END, user.id)
    if period and period.starts_at > now:
        deadline_store.stage_set(uow, Deadline(DeadlineKind.AVAILABILITY_START, user.id, period.id,
                                               period.starts_at), start)
    else:
        deadline_store.stage_clear(uow, start)
    if period:
        deadline_store.stage_set(uow, Deadline(DeadlineKind.AVAILABILITY_END, user.id, period.id,
                                               period.ends_at), end)
    else:
        deadline_store.stage_clear(uow, end)


def fire_availability_deadline(deadline: Record[Deadline], clock: Clock) -> None:
    """The sweeper's entry for A4 deadlines. Does nothing but drop the deadline when the period it
    was set for is gone; conditioned on the versions read, so a doubled fire changes nothing twice."""
    now = clock.now()
    uow = runtime.current().unit_of_work()
    uow.delete(deadline.item)
    record = user_store.get(deadline.value.subject)
    period = record.value.availability if record else None
    if record and period and period.id == deadline.value.ref:
        user = record.value
        if period.is_over(now):
            user = user.clear_availability()
            user_store.stage_save(uow, record, user)
        else:
            uow.check(record.item, UserItem.version == record.item.version)
        gig_visibility.stage_reconcile(uow, user, gig_store.of_seller(user.id), now)
    uow.commit()
