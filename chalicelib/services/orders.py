"""Order use cases (O1–O12, O17, C2–C5, M1, M3). Each loads the order, lets the domain apply one typed
command, and saves in one transaction (``_commit``): the order (version-checked), its timers, its
ledger entries, its event (history + outbox), a delivery, and the seller–buyer relationship when
the order starts, ends or reopens (O17's counts must hold at once). Every payment in the ledger has
its charge through the payment port, taken before the commit and voided if the commit fails.
Everything else that follows an order's event (notifications, and the reactions later features
add) is an outbox reaction, not code here. The sweeper fires timers through ``fire_timer``, which
takes the same path with the ``system`` actor."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from chalicelib.domain.accounts import NotificationKind, User
from chalicelib.domain.audit import AuditAction, ObjectKind
from chalicelib.domain.audit import record as audit_entry
from chalicelib.domain.clock import Clock
from chalicelib.domain.deadlines import Deadline
from chalicelib.domain.errors import Conflict, NotFound
from chalicelib.domain.events import Actor, Event
from chalicelib.domain.files import Purpose
from chalicelib.domain.gigs import Gig
from chalicelib.domain.messaging import Message, Thread
from chalicelib.domain.orders import (
    FINISHED,
    OFFER_KINDS,
    Accept,
    AcceptRequest,
    CancelLate,
    ChangeOffer,
    DeclineRequest,
    Deliver,
    OpenResolutionRequest,
    OperatorCancel,
    Order,
    OrderCommand,
    OrderLine,
    OrderState,
    Outcome,
    RequestKind,
    RequestRevision,
    SendProgressUpdate,
    StartNextMilestone,
    Stop,
    SubmitRequirements,
    Terms,
    WithdrawRequest,
    payments_in,
    settled_in,
)
from chalicelib.domain.preconditions import IfMatch, Versioned
from chalicelib.domain.pricing import Selection, gig_terms, order_lines, price_extras
from chalicelib.domain.relationships import Relationship
from chalicelib.domain.requirements import Answer
from chalicelib.services import files, messaging, runtime
from chalicelib.services.viewer import Viewer  # noqa: F401  (callers name it from here too)
from chalicelib.store import audit as audit_store
from chalicelib.store import events as event_store
from chalicelib.store import gigs as gig_store
from chalicelib.store import orders as order_store
from chalicelib.store import relationships as relationship_store
from chalicelib.store import users as user_store
from chalicelib.store.models import GigItem, RelationshipItem, UserItem
from chalicelib.store.orders import OrderRecord
from chalicelib.store.records import Record
from chalicelib.store.unit_of_work import UnitOfWork


@dataclass
class OrderView:
    order: Order
    role: Actor  # how the viewer sees it
    history: list[Event]


def _role(order: Order, viewer: Viewer) -> Actor:
    """The viewer's part in the order; anyone else gets the same 404 as for a missing order."""
    role = order.role_of(viewer.user_id)
    if role is not None:
        return role
    if viewer.is_operator:
        return Actor.OPERATOR
    raise NotFound("No such order.")


def _load(order_id: str, viewer: Viewer) -> tuple[OrderRecord, Actor]:
    record = order_store.get(order_id)
    if record is None:
        raise NotFound("No such order.")
    return record, _role(record.value, viewer)


def _unit_of_work() -> UnitOfWork:
    return runtime.current().unit_of_work()


def _stage_outcome(uow: UnitOfWork, record: OrderRecord, outcome: Outcome) -> None:
    order = record.value
    order_store.stage_save(uow, record)
    order_store.stage_ledger(uow, order, outcome.ledger)
    if outcome.event is not None:
        event_store.stage(uow, outcome.event)
    if outcome.delivery is not None:
        order_store.stage_delivery(uow, order.id, outcome.delivery)
    ended = outcome.previous not in FINISHED and order.state in FINISHED
    reopened = outcome.previous is OrderState.COMPLETED and order.state not in FINISHED
    settled = settled_in(outcome.ledger)
    if ended or reopened or settled:  # O17/O19: the pair's counts move with the order, in its transaction
        rel = relationship_store.get_or_new(order.seller_id, order.buyer_id)
        now = outcome.event.at if outcome.event else order.updated_at
        assert now is not None
        if ended:
            rel.value.order_ended(order.counts_as_completed, settled, now)
        elif reopened:
            rel.value.order_reopened(now)
        else:  # C5: a milestone approved on an order that goes on
            rel.value.milestone_settled(settled, now)
        relationship_store.stage_save(uow, rel)


