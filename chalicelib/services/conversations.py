"""Inbox conversations between a seller and a buyer (O5, O17, A4, W2): write (starting the pair's
conversation or continuing it), list one's inbox, read, mark read. One conversation per pair; its
id is kept on the pair's relationship (O19 shows it on the contact card).

Every write is one transaction: the message and its event (``services.messaging``), the
conversation with both inbox entries, and the relationship (saved when the buyer writes first or
the conversation opens, otherwise checked unchanged, so a block cannot slip in meanwhile).

Two messages to one conversation in the same instant both land: a write that loses the race on
the conversation's version reads everything again and writes once more (each attempt checks every
rule afresh, so a block or an away period that landed meanwhile still refuses), and each message
takes the conversation's next number, which orders messages of one instant."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from chalicelib.domain.accounts import NotificationKind, User
from chalicelib.domain.clock import Clock
from chalicelib.domain.errors import Conflict, Contended, NotFound
from chalicelib.domain.events import Actor
from chalicelib.domain.ids import new_id
from chalicelib.domain.messaging import (
    TEXT,
    Conversation,
    Message,
    Thread,
    conversation_parties,
    ensure_buyer_may_write,
    ensure_seller_may_write,
)
from chalicelib.services import messaging, runtime
from chalicelib.store import conversations as conversation_store
from chalicelib.store import relationships as relationship_store
from chalicelib.store import users as user_store
from chalicelib.store.records import Record
from chalicelib.store.unit_of_work import UnitOfWork

# [decision] how often a write that lost the race to another write in the same conversation is
# tried again before the caller gets the 409: each retry follows a write that succeeded.
WRITE_ATTEMPTS = 5
CONCURRENT_UPDATE = "concurrent_update"  # the code UnitOfWork gives a failed condition


@dataclass(frozen=True)
class Special:
    """A message of another kind than text (C1: a custom offer, a request for one), and what its
    owner stages with it in the same transaction (``stage(uow, conversation_id, now)``, once per
    attempt)."""

    kind: str
    offer_id: str | None = None
    gig_id: str | None = None
    stage: Callable[[UnitOfWork, str, datetime], None] | None = None


def write_to(sender_id: str, seller_id: str | None, buyer_id: str | None, text: str,
             attachment_ids: list[str], call_link: str | None, clock: Clock,
             special: Special | None = None) -> tuple[Conversation, Message]:
    """A buyer writes to a seller (``seller_id``) or a seller to a buyer (``buyer_id``), in the
    pair's conversation, which the first message opens."""
    seller_id, buyer_id, role = conversation_parties(sender_id, seller_id, buyer_id)
    return _write(sender_id, role, seller_id, buyer_id, text, attachment_ids, call_link, clock, special=special)


def write_in(conversation_id: str, sender_id: str, text: str, attachment_ids: list[str],
             call_link: str | None, clock: Clock, special: Special | None = None) -> tuple[Conversation, Message]:
    record = _visible(conversation_id, sender_id)
    conversation = record.value
    role = conversation.role_of(sender_id)
    assert role is not None
    return _write(sender_id, role, conversation.seller_id, conversation.buyer_id, text, attachment_ids,
                  call_link, clock, record, special)


def _write(sender_id: str, role: Actor, seller_id: str, buyer_id: str, text: str, attachment_ids: list[str],
           call_link: str | None, clock: Clock,
           existing: Record[Conversation] | None = None,
           special: Special | None = None) -> tuple[Conversation, Message]:
    now = clock.now()
    for attempt in range(1, WRITE_ATTEMPTS + 1):
        try:
            return _write_once(sender_id, role, seller_id, buyer_id, text, attachment_ids, call_link, now,
                               existing, special)
        except Conflict as exc:
            if not (exc.code == CONCURRENT_UPDATE or isinstance(exc, Contended)) or attempt == WRITE_ATTEMPTS:
                raise
            # Another write landed first (or held an item at that moment): read the conversation
            # (or, for a first message, the relationship that now names it) again.
            if existing is not None:
                existing = conversation_store.get(existing.value.id)
    raise AssertionError("unreachable")


