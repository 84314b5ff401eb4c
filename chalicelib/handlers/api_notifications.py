"""The caller's in-app notification feed: newest first, unread count, marking read."""
from __future__ import annotations

from chalicelib.domain.notifications import Notification, feed_view
from chalicelib.handlers.api import Api, Call
from chalicelib.handlers.schemas.notifications import (
    NotificationOut,
    NotificationPage,
    NotificationQuery,
    ReadAllOut,
    UnreadCountOut,
)
from chalicelib.services import notifications, runtime

api = Api(__name__, tag="notifications")


def notification_out(n: Notification) -> NotificationOut:
    return NotificationOut.model_validate(feed_view(n))


@api.route("/me/notifications", "GET", summary="The caller's notifications, newest first",
           query=NotificationQuery, response=NotificationPage)
def list_notifications(call: Call) -> NotificationPage:
    q = call.query
    items, cursor = notifications.feed(call.user.user_id, q.limit, q.cursor, q.unread_only)
    return NotificationPage(items=[notification_out(n) for n in items], next_cursor=cursor)


@api.route("/me/notifications/unread-count", "GET", summary="How many of the caller's notifications are unread",
           response=UnreadCountOut)
def unread_notifications(call: Call) -> UnreadCountOut:
    return UnreadCountOut(unread=notifications.unread_count(call.user.user_id))


@api.route("/me/notifications/{notification_id}/read", "POST", summary="Mark one notification read",
           response=NotificationOut)
def read_notification(call: Call, notification_id: str) -> NotificationOut:
    """Marking it again changes nothing. Another user's notification answers 404."""
    return notification_out(notifications.mark_read(call.user.user_id, notification_id, runtime.clock()))


@api.route("/me/notifications/read-all", "POST", summary="Mark unread notifications read, newest first, "
           f"at most {notifications.READ_ALL_BATCH} per call", response=ReadAllOut)
def read_all_notifications(call: Call) -> ReadAllOut:
    """One call marks at most READ_ALL_BATCH entries in one transaction; ``more`` says whether
    unread ones remain, and the client calls again."""
    result = notifications.mark_all_read(call.user.user_id, runtime.clock())
    return ReadAllOut(marked=result.marked, more=result.more)
