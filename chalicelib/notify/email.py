"""E-mail through Amazon SES (``SendEmail``), from ``settings().notification_sender``.

The sender address (or its domain) must be a verified SES identity; local/resources.py verifies
it on moto. Throttling and other errors propagate: the dispatcher leaves the event pending."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Protocol

import boto3
from botocore.exceptions import ClientError

from chalicelib.config import settings
from chalicelib.domain.notifications import Message
from chalicelib.notify import raise_if_permanent

# SES refuses the message itself (a rejected or malformed address): no retry will help.
PERMANENT = frozenset({"MessageRejected", "InvalidParameterValue"})


class EmailSender(Protocol):
    def send(self, to: str, message: Message) -> None: ...


@lru_cache(maxsize=1)
def _client():
    return boto3.client("ses", region_name=settings().aws_region)


class SesEmailSender:
    def __init__(self, sender: str | None = None) -> None:
        self.sender = sender or settings().notification_sender

    def send(self, to: str, message: Message) -> None:
        try:
            _client().send_email(
                Source=self.sender,
                Destination={"ToAddresses": [to]},
                Message={"Subject": {"Data": message.title, "Charset": "UTF-8"},
                         "Body": {"Text": {"Data": message.body, "Charset": "UTF-8"}}},
            )
        except ClientError as error:
            raise_if_permanent(error, PERMANENT)
            raise


@dataclass
class RecordingEmailSender:
    """Keeps what it was asked to send (unit tests, dry runs)."""

    sent: list[tuple[str, Message]] = field(default_factory=list)

    def send(self, to: str, message: Message) -> None:
        self.sent.append((to, message))
