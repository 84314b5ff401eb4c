"""The scan use case (F1, G8): one S3 "object created" notification in, one verdict out.

For each object version: find the file record from the key, note the upload (the file becomes
attachable), check the size, download that exact version, check that the first bytes are what the
name and claimed type say, read an image's pixel count from its header before anything decodes it,
scan it with ClamAV, look for active content in PDFs and Office files, measure gig media (G8), tag
the version ``scan-status=<verdict>`` and store the verdict with the version on the record. A
blocked verdict stages one ``file.blocked`` event for the uploader in the same transaction.

Redeliveries are harmless: a version that already has a scan verdict is only re-tagged. A file
that hits the engine's limits or our time cap on a scan is unscannable at once (no retry). An
engine failure (no daemon, no database, a protocol error) raises ``ScanError`` after noting the
attempt: the queue redelivers the message, and after the queue's maximum receives it goes to the
dead-letter queue; the file stays blocked and the sweeper makes it unscannable at its deadline."""
from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from urllib.parse import unquote_plus

from chalicelib.config import settings
from chalicelib.domain.clock import Clock
from chalicelib.domain.errors import Conflict
from chalicelib.domain.files import (
    SNIFF_BYTES,
    BlockReason,
    FileState,
    MediaInfo,
    Purpose,
    StoredFile,
    Verdict,
    active_content_verdict,
    combine,
    content_mismatch_reason,
    engine_timeout_verdict,
    image_size_verdict,
    media_problem,
    size_verdict,
    verdict_from_engine,
)
from chalicelib.files import active_content, storage
from chalicelib.files import media as media_reader
from chalicelib.files.clamav import ScanError, Scanner, ScanTimeout
from chalicelib.observability import logger
from chalicelib.services import files as file_service
from chalicelib.services import runtime
from chalicelib.store import files as file_store


@dataclass(frozen=True)
class Outcome:
    key: str
    version_id: str | None
    state: str  # the verdict, or "ignored"/"repeat"
    file_id: str | None = None


def handle_message(body: str, scanner: Scanner, clock: Clock) -> list[Outcome]:
    """One SQS message: an S3 event (possibly several records) or S3's test event."""
    event = json.loads(body)
    if event.get("Event") == "s3:TestEvent":
        return []
    outcomes = []
    for record in event.get("Records", []):
        if not str(record.get("eventName", "")).startswith("ObjectCreated"):
            continue
        s3 = record["s3"]
        outcomes.append(scan_object(s3["bucket"]["name"], unquote_plus(s3["object"]["key"]),
                                    s3["object"].get("versionId"), int(s3["object"].get("size", 0)),
                                    scanner, clock))
    return outcomes


def scan_object(bucket: str, key: str, version_id: str | None, size: int, scanner: Scanner,
                clock: Clock) -> Outcome:
    if not version_id:
        # Versioned buckets always name the version; moto's notifications do not.
        version_id = storage.head(bucket, key, None).get("VersionId") or "null"
    file_id = file_service.file_id_of_key(key)
    record = file_store.get(file_id) if file_id else None
    if record is None:
        # Nothing the API issued: never downloadable.
        logger.warning("object without a file record", extra={"key": key})
        storage.tag(bucket, key, version_id, FileState.UNSCANNABLE.value)
        return Outcome(key, version_id, "ignored")
    f = record.value
    if not f.owns_version(version_id):
        logger.warning("another version under a file's key", extra={"file_id": f.id, "version_id": version_id})
        storage.tag(bucket, key, version_id, FileState.UNSCANNABLE.value)
        return Outcome(key, version_id, "ignored", f.id)
    if f.has_verdict and f.verdict_source == "scan":
        storage.tag(bucket, key, version_id, f.state.value)  # idempotent: the same verdict again
        return Outcome(key, version_id, "repeat", f.id)

    now = clock.now()
    uploaded = f.record_upload(version_id, size, now)
    if uploaded is not None:  # attachable from now on, while the scan runs
        uow = runtime.current().unit_of_work()
        file_store.stage_save(uow, record, uploaded)
        try:
            uow.commit()
        except Conflict:
            record = file_store.get(f.id)
            assert record is not None
        f = record.value

    try:
        verdict, info, problem = _inspect(bucket, key, version_id, size, f, scanner)
    except ScanError as exc:
        _note_failure(f.id, str(exc))
        logger.warning("scan failed; the message will be retried", extra={"file_id": f.id, "error": str(exc)})
        raise

    # Tag first: a record that says clean always has a version the bucket serves.
    storage.tag(bucket, key, version_id, verdict.state.value)
    for _ in range(3):
        updated = record.value.record_verdict(verdict, version_id, size, clock.now(), info, problem)
        if updated is None:
            return Outcome(key, version_id, "repeat", f.id)
        uow = runtime.current().unit_of_work()
        file_service.stage_verdict(uow, record, updated, clock.now())
        try:
            uow.commit()
        except Conflict:  # a concurrent delivery or an attach: read again and retry
            record = file_store.get(f.id)
            assert record is not None
            continue
        logger.info("scanned", extra={"file_id": f.id, "state": verdict.state.value,
                                      "signature": verdict.signature, "engine": scanner.name})
        return Outcome(key, version_id, verdict.state.value, f.id)
    raise Conflict("could not store the verdict", code="concurrent_update")


