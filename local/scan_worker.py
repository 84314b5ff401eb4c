"""The scan queue, drained the way Lambda's SQS event source does it: each message is one call of
the consumer the app registers (``app.handler_map["scan_uploads"]``); the message is deleted when
the call returns and left when it raises (it comes back after its visibility timeout and, after
the queue's maxReceiveCount, SQS moves it to the dead-letter queue). `make run` runs this in a
thread; tests call ``drain`` directly.

F1: files are handled independently, as Lambda runs one invocation per message (batch size 1):
up to ``WORKERS`` messages are in hand at once, each in a thread of its own, and a free thread
takes the next message while a slow one is still being scanned, so one slow file never delays
the verdicts of other uploads. (moto is not thread-safe: `make run` serves it one request at a
time, local/moto_local.py, and the tests lock its in-process stubber; the scans themselves run in
parallel.)"""
from __future__ import annotations

import threading
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
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


WORKERS = 4  # as many as the local clamd's MaxThreads (chalicelib/files/clamav.clamd_config)


def drain(handler=None, *, wait_seconds: int = 0, retry_visibility: int = 0, max_messages: int = 100,
          workers: int = WORKERS) -> DrainReport:
    """Handles what is in the queue now, up to ``workers`` messages at a time, and returns when
    the queue is empty and every call has returned. ``retry_visibility`` is how long a failed
    message stays invisible (0: at once, for tests)."""
    if handler is None:
        from app import app

        handler = app.handler_map["scan_uploads"]
    from chalicelib.files import storage

    storage._client()  # created once here, shared by the threads (boto3 clients are thread-safe)
    sqs = boto3.client("sqs", region_name=settings().aws_region)
    url = queue_url()
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    report = DrainReport()
    lock = threading.Lock()

    def settle(message: dict, future: Future) -> None:
        exc = future.exception()
        if exc is not None:  # Lambda's behaviour: the message returns to the queue
            print(f"[scanner] failed, will retry: {exc!r}", flush=True)
            sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"],
                                          VisibilityTimeout=retry_visibility)
            with lock:
                report.failed += 1
            return
        sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        with lock:
            report.handled += 1

    received = 0
    running: dict[Future, dict] = {}
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="scan") as pool:
        while True:
            free = workers - len(running)
            got: list[dict] = []
            if free and received < max_messages:
                got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=min(free, 10, max_messages - received),
                                          WaitTimeSeconds=0 if running else wait_seconds,
                                          AttributeNames=["All"]).get("Messages", [])
                for message in got:
                    received += 1
                    running[pool.submit(handler, _lambda_event(message, arn), None)] = message
            if not running:
                break
            # Full, or nothing more to take: wait for a call to return. Otherwise look again soon
            # for messages that came in while these are being scanned.
            idle = len(running) >= workers or received >= max_messages
            done, _ = wait(running, timeout=None if idle else 0.2, return_when=FIRST_COMPLETED)
            for future in done:
                settle(running.pop(future), future)
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