def _commit(uow: UnitOfWork, order: Order, outcome: Outcome) -> None:
    """Commits the use case. What the outcome asks the buyer to pay (placement O1, accepted offers
    O10/O12) is charged first and voided if the commit fails: no ledger payment without its
    charge, no charge without its ledger payment."""
    amount = payments_in(outcome.ledger)
    if not amount:
        uow.commit()
        return
    port = runtime.current().payments
    charge = port.charge(order_id=order.id, buyer_id=order.buyer_id, amount=amount)
    try:
        uow.commit()
    except Exception:
        port.void(charge)  # nothing was recorded: the buyer is not charged
        raise


def _transition(record: OrderRecord, role: Actor, actor_id: str | None, command: OrderCommand,
                clock: Clock, uow: UnitOfWork | None = None) -> Order:
    outcome = record.value.apply(command, role, actor_id, clock.now())
    uow = uow or _unit_of_work()
    _stage_outcome(uow, record, outcome)
    _commit(uow, record.value, outcome)
    return record.value


def _act(order_id: str, viewer: Viewer, command: OrderCommand, clock: Clock) -> Order:
    record, role = _load(order_id, viewer)
    return _transition(record, role, viewer.user_id, command, clock)


# -- placing (O1, O2, A4, G10) -------------------------------------------------------------------
def place(buyer_id: str, gig_id: str, selection: Selection, clock: Clock) -> Order:
    now = clock.now()
    gig = gig_store.get(gig_id)
    if gig is None or not (gig.value.is_listed or gig.value.seller_id == buyer_id):
        raise NotFound("No such gig.")
    seller = user_store.get(gig.value.seller_id)
    if seller is None:
        raise NotFound("No such gig.")
    rel = relationship_store.get_or_new(gig.value.seller_id, buyer_id)
    terms = gig_terms(gig.value, selection)
    uow = _unit_of_work()
    order, outcome = stage_placement(uow, gig=gig, seller=seller, relationship=rel, buyer_id=buyer_id,
                                     terms=terms, now=now)
    commit_placement(uow, order, outcome)
    return order


def stage_placement(uow: UnitOfWork, *, gig: Record[Gig, GigItem], seller: Record[User, UserItem],
                    relationship: Record[Relationship, RelationshipItem], buyer_id: str, terms: Terms,
                    now: datetime) -> tuple[Order, Outcome]:
    """Places an order on ``terms`` into the caller's unit of work (a gig selection, an accepted
    custom offer C1): every O2 check (blocks, availability A4, a published gig, not one's own),
    the order, its ledger payment and event, and the pair's counts; the gig and the seller's
    availability are checked unchanged at commit. Commit with ``commit_placement``."""
    if gig.value.seller_id != buyer_id and seller.value.standing.restricted(now) is not None:
        raise Conflict("The seller's account is suspended and takes no orders.", code="seller_suspended",
                       rule="W1")
    order, outcome = Order.place(gig=gig.value, terms=terms, buyer_id=buyer_id,
                                 seller_available=seller.value.is_available(now), relationship=relationship.value,
                                 now=now)
    relationship.value.order_placed(now)
    record = order_store.new_record(order)
    _stage_outcome(uow, record, outcome)
    relationship_store.stage_save(uow, relationship)  # version-checked: a block that slipped in fails this
    # What was priced and checked must still hold at commit: the gig and the seller's availability.
    uow.check(gig.item, GigItem.version == gig.item.version)
    uow.check(seller.item, UserItem.version == seller.item.version)
    return order, outcome


def commit_placement(uow: UnitOfWork, order: Order, outcome: Outcome) -> None:
    """Charges the placement through the payment port, commits, and voids the charge if the
    commit fails (``_commit``)."""
    _commit(uow, order, outcome)


# -- reading -------------------------------------------------------------------------------------
def view(order_id: str, viewer: Viewer) -> OrderView:
    record, role = _load(order_id, viewer)
    return OrderView(record.value, role, event_store.history(f"order:{order_id}"))


def list_mine(user_id: str, as_seller: bool, state: OrderState | None, limit: int,
              cursor: str | None) -> tuple[list[Order], str | None]:
    return order_store.page_of(user_id, as_seller, state, limit, cursor)


def deliveries(order_id: str, viewer: Viewer, limit: int, cursor: str | None):
    _load(order_id, viewer)
    return order_store.deliveries(order_id, limit, cursor)


def ledger(order_id: str, viewer: Viewer) -> list[dict]:
    _load(order_id, viewer)
    return order_store.ledger_of(order_id)


# -- the buyer -----------------------------------------------------------------------------------
def submit_requirements(order_id: str, viewer: Viewer, answers: Sequence[Answer], clock: Clock) -> Order:
    """O3; files answering file questions are the buyer's requirement uploads, attached to the
    order in the same transaction (F1)."""
    record, role = _load(order_id, viewer)
    uow = _unit_of_work()
    file_ids = [f for answer in answers for f in answer.files]
    clean: frozenset[str] = frozenset()
    if file_ids and role is Actor.BUYER:
        refs = files.stage_attach(uow, file_ids, viewer.user_id, Purpose.REQUIREMENT_ANSWER, f"order:{order_id}",
                                  path="answers.files")
        clean = frozenset(ref.id for ref in refs if ref.clean)
    return _transition(record, role, viewer.user_id, SubmitRequirements(tuple(answers), clean), clock, uow)


