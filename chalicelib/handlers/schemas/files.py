from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from chalicelib.domain.files import FILE_TYPES, LARGEST_UPLOAD, NAME_MAX, BlockReason, Purpose
from chalicelib.handlers.schemas import RequestModel

BlockReasonName = Literal["scanner_limit", "encrypted", "type_mismatch", "too_large", "size_mismatch",
                          "media_unreadable", "never_uploaded", "scan_timeout", "image_too_large",
                          "active_content", "document_unreadable", "removed"]
assert set(BlockReasonName.__args__) == {r.value for r in BlockReason}  # type: ignore[attr-defined]
PurposeName = Literal["gig_media", "requirement_answer", "message", "delivery", "buyer_request", "profile_photo"]
assert set(PurposeName.__args__) == {p.value for p in Purpose}  # type: ignore[attr-defined]


class UploadIn(RequestModel):
    """What the client will upload. The name is kept as a display name only."""

    model_config = {**RequestModel.model_config, "str_strip_whitespace": False}

    purpose: PurposeName
    name: str = Field(min_length=1, max_length=NAME_MAX * 2, description="Display name, e.g. plan.pdf")
    content_type: str = Field(max_length=200, description="One of: " + ", ".join(sorted(FILE_TYPES)))
    size: int = Field(ge=0, le=LARGEST_UPLOAD * 100,
                      description="Bytes the client will send: the upload form takes exactly this many (F1).")


class MediaOut(BaseModel):
    family: str
    width: int | None
    height: int | None
    duration_seconds: float | None
    pages: int | None


class FileOut(BaseModel):
    id: str
    purpose: PurposeName
    name: str
    content_type: str
    size: int | None
    state: Literal["awaiting_upload", "scanning", "clean", "infected", "unscannable"]
    signature: str | None = Field(description="infected: what the scanner or the active-content check found")
    reason: str | None = Field(description="unscannable: why; infected: why in words, where known "
                                           "(\"contains active content: JavaScript\")")
    reason_code: BlockReasonName | None = Field(None, description="blocked: why, as a stable code")
    media: MediaOut | None
    media_problem: str | None = Field(description="G8: what keeps this gig media file out of a gallery")
    attached_to: str | None
    created_at: datetime
    scanned_at: datetime | None


class UploadFormOut(BaseModel):
    url: str
    fields: dict[str, str] = Field(description="Send every field, then the file as the last field 'file'.")
    expires_at: datetime


class UploadOut(BaseModel):
    file: FileOut
    upload: UploadFormOut


class DownloadOut(BaseModel):
    url: str
    expires_at: datetime


class ReportIn(RequestModel):
    reason: str = Field(min_length=1, max_length=1000)


class ReportOut(BaseModel):
    file_id: str
    reporter_id: str
    reason: str
    at: datetime


class ReportedFileOut(BaseModel):
    id: str
    owner_id: str
    name: str
    purpose: str
    state: str


class FileReportOut(ReportOut):
    file: ReportedFileOut | None


class FileReportPage(BaseModel):
    items: list[FileReportOut]
    next_cursor: str | None