def _write_once(sender_id: str, role: Actor, seller_id: str, buyer_id: str, text: str,
                attachment_ids: list[str], call_link: str | None, now: datetime,
                existing: Record[Conversation] | None,
                special: Special | None = None) -> tuple[Conversation, Message]:
    if role == Actor.BUYER:
        seller = user_store.get(seller_id)
        if seller is None or not seller.value.is_seller:
            raise NotFound("No such seller.")
        relationship = relationship_store.get_or_new(seller_id, buyer_id)
        ensure_buyer_may_write(relationship.value, seller.value, now)  # O17, A4
    else:
        found = relationship_store.get(seller_id, buyer_id)
        ensure_seller_may_write(found.value if found else None)  # O5
        assert found is not None
        relationship = found
    rel = relationship.value
    if existing is None and rel.conversation_id:
        existing = conversation_store.get(rel.conversation_id)
    thread = existing.value.thread if existing else Thread.conversation(new_id("conv"))

    uow = runtime.current().unit_of_work()
    recipient = buyer_id if role == Actor.SELLER else seller_id
    message = messaging.stage_message(uow, thread, sender_id, role, [recipient], text, attachment_ids, now,
                                      NotificationKind.INBOX_MESSAGE, call_link,
                                      seq=existing.value.next_seq if existing else 1,
                                      kind=special.kind if special else TEXT,
                                      offer_id=special.offer_id if special else None,
                                      gig_id=special.gig_id if special else None)
    if special and special.stage:
        special.stage(uow, Thread.parse(message.thread).id, now)
    changed = False
    if existing:
        record, conversation = existing, existing.value.with_message(message)
    else:
        conversation = Conversation.start(seller_id, buyer_id, message)
        record = conversation_store.new_record(conversation)
        rel.conversation_opened(conversation.id, now)
        changed = True
    if role == Actor.BUYER and not rel.buyer_wrote_first:
        rel.buyer_wrote(now)  # O5: from now on the seller may write
        changed = True
    if changed:
        relationship_store.stage_save(uow, relationship)
    else:
        relationship_store.stage_check(uow, relationship)
    conversation_store.stage_save(uow, record, conversation)
    uow.commit()
    return conversation, message


def _visible(conversation_id: str, user_id: str) -> Record[Conversation]:
    record = conversation_store.get(conversation_id)
    if record is None or record.value.role_of(user_id) is None:
        raise NotFound("No such conversation.")
    return record


def get(conversation_id: str, user_id: str) -> Conversation:
    return _visible(conversation_id, user_id).value


def inbox(user_id: str, limit: int, cursor: str | None) -> tuple[list[Conversation], str | None]:
    """The caller's conversations, on either side, most recent message first."""
    return conversation_store.inbox_page(user_id, limit, cursor)


def away_sellers(conversations: list[Conversation], user_id: str, now: datetime) -> dict[str, User]:
    """A4: the sellers on the other side of ``user_id``'s conversations who are away now, by id,
    so the inbox and the conversation page show their away notice. Read only where the caller is
    the buyer (a seller's own inbox costs nothing more): one BatchGetItem for a page."""
    seller_ids = [c.seller_id for c in conversations if c.buyer_id == user_id]
    return {i: u for i, u in user_store.get_many(seller_ids).items() if u.is_seller and not u.is_available(now)}


def messages(conversation_id: str, user_id: str, limit: int, cursor: str | None) -> tuple[list[Message], str | None]:
    conversation = _visible(conversation_id, user_id).value
    return messaging.list_thread(conversation.thread, limit, cursor)


def mark_read(conversation_id: str, user_id: str) -> Conversation:
    record = _visible(conversation_id, user_id)
    if record.value.unread_for(user_id) == 0:
        return record.value
    uow = runtime.current().unit_of_work()
    conversation_store.stage_save(uow, record, record.value.read_by(user_id))
    uow.commit()
    return record.value


def may_see(conversation_id: str, user_id: str) -> bool:
    """Who may see a conversation: its two parties (registered by chalicelib/root.py)."""
    record = conversation_store.get(conversation_id)
    return record is not None and record.value.role_of(user_id) is not None

