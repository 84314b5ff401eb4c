"""File use cases (F1, G8): upload requests, who may see a file, downloads, reports, attaching
files to what they belong to, and the sweeper's time-out for files that never got a verdict.

Who may see a file: its uploader, operators, and whoever may see what it is attached to. What a
file attaches to is a stream ``"<kind>:<id>"`` (``order:…``, ``conversation:…``, ``request:…``);
the composition root (chalicelib/root.py) registers a visibility check per kind in the runtime's
``stream_kinds``. Gig media are not attached:
a seller may use an image in several of their gigs, and anyone may see a gig media file that a
listed gig of its owner shows (G8)."""
from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from chalicelib.domain.accounts import NotificationKind
from chalicelib.domain.clock import Clock
from chalicelib.domain.deadlines import Deadline, DeadlineKind
from chalicelib.domain.errors import (
    Conflict,
    FieldError,
    Forbidden,
    InvalidInput,
    NotFound,
)
from chalicelib.domain.events import Actor, Event
from chalicelib.domain.files import (
    DOWNLOAD_EXPIRES,
    SCAN_DEADLINE,
    UPLOAD_EXPIRES,
    AcceptedUpload,
    BlockReason,
    FileState,
    GalleryItem,
    Purpose,
    StoredFile,
    UploadRequest,
    attach_errors,
    check_upload,
    gallery_errors,
)
from chalicelib.domain.ids import new_id
from chalicelib.domain.reports import ReportKind
from chalicelib.files import storage
from chalicelib.observability import logger
from chalicelib.services import reports as report_queue
from chalicelib.services import runtime
from chalicelib.services.viewer import Viewer  # noqa: F401  (callers name it from here too)
from chalicelib.store import deadlines as deadline_store
from chalicelib.store import events as event_store
from chalicelib.store import files as file_store
from chalicelib.store import gigs as gig_store
from chalicelib.store.records import Record
from chalicelib.store.unit_of_work import UnitOfWork

KEY_PREFIX = "u/"  # every upload's object key: u/<file id>/<random>

def _shown_by_a_listed_gig(f: StoredFile) -> bool:
    """G8: a seller has at most a few gigs (services/gigs.MAX_GIGS_PER_SELLER), read in one query."""
    return any(g.value.is_listed and f.id in g.value.media for g in gig_store.of_seller(f.owner_id))


@dataclass(frozen=True)
class FileRef:
    """What other aggregates keep of an attached file and what they show of it."""

    id: str
    name: str
    content_type: str
    size: int | None
    state: FileState

    @property
    def blocked(self) -> bool:
        """Infected or unscannable: never downloadable (F1)."""
        return self.state in (FileState.INFECTED, FileState.UNSCANNABLE)

    @property
    def pending(self) -> bool:
        return self.state in (FileState.AWAITING_UPLOAD, FileState.SCANNING)

    @property
    def clean(self) -> bool:
        return self.state is FileState.CLEAN


def ref_of(f: StoredFile) -> FileRef:
    return FileRef(id=f.id, name=f.name, content_type=f.content_type, size=f.size, state=f.state)


def has_clean_file(refs: Iterable[FileRef]) -> bool:
    """O6: a delivery is not "non-empty" on the strength of blocked (or unscanned) files alone."""
    return any(r.clean for r in refs)


def key_of(file_id: str) -> str:
    return f"{KEY_PREFIX}{file_id}/{secrets.token_hex(16)}"


def file_id_of_key(key: str) -> str | None:
    if not key.startswith(KEY_PREFIX):
        return None
    file_id, _, rest = key[len(KEY_PREFIX):].partition("/")
    return file_id if file_id and rest and "/" not in rest else None


# -- upload ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Upload:
    file: StoredFile
    url: str
    fields: dict[str, str]
    expires_at: datetime


def request_upload(user_id: str, request: UploadRequest, clock: Clock) -> Upload:
    """F1: a presigned POST for one object under a server-chosen random key, with the exact
    content type, exactly the declared size (within the purpose's cap) and a short expiry. The file must get a
    verdict before SCAN_DEADLINE, or the sweeper makes it unscannable."""
    accepted = check_upload(request)
    if not isinstance(accepted, AcceptedUpload):
        raise InvalidInput("The upload is refused.", code="upload_refused", rule="F1", fields=accepted)
    now = clock.now()
    file_id = new_id("file")
    f = StoredFile(id=file_id, owner_id=user_id, purpose=accepted.purpose, name=accepted.display_name,
                   content_type=accepted.file_type.content_type, max_bytes=accepted.max_bytes,
                   key=key_of(file_id), created_at=now, declared_size=accepted.size)
    uow = runtime.current().unit_of_work()
    file_store.stage_save(uow, file_store.new_record(f), f)
    deadline_store.stage_set(uow, Deadline(DeadlineKind.FILE_SCAN, file_id, "unscanned", now + SCAN_DEADLINE), None)
    uow.commit()
    form = storage.presign_post(f.key, f.content_type, accepted.size, int(UPLOAD_EXPIRES.total_seconds()))
    return Upload(file=f, url=form["url"], fields=form["fields"], expires_at=now + UPLOAD_EXPIRES)


