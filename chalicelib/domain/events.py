"""Domain events: what happened, to which stream, by whom, and who should hear of it.

Every state change stages its event in the same transaction as the change (the outbox). The event
is the history entry the order page shows (O4) and, when it has recipients, the work the
notification dispatcher delivers afterwards: in-app feed always, e-mail and push as each
recipient's preferences for ``notification`` say (A3)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from .accounts import NotificationKind
from .ids import new_id

# ``data[SECRET]`` is for the event's reactions only (e.g. an invitation link to e-mail): it is
# erased from the stored event when the event leaves the outbox, and never shown to anyone.
SECRET = "secret"


class Actor(StrEnum):
    """Who takes an action, in every aggregate: the parties, operators, and the system (timers)."""

    BUYER = "buyer"
    SELLER = "seller"
    OPERATOR = "operator"
    SYSTEM = "system"  # timers fired by the sweeper


@dataclass(frozen=True)
class Event:
    id: str
    kind: str  # what happened, dotted: "order.placed", "order.delivered", "file.scanned"...
    stream: str  # whose history it belongs to: "order:<id>", "conversation:<id>", "file:<id>"
    at: datetime
    actor_role: Actor
    actor_id: str | None  # None when the system acted
    summary: str  # one line a person can read
    recipients: tuple[str, ...] = ()  # user ids to notify; empty = history only
    notification: NotificationKind | None = None  # the preference that governs e-mail and push
    data: dict[str, Any] = field(default_factory=dict)
    seq: int = 0  # order within its stream when two events share a time (an order's transition count)
    outbox: bool = False  # queued for reactions even without recipients (e.g. an e-mail to a non-user)

    def __post_init__(self) -> None:
        # One vocabulary (issue 13): what a recipient is told about is always a NotificationKind,
        # the same one their preferences (A3) and the feed's ``kind`` use.
        if self.recipients and self.notification is None:
            raise ValueError(f"event {self.kind} has recipients but no notification kind")

    @property
    def in_outbox(self) -> bool:
        """Events with recipients (notifications) or marked ``outbox`` go through the reactions."""
        return bool(self.recipients) or self.outbox

    @property
    def public_data(self) -> dict[str, Any]:
        """``data`` without its SECRET part: what history, feeds and operators may be shown."""
        return {k: v for k, v in self.data.items() if k != SECRET}

    @staticmethod
    def new(kind: str, stream: str, at: datetime, actor_role: Actor, actor_id: str | None,
            summary: str, recipients: tuple[str, ...] = (),
            notification: NotificationKind | None = None, data: dict[str, Any] | None = None,
            seq: int = 0, outbox: bool = False) -> Event:
        return Event(id=new_id("evt"), kind=kind, stream=stream, at=at, actor_role=actor_role,
                     actor_id=actor_id, summary=summary, recipients=tuple(recipients),
                     notification=notification, data=dict(data or {}), seq=seq, outbox=outbox)
