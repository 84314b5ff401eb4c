"""The live channel (domain/live.py): connections come and go; notifications are pushed to them.

``push`` runs inside the notifications reaction (services/notifications.py), right after a feed
entry was written for the first time: one Query for the recipient's connections, one POST per open
connection, a DeleteItem for each API Gateway reports gone. It is best effort by design: the feed
entry is the record, the frame only saves a client from polling; a push that fails is logged and
not retried (a retried event finds its feed entry written and does not push twice)."""
from __future__ import annotations

from datetime import datetime

from chalicelib.domain.live import Connection, frame
from chalicelib.domain.notifications import Notification
from chalicelib.notify.live import LiveSender
from chalicelib.observability import logger
from chalicelib.store import live as store


def connect(connection_id: str, user_id: str, now: datetime) -> Connection:
    connection = Connection.open(connection_id, user_id, now)
    store.add(connection)
    logger.info("live connection opened", extra={"connection_id": connection_id, "user_id": user_id})
    return connection


def disconnect(connection_id: str) -> bool:
    return store.remove_by_id(connection_id)


def push(notification: Notification, sender: LiveSender, now: datetime) -> int:
    """Sends the feed entry to each open connection of its user; returns how many got it."""
    sent = 0
    for connection in store.of_user(notification.user_id, now):
        try:
            if sender.send(connection.id, frame(notification)):
                sent += 1
            else:
                store.remove(connection.user_id, connection.id)
        except Exception:  # best effort (see above): the feed has it
            logger.exception("live push failed", extra={"connection_id": connection.id,
                                                        "notification_id": notification.id})
    return sent