def _inspect(bucket: str, key: str, version_id: str, size: int, f: StoredFile,
             scanner: Scanner) -> tuple[Verdict, MediaInfo | None, str | None]:
    """The checks in order, each ending the inspection with a blocked verdict: the size; pixels
    before bytes (an image over its purpose's limit never reaches a decoder or ClamAV); ClamAV
    (infected wins over the checks below; its time cap makes the file unscannable at once); the
    first bytes against the claimed type; a readable image header; active content in PDFs and
    Office files; gig media measured (G8)."""
    wrong_size = size_verdict(size, f.declared_size, f.max_bytes)  # F1, before any download
    if wrong_size is not None:
        return wrong_size, None, None
    with tempfile.TemporaryDirectory(prefix="scan-") as tmp:
        path = os.path.join(tmp, "object")
        storage.download(bucket, key, version_id, path)
        return inspect_path(path, f, scanner)


def inspect_path(path: str, f: StoredFile, scanner: Scanner) -> tuple[Verdict, MediaInfo | None, str | None]:
    """The verdict for the bytes at ``path``, uploaded as ``f`` (also what `make bench` times)."""
    wrong_size = size_verdict(os.path.getsize(path), f.declared_size, f.max_bytes)  # the bytes themselves
    if wrong_size is not None:
        return wrong_size, None, None
    with open(path, "rb") as fh:
        head = fh.read(SNIFF_BYTES)
    # F1: pixels before bytes, whatever type the uploader claimed.
    image_problem = None
    try:
        image = media_reader.image_size(path)
    except media_reader.MediaError as exc:
        image, image_problem = None, str(exc)
    if image is not None:
        too_large = image_size_verdict(f.purpose, image[1], image[2])
        if too_large is not None:
            return too_large, None, None
    try:
        engine = verdict_from_engine(scanner.scan(path))
    except ScanTimeout as exc:  # F1: the file stalls the engine; a retry would stall it again
        return engine_timeout_verdict(str(exc)), None, None
    verdict = combine(engine, content_mismatch_reason(f.file_type, head))
    if verdict.state is not FileState.CLEAN:
        return verdict, None, None
    if image_problem:
        return Verdict(FileState.UNSCANNABLE, reason=image_problem,
                       reason_code=BlockReason.MEDIA_UNREADABLE), None, None
    try:  # F1: active content, for every purpose
        document = active_content.check(f.content_type, path)
    except active_content.DocumentError as exc:
        return Verdict(FileState.UNSCANNABLE, reason=str(exc),
                       reason_code=BlockReason.DOCUMENT_UNREADABLE), None, None
    if document is not None:
        active = active_content_verdict(*document)
        if active is not None:
            return active, None, None
    if f.purpose is not Purpose.GIG_MEDIA:
        return verdict, None, None
    try:
        info = media_reader.measure(f.file_type, path)
    except media_reader.MediaError as exc:
        return Verdict(FileState.UNSCANNABLE, reason=str(exc), reason_code=BlockReason.MEDIA_UNREADABLE), None, None
    return verdict, info, media_problem(f.content_type, info)


def _note_failure(file_id: str, error: str) -> None:
    record = file_store.get(file_id)
    if record is None or record.value.has_verdict:
        return
    uow = runtime.current().unit_of_work()
    file_store.stage_save(uow, record, record.value.record_failure(error))
    try:
        uow.commit()
    except Conflict:
        pass


def bucket() -> str:
    return settings().upload_bucket
