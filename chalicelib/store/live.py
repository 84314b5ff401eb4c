"""Open WebSocket connections (domain/live.py): a user's are one Query; one is found by its
connection id through gsi1 (the ``$disconnect`` event names only the connection)."""
from __future__ import annotations

from datetime import datetime

from chalicelib.domain.codec import from_primitive, to_primitive
from chalicelib.domain.live import Connection
from chalicelib.store.models import LiveConnectionItem

PREFIX = "LIVE#"
# More open tabs and devices than anyone uses; a user's connections are read in one page.
MAX_CONNECTIONS_READ = 50


def _key(user_id: str, connection_id: str) -> tuple[str, str]:
    return f"USER#{user_id}", f"{PREFIX}{connection_id}"


def add(connection: Connection) -> None:
    """One PutItem (a reconnect with the same id overwrites)."""
    item = LiveConnectionItem(*_key(connection.user_id, connection.id))
    item.user_id = connection.user_id
    item.data = to_primitive(connection)
    item.gsi1pk, item.gsi1sk = f"{PREFIX}{connection.id}", "CONNECTION"
    item.expires_at = connection.expires_at
    item.save()


def of_user(user_id: str, now: datetime) -> list[Connection]:
    """The user's open connections: one Query (the TTL deletes late, so expired ones are skipped)."""
    items = LiveConnectionItem.query(f"USER#{user_id}", LiveConnectionItem.sk.startswith(PREFIX),
                                     limit=MAX_CONNECTIONS_READ)
    found = (from_primitive(Connection, item.data) for item in items)
    return [c for c in found if c.is_open(now)]


def remove(user_id: str, connection_id: str) -> None:
    LiveConnectionItem(*_key(user_id, connection_id)).delete()


def remove_by_id(connection_id: str) -> bool:
    """``$disconnect``: one Query of gsi1 and one DeleteItem. False when it was not kept."""
    for item in LiveConnectionItem.gsi1.query(f"{PREFIX}{connection_id}", limit=1):
        item.delete()
        return True
    return False