# -- seeing and downloading ------------------------------------------------------------------
def can_see(f: StoredFile, viewer: Viewer) -> bool:
    if viewer.is_operator or f.owner_id == viewer.user_id:
        return True
    if f.purpose is Purpose.GIG_MEDIA:
        return f.is_clean and _shown_by_a_listed_gig(f)
    if f.attached_to:
        kind, _, attached_id = f.attached_to.partition(":")
        check = runtime.current().stream_kinds.get(kind)
        return bool(check and check(attached_id, viewer.user_id))
    return False


def get_visible(viewer: Viewer, file_id: str) -> StoredFile:
    found = file_store.get(file_id)
    if found is None or not can_see(found.value, viewer):
        raise NotFound("No such file.")
    return found.value


@dataclass(frozen=True)
class Download:
    url: str
    expires_at: datetime
    file: StoredFile


def _download(f: StoredFile, clock: Clock) -> Download:
    """F1: only a clean version is ever handed out; pending is 409, blocked 403 with the reason."""
    if f.state in (FileState.AWAITING_UPLOAD, FileState.SCANNING):
        raise Conflict("The file has not been scanned yet; try again shortly.", code="file_pending", rule="F1")
    if f.state is FileState.INFECTED:
        found = f"{f.reason}; {f.signature}" if f.reason else f.signature
        raise Forbidden(f"The file is blocked ({found}) and cannot be downloaded.", code="file_infected",
                        rule="F1")
    if f.reason_code is BlockReason.REMOVED:
        raise Forbidden("The file was removed by the marketplace's moderators.", code="file_removed", rule="W1")
    if f.state is FileState.UNSCANNABLE:
        raise Forbidden(f"The file could not be scanned ({f.reason}) and cannot be downloaded.",
                        code="file_unscannable", rule="F1")
    assert f.is_clean and f.version_id
    url = storage.presign_get(f.key, f.version_id, f.name, f.content_type, int(DOWNLOAD_EXPIRES.total_seconds()))
    return Download(url=url, expires_at=clock.now() + DOWNLOAD_EXPIRES, file=f)


def serve(f: StoredFile, clock: Clock) -> Download:
    """The download rules (F1) for a file whose visibility the caller has checked (F2/F3 links)."""
    return _download(f, clock)


def download(viewer: Viewer, file_id: str, clock: Clock) -> Download:
    return _download(get_visible(viewer, file_id), clock)


def download_gig_media(gig_id: str, file_id: str, clock: Clock) -> Download:
    """G8: anyone, signed in or not, may download the clean media of a gig whose page is public
    (listed, or hidden only while its seller is away, A4)."""
    gig = gig_store.get(gig_id)
    found = file_store.get(file_id)
    if (gig is None or not gig.value.shows_page or file_id not in gig.value.media or found is None
            or found.value.owner_id != gig.value.seller_id or found.value.purpose is not Purpose.GIG_MEDIA):
        raise NotFound("No such file.")
    return _download(found.value, clock)


# -- reports ---------------------------------------------------------------------------------
def report(viewer: Viewer, file_id: str, reason: str, clock: Clock) -> file_store.Report:
    """F1: anyone who may see a file may report it as suspicious, once."""
    seen = get_visible(viewer, file_id)
    found = file_store.Report(file_id=file_id, reporter_id=viewer.user_id, reason=reason, at=clock.now())
    uow = runtime.current().unit_of_work()
    file_store.stage_report(uow, found)
    # W1: the report is operators' work too: one queue across kinds (services/reports.py).
    report_queue.stage_filed(uow, ReportKind.FILE, file_id, seen.owner_id, viewer.user_id, reason, seen.name, clock)
    try:
        uow.commit()
    except Conflict:
        raise Conflict("You already reported this file.", code="already_reported", rule="F1") from None
    return found


def reports(limit: int, cursor: str | None) -> tuple[list[tuple[file_store.Report, StoredFile | None]], str | None]:
    """Operators: the reports, newest first, with the file each is about."""
    page, next_cursor = file_store.page_of_reports(limit, cursor)
    files = file_store.get_many([r.file_id for r in page])
    return [(r, files[r.file_id].value if r.file_id in files else None) for r in page], next_cursor


