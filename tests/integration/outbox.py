"""Staging events the way the order lifecycle does (in a UnitOfWork) and reading what the
dispatcher sent from moto's SES and SNS backends."""
from __future__ import annotations

from datetime import datetime

from moto.core import DEFAULT_ACCOUNT_ID
from moto.ses import ses_backends
from moto.sns import sns_backends

from chalicelib.config import settings
from chalicelib.domain.accounts import NotificationKind
from chalicelib.domain.events import Actor, Event
from chalicelib.domain.ids import new_id
from chalicelib.services import runtime
from chalicelib.store import events as event_store
from chalicelib.store.unit_of_work import UnitOfWork


def stage_event(*recipients: str, notification: NotificationKind | None = NotificationKind.ORDER_PLACED,
                kind: str = "order.placed", summary: str = "Bob placed an order.",
                at: datetime | None = None) -> Event:
    event = Event.new(kind, f"order:{new_id('ord')}", at or runtime.clock().now(), Actor.BUYER, "u_bob",
                      summary, recipients=recipients, notification=notification)
    uow = UnitOfWork()
    event_store.stage(uow, event)
    uow.commit()
    return event


def pending_ids() -> list[str]:
    return [r.value.id for shard in range(settings().due_shards) for r in event_store.pending(shard, 100)]


def sent_emails() -> list:
    """moto's record of SES messages: ``.destinations["ToAddresses"]``, ``.subject``, ``.body``."""
    return list(ses_backends[DEFAULT_ACCOUNT_ID][settings().aws_region].sent_messages)


def sent_pushes() -> list[dict]:
    """What was published to the push topic: message and attributes, as plain values."""
    topic = sns_backends[DEFAULT_ACCOUNT_ID][settings().aws_region].topics[settings().push_topic_arn]
    out = []
    for _id, message, _subject, attributes, _group in topic.sent_notifications:
        out.append({"message": message,
                    "attributes": {k: v.get("StringValue", v.get("Value")) for k, v in (attributes or {}).items()}})
    return out
