"""The live channel: a WebSocket per signed-in client, on which the back end pushes what the feed
would show a moment later, so a front end need not poll ``/me/notifications/unread-count``.

A ``Connection`` is one open WebSocket of one user. API Gateway closes a WebSocket after two hours
at most, so a connection is kept (in the table, with a TTL) for ``CONNECTION_TTL`` and no longer; a
connection API Gateway reports gone is removed when a push finds it so.

What is pushed is a ``frame``: the feed entry itself (``GET /me/notifications``'s item, unread), so
a client renders it the same way. A message in a conversation or an order is pushed the same way,
as the ``message.received`` notification it makes. The channel is a signal, not a store: a client
that was offline reads the feed when it connects."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from .notifications import Notification, feed_view

# API Gateway's maximum WebSocket connection duration.
CONNECTION_TTL = timedelta(hours=2)
FRAME_NOTIFICATION = "notification"


@dataclass(frozen=True)
class Connection:
    id: str  # API Gateway's connectionId
    user_id: str
    connected_at: datetime
    expires_at: datetime

    @staticmethod
    def open(connection_id: str, user_id: str, now: datetime) -> Connection:
        return Connection(id=connection_id, user_id=user_id, connected_at=now, expires_at=now + CONNECTION_TTL)

    def is_open(self, now: datetime) -> bool:
        return now < self.expires_at


def frame(notification: Notification) -> dict[str, Any]:
    """The feed entry as ``GET /me/notifications`` shows it, wrapped with its frame type."""
    return {"type": FRAME_NOTIFICATION, "notification": feed_view(notification)}
