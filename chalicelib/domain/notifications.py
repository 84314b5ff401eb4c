"""What the notification dispatcher decides without touching AWS: which channels an event goes out
on for one recipient (A3), what the e-mail and push messages say, and the in-app feed entry.

The in-app feed always gets the event (it is the account's record of what happened); e-mail and
push follow the recipient's preferences for the event's ``notification`` kind (A3). An event
without a ``notification`` kind is feed-only, and e-mail needs an address."""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import Any

from .accounts import ChannelPreference, NotificationKind, User
from .clock import iso
from .events import Event


class Channel(StrEnum):
    """The channels delivered outside the app; each is delivered once per event and recipient."""

    EMAIL = "email"
    PUSH = "push"


def channels_for(event: Event, recipient: User | None) -> tuple[Channel, ...]:
    """A3: e-mail and push as the recipient's preferences for ``event.notification`` say.

    ``recipient`` is None for a user who has never written a profile: the defaults apply
    (both channels on), and with no address on record no e-mail goes out."""
    if event.notification is None:
        return ()
    wants = recipient.wants(event.notification) if recipient else ChannelPreference()
    channels = []
    if event.notification in ALWAYS_EMAILED:  # W1: each warning is e-mailed, whatever the preferences
        wants = ChannelPreference(push=wants.push, email=True)
    if wants.email and recipient is not None and recipient.email:
        channels.append(Channel.EMAIL)
    if wants.push:
        channels.append(Channel.PUSH)
    return tuple(channels)


# A short headline per preference kind; an event without one is headed by its summary.
TITLES: dict[NotificationKind, str] = {
    NotificationKind.ORDER_PLACED: "New order",
    NotificationKind.ORDER_MESSAGE: "New message on your order",
    NotificationKind.ORDER_DELIVERED: "Your order was delivered",
    NotificationKind.REVISION_REQUESTED: "A revision was requested",
    NotificationKind.ORDER_COMPLETED: "Order completed",
    NotificationKind.ORDER_CANCELLED: "Order cancelled",
    NotificationKind.ORDER_LATE: "An order is late",
    NotificationKind.RESOLUTION_REQUEST: "A resolution was requested",
    NotificationKind.INBOX_MESSAGE: "New message",
    NotificationKind.FILE_BLOCKED: "A file was blocked",
    NotificationKind.FILE_COMMENT: "New comment on a file",
    NotificationKind.BUYER_REQUEST: "Buyer request",
    NotificationKind.REVIEW_INVITATION: "Review your order",
    NotificationKind.REVIEW: "Reviews",
    NotificationKind.ACCOUNT_STANDING: "About your account",
    NotificationKind.REPORT_OUTCOME: "Your report was reviewed",
    NotificationKind.GIG_APPROVAL: "Gig approval",  # G9: approved (live) or rejected (with the reason)
}
# W1: notices about one's account are e-mailed even to someone who turned e-mail off for them.
ALWAYS_EMAILED = frozenset({NotificationKind.ACCOUNT_STANDING})
SUBJECT_MAX = 120  # [decision] SES allows more; mail clients show less
PUSH_BODY_MAX = 180  # [decision] what a lock screen shows


@dataclass(frozen=True)
class Message:
    title: str
    body: str


def _clip(text: str, limit: int) -> str:
    text = " ".join(text.split())  # one line: no header injection, no ragged push text
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def email_message(event: Event) -> Message:
    title = TITLES.get(event.notification) if event.notification else None
    subject = _clip(f"{title}: {event.summary}" if title else event.summary, SUBJECT_MAX)
    body = (f"{event.summary}\n\n"
            f"Open the marketplace to see it ({event.stream}).\n\n"
            "You get this e-mail because of your notification preferences; change them in your account.")
    return Message(title=subject, body=body)


def push_message(event: Event) -> Message:
    title = TITLES.get(event.notification) if event.notification else None
    return Message(title=_clip(title or event.summary, SUBJECT_MAX), body=_clip(event.summary, PUSH_BODY_MAX))


# Where each kind of object a notification links to is read (routes the recipient may call).
LINK_PATHS = {"order": "/orders/{id}", "conversation": "/conversations/{id}", "file": "/files/{id}",
              "buyer_request": "/buyer-requests/{id}", "review": "/orders/{id}/reviews", "account": "/me/warnings",
              "gig": "/me/gigs/{id}"}  # gig notices go to its seller


def feed_view(n: Notification) -> dict[str, Any]:
    """A feed entry as ``GET /me/notifications`` and the live channel show it."""
    template = LINK_PATHS.get(n.target_kind)
    link = ({"kind": n.target_kind, "id": n.target_id, "path": template.format(id=n.target_id) if template else None}
            if n.target_kind else None)
    return {"id": n.id, "kind": n.kind, "event": n.event or n.kind, "summary": n.summary, "stream": n.stream,
            "link": link, "at": iso(n.at), "read": n.read, "read_at": iso(n.read_at) if n.read_at else None}


def target_of(event: Event) -> tuple[str, str]:
    """The object a feed entry links to: its stream's (``order:<id>`` → the order), except that a
    file's entry names what the file belongs to when that is an order or a conversation (a blocked
    delivery names its order)."""
    kind, _, ident = event.stream.partition(":")
    if kind == "file":
        holder = str(event.data.get("attached_to") or "")
        holder_kind, _, holder_id = holder.partition(":")
        if holder_kind in ("order", "conversation") and holder_id:
            return holder_kind, holder_id
    return kind, ident


@dataclass(frozen=True)
class Notification:
    """One entry of a user's in-app feed: one per event and recipient, so its id is the event's."""

    id: str
    user_id: str
    kind: str  # a NotificationKind's value (entries written before the one vocabulary: the event's kind)
    summary: str
    stream: str
    at: datetime
    read_at: datetime | None = None
    event: str = ""  # exactly what happened: the event's own kind (``order.deliver``, ``file.blocked``)
    target_kind: str = ""  # the object it links to (see ``target_of``)
    target_id: str = ""

    @staticmethod
    def of(event: Event, user_id: str) -> Notification:
        target_kind, target_id = target_of(event)
        return Notification(id=event.id, user_id=user_id,
                            kind=event.notification.value if event.notification else event.kind,
                            summary=event.summary, stream=event.stream, at=event.at, event=event.kind,
                            target_kind=target_kind, target_id=target_id)

    @property
    def read(self) -> bool:
        return self.read_at is not None

    def mark_read(self, now: datetime) -> Notification:
        """Reading twice keeps the first time."""
        return self if self.read else replace(self, read_at=now)
