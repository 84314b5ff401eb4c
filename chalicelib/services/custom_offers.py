"""Custom offers (C1, O2, O5, A4, W2): send in a conversation the buyer opened, read, accept (the
order is placed in the offer's transaction), decline, withdraw, expire by the sweeper; and a
buyer's request for an offer from a gig page.

Each use case is one transaction. Sending stages the offer, its expiry deadline and its message
(kind ``custom_offer``) in the conversation's write (``conversations.write_in``). Every answer
saves the offer conditioned on the version read and deletes its deadline, so of accept, decline,
withdraw and expiry exactly one commits; the loser gets a 409 (the timer: nothing). Accepting
stages the order through ``orders.stage_placement`` into the same unit of work and commits through
``orders.commit_placement`` (the payment port charges the offer's total and voids it if the commit
fails): never two orders from one offer. The conversation shows the result through the offer the
``custom_offer`` message names (its state), and each answer is an event in the conversation's
stream that notifies the other party (an offer on a buyer request, B2: the request's stream).
Accepting an offer on a buyer request also closes the request in the same transaction (B3,
``buyer_requests.stage_offer_accepted``), so of two offers accepted at once on one request
exactly one places an order."""
from __future__ import annotations

from datetime import datetime

from chalicelib.domain.accounts import NotificationKind
from chalicelib.domain.clock import Clock
from chalicelib.domain.custom_offers import (
    CustomOffer,
    OfferAction,
    OfferDraft,
    OfferState,
    check_offer_request_text,
)
from chalicelib.domain.deadlines import Deadline, DeadlineKind
from chalicelib.domain.errors import Conflict, Forbidden, NotFound
from chalicelib.domain.events import Actor, Event
from chalicelib.domain.messaging import CUSTOM_OFFER, OFFER_REQUEST, Message, Thread
from chalicelib.domain.orders import Order
from chalicelib.services import buyer_requests, conversations, orders, runtime
from chalicelib.services.conversations import Special
from chalicelib.services.viewer import Viewer
from chalicelib.store import custom_offers as offer_store
from chalicelib.store import deadlines as deadline_store
from chalicelib.store import events as event_store
from chalicelib.store import gigs as gig_store
from chalicelib.store import relationships as relationship_store
from chalicelib.store import users as user_store
from chalicelib.store.custom_offers import CustomOfferItem
from chalicelib.store.records import Record
from chalicelib.store.unit_of_work import UnitOfWork

OfferRecord = Record[CustomOffer, CustomOfferItem]


def _load(offer_id: str, viewer: Viewer) -> tuple[OfferRecord, Actor]:
    """The offer and the viewer's part in it; anyone else gets the 404 of a missing offer."""
    record = offer_store.get(offer_id)
    if record is None:
        raise NotFound("No such offer.")
    role = record.value.role_of(viewer.user_id)
    if role is None:
        if not viewer.is_operator:
            raise NotFound("No such offer.")
        role = Actor.OPERATOR
    return record, role


# -- sending (C1, O5) -----------------------------------------------------------------------------
def send(conversation_id: str, seller_id: str, draft: OfferDraft, clock: Clock) -> tuple[CustomOffer, Message]:
    now = clock.now()
    conversation = conversations.get(conversation_id, seller_id)  # 404 for anyone not in it
    if conversation.role_of(seller_id) is not Actor.SELLER:
        raise Forbidden("Only the seller sends a custom offer.", code="sellers_only", rule="C1")
    gig = gig_store.get(draft.gig_id)
    if gig is None or (gig.value.seller_id != seller_id and not gig.value.shows_page):
        raise NotFound("No such gig.")
    rel = relationship_store.get(seller_id, conversation.buyer_id)
    if rel is None:  # O5: the buyer never wrote (the conversation would not exist)
        raise Forbidden("A seller sends an offer only in a conversation the buyer opened.",
                        code="buyer_must_write_first", rule="O5")
    offer = CustomOffer.send(seller_id=seller_id, gig=gig.value, relationship=rel.value,
                             conversation_id=conversation.id, draft=draft, now=now)

    def stage(uow: UnitOfWork, _conversation_id: str, _now: datetime) -> None:
        offer_store.stage_save(uow, offer_store.new_record(offer), offer)
        deadline_store.stage_set(uow, Deadline(DeadlineKind.CUSTOM_OFFER_EXPIRY, offer.id, offer.id,
                                               offer.expires_at), None)

    _, message = conversations.write_in(conversation_id, seller_id, offer.description, [], None, clock,
                                        Special(CUSTOM_OFFER, offer_id=offer.id, gig_id=offer.gig_id, stage=stage))
    return offer, message


