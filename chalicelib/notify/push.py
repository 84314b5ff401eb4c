"""Push through Amazon SNS.

[decision] The app does not manage devices. It publishes every push to one topic
(``settings().push_topic_arn``, created by the stack) with message attributes ``user_id``,
``kind`` and ``event_id``; a push fan-out service subscribed to the topic (a mobile back end,
or SNS platform endpoints behind a subscription filter policy on ``user_id``) owns device tokens
and delivers to a user's devices. The Lambda role may publish to that topic only.

The message is JSON (``title``, ``body``, ``event_id``, ``stream``) so the app can deep-link."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Protocol

import boto3
from botocore.exceptions import ClientError

from chalicelib.config import settings
from chalicelib.domain.events import Event
from chalicelib.domain.notifications import Message
from chalicelib.notify import raise_if_permanent

# SNS refuses this message itself; a missing topic or throttling is raised as is and retried.
PERMANENT = frozenset({"InvalidParameter", "InvalidParameterValue"})


class PushSender(Protocol):
    def send(self, user_id: str, message: Message, event: Event) -> None: ...


@lru_cache(maxsize=1)
def _client():
    return boto3.client("sns", region_name=settings().aws_region)


def _string(value: str) -> dict:
    return {"DataType": "String", "StringValue": value}


class SnsPushSender:
    def __init__(self, topic_arn: str | None = None) -> None:
        self.topic_arn = topic_arn or settings().push_topic_arn

    def send(self, user_id: str, message: Message, event: Event) -> None:
        payload = {"title": message.title, "body": message.body, "event_id": event.id, "stream": event.stream}
        try:
            _client().publish(
                TopicArn=self.topic_arn,
                Message=json.dumps(payload, ensure_ascii=False),
                MessageAttributes={"user_id": _string(user_id), "kind": _string(event.kind),
                                   "event_id": _string(event.id)},
            )
        except ClientError as error:
            raise_if_permanent(error, PERMANENT)
            raise


@dataclass
class RecordingPushSender:
    """Keeps what it was asked to send (unit tests, dry runs)."""

    sent: list[tuple[str, Message, str]] = field(default_factory=list)

    def send(self, user_id: str, message: Message, event: Event) -> None:
        self.sent.append((user_id, message, event.id))
