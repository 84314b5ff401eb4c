"""Gig use cases (G1–G10): drafts, editing, publishing, pausing, removal, browsing, quotes.
Operators' review of gigs (G9) is services/gig_approvals.py."""
from __future__ import annotations

import typing
from dataclasses import dataclass
from typing import Any

from chalicelib.domain.accounts import User
from chalicelib.domain.audit import AuditAction, ObjectKind
from chalicelib.domain.audit import record as audit_entry
from chalicelib.domain.catalogue import Catalogue
from chalicelib.domain.clock import Clock
from chalicelib.domain.codec import from_primitive
from chalicelib.domain.errors import Conflict, Forbidden, NotFound
from chalicelib.domain.events import Actor
from chalicelib.domain.gigs import LIVE_STATES, Gig, GigAction, GigState
from chalicelib.domain.ids import new_id
from chalicelib.domain.levels import SellerLevel
from chalicelib.domain.preconditions import IfMatch, Versioned
from chalicelib.domain.pricing import Quote, Selection, price_selection
from chalicelib.domain.reviews import Rating
from chalicelib.services import files as file_service
from chalicelib.services import runtime
from chalicelib.store import audit as audit_store
from chalicelib.store import catalogue as catalogue_store
from chalicelib.store import gigs as gig_store
from chalicelib.store import reviews as review_store
from chalicelib.store import users as user_store
from chalicelib.store.gigs import BrowseQuery
from chalicelib.store.models import UserItem
from chalicelib.store.records import Record

# [decision] A seller may keep at most 10 gigs that are not removed: an availability change (A4)
# lists or unlists all of them, each with up to 8 browse entries, in one transaction of at most
# 100 items.
MAX_GIGS_PER_SELLER = 10

_GIG_HINTS = typing.get_type_hints(Gig)


def _domain_fields(fields: dict[str, Any]) -> dict[str, Any]:
    """Validated body fields (plain values) as the aggregate's typed values."""
    return {name: from_primitive(_GIG_HINTS[name], value) for name, value in fields.items()}


def _with_ids(fields: dict[str, Any]) -> dict[str, Any]:
    """Requirements and custom extras get server-chosen ids where the client gave none."""
    for requirement in fields.get("requirements") or []:
        requirement["id"] = requirement.get("id") or new_id("req")
    for extra in (fields.get("extras") or {}).get("custom") or []:
        extra["id"] = extra.get("id") or new_id("extra")
    return fields


def create_draft(seller_id: str, fields: dict[str, Any], clock: Clock) -> Gig:
    seller = user_store.get(seller_id)
    if seller is None or not seller.value.is_seller:
        raise Forbidden("Activate a seller profile before creating gigs.", code="seller_profile_required",
                        rule="A1")
    live = [g for g in gig_store.of_seller(seller_id) if g.value.state != GigState.REMOVED]
    if len(live) >= MAX_GIGS_PER_SELLER:
        raise Conflict(f"A seller may have at most {MAX_GIGS_PER_SELLER} gigs.", code="too_many_gigs")
    gig = Gig.new_draft(seller_id=seller_id, now=clock.now(), gig_id=new_id("gig"),
                        **_domain_fields(_with_ids(fields)))
    file_service.check_gig_media(seller_id, (), gig.media)
    uow = runtime.current().unit_of_work()
    gig_store.stage_save(uow, gig_store.new_record(gig), gig)
    uow.commit()
    return gig


def _own(seller_id: str, gig_id: str) -> Record[Gig]:
    record = gig_store.get(gig_id)
    if record is None or record.value.seller_id != seller_id:
        raise NotFound("No such gig.")
    return record


def edit(seller_id: str, gig_id: str, changes: dict[str, Any], clock: Clock,
         if_match: IfMatch | None = None) -> Versioned[Gig]:
    """G9: on a live gig of a seller whose level does not skip review, a new title, description
    or gallery becomes the gig's pending revision (the approved version stays listed); packages,
    prices and the other fields change in place (``Gig.edit``). With If-Match, only from the
    version the caller read (412 otherwise); the save is conditioned on the version read."""
    record = _own(seller_id, gig_id)
    (if_match or IfMatch()).check(int(record.item.version))
    # G9: the level decides what of a live gig's edit waits for review; nothing else reads it.
    seller = user_store.get(seller_id) if record.value.state in LIVE_STATES else None
    catalogue = catalogue_store.load()
    before = record.value.as_submitted().media
    fields = _domain_fields(_with_ids(changes))
    # Only a live gig must stay publishable (G8 included); a draft's gallery is checked at publish.
    media_errors = [] if record.value.state == GigState.DRAFT else _media_errors(
        record.value, catalogue, fields.get("media", before), fields.get("category"), fields.get("subcategory"))
    file_service.check_gig_media(seller_id, before, fields.get("media", before))
    level = _level(seller.value) if seller is not None else SellerLevel.NEW_SELLER
    gig = record.value.edit(clock.now(), catalogue, media_errors=media_errors, seller_level=level, **fields)
    uow = runtime.current().unit_of_work()
    gig_store.stage_save(uow, record, gig)
    if seller is not None:  # the level read above must still hold at the commit
        uow.check(seller.item, UserItem.version == seller.item.version)
    uow.commit()
    return Versioned(gig, int(record.item.version))


