"""Files (F1, G8): upload requests, the file record, downloads of clean files, suspicious-file
reports, and the public download of a listed gig's media."""
from __future__ import annotations

from chalicelib.domain.codec import to_primitive
from chalicelib.domain.files import Purpose, StoredFile, UploadRequest
from chalicelib.handlers.api import Api, Call
from chalicelib.handlers.schemas import PageQuery
from chalicelib.handlers.schemas.files import (
    DownloadOut,
    FileOut,
    FileReportOut,
    FileReportPage,
    ReportedFileOut,
    ReportIn,
    ReportOut,
    UploadFormOut,
    UploadIn,
    UploadOut,
)
from chalicelib.services import files, runtime

api = Api(__name__, tag="files")


def file_out(f: StoredFile) -> FileOut:
    return FileOut.model_validate(to_primitive(f))


def _viewer(call: Call) -> files.Viewer:
    return files.Viewer(call.user.user_id, call.user.is_operator)


@api.route("/uploads", "POST", summary="Ask for an upload (a presigned POST) (F1)", request=UploadIn,
           response=UploadOut, location="/files/{file[id]}", status=201, idempotent=True)
def request_upload(call: Call) -> UploadOut:
    body = call.body
    upload = files.request_upload(call.user.user_id, UploadRequest(Purpose(body.purpose), body.name,
                                                                   body.content_type, body.size), runtime.clock())
    return UploadOut(file=file_out(upload.file),
                     upload=UploadFormOut(url=upload.url, fields=upload.fields, expires_at=upload.expires_at))


@api.route("/files/{file_id}", "GET", summary="A file record and its scan verdict", response=FileOut)
def get_file(call: Call, file_id: str) -> FileOut:
    return file_out(files.get_visible(_viewer(call), file_id))


@api.route("/files/{file_id}/download", "GET", summary="A short-lived link to a clean file (F1)",
           response=DownloadOut)
def download_file(call: Call, file_id: str) -> DownloadOut:
    """409 while the file is not scanned yet; 403 with the reason when it is infected or
    unscannable; 404 for someone who may not see it."""
    found = files.download(_viewer(call), file_id, runtime.clock())
    return DownloadOut(url=found.url, expires_at=found.expires_at)


@api.route("/files/{file_id}/reports", "POST", summary="Report a file as suspicious (F1)", request=ReportIn,
           response=ReportOut, location="/file-reports", status=201)
def report_file(call: Call, file_id: str) -> ReportOut:
    found = files.report(_viewer(call), file_id, call.body.reason, runtime.clock())
    return ReportOut(file_id=found.file_id, reporter_id=found.reporter_id, reason=found.reason, at=found.at)


@api.route("/file-reports", "GET", summary="Suspicious-file reports, newest first (operators)", query=PageQuery,
           response=FileReportPage, operator_only=True)
def file_reports(call: Call) -> FileReportPage:
    page, cursor = files.reports(call.query.limit, call.query.cursor)
    items = [FileReportOut(file_id=r.file_id, reporter_id=r.reporter_id, reason=r.reason, at=r.at,
                           file=ReportedFileOut(id=f.id, owner_id=f.owner_id, name=f.name, purpose=f.purpose.value,
                                                state=f.state.value) if f else None)
             for r, f in page]
    return FileReportPage(items=items, next_cursor=cursor)


@api.route("/gigs/{gig_id}/media/{file_id}/download", "GET", summary="Download a listed gig's clean media (G8)",
           response=DownloadOut, public=True)
def download_gig_media(call: Call, gig_id: str, file_id: str) -> DownloadOut:
    found = files.download_gig_media(gig_id, file_id, runtime.clock())
    return DownloadOut(url=found.url, expires_at=found.expires_at)
