"""Messaging between buyers and sellers (O5, O16, O17, O18, O19, W2, A4): inbox conversations,
spam reports, quick responses, blocked buyers and contacts."""
from __future__ import annotations

from chalicelib.domain.accounts import User
from chalicelib.domain.codec import to_primitive
from chalicelib.domain.messaging import Conversation, Message, QuickResponse, Thread
from chalicelib.domain.relationships import Relationship
from chalicelib.handlers.api import Api, Call
from chalicelib.handlers.api_accounts import public_availability
from chalicelib.handlers.schemas import PageQuery
from chalicelib.handlers.schemas.messages import (
    BlockedBuyerOut,
    BlockedBuyerPage,
    ContactOut,
    ContactPage,
    ContactsQuery,
    ConversationOut,
    ConversationPage,
    MessageIn,
    MessageOut,
    MessagePage,
    QuickResponseIn,
    QuickResponseOut,
    QuickResponsePage,
    SpamReportIn,
    SpamReportOut,
    SpamReportPage,
    WriteIn,
)
from chalicelib.services import contacts, conversations, messaging, quick_responses, runtime

api = Api(__name__, tag="messages")


def message_out(message: Message) -> MessageOut:
    thread = Thread.parse(message.thread)
    return MessageOut(**to_primitive(message),
                      conversation_id=thread.id if thread.kind == "conversation" else None)


def conversation_out(conversation: Conversation, user_id: str, away: dict[str, User]) -> ConversationOut:
    """``away``: the away sellers among the counterparts (``conversations.away_sellers``)."""
    role = conversation.role_of(user_id)
    counterpart = away.get(conversation.counterpart_of(user_id))
    assert role is not None
    return ConversationOut(
        id=conversation.id, seller_id=conversation.seller_id, buyer_id=conversation.buyer_id,
        my_role=role.value, counterpart_id=conversation.counterpart_of(user_id),
        started_by=conversation.started_by, started_at=conversation.started_at,
        last_message_at=conversation.last_message_at, last_sender_id=conversation.last_sender_id,
        last_message_preview=conversation.last_preview, message_count=conversation.message_count,
        unread=conversation.unread_for(user_id),
        away=public_availability(counterpart, runtime.clock().now()) if counterpart else None)


def conversations_out(items: list[Conversation], user_id: str) -> list[ConversationOut]:
    away = conversations.away_sellers(items, user_id, runtime.clock().now())
    return [conversation_out(c, user_id, away) for c in items]


def quick_response_out(response: QuickResponse) -> QuickResponseOut:
    return QuickResponseOut.model_validate(to_primitive(response))


def contact_out(rel: Relationship, side: str) -> ContactOut:
    return ContactOut(
        counterpart_id=rel.buyer_id if side == "seller" else rel.seller_id, my_role=side,
        completed_orders=rel.completed_orders, active_orders=rel.active_orders, orders_placed=rel.orders_placed,
        total_spent=rel.total_spent, last_order_at=rel.last_order_at, last_activity_at=rel.last_activity_at,
        conversation_id=rel.conversation_id, blocked=rel.blocked)


# -- conversations ----------------------------------------------------------------------------------
@api.route("/conversations", "POST", summary="Write to a seller, or as a seller to a buyer who wrote or ordered (O5)",
           request=WriteIn, response=MessageOut,
           location="/conversations/{conversation_id}/messages", status=201, idempotent=True)
def write_message(call: Call) -> MessageOut:
    """Starts the pair's conversation or continues it. A blocked buyer cannot write (O17); while a
    seller is away only buyers they already deal with, or anyone if the seller lets new clients
    contact them, may write (A4); contact details are refused (W2)."""
    body = call.body
    _, message = conversations.write_to(call.user.user_id, body.seller_id, body.buyer_id, body.text,
                                        body.attachment_ids, body.call_link, runtime.clock())
    return message_out(message)


@api.route("/conversations", "GET", summary="The caller's conversations, most recent first", query=PageQuery,
           response=ConversationPage)
def my_conversations(call: Call) -> ConversationPage:
    user_id = call.user.user_id
    items, cursor = conversations.inbox(user_id, call.query.limit, call.query.cursor)
    return ConversationPage(items=conversations_out(items, user_id), next_cursor=cursor)


@api.route("/conversations/{conversation_id}", "GET", summary="One of the caller's conversations",
           response=ConversationOut)
def get_conversation(call: Call, conversation_id: str) -> ConversationOut:
    (out,) = conversations_out([conversations.get(conversation_id, call.user.user_id)], call.user.user_id)
    return out


@api.route("/conversations/{conversation_id}/messages", "GET", summary="Messages of a conversation, newest first",
           query=PageQuery, response=MessagePage)
def conversation_messages(call: Call, conversation_id: str) -> MessagePage:
    items, cursor = conversations.messages(conversation_id, call.user.user_id, call.query.limit, call.query.cursor)
    return MessagePage(items=[message_out(m) for m in items], next_cursor=cursor)


