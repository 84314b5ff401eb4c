"""Inbox conversations: the aggregate (``CONVERSATION#<id>`` / ``CONVERSATION``) and, for each of
its two participants, an inbox entry (``CONVERSATION#<id>`` / ``INBOX#<user id>``) rewritten with
it, listed through ``gsi1`` (``INBOX#<user id>`` / ``<last message at>#<id>``), newest first.
A user's inbox is therefore one Query whatever side of the conversation they are on."""
from __future__ import annotations

from pynamodb.attributes import JSONAttribute, VersionAttribute

from chalicelib.domain.clock import iso
from chalicelib.domain.codec import from_primitive, to_primitive
from chalicelib.domain.messaging import Conversation
from chalicelib.store import cursors
from chalicelib.store.records import Record
from chalicelib.store.table import TableItem
from chalicelib.store.unit_of_work import UnitOfWork


class ConversationItem(TableItem, discriminator="conversation"):
    version = VersionAttribute()
    data = JSONAttribute()


class InboxEntryItem(TableItem, discriminator="inbox_entry"):
    """A projection of the conversation for one participant; rewritten with it, so no version."""

    data = JSONAttribute()


def _key(conversation_id: str) -> tuple[str, str]:
    return f"CONVERSATION#{conversation_id}", "CONVERSATION"


def get(conversation_id: str) -> Record[Conversation, ConversationItem] | None:
    try:
        item = ConversationItem.get(*_key(conversation_id), consistent_read=True)
    except ConversationItem.DoesNotExist:
        return None
    return Record(from_primitive(Conversation, item.data), item)


def new_record(conversation: Conversation) -> Record[Conversation, ConversationItem]:
    return Record(conversation, ConversationItem(*_key(conversation.id)))


def stage_save(uow: UnitOfWork, record: Record[Conversation, ConversationItem], conversation: Conversation) -> None:
    record.value = conversation
    record.item.data = to_primitive(conversation)
    uow.save(record.item)
    data = to_primitive(conversation)
    for user_id in conversation.participants:
        entry = InboxEntryItem(f"CONVERSATION#{conversation.id}", f"INBOX#{user_id}")
        entry.gsi1pk, entry.gsi1sk = f"INBOX#{user_id}", f"{iso(conversation.last_message_at)}#{conversation.id}"
        entry.data = data
        uow.save(entry)


def inbox_page(user_id: str, limit: int, cursor: str | None) -> tuple[list[Conversation], str | None]:
    pk = f"INBOX#{user_id}"
    start = cursors.decode(cursor, expect={"gsi1pk": pk})
    result = InboxEntryItem.gsi1.query(pk, scan_index_forward=False, limit=limit, last_evaluated_key=start)
    return [from_primitive(Conversation, item.data) for item in result], cursors.encode(result.last_evaluated_key)
