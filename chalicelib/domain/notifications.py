"""What the notification dispatcher decides without touching AWS: which channels an event goes out
on for one recipient (A3), what the e-mail and push messages say, and the in-app feed entry.

The in-app feed always gets the event (it is the account's record of what happened); e-mail and
push follow the recipient's preferences for the event's ``notification`` kind (A3). An event
without a ``notification`` kind is feed-only, and e-mail needs an address."""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from .accounts import ChannelPreference, NotificationKind, User
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
    NotificationKind.COUPON: "A coupon for you",
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


@dataclass(frozen=True)
class Notification:
    """One entry of a user's in-app feed: one per event and recipient, so its id is the event's."""

    id: str
    user_id: str
    kind: str
    summary: str
    stream: str
    at: datetime
    read_at: datetime | None = None

    @staticmethod
    def of(event: Event, user_id: str) -> Notification:
        return Notification(id=event.id, user_id=user_id, kind=event.kind, summary=event.summary,
                            stream=event.stream, at=event.at)

    @property
    def read(self) -> bool:
        return self.read_at is not None

    def mark_read(self, now: datetime) -> Notification:
        """Reading twice keeps the first time."""
        return self if self.read else replace(self, read_at=now)