def _level(seller: User) -> SellerLevel:
    return seller.seller_level or SellerLevel.NEW_SELLER


def _media_errors(gig: Gig, catalogue: Catalogue, media: tuple[str, ...], category: str | None = None,
                  subcategory: str | None = None) -> list:
    """G8 for a gallery of this gig (the category decides whether video is required)."""
    sub = catalogue.subcategory(category or gig.category, subcategory or gig.subcategory)
    return file_service.gallery_errors_for(gig.seller_id, media,
                                           requires_video=bool(sub and sub.requires_video),
                                           allows_audio=bool(sub and sub.allows_audio))


def publish(seller_id: str, gig_id: str, clock: Clock) -> Gig:
    """Checks every G rule, then G9: the gig goes to the operators' review queue (pending
    approval) unless the seller's level skips review, when it is listed at once; while the seller
    is away (A4) it is listed straight into paused. A rejected gig is published again the same way."""
    record = _own(seller_id, gig_id)
    seller = user_store.get(seller_id)
    assert seller is not None
    now = clock.now()
    catalogue = catalogue_store.load()
    gig = record.value.apply(GigAction.PUBLISH, Actor.SELLER, now, catalogue=catalogue,
                             seller_available=seller.value.is_available(now), seller_level=_level(seller.value),
                             media_errors=_media_errors(record.value, catalogue, record.value.media))
    uow = runtime.current().unit_of_work()
    gig_store.stage_save(uow, record, gig)
    # The availability and level read above must still hold when this commits.
    uow.check(seller.item, UserItem.version == seller.item.version)
    uow.commit()
    return gig


def seller_action(seller_id: str, gig_id: str, action: GigAction, clock: Clock) -> Gig:
    """pause / resume by the seller (G9)."""
    record = _own(seller_id, gig_id)
    gig = record.value.apply(action, Actor.SELLER, clock.now())
    uow = runtime.current().unit_of_work()
    gig_store.stage_save(uow, record, gig)
    uow.commit()
    return gig


def remove(gig_id: str, operator_id: str, reason: str, clock: Clock) -> Gig:
    """An operator takes a gig down (G9), recorded in the audit log (W1) in the same transaction."""
    record = gig_store.get(gig_id)
    if record is None:
        raise NotFound("No such gig.")
    gig = record.value.apply(GigAction.REMOVE, Actor.OPERATOR, clock.now(), reason=reason)
    uow = runtime.current().unit_of_work()
    gig_store.stage_save(uow, record, gig)
    audit_store.stage(uow, audit_entry(operator_id, AuditAction.GIG_REMOVED, ObjectKind.GIG, gig_id, reason, clock))
    uow.commit()
    return gig


def get_listed(gig_id: str) -> Gig:
    """A gig as the public sees it: only while listed; anything else is a 404."""
    record = gig_store.get(gig_id)
    if record is None or not record.value.is_listed:
        raise NotFound("No such gig.")
    return record.value


@dataclass(frozen=True)
class GigPage:
    gig: Gig
    seller: User
    orderable: bool  # O2/A4: an order placed now would be taken
    rating: Rating  # R1: the gig's published buyer reviews (one GetItem of its counters)


def get_page(gig_id: str, clock: Clock) -> GigPage:
    """The public gig page: a listed gig, or one hidden only because its seller is away (A4),
    shown with the seller (whose away notice the page carries) and whether it can be ordered now.
    A draft, a gig its seller paused or a removed one is a 404."""
    record = gig_store.get(gig_id)
    if record is None or not record.value.shows_page:
        raise NotFound("No such gig.")
    gig = record.value
    seller = user_store.get(gig.seller_id)
    if seller is None or not seller.value.is_seller:
        raise NotFound("No such gig.")
    return GigPage(gig, seller.value, orderable=gig.is_listed and seller.value.takes_work(clock.now()),
                   rating=review_store.gig_rating(gig.id))


def get_own(seller_id: str, gig_id: str) -> Versioned[Gig]:
    record = _own(seller_id, gig_id)
    return Versioned(record.value, int(record.item.version))


def list_own(seller_id: str, limit: int, cursor: str | None) -> tuple[list[Gig], str | None]:
    return gig_store.page_of_seller(seller_id, limit, cursor)


def browse(query: BrowseQuery, limit: int, cursor: str | None) -> tuple[list[dict], str | None]:
    return gig_store.browse(query, limit, cursor)


def quote(gig_id: str, selection: Selection) -> Quote:
    """The server's price for a selection (G10, G5) on a listed gig: what an order will charge."""
    return price_selection(get_listed(gig_id), selection)