def accept(order_id: str, viewer: Viewer, clock: Clock) -> Order:
    return _act(order_id, viewer, Accept(), clock)


def request_revision(order_id: str, viewer: Viewer, message: str, clock: Clock) -> Order:
    return _act(order_id, viewer, RequestRevision(message), clock)


def cancel_late(order_id: str, viewer: Viewer, reason: str | None, clock: Clock) -> Order:
    return _act(order_id, viewer, CancelLate(reason or ""), clock)


# -- milestones (C2–C4) ----------------------------------------------------------------------------
def start_next_milestone(order_id: str, viewer: Viewer, clock: Clock) -> Order:
    """C2: the buyer pays the next milestone (charged through the payment port in ``_commit``, voided
    if the commit fails) and it starts."""
    return _act(order_id, viewer, StartNextMilestone(), clock)


def stop(order_id: str, viewer: Viewer, reason: str | None, clock: Clock) -> Order:
    """C4: the buyer stops after an approved milestone; the order completes, the rest never starts."""
    return _act(order_id, viewer, Stop(reason or ""), clock)


# -- the seller ----------------------------------------------------------------------------------
DRAFT, NOTE = "DRAFT", "NOTE"


def _seller_only(order_id: str, viewer: Viewer) -> OrderRecord:
    record, role = _load(order_id, Viewer(viewer.user_id))  # operators do not see seller documents
    if role is not Actor.SELLER:
        raise NotFound("No such order.")  # the buyer never learns a draft or a note exists (O4)
    return record


def get_doc(order_id: str, viewer: Viewer, name: str) -> Versioned[dict] | None:
    _seller_only(order_id, viewer)
    item = order_store.get_doc(order_id, name)
    return Versioned(item.data, int(item.version)) if item else None


def put_doc(order_id: str, viewer: Viewer, name: str, data: dict, if_match: IfMatch) -> Versioned[dict]:
    """Replaces the draft or note: conditioned on If-Match (a stale copy never overwrites a newer
    one, 412) and on the version read (a racing write makes this a 409)."""
    _seller_only(order_id, viewer)
    existing = order_store.get_doc(order_id, name)
    if_match.check(int(existing.version) if existing else None)
    item = existing or order_store.new_doc(order_id, name)
    item.data = data
    uow = _unit_of_work()
    uow.save(item)
    uow.commit()
    return Versioned(data, int(item.version))


def delete_doc(order_id: str, viewer: Viewer, name: str, if_match: IfMatch) -> None:
    _seller_only(order_id, viewer)
    item = order_store.get_doc(order_id, name)
    if item is None:
        raise NotFound("Nothing saved.")
    if_match.check(int(item.version))
    uow = _unit_of_work()
    uow.delete(item)
    uow.commit()


def deliver(order_id: str, viewer: Viewer, message: str | None, file_ids: Sequence[str], from_draft: bool,
            clock: Clock) -> Order:
    """O6: a delivery with a message and/or files, or the saved draft (which it then clears)."""
    record, role = _load(order_id, viewer)
    draft = order_store.get_doc(order_id, DRAFT) if from_draft and role is Actor.SELLER else None
    if from_draft:
        if draft is None:
            raise Conflict("There is no saved draft to deliver.", code="no_draft", rule="O6")
        message, file_ids = draft.data.get("message"), draft.data.get("files", [])
    uow = _unit_of_work()
    refs = []
    if file_ids and role is Actor.SELLER:
        refs = files.stage_attach(uow, list(file_ids), viewer.user_id, Purpose.DELIVERY, f"order:{order_id}")
    if from_draft and draft is not None:
        uow.delete(draft)
    # O6 + F1: blocked or still unscanned files do not make a delivery non-empty.
    command = Deliver(message or "", tuple(file_ids), usable_files=sum(1 for r in refs if r.clean))
    return _transition(record, role, viewer.user_id, command, clock, uow)


def send_progress_update(order_id: str, viewer: Viewer, message: str, clock: Clock) -> Order:
    return _act(order_id, viewer, SendProgressUpdate(message), clock)


# -- resolution center (O10–O12) -----------------------------------------------------------------
@dataclass(frozen=True)
class CustomLine:
    description: str
    price: int
    quantity: int = 1