# -- attaching -------------------------------------------------------------------------------
def stage_attach(uow: UnitOfWork, file_ids: list[str], owner_id: str, purpose: Purpose, attached_to: str,
                 path: str = "files") -> list[FileRef]:
    """Attaches the caller's uploaded files to ``attached_to`` ("order:<id>", ...) in the caller's
    transaction. Refuses (422, a field error per file at ``<path>.<index>``) files that do not
    exist, are not the caller's, were uploaded for another purpose, were never uploaded, or are
    attached elsewhere. The files' versions are conditions of the transaction."""
    records = file_store.get_many(file_ids)
    found = [(i, fid, records[fid].value if fid in records else None) for i, fid in enumerate(file_ids)]
    errors = attach_errors(found, owner_id, purpose, attached_to, path)
    if errors:
        raise InvalidInput("Some files cannot be attached.", code="invalid_files", rule="F1", fields=errors)
    refs = []
    for file_id in file_ids:
        record = records[file_id]
        if record.value.attached_to == attached_to:
            file_store.stage_check(uow, record)
        else:
            file_store.stage_save(uow, record, record.value.attach(attached_to))
        refs.append(ref_of(record.value))
    return refs


def stage_detach(uow: UnitOfWork, file_ids: Iterable[str], attached_to: str) -> None:
    records = file_store.get_many(list(file_ids))
    for record in records.values():
        if record.value.attached_to == attached_to:
            file_store.stage_save(uow, record, record.value.detach())


def summaries(file_ids: list[str]) -> list[FileRef]:
    """Id, name, type, size and verdict state of each existing file, in the order asked."""
    records = file_store.get_many(file_ids)
    return [ref_of(records[i].value) for i in file_ids if i in records]


# -- gig media (G8) --------------------------------------------------------------------------
def gallery_errors_for(seller_id: str, media: Iterable[str], *, requires_video: bool,
                       allows_audio: bool) -> list[FieldError]:
    """G8 at publish, over the verdicts and measured metadata stored on the file records."""
    media = list(media)
    records = file_store.get_many(media)
    items = []
    for file_id in media:
        record = records.get(file_id)
        f = record.value if record else None
        ok = f if f is not None and f.owner_id == seller_id and f.purpose is Purpose.GIG_MEDIA else None
        items.append(GalleryItem(file_id=file_id, exists=ok is not None, state=ok.state if ok else None,
                                 content_type=ok.content_type if ok else None,
                                 info=ok.media if ok else None, problem=ok.media_problem if ok else None))
    return gallery_errors(items, requires_video=requires_video, allows_audio=allows_audio)


def check_gig_media(seller_id: str, before: Iterable[str], after: Iterable[str]) -> None:
    """Files newly put in a gig's gallery must be the seller's uploaded gig media (422 otherwise);
    whether they are clean and fit G8 is the publish check."""
    before = set(before)
    added = [(i, f) for i, f in enumerate(after) if f not in before]
    if not added:
        return
    records = file_store.get_many([f for _, f in added])
    found = [(i, f, records[f].value if f in records else None) for i, f in added]
    errors = attach_errors(found, seller_id, Purpose.GIG_MEDIA, "gig", path="media")
    if errors:
        raise InvalidInput("Some media files cannot be used.", code="invalid_files", rule="G8", fields=errors)


# -- verdict bookkeeping shared with the scanner ---------------------------------------------
def stage_verdict(uow: UnitOfWork, record: Record[StoredFile], updated: StoredFile, now: datetime) -> None:
    """Saves a verdict, clears the scan deadline and, when the file is blocked, tells the uploader
    (``file.blocked``) in the same transaction: one event per verdict."""
    file_store.stage_save(uow, record, updated)
    deadline_store.stage_clear(uow, deadline_store.get(DeadlineKind.FILE_SCAN, updated.id))
    if updated.is_blocked:
        why = (updated.reason or updated.signature) if updated.state is FileState.INFECTED else updated.reason
        event_store.stage(uow, Event.new(
            "file.blocked", f"file:{updated.id}", now, Actor.SYSTEM, None,
            f"{updated.name} is {updated.state} and cannot be downloaded: {why}",
            recipients=(updated.owner_id,), notification=NotificationKind.FILE_BLOCKED,
            data={"file_id": updated.id, "state": updated.state.value, "signature": updated.signature,
                  "reason": updated.reason, "version_id": updated.version_id,
                  "attached_to": updated.attached_to}))


def fire_scan_deadline(deadline: Record[Deadline], clock: Clock) -> None:
    """F1 via the sweeper: a file still without a verdict is unscannable (and stays blocked)."""
    now = clock.now()
    record = file_store.get(deadline.value.subject)
    uow = runtime.current().unit_of_work()
    if record is None:
        deadline_store.stage_clear(uow, deadline)
        uow.commit()
        return
    updated = record.value.time_out(now)
    if updated is None:
        deadline_store.stage_clear(uow, deadline)
        uow.commit()
        return
    stage_verdict(uow, record, updated, now)
    uow.commit()
    if updated.version_id:
        try:
            storage.tag(_bucket(), updated.key, updated.version_id, updated.state.value)
        except Exception:  # the bucket policy already refuses an untagged version
            logger.exception("could not tag a timed-out upload", extra={"file_id": updated.id})


def _bucket() -> str:
    from chalicelib.config import settings

    return settings().upload_bucket
