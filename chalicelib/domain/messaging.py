"""Messages between buyers and sellers (O5, O16, O17, W2, A4), inbox conversations and spam reports.

A message belongs to a **thread**: ``conversation:<id>`` for the inbox conversation of a seller and
a buyer, ``order:<id>`` for an order's conversation (O1, O4). The message itself (its limits, W2,
the call link of O16) is the same everywhere; who may write into a thread is the thread owner's
business: this module answers it for inbox conversations (O5, O17, A4), the order code for orders.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from urllib.parse import urlsplit

from .accounts import User
from .contact_details import text_field_errors
from .errors import Conflict, FieldError, Forbidden, InvalidInput
from .events import Actor
from .ids import new_id
from .relationships import Relationship

# [decision] a message's text is at most 5,000 characters and carries at most 10 attachments.
MESSAGE_TEXT_MAX = 5_000
MAX_ATTACHMENTS = 10
PREVIEW_LENGTH = 100
# [decision] O16: a call link is an https Zoom link (the seeds name Zoom), sent by a seller only.
CALL_LINK_MAX = 500
CALL_LINK_HOSTS = ("zoom.us",)
# [decision] a spam report may say why in at most 500 characters.
SPAM_REASON_MAX = 500

CONVERSATION = "conversation"
ORDER = "order"

# What a message is (C1): words, a custom offer (``offer_id`` names it; its state is the offer's),
# or a buyer asking the seller for a custom offer from a gig page.
TEXT, CUSTOM_OFFER, OFFER_REQUEST = "text", "custom_offer", "offer_request"
MESSAGE_KINDS = (TEXT, CUSTOM_OFFER, OFFER_REQUEST)


@dataclass(frozen=True)
class Thread:
    """Where a message lives: ``<kind>:<id>``. Its events share the stream of the same name."""

    kind: str
    id: str

    @staticmethod
    def parse(text: str) -> Thread:
        kind, sep, ident = text.partition(":")
        if not sep or not kind or not ident:
            raise ValueError(f"a thread is '<kind>:<id>', not {text!r}")
        return Thread(kind, ident)

    @staticmethod
    def conversation(conversation_id: str) -> Thread:
        return Thread(CONVERSATION, conversation_id)

    @staticmethod
    def order(order_id: str) -> Thread:
        return Thread(ORDER, order_id)

    def __str__(self) -> str:
        return f"{self.kind}:{self.id}"


REMOVED_TEXT = "[This message was removed by the marketplace's moderators.]"  # W1


@dataclass(frozen=True)
class Message:
    id: str
    thread: str  # "conversation:<id>" or "order:<id>"
    sender_id: str
    text: str
    at: datetime
    attachment_ids: tuple[str, ...] = ()
    call_link: str | None = None  # O16
    # The message's number in its thread where the thread counts them (inbox conversations), else
    # 0: messages of one instant keep the order they were stored in (store/messages.py sorts by
    # time, then this number, then the id).
    seq: int = 0
    kind: str = TEXT  # one of MESSAGE_KINDS (C1)
    offer_id: str | None = None  # the custom offer a ``custom_offer`` message shows
    gig_id: str | None = None  # the gig an ``offer_request`` asks about
    removed_at: datetime | None = None  # W1: hidden by an operator after a report

    def remove(self, now: datetime) -> Message:
        """W1: an operator hides a reported message: its text and attachments are gone from the
        thread (the report keeps what was reported, for operators)."""
        return replace(self, text=REMOVED_TEXT, attachment_ids=(), call_link=None, removed_at=now)

    @staticmethod
    def new(thread: Thread | str, sender_id: str, sender_role: Actor, text: str,
            attachment_ids: tuple[str, ...] | list[str], at: datetime, call_link: str | None = None,
            seq: int = 0, kind: str = TEXT, offer_id: str | None = None, gig_id: str | None = None) -> Message:
        """Checks the message itself (limits, W2, O16) and raises InvalidInput naming each field."""
        attachments = tuple(attachment_ids)
        errors = message_errors(text, attachments, call_link, sender_role)
        if errors:
            if any(e.rule == "W2" for e in errors):  # two raises: problem_codes.py reads each code
                raise InvalidInput("The message contains contact details.", code="contact_details", rule="W2",
                                   fields=errors)
            raise InvalidInput("The message is invalid.", code="invalid_message", rule=errors[0].rule, fields=errors)
        return Message(id=new_id("msg"), thread=str(thread), sender_id=sender_id, text=text, at=at,
                       attachment_ids=attachments, call_link=call_link, seq=seq, kind=kind, offer_id=offer_id,
                       gig_id=gig_id)

    @property
    def preview(self) -> str:
        """What an inbox shows of the message."""
        if self.text:
            flat = " ".join(self.text.split())
            return flat if len(flat) <= PREVIEW_LENGTH else flat[: PREVIEW_LENGTH - 1] + "…"
        if self.call_link:
            return "[call link]"
        return f"[{len(self.attachment_ids)} attachment{'s' if len(self.attachment_ids) != 1 else ''}]"


def message_errors(text: str, attachment_ids: tuple[str, ...], call_link: str | None,
                   sender_role: Actor) -> list[FieldError]:
    errors: list[FieldError] = []
    if not text.strip() and not attachment_ids and not call_link:
        errors.append(FieldError("text", "a message needs text, an attachment or a call link", "empty"))
    errors += text_field_errors("text", text, maximum=MESSAGE_TEXT_MAX, rule="O5", required=False)
    if len(attachment_ids) > MAX_ATTACHMENTS:
        errors.append(FieldError("attachment_ids", f"may have at most {MAX_ATTACHMENTS} entries", "too_many"))
    if len(set(attachment_ids)) != len(attachment_ids):
        errors.append(FieldError("attachment_ids", "must not repeat a file", "duplicate"))
    if call_link is not None:
        errors += _call_link_errors(call_link, sender_role)
    return errors


def _call_link_errors(link: str, sender_role: Actor) -> list[FieldError]:
    """O16: video calls are started by sellers only; the link is Zoom's and nothing else, so the
    field cannot carry contact details past W2."""
    if sender_role != Actor.SELLER:
        return [FieldError("call_link", "only sellers start calls", "sellers_only", "O16")]
    try:
        parts = urlsplit(link) if len(link) <= CALL_LINK_MAX else None
    except ValueError:  # e.g. an unbalanced "[" in the host
        parts = None
    host = (parts.hostname or "") if parts else ""
    if (parts is None or parts.scheme != "https" or parts.username or parts.password
            or not any(host == h or host.endswith("." + h) for h in CALL_LINK_HOSTS)):
        return [FieldError("call_link", "must be an https Zoom meeting link", "invalid_call_link", "O16")]
    return []


# -- who may write in an inbox conversation (O5, O17, A4) --------------------------------------------
def ensure_buyer_may_write(relationship: Relationship, seller: User, now: datetime) -> None:
    """O17: a blocked buyer cannot write. A4: while the seller is away, buyers they already deal
    with (an earlier conversation or an order, so every buyer with an active order) still write;
    a new client writes only if the seller's period says "let new clients contact me".
    [decision] a "new client" is a buyer with neither an order nor an earlier message."""
    relationship.ensure_buyer_may_write()
    if seller.is_available(now):
        return
    known = relationship.buyer_wrote_first or relationship.orders_placed > 0
    period = seller.availability
    if not known and not (period and period.allow_new_clients_contact):
        raise Forbidden("This seller is away and takes no messages from new clients until "
                        f"{period.end_date.isoformat() if period else 'they are back'}.",
                        code="seller_unavailable", rule="A4")


def ensure_seller_may_write(relationship: Relationship | None) -> None:
    """O5: a seller cannot open a conversation with a new buyer."""
    if relationship is None or not relationship.seller_may_write:
        raise Forbidden("A seller may write to a buyer only after the buyer wrote first or ordered.",
                        code="buyer_must_write_first", rule="O5")


# -- inbox conversations ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Conversation:
    """The inbox conversation of one seller and one buyer (one per pair)."""

    id: str
    seller_id: str
    buyer_id: str
    started_by: str
    started_at: datetime
    last_message_at: datetime
    last_sender_id: str
    last_preview: str
    message_count: int = 0
    unread: dict[str, int] = field(default_factory=dict)  # per participant

    @staticmethod
    def start(seller_id: str, buyer_id: str, first: Message) -> Conversation:
        conversation = Conversation(id=Thread.parse(first.thread).id, seller_id=seller_id, buyer_id=buyer_id,
                                    started_by=first.sender_id, started_at=first.at,
                                    last_message_at=first.at, last_sender_id=first.sender_id,
                                    last_preview="", unread={seller_id: 0, buyer_id: 0})
        return conversation.with_message(first)

    @property
    def thread(self) -> Thread:
        return Thread.conversation(self.id)

    @property
    def next_seq(self) -> int:
        """The number the next message of this conversation gets."""
        return self.message_count + 1

    @property
    def participants(self) -> tuple[str, str]:
        return self.seller_id, self.buyer_id

    def role_of(self, user_id: str) -> Actor | None:
        if user_id == self.seller_id:
            return Actor.SELLER
        if user_id == self.buyer_id:
            return Actor.BUYER
        return None

    def counterpart_of(self, user_id: str) -> str:
        return self.buyer_id if user_id == self.seller_id else self.seller_id

    def with_message(self, message: Message) -> Conversation:
        recipient = self.counterpart_of(message.sender_id)
        unread = dict(self.unread)
        unread[recipient] = unread.get(recipient, 0) + 1
        return replace(self, last_message_at=message.at, last_sender_id=message.sender_id,
                       last_preview=message.preview, message_count=self.message_count + 1, unread=unread)

    def read_by(self, user_id: str) -> Conversation:
        return replace(self, unread={**self.unread, user_id: 0})

    def unread_for(self, user_id: str) -> int:
        return self.unread.get(user_id, 0)


def conversation_parties(sender_id: str, seller_id: str | None, buyer_id: str | None) -> tuple[str, str, Actor]:
    """(seller, buyer, the sender's role) of a message addressed to a seller or to a buyer."""
    if (seller_id is None) == (buyer_id is None):
        raise InvalidInput("Name either the seller or the buyer you write to.", code="one_recipient",
                           fields=[FieldError("seller_id", "give seller_id or buyer_id, not both", "one_recipient")])
    if sender_id in (seller_id, buyer_id):
        raise InvalidInput("You cannot write to yourself.", code="self_message",
                           fields=[FieldError("seller_id" if seller_id else "buyer_id", "is you", "self_message")])
    if seller_id is not None:
        return seller_id, sender_id, Actor.BUYER
    assert buyer_id is not None
    return sender_id, buyer_id, Actor.SELLER


# -- spam reports (O5) -----------------------------------------------------------------------------
@dataclass(frozen=True)
class SpamReport:
    message_id: str
    thread: str
    reporter_id: str
    sender_id: str
    at: datetime
    reason: str | None
    text: str  # the reported text as it was, for the operator

    @staticmethod
    def of(message: Message, reporter_id: str, reason: str | None, at: datetime) -> SpamReport:
        """O5: any message can be reported as spam, by whom it was sent to (never its sender)."""
        if message.sender_id == reporter_id:
            raise Forbidden("You cannot report your own message.", code="own_message", rule="O5")
        if reason is not None and len(reason) > SPAM_REASON_MAX:
            raise InvalidInput("The reason is too long.", fields=[
                FieldError("reason", f"must be at most {SPAM_REASON_MAX} characters", "too_long")])
        return SpamReport(message_id=message.id, thread=message.thread, reporter_id=reporter_id,
                          sender_id=message.sender_id, at=at, reason=reason or None, text=message.text)


def already_reported() -> Conflict:
    return Conflict("You already reported this message.", code="already_reported", rule="O5")


# -- quick responses (O18) -------------------------------------------------------------------------
# [decision] a seller keeps at most 50 quick responses: title up to 80 characters, text up to the
# message limit (a quick response becomes a message).
MAX_QUICK_RESPONSES = 50
QUICK_RESPONSE_TITLE_MAX = 80


@dataclass(frozen=True)
class QuickResponse:
    id: str
    title: str
    text: str
    created_at: datetime
    updated_at: datetime


def quick_response_errors(title: str, text: str) -> list[FieldError]:
    return (text_field_errors("title", title, maximum=QUICK_RESPONSE_TITLE_MAX, rule="O18")
            + text_field_errors("text", text, maximum=MESSAGE_TEXT_MAX, rule="O18"))


def _check_quick_response(title: str, text: str) -> None:
    errors = quick_response_errors(title, text)
    if errors:
        w2 = any(e.rule == "W2" for e in errors)
        raise InvalidInput("The quick response contains contact details." if w2 else "The quick response is invalid.",
                           code="contact_details" if w2 else "invalid_quick_response",
                           rule="W2" if w2 else "O18", fields=errors)


@dataclass(frozen=True)
class QuickResponses:
    """O18: a seller's saved reply templates, one aggregate per seller (so the cap holds)."""

    seller_id: str
    responses: tuple[QuickResponse, ...] = ()

    def sorted(self) -> list[QuickResponse]:
        return sorted(self.responses, key=lambda r: (r.title.casefold(), r.id))

    def get(self, response_id: str) -> QuickResponse | None:
        return next((r for r in self.responses if r.id == response_id), None)

    def add(self, title: str, text: str, now: datetime,
            response_id: str | None = None) -> tuple[QuickResponses, QuickResponse]:
        _check_quick_response(title, text)
        if len(self.responses) >= MAX_QUICK_RESPONSES:
            raise Conflict(f"A seller keeps at most {MAX_QUICK_RESPONSES} quick responses.",
                           code="too_many_quick_responses", rule="O18")
        response = QuickResponse(id=response_id or new_id("qr"), title=title, text=text, created_at=now,
                                 updated_at=now)
        return replace(self, responses=self.responses + (response,)), response

    def update(self, response_id: str, title: str, text: str,
               now: datetime) -> tuple[QuickResponses, QuickResponse] | None:
        """None when there is no such response."""
        current = self.get(response_id)
        if current is None:
            return None
        _check_quick_response(title, text)
        changed = replace(current, title=title, text=text, updated_at=now)
        return replace(self, responses=tuple(changed if r.id == response_id else r for r in self.responses)), changed

    def remove(self, response_id: str) -> QuickResponses | None:
        if self.get(response_id) is None:
            return None
        return replace(self, responses=tuple(r for r in self.responses if r.id != response_id))
