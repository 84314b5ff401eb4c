"""The scan queue, drained the way Lambda's SQS event source does it: receive one message, call
the consumer the app registers (``app.handler_map["scan_uploads"]``), delete the message when the
call returns, leave it when the call raises (it comes back after its visibility timeout and, after
the queue's maxReceiveCount, SQS moves it to the dead-letter queue). `make run` runs this in a
thread; tests call ``drain`` directly."""
from __future__ import annotations

import threading
from dataclasses import dataclass

import boto3

from chalicelib.config import settings


@dataclass
class DrainReport:
    handled: int = 0
    failed: int = 0


def queue_url(name: str | None = None) -> str:
    sqs = boto3.client("sqs", region_name=settings().aws_region)
    return sqs.get_queue_url(QueueName=name or settings().scan_queue_name)["QueueUrl"]


def _lambda_event(message: dict, arn: str) -> dict:
    return {"Records": [{
        "messageId": message["MessageId"], "receiptHandle": message["ReceiptHandle"], "body": message["Body"],
        "attributes": message.get("Attributes", {}), "messageAttributes": {}, "md5OfBody": message.get("MD5OfBody", ""),
        "eventSource": "aws:sqs", "eventSourceARN": arn, "awsRegion": settings().aws_region}]}


def drain(handler=None, *, wait_seconds: int = 0, retry_visibility: int = 0, max_messages: int = 100) -> DrainReport:
    """Handles what is in the queue now. ``retry_visibility`` is how long a failed message stays
    invisible (0: at once, for tests)."""
    if handler is None:
        from app import app

        handler = app.handler_map["scan_uploads"]
    sqs = boto3.client("sqs", region_name=settings().aws_region)
    url = queue_url()
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    report = DrainReport()
    while report.handled + report.failed < max_messages:
        got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=1, WaitTimeSeconds=wait_seconds,
                                  AttributeNames=["All"]).get("Messages", [])
        if not got:
            break
        message = got[0]
        try:
            handler(_lambda_event(message, arn), None)
        except Exception as exc:  # Lambda's behaviour: the message returns to the queue
            report.failed += 1
            print(f"[scanner] failed, will retry: {exc!r}", flush=True)
            sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"],
                                          VisibilityTimeout=retry_visibility)
            if retry_visibility:
                break
            continue
        sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        report.handled += 1
    return report


def loop(stop: threading.Event, every: float = 1.0) -> None:
    while not stop.is_set():
        try:
            report = drain(wait_seconds=1, retry_visibility=10)
            if report.handled:
                print(f"[scanner] scanned {report.handled} upload(s)", flush=True)
        except Exception as exc:
            print(f"[scanner] failed: {exc!r}", flush=True)
        stop.wait(every)