def request_offer(buyer_id: str, gig_id: str, text: str, clock: Clock) -> Message:
    """C1: a buyer asks the gig's seller for a custom offer: a message of kind ``offer_request`` in
    the pair's conversation, which it opens like any first message (O17, A4, W2 apply)."""
    gig = gig_store.get(gig_id)
    if gig is None or not gig.value.shows_page:
        raise NotFound("No such gig.")
    if gig.value.seller_id == buyer_id:
        raise Forbidden("You cannot ask yourself for an offer.", code="own_gig", rule="C1")
    check_offer_request_text(text)
    _, message = conversations.write_to(buyer_id, gig.value.seller_id, None, text, [], None, clock,
                                        Special(OFFER_REQUEST, gig_id=gig_id))
    return message


# -- reading -----------------------------------------------------------------------------------
def view(offer_id: str, viewer: Viewer) -> tuple[CustomOffer, Actor]:
    record, role = _load(offer_id, viewer)
    return record.value, role


def list_mine(user_id: str, as_seller: bool, state: OfferState | None, limit: int,
              cursor: str | None) -> tuple[list[CustomOffer], str | None]:
    return offer_store.page_of(user_id, as_seller, state, limit, cursor)


# -- answering (C1) ------------------------------------------------------------------------------
_SUMMARY = {OfferState.ACCEPTED: "Custom offer accepted", OfferState.DECLINED: "Custom offer declined",
            OfferState.WITHDRAWN: "Custom offer withdrawn", OfferState.EXPIRED: "Custom offer expired",
            OfferState.LAPSED: "Custom offer lapsed: the buyer request is no longer open"}


def _stream(offer: CustomOffer) -> str:
    """The conversation's stream; an offer on a buyer request (B2) has none: the request's."""
    if offer.conversation_id is None:
        return f"buyer_request:{offer.request_id}"
    return str(Thread.conversation(offer.conversation_id))


def _stage_answer(uow: UnitOfWork, record: OfferRecord, offer: CustomOffer, actor: Actor, actor_id: str | None,
                  now: datetime, deadline: Record[Deadline] | None) -> None:
    offer_store.stage_save(uow, record, offer)  # version-checked: one answer wins
    deadline_store.stage_clear(uow, deadline)
    recipients = tuple(r for r in (offer.seller_id, offer.buyer_id) if r != actor_id)
    if offer.state is OfferState.LAPSED:  # B3: the seller is told; the buyer ended the request themself
        recipients = (offer.seller_id,)
    kind = NotificationKind.BUYER_REQUEST if offer.request_id else NotificationKind.INBOX_MESSAGE
    event_store.stage(uow, Event.new(
        f"custom_offer.{offer.state.value}", _stream(offer), now, actor, actor_id,
        _SUMMARY[offer.state], recipients=recipients, notification=kind,
        data={"offer_id": offer.id, "order_id": offer.order_id, "reason": offer.decline_reason,
              "request_id": offer.request_id}))


def _deadline(offer_id: str) -> Record[Deadline] | None:
    return deadline_store.get(DeadlineKind.CUSTOM_OFFER_EXPIRY, offer_id)


