"""The scan queue's consumer: S3 notifies the queue of every new upload; each message is scanned
(services/scanning.py). One message per invocation: an engine failure raises, so Lambda returns
the message to the queue for another try and, after the queue's maximum receives, SQS moves it to
the dead-letter queue (the file stays blocked)."""
from __future__ import annotations

from chalice import Blueprint

from chalicelib.config import settings
from chalicelib.files import clamav
from chalicelib.observability import logger
from chalicelib.services import runtime, scanning

blueprint = Blueprint(__name__)


def handle(event) -> list[dict]:
    """``event`` is Chalice's SQSEvent (or anything iterating records with ``body``)."""
    scanner = clamav.from_settings()
    done: list[dict] = []
    for record in event:
        outcomes = scanning.handle_message(record.body, scanner, runtime.clock())
        done.extend({"key": o.key, "state": o.state, "file_id": o.file_id} for o in outcomes)
    logger.info("scan batch done", extra={"outcomes": done})
    return done


@blueprint.on_sqs_message(queue=settings().scan_queue_name, batch_size=1, name="scan_uploads")
def scan_uploads(event) -> list[dict]:
    return handle(event)