@api.route("/conversations/{conversation_id}/messages", "POST", summary="Write in a conversation",
           request=MessageIn, response=MessageOut,
           location="/conversations/{conversation_id}/messages", status=201, idempotent=True)
def write_in_conversation(call: Call, conversation_id: str) -> MessageOut:
    body = call.body
    _, message = conversations.write_in(conversation_id, call.user.user_id, body.text, body.attachment_ids,
                                        body.call_link, runtime.clock())
    return message_out(message)


@api.route("/conversations/{conversation_id}/read", "POST", summary="Mark a conversation read",
           response=ConversationOut)
def mark_conversation_read(call: Call, conversation_id: str) -> ConversationOut:
    (out,) = conversations_out([conversations.mark_read(conversation_id, call.user.user_id)], call.user.user_id)
    return out


# -- spam reports (O5) ------------------------------------------------------------------------------
@api.route("/messages/{message_id}/spam-reports", "POST", summary="Report a message sent to you as spam (O5)",
           request=SpamReportIn, response=SpamReportOut, location="/spam-reports", status=201, idempotent=True)
def report_spam(call: Call, message_id: str) -> SpamReportOut:
    report = messaging.report_spam(message_id, call.user.user_id, call.body.reason, runtime.clock())
    return SpamReportOut.model_validate(to_primitive(report))


@api.route("/spam-reports", "GET", summary="Spam reports, newest first (operators)", query=PageQuery,
           response=SpamReportPage, operator_only=True)
def list_spam_reports(call: Call) -> SpamReportPage:
    items, cursor = messaging.spam_reports(call.query.limit, call.query.cursor)
    return SpamReportPage(items=[SpamReportOut.model_validate(to_primitive(r)) for r in items], next_cursor=cursor)


# -- quick responses (O18) --------------------------------------------------------------------------
@api.route("/me/quick-responses", "GET", summary="The caller's quick responses, by title (O18)", query=PageQuery,
           response=QuickResponsePage)
def my_quick_responses(call: Call) -> QuickResponsePage:
    items, cursor = quick_responses.page(call.user.user_id, call.query.limit, call.query.cursor)
    return QuickResponsePage(items=[quick_response_out(r) for r in items], next_cursor=cursor)


@api.route("/me/quick-responses", "POST", summary="Save a quick response (sellers, O18)", request=QuickResponseIn,
           response=QuickResponseOut, status=201, idempotent=True)
def create_quick_response(call: Call) -> QuickResponseOut:
    return quick_response_out(quick_responses.create(call.user.user_id, call.body.title, call.body.text,
                                                     runtime.clock()))


@api.route("/me/quick-responses/{response_id}", "PUT", summary="Replace a quick response (O18)",
           request=QuickResponseIn, response=QuickResponseOut)
def update_quick_response(call: Call, response_id: str) -> QuickResponseOut:
    return quick_response_out(quick_responses.update(call.user.user_id, response_id, call.body.title,
                                                     call.body.text, runtime.clock()))


@api.route("/me/quick-responses/{response_id}", "DELETE", summary="Delete a quick response (O18)")
def delete_quick_response(call: Call, response_id: str) -> None:
    quick_responses.delete(call.user.user_id, response_id)


# -- blocked buyers (O17) ---------------------------------------------------------------------------
@api.route("/me/blocked-buyers/{buyer_id}", "PUT", summary="Block a buyer who ordered from you before (O17)",
           response=BlockedBuyerOut)
def block_buyer(call: Call, buyer_id: str) -> BlockedBuyerOut:
    """Not while the buyer has an active order. A blocked buyer can neither message nor order."""
    rel = contacts.block(call.user.user_id, buyer_id, runtime.clock())
    assert rel.blocked_at is not None
    return BlockedBuyerOut(buyer_id=rel.buyer_id, blocked_at=rel.blocked_at)


@api.route("/me/blocked-buyers/{buyer_id}", "DELETE", summary="Unblock a buyer (O17)")
def unblock_buyer(call: Call, buyer_id: str) -> None:
    contacts.unblock(call.user.user_id, buyer_id, runtime.clock())


@api.route("/me/blocked-buyers", "GET", summary="The buyers the caller blocked (O17)", query=PageQuery,
           response=BlockedBuyerPage)
def my_blocked_buyers(call: Call) -> BlockedBuyerPage:
    items, cursor = contacts.blocked_buyers(call.user.user_id, call.query.limit, call.query.cursor)
    return BlockedBuyerPage(items=[BlockedBuyerOut(buyer_id=b, blocked_at=at) for b, at in items],
                            next_cursor=cursor)


# -- contacts (O19) ---------------------------------------------------------------------------------
@api.route("/me/contacts", "GET", summary="My contacts: orders, spend and conversation per counterpart (O19)",
           query=ContactsQuery, response=ContactPage)
def my_contacts(call: Call) -> ContactPage:
    q = call.query
    items, cursor = contacts.contacts(call.user.user_id, q.role, q.limit, q.cursor)
    return ContactPage(items=[contact_out(r, q.role) for r in items], next_cursor=cursor)