def _answer(offer_id: str, viewer: Viewer, action: OfferAction, clock: Clock, reason: str | None = None) -> CustomOffer:
    record, role = _load(offer_id, viewer)
    now = clock.now()
    offer = record.value.apply(action, role, now, reason=reason)
    uow = runtime.current().unit_of_work()
    _stage_answer(uow, record, offer, role, viewer.user_id, now, _deadline(offer_id))
    uow.commit()
    return offer


def decline(offer_id: str, viewer: Viewer, reason: str | None, clock: Clock) -> CustomOffer:
    return _answer(offer_id, viewer, OfferAction.DECLINE, clock, reason)


def withdraw(offer_id: str, viewer: Viewer, clock: Clock) -> CustomOffer:
    return _answer(offer_id, viewer, OfferAction.WITHDRAW, clock)


def accept(offer_id: str, viewer: Viewer, clock: Clock) -> tuple[CustomOffer, Order]:
    """C1 + O2: the buyer accepts; the order is placed on the offer's terms in the same transaction
    as the offer's change, and the payment port charges the offer's total."""
    record, role = _load(offer_id, viewer)
    now = clock.now()
    pending = record.value
    if role is Actor.BUYER and pending.state is OfferState.PENDING and not pending.is_expired(now):
        gig = gig_store.get(pending.gig_id)
        seller = user_store.get(pending.seller_id)
        if gig is None or seller is None:
            raise Conflict("The gig of this offer is no longer open to orders.", code="gig_not_published",
                           rule="O2")
        rel = relationship_store.get_or_new(pending.seller_id, pending.buyer_id)
        uow = runtime.current().unit_of_work()
        order, outcome = orders.stage_placement(uow, gig=gig, seller=seller, relationship=rel,
                                                buyer_id=pending.buyer_id, terms=pending.terms(), now=now)
        offer = pending.apply(OfferAction.ACCEPT, role, now, order_id=order.id)
        _stage_answer(uow, record, offer, role, viewer.user_id, now, _deadline(offer_id))
        if offer.request_id:  # B3: the request closes with the acceptance, version-checked
            buyer_requests.stage_offer_accepted(uow, offer, now)
        orders.commit_placement(uow, order, outcome)
        return offer, order
    pending.apply(OfferAction.ACCEPT, role, now, order_id="-")  # raises the refusal with its rule
    raise AssertionError("unreachable")


# -- the timer (C1) --------------------------------------------------------------------------------
def fire_expiry(deadline: Record[Deadline], clock: Clock) -> bool:
    """The sweeper's entry for CUSTOM_OFFER_EXPIRY: a pending offer past its expiry expires (one
    transaction, version-checked, the deadline deleted); an offer answered meanwhile, or gone, only
    drops the deadline."""
    record = offer_store.get(deadline.value.subject)
    now = clock.now()
    uow = runtime.current().unit_of_work()
    if record is None or record.value.id != deadline.value.ref or record.value.state is not OfferState.PENDING:
        deadline_store.drop_stale(uow, deadline)
        return False
    if not record.value.is_expired(now):
        return False
    offer = record.value.apply(OfferAction.EXPIRE, Actor.SYSTEM, now)
    _stage_answer(uow, record, offer, Actor.SYSTEM, None, now, deadline)
    uow.commit()
    return True


def lapse(offer_id: str, clock: Clock) -> bool:
    """B3: a pending offer on a buyer request that closed, expired or took another offer lapses
    (the system; the seller is told). False when the offer is no longer pending (nothing to do)."""
    record = offer_store.get(offer_id)
    if record is None or record.value.state is not OfferState.PENDING:
        return False
    now = clock.now()
    offer = record.value.apply(OfferAction.LAPSE, Actor.SYSTEM, now)
    uow = runtime.current().unit_of_work()
    _stage_answer(uow, record, offer, Actor.SYSTEM, None, now, _deadline(offer_id))
    uow.commit()
    return True


def may_see(offer_id: str, user_id: str) -> bool:
    record = offer_store.get(offer_id)
    return record is not None and record.value.role_of(user_id) is not None
