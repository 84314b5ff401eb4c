"""Buyer requests (B1–B3, C1, F1, W2): post, read, close, expire by the sweeper; the sellers' feed
and its dismissals; one offer per seller (a custom offer with a ``request_id``); the offers the
buyer sees; and the reactions that fan a new request out to the sellers of its category and wrap
an ended one up.

Each use case is one transaction:

- posting stages the request, the buyer's open count (+1 on the count read: the cap of B1 holds
  under concurrent posts), its expiry deadline, its attachments (F1, ``files.stage_attach``) and
  its ``buyer_request.posted`` event (outbox);
- an offer (B2) stages the custom offer, its expiry deadline, the seller's link on the request
  (``attribute_not_exists``: one offer per seller) and an event telling the buyer, with a check
  that the request is unchanged (no offer lands on a request closed meanwhile);
- closing, expiring and accepting an offer (``stage_offer_accepted``, in the custom offer's
  acceptance transaction) save the request on its version, count it out and delete its deadline:
  of an acceptance, a closure and the expiry exactly one commits; of two offers accepted at once
  exactly one places an order.

Reactions (``BuyerRequestReactions``): on ``buyer_request.posted`` the request's feed entries are
written for every seller with a listed gig in its category and the sellers are notified per their
preferences (A3); on ``accepted``/``closed``/``expired`` the other pending offers lapse (their
sellers are told) and the feed entries go."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from chalicelib.domain.accounts import NotificationKind
from chalicelib.domain.buyer_requests import (
    BuyerRequest,
    RequestAction,
    RequestDraft,
    RequestState,
    excerpt,
    listed_categories,
)
from chalicelib.domain.clock import Clock
from chalicelib.domain.custom_offers import CustomOffer, OfferDraft
from chalicelib.domain.deadlines import Deadline, DeadlineKind
from chalicelib.domain.errors import Conflict, NotFound
from chalicelib.domain.events import Actor, Event
from chalicelib.domain.files import Purpose
from chalicelib.observability import logger
from chalicelib.services import files, runtime
from chalicelib.services.files import FileRef
from chalicelib.services.viewer import Viewer
from chalicelib.store import buyer_requests as request_store
from chalicelib.store import catalogue as catalogue_store
from chalicelib.store import custom_offers as offer_store
from chalicelib.store import deadlines as deadline_store
from chalicelib.store import events as event_store
from chalicelib.store import gigs as gig_store
from chalicelib.store import relationships as relationship_store
from chalicelib.store.buyer_requests import Rec
from chalicelib.store.models import EventItem, ListingItem
from chalicelib.store.records import Record
from chalicelib.store.unit_of_work import UnitOfWork

STREAM_KIND = "buyer_request"  # files attach to "buyer_request:<id>" (F1); events live in its stream
NOTIFY_CHUNK = 50  # [decision] sellers per "matched" event of the fan-out


def stream(request_id: str) -> str:
    return f"{STREAM_KIND}:{request_id}"


@dataclass(frozen=True)
class RequestView:
    request: BuyerRequest
    role: Actor  # buyer, seller (one the request matches, or who offered) or operator
    attachments: list[FileRef]
    your_offer_id: str | None = None  # a seller's own offer on it


# -- who sees what ----------------------------------------------------------------------------------
def _seller_sees(request: BuyerRequest, user_id: str) -> tuple[bool, str | None]:
    """B1/B2: a seller who offered on it sees it always; one with a listed gig in its category
    while it is open. (Returns the seller's offer id too.)"""
    link = request_store.offer_link(request.id, user_id)
    if link is not None:
        return True, link.offer_id
    return _serves(request, user_id), None


def _serves(request: BuyerRequest, seller_id: str) -> bool:
    """B1: the request is open and the seller has a listed gig in its category."""
    if request.state is not RequestState.OPEN:
        return False
    return request.matches(listed_categories(g.value for g in gig_store.of_seller(seller_id)))


def _load(request_id: str, viewer: Viewer) -> tuple[Rec, Actor, str | None]:
    record = request_store.get(request_id)
    if record is None:
        raise NotFound("No such buyer request.")
    if record.value.buyer_id == viewer.user_id:
        return record, Actor.BUYER, None
    if viewer.is_operator:
        return record, Actor.OPERATOR, None
    sees, offer_id = _seller_sees(record.value, viewer.user_id)
    if not sees:
        raise NotFound("No such buyer request.")
    return record, Actor.SELLER, offer_id


def may_see(request_id: str, user_id: str) -> bool:
    """The stream kind's check: who may see the request may see its attachments (F1)."""
    record = request_store.get(request_id)
    if record is None:
        return False
    return record.value.buyer_id == user_id or _seller_sees(record.value, user_id)[0]


# -- posting (B1, F1, W2) ---------------------------------------------------------------------------
def post(buyer_id: str, draft: RequestDraft, clock: Clock) -> RequestView:
    now = clock.now()
    open_now = request_store.open_count(buyer_id)
    request = BuyerRequest.post(buyer_id=buyer_id, draft=draft, catalogue=catalogue_store.load(),
                                open_requests=open_now, now=now)
    uow = runtime.current().unit_of_work()
    refs = files.stage_attach(uow, list(request.attachments), buyer_id, Purpose.BUYER_REQUEST,
                              stream(request.id), path="attachments")
    request_store.stage_save(uow, request_store.new_record(request), request)
    request_store.stage_count_open(uow, buyer_id, open_now)
    deadline_store.stage_set(uow, Deadline(DeadlineKind.BUYER_REQUEST_EXPIRY, request.id, request.id,
                                           request.expires_at), None)
    event_store.stage(uow, Event.new(
        "buyer_request.posted", stream(request.id), now, Actor.BUYER, buyer_id,
        f"Buyer request posted in {request.category}", outbox=True,
        data={"request_id": request.id, "category": request.category}))
    uow.commit()
    return RequestView(request, Actor.BUYER, refs)


# -- reading -----------------------------------------------------------------------------------------
def view(request_id: str, viewer: Viewer) -> RequestView:
    record, role, offer_id = _load(request_id, viewer)
    return RequestView(record.value, role, files.summaries(list(record.value.attachments)), offer_id)


def list_mine(buyer_id: str, state: RequestState | None, limit: int,
              cursor: str | None) -> tuple[list[BuyerRequest], str | None]:
    return request_store.page_of_buyer(buyer_id, state, limit, cursor)


def feed(seller_id: str, limit: int, cursor: str | None, clock: Clock) -> tuple[list[dict[str, Any]], str | None]:
    """B1: the open requests in the categories of the seller's published gigs, newest first. Two
    DynamoDB calls whatever the number of categories: the seller's gigs (one Query, at most
    MAX_GIGS_PER_SELLER items) and one page of the seller's own feed partition."""
    categories = listed_categories(g.value for g in gig_store.of_seller(seller_id))
    return request_store.feed_page(seller_id, categories, clock.now(), limit, cursor)


def dismiss(request_id: str, seller_id: str) -> None:
    """B2: a seller takes a request out of their feed (again: no change)."""
    record = request_store.get(request_id)
    if record is None or record.value.buyer_id == seller_id or not _seller_sees(record.value, seller_id)[0]:
        raise NotFound("No such buyer request.")
    request_store.delete_feed_entry(seller_id, record.value)


def offers(request_id: str, viewer: Viewer) -> list[CustomOffer]:
    """B3: the offers on a request, newest first: its buyer and operators only (sellers see their
    own offer through /custom-offers)."""
    record, role, _ = _load(request_id, viewer)
    if role not in (Actor.BUYER, Actor.OPERATOR):
        raise NotFound("No such buyer request.")
    ids = request_store.offer_ids(request_id)
    found = offer_store.get_many(ids)
    return [found[i] for i in ids if i in found]


# -- answering (B2, C1) ------------------------------------------------------------------------------
def send_offer(request_id: str, seller_id: str, draft: OfferDraft, clock: Clock) -> CustomOffer:
    now = clock.now()
    record = request_store.get(request_id)
    if record is None:
        raise NotFound("No such buyer request.")
    request = record.value
    link = request_store.offer_link(request_id, seller_id)
    if request.buyer_id != seller_id and link is None and not _serves(request, seller_id):
        raise NotFound("No such buyer request.")  # B1: not shown to this seller
    gig = gig_store.get(draft.gig_id)
    if gig is None or (gig.value.seller_id != seller_id and not gig.value.shows_page):
        raise NotFound("No such gig.")
    request.check_offer(seller_id, gig.value, link is not None, now)
    rel = relationship_store.get_or_new(seller_id, request.buyer_id)
    offer = CustomOffer.send(seller_id=seller_id, gig=gig.value, relationship=rel.value, conversation_id=None,
                             draft=draft, now=now, request_id=request.id)
    uow = runtime.current().unit_of_work()
    offer_store.stage_save(uow, offer_store.new_record(offer), offer)
    deadline_store.stage_set(uow, Deadline(DeadlineKind.CUSTOM_OFFER_EXPIRY, offer.id, offer.id,
                                           offer.expires_at), None)
    request_store.stage_offer_link(uow, request.id, seller_id, offer.id, now)
    request_store.stage_check(uow, record)
    event_store.stage(uow, Event.new(
        "buyer_request.offer_received", stream(request.id), now, Actor.SELLER, seller_id,
        f"New offer on your buyer request: {offer.gig_title}", recipients=(request.buyer_id,),
        notification=NotificationKind.BUYER_REQUEST, data={"request_id": request.id, "offer_id": offer.id}))
    try:
        uow.commit()
    except Conflict:
        if request_store.offer_link(request_id, seller_id) is not None:
            raise Conflict("You already sent an offer on this request.", code="one_offer_per_request",
                           rule="B2") from None
        raise
    return offer


# -- ending (B1, B3) ---------------------------------------------------------------------------------
_SUMMARY = {RequestState.ACCEPTED: "Buyer request closed: an offer was accepted",
            RequestState.CLOSED: "Buyer request closed by the buyer",
            RequestState.EXPIRED: "Buyer request expired"}


def _stage_end(uow: UnitOfWork, record: Rec, ended: BuyerRequest, actor: Actor, actor_id: str | None,
               now: datetime, deadline: Record[Deadline] | None) -> None:
    request_store.stage_save(uow, record, ended)  # version-checked: one ending wins
    request_store.stage_count_ended(uow, ended.buyer_id)
    deadline_store.stage_clear(uow, deadline)
    event_store.stage(uow, Event.new(
        f"buyer_request.{ended.state.value}", stream(ended.id), now, actor, actor_id, _SUMMARY[ended.state],
        recipients=(ended.buyer_id,) if actor is Actor.SYSTEM else (), outbox=True,
        notification=NotificationKind.BUYER_REQUEST,
        data={"request_id": ended.id, "offer_id": ended.accepted_offer_id, "order_id": ended.order_id}))


def _deadline(request_id: str) -> Record[Deadline] | None:
    return deadline_store.get(DeadlineKind.BUYER_REQUEST_EXPIRY, request_id)


def stage_offer_accepted(uow: UnitOfWork, offer: CustomOffer, now: datetime) -> None:
    """B3, inside the custom offer's acceptance: the request closes with it (refused, with its
    rule, when the request is no longer open)."""
    assert offer.request_id and offer.order_id
    record = request_store.get(offer.request_id)
    if record is None:
        raise Conflict("The buyer request of this offer is gone.", code="request_not_open", rule="B3")
    ended = record.value.apply(RequestAction.ACCEPT_OFFER, Actor.BUYER, now, offer_id=offer.id,
                               order_id=offer.order_id)
    _stage_end(uow, record, ended, Actor.BUYER, offer.buyer_id, now, _deadline(record.value.id))


def close(request_id: str, viewer: Viewer, clock: Clock) -> BuyerRequest:
    record, role, _ = _load(request_id, viewer)
    now = clock.now()
    ended = record.value.apply(RequestAction.CLOSE, role, now)
    uow = runtime.current().unit_of_work()
    _stage_end(uow, record, ended, role, viewer.user_id, now, _deadline(request_id))
    uow.commit()
    return ended


def fire_expiry(deadline: Record[Deadline], clock: Clock) -> bool:
    """The sweeper's entry for BUYER_REQUEST_EXPIRY (B1): an open request past its time expires
    (one transaction, version-checked, the deadline deleted); one that ended meanwhile, or is
    gone, only drops the deadline."""
    record = request_store.get(deadline.value.subject)
    now = clock.now()
    uow = runtime.current().unit_of_work()
    if record is None or record.value.id != deadline.value.ref or record.value.state is not RequestState.OPEN:
        deadline_store.drop_stale(uow, deadline)
        return False
    if not record.value.is_expired(now):
        return False
    ended = record.value.apply(RequestAction.EXPIRE, Actor.SYSTEM, now)
    _stage_end(uow, record, ended, Actor.SYSTEM, None, now, deadline)
    uow.commit()
    return True


# -- reactions (B1, B3) ------------------------------------------------------------------------------
def sellers_listed_in(category: str) -> list[str]:
    """Sellers with a listed gig in ``category``: the category's browse listings (one per listed
    gig), read page by page."""
    return sorted({i.seller_id for i in ListingItem.query(f"LISTING#cat:{category}")})


def fan_out(request_id: str) -> int:
    """B1: the request's feed entry for every seller with a listed gig in its category, and a
    notification to them (A3, per their preferences) through ``buyer_request.matched`` events
    with fixed ids (a re-run writes the same entries and no second event). The number of sellers."""
    record = request_store.get(request_id)
    if record is None or record.value.state is not RequestState.OPEN:
        return 0
    request = record.value
    sellers = [s for s in sellers_listed_in(request.category) if s != request.buyer_id]
    request_store.put_feed_entries(sellers, request)
    for n, start in enumerate(range(0, len(sellers), NOTIFY_CHUNK)):
        event = Event(id=f"evt_{request.id}_matched_{n:04d}", kind="buyer_request.matched", stream=stream(request.id),
                      at=request.created_at, actor_role=Actor.SYSTEM, actor_id=None,
                      summary=f"A new buyer request in {request.category}: {excerpt(request.description)}",
                      recipients=tuple(sellers[start:start + NOTIFY_CHUNK]),
                      notification=NotificationKind.BUYER_REQUEST, data={"request_id": request.id})
        uow = runtime.current().unit_of_work()
        uow.save(event_store.to_item(event), condition=EventItem.pk.does_not_exist())
        try:
            uow.commit()
        except Conflict:
            pass  # staged by an earlier run
    return len(sellers)


def wrap_up(request_id: str, clock: Clock) -> int:
    """B3: once a request ended, its other pending offers lapse (each seller told) and its feed
    entries go. Idempotent: lapsed and answered offers are skipped. The number lapsed."""
    from chalicelib.services import custom_offers  # it imports this module

    record = request_store.get(request_id)
    if record is None or record.value.state is RequestState.OPEN:
        return 0
    lapsed = 0
    for offer_id in request_store.offer_ids(request_id):
        if offer_id == record.value.accepted_offer_id:
            continue
        for _ in range(3):  # a concurrent answer: read again; a non-pending offer is left alone
            try:
                lapsed += custom_offers.lapse(offer_id, clock)
                break
            except Conflict:
                logger.info("offer changed while lapsing; reading again", extra={"offer_id": offer_id})
        else:
            raise Conflict("An offer kept changing while lapsing.", code="concurrent_update")
    request_store.delete_feed_entries(request_id)
    return lapsed


ENDED_KINDS = frozenset(f"buyer_request.{s.value}" for s in (RequestState.ACCEPTED, RequestState.CLOSED,
                                                              RequestState.EXPIRED))


class BuyerRequestReactions:
    """The outbox handler for ``buyer_request.*`` (registered in services/reactions.py)."""

    def __call__(self, event: Event, context: Any) -> bool | None:
        request_id = event.data.get("request_id")
        if not request_id:
            return None
        if event.kind == "buyer_request.posted":
            fan_out(request_id)
        elif event.kind in ENDED_KINDS:
            wrap_up(request_id, context.clock)
        return None