def open_request(order_id: str, viewer: Viewer, kind: RequestKind, clock: Clock, *, reason: str = "",
                 days: int = 0, extra_revisions: int = 0, gig_extras: Sequence[tuple[str, int]] = (),
                 custom: Sequence[CustomLine] = (), added_days: int = 0, added_revisions: int = 0) -> Order:
    record, role = _load(order_id, viewer)
    order = record.value
    offer = None
    if kind in OFFER_KINDS:
        lines = [OrderLine("offer", c.description, c.price, c.quantity, c.price * c.quantity) for c in custom]
        days_from_gig = revisions_from_gig = 0
        if gig_extras or extra_revisions:
            gig = gig_store.get(order.gig_id)
            if gig is None:
                raise Conflict("The gig of this order is gone; offer custom extras instead.", code="gig_gone")
            quote = price_extras(gig.value, extra_revisions, tuple(gig_extras))
            lines = [*order_lines(quote.lines), *lines]
            days_from_gig, revisions_from_gig = quote.added_days, quote.added_revisions
        offer = ChangeOffer(tuple(lines), added_days + days_from_gig, added_revisions + revisions_from_gig)
    command = OpenResolutionRequest(kind, reason=reason, days=days, offer=offer)
    return _transition(record, role, viewer.user_id, command, clock)


def answer_request(order_id: str, viewer: Viewer, request_id: str, accept_it: bool, clock: Clock) -> Order:
    command = AcceptRequest(request_id) if accept_it else DeclineRequest(request_id)
    return _act(order_id, viewer, command, clock)


def withdraw_request(order_id: str, viewer: Viewer, request_id: str, clock: Clock) -> Order:
    return _act(order_id, viewer, WithdrawRequest(request_id), clock)


# -- operators -----------------------------------------------------------------------------------
def operator_cancel(order_id: str, operator_id: str, reason: str, seller_at_fault: bool, clock: Clock) -> Order:
    record = order_store.get(order_id)
    if record is None:
        raise NotFound("No such order.")
    uow = _unit_of_work()  # the audit entry commits with the cancellation, or neither does (W1)
    audit_store.stage(uow, audit_entry(operator_id, AuditAction.ORDER_CANCELLED, ObjectKind.ORDER, order_id,
                                       reason, clock, {"seller_at_fault": str(seller_at_fault).lower()}))
    return _transition(record, Actor.OPERATOR, operator_id, OperatorCancel(reason, seller_at_fault), clock, uow)


# -- timers ------------------------------------------------------------------------------------
def fire_timer(deadline: Record[Deadline], clock: Clock) -> bool:
    """The sweeper's entry for order timers. Does nothing (False) when the order no longer runs this
    timer with this token; otherwise applies the timer's action as the system, version-checked,
    so a doubled or late fire changes nothing twice (the loser gets a Conflict)."""
    record = order_store.get(deadline.value.subject)
    if record is None:
        return False
    outcome = record.value.fire(deadline.value.kind, deadline.value.ref, clock.now())
    if outcome is None:
        return False
    uow = _unit_of_work()
    _stage_outcome(uow, record, outcome)
    _commit(uow, record.value, outcome)
    return True


# -- the order's conversation (O4, O5) --------------------------------------------------------------
def may_see_thread(order_id: str, user_id: str) -> bool:
    record = order_store.get(order_id)
    return record is not None and record.value.role_of(user_id) is not None



def post_message(order_id: str, viewer: Viewer, text: str, attachment_ids: Sequence[str], call_link: str | None,
                 clock: Clock) -> Message:
    """O5: the two parties of an order may always write to each other in its conversation (the
    order exists); anyone else gets a 404. The message and its event go in one transaction."""
    record, role = _load(order_id, Viewer(viewer.user_id))
    order = record.value
    if role is Actor.BUYER:  # O17: a blocked buyer writes to the seller nowhere, past orders included
        rel = relationship_store.get(order.seller_id, order.buyer_id)
        if rel is not None:
            rel.value.ensure_buyer_may_write()
    other = order.seller_id if role is Actor.BUYER else order.buyer_id
    uow = _unit_of_work()
    message = messaging.stage_message(uow, Thread.order(order_id), viewer.user_id, role, (other,), text,
                                      attachment_ids, clock.now(), NotificationKind.ORDER_MESSAGE, call_link)
    uow.commit()
    return message


def messages(order_id: str, viewer: Viewer, limit: int, cursor: str | None) -> tuple[list[Message], str | None]:
    _load(order_id, viewer)  # the parties and operators read it
    return messaging.list_thread(Thread.order(order_id), limit, cursor)


# -- earnings (M1) -------------------------------------------------------------------------------
def earnings(seller_id: str, limit: int, cursor: str | None) -> tuple[dict, list[dict], str | None]:
    totals = order_store.earnings_totals(seller_id)
    summary = {"earned": int(totals.earned) if totals else 0,
               "settlements": int(totals.settlements) if totals else 0}
    entries, next_cursor = order_store.earnings_page(seller_id, limit, cursor)
    return summary, entries, next_cursor
