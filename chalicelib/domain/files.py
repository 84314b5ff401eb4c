"""Uploaded files (F1) and gig media (G8): what may be uploaded for what, how a name, a claimed
type and the first bytes must agree, the scan verdicts, and the gallery rules over measured media.

Pure: the bytes, the scanner's answer and the measured metadata are handed in by adapters.

A file's life: ``awaiting_upload`` (the API issued a presigned POST) → ``scanning`` (S3 told the
scan queue that an object version exists) → one verdict: ``clean``, ``infected`` (with the
signature) or ``unscannable`` (with the reason). Only ``clean`` can be downloaded; nothing is
clean by default. A verdict belongs to one object version: a second object written under the same
key is never what the record serves.
"""
from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from urllib.parse import quote

from .errors import FieldError

MB = 1024 * 1024


class Purpose(StrEnum):
    GIG_MEDIA = "gig_media"  # G8
    REQUIREMENT_ANSWER = "requirement_answer"  # G7/O3
    MESSAGE = "message"  # O5
    DELIVERY = "delivery"  # O6
    BUYER_REQUEST = "buyer_request"  # B1
    PROFILE_PHOTO = "profile_photo"  # A1: a seller profile's photo


class Family(StrEnum):
    IMAGE = "image"
    VIDEO = "video"
    AUDIO = "audio"
    DOCUMENT = "document"
    ARCHIVE = "archive"
    TEXT = "text"


@dataclass(frozen=True)
class FileType:
    content_type: str
    extensions: tuple[str, ...]  # lower case, without the dot; the first is the usual one
    family: Family
    magic: str  # which first-bytes check applies (see ``content_matches``)


FILE_TYPES: dict[str, FileType] = {t.content_type: t for t in (
    FileType("image/jpeg", ("jpg", "jpeg"), Family.IMAGE, "jpeg"),
    FileType("image/png", ("png",), Family.IMAGE, "png"),
    FileType("image/gif", ("gif",), Family.IMAGE, "gif"),
    FileType("image/webp", ("webp",), Family.IMAGE, "webp"),
    FileType("video/mp4", ("mp4",), Family.VIDEO, "mp4"),
    FileType("video/x-msvideo", ("avi",), Family.VIDEO, "avi"),
    FileType("audio/mpeg", ("mp3",), Family.AUDIO, "mp3"),
    FileType("application/pdf", ("pdf",), Family.DOCUMENT, "pdf"),
    FileType("application/vnd.openxmlformats-officedocument.wordprocessingml.document", ("docx",),
             Family.DOCUMENT, "zip"),
    FileType("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ("xlsx",),
             Family.DOCUMENT, "zip"),
    FileType("application/zip", ("zip",), Family.ARCHIVE, "zip"),
    FileType("text/plain", ("txt",), Family.TEXT, "text"),
    FileType("text/csv", ("csv",), Family.TEXT, "text"),
)}

# G8: what a gig gallery takes, and the size caps the seeds give ("under 50 MB", "under 10 MB").
GIG_MEDIA_MAX = {
    "image/jpeg": 10 * MB,  # [decision]
    "image/png": 10 * MB,  # [decision]
    "video/mp4": 50 * MB - 1,  # G8 under 50 MB
    "video/x-msvideo": 50 * MB - 1,  # G8
    "audio/mpeg": 10 * MB - 1,  # G8 under 10 MB
    "application/pdf": 10 * MB,  # [decision]
}
_EVERYDAY = tuple(t for t in FILE_TYPES)
# [decision] per-file caps of the other purposes. The scanner's limits (MaxFileSize and
# MaxScanSize, chalicelib/files/clamav.py) are set to the largest of them.
PURPOSE_MAX: dict[Purpose, dict[str, int]] = {
    Purpose.GIG_MEDIA: GIG_MEDIA_MAX,
    Purpose.REQUIREMENT_ANSWER: {t: 50 * MB for t in _EVERYDAY},
    Purpose.MESSAGE: {t: 50 * MB for t in _EVERYDAY},
    Purpose.DELIVERY: {t: 100 * MB for t in _EVERYDAY},
    Purpose.BUYER_REQUEST: {t: 25 * MB for t in _EVERYDAY},
    # [decision] A1 profile photos: still images a browser shows, at most 5 MB.
    Purpose.PROFILE_PHOTO: {"image/jpeg": 5 * MB, "image/png": 5 * MB, "image/webp": 5 * MB},
}
LARGEST_UPLOAD = max(size for caps in PURPOSE_MAX.values() for size in caps.values())

NAME_MAX = 200  # [decision] characters of a display name
# Extensions that must not appear anywhere in a name (``a.jpg.php``, ``shell.php.jpg``): servers
# and desktops that look at any extension would run them.
DANGEROUS_EXTENSIONS = frozenset({
    "exe", "com", "bat", "cmd", "scr", "pif", "msi", "msp", "dll", "cpl", "sys", "drv", "ps1", "psm1",
    "vbs", "vbe", "js", "jse", "jar", "wsf", "wsh", "hta", "lnk", "reg", "sh", "bash", "zsh", "csh",
    "php", "php3", "php4", "php5", "phtml", "phar", "asp", "aspx", "jsp", "jspx", "cgi", "pl", "py",
    "rb", "html", "htm", "xhtml", "svg", "shtml", "htaccess", "elf", "bin", "app", "apk", "dmg",
    "iso", "deb", "rpm", "so", "dylib",
})
# F1: characters a name must not hold. Control (Cc), format (Cf: direction marks and overrides,
# zero-width and invisible characters, the soft hyphen, U+180E...), line and paragraph separators
# (Zl, Zp), and the characters that draw nothing although Unicode calls them letters or symbols
# (the Hangul fillers, the Braille blank).
REFUSED_NAME_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp"})
BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")
# Names Windows gives to devices, whatever the extension (``CON.jpg``, ``nul.tar.gz``) and case;
# COM/LPT with a superscript digit are devices too.
WINDOWS_DEVICE_NAMES = frozenset({"con", "prn", "aux", "nul", *(f"{port}{digit}" for port in ("com", "lpt")
                                                                  for digit in "0123456789\u00b9\u00b2\u00b3")})
# Characters Windows does not allow in a name; ':' also names an NTFS alternate data stream.
WINDOWS_RESERVED_CHARACTERS = frozenset('<>:"|?*')

# Uploads: a presigned POST lives this long; a file that has no verdict this long after its
# upload was issued becomes unscannable (the sweeper).
UPLOAD_EXPIRES = timedelta(minutes=15)  # [decision]
SCAN_DEADLINE = timedelta(minutes=45)  # [decision] issue + 15 min to upload + 30 min to scan
DOWNLOAD_EXPIRES = timedelta(minutes=5)  # [decision] presigned GET


# ---------------------------------------------------------------------------------------------
# The upload request: name, claimed type, size, purpose
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class UploadRequest:
    purpose: Purpose
    name: str
    content_type: str
    size: int


@dataclass(frozen=True)
class AcceptedUpload:
    purpose: Purpose
    display_name: str
    extension: str
    file_type: FileType
    max_bytes: int  # the purpose's cap for the type
    size: int  # what the client declared: the presigned POST takes exactly this many bytes


def _refused_character(c: str) -> bool:
    return unicodedata.category(c) in REFUSED_NAME_CATEGORIES or c in BLANK_LETTERS


def name_errors(name: object, path: str = "name") -> list[FieldError]:
    """A display name (F1): a plain file name that says what it is on every desktop. It travels to
    the downloader's disk (the download's Content-Disposition), so nothing in it may be read as a
    path, a device, a stream, a control or format character, or hide what it is: refused are
    control, format and separator characters (Cc, Cf, Zl, Zp) and the Hangul fillers; names blank
    once those are gone; Windows device names (CON, NUL, COM1, LPT9...) with any extension in any
    case; colons and the other characters Windows refuses; names that start or end with a space or
    end with a dot after NFKC normalisation; an executable or script extension anywhere."""
    if not isinstance(name, str):
        return [FieldError(path, "a file name is required", "required", "F1")]
    errors: list[FieldError] = []
    visible = "".join(c for c in name if not _refused_character(c))
    if not "".join(visible.split()):
        return [FieldError(path, "a file name is required (this one shows nothing)", "required", "F1")]
    if len(name) > NAME_MAX:
        errors.append(FieldError(path, f"at most {NAME_MAX} characters", "too_long", "F1"))
    if "\x00" in name:
        errors.append(FieldError(path, "must not contain NUL bytes", "nul_byte", "F1"))
    elif any(unicodedata.category(c) == "Cc" for c in name):
        errors.append(FieldError(path, "must not contain control characters", "control_character", "F1"))
    hidden = sorted({f"U+{ord(c):04X}" for c in name
                     if _refused_character(c) and unicodedata.category(c) != "Cc"})
    if hidden:
        errors.append(FieldError(path, "must not contain invisible, format, direction or separator characters ("
                                 + ", ".join(hidden) + ")", "invisible_character", "F1"))
    normal = unicodedata.normalize("NFKC", name)  # what a file system may make of it: fullwidth ．／： too
    if "/" in normal or "\\" in normal or ".." in normal:
        errors.append(FieldError(path, "must be a plain file name, not a path ('/', '\\', '..')",
                                 "path_in_name", "F1"))
    reserved = sorted(WINDOWS_RESERVED_CHARACTERS.intersection(normal))
    if reserved:
        errors.append(FieldError(path, "must not contain " + " ".join(reserved)
                                 + " (Windows refuses them; ':' names a hidden data stream)",
                                 "reserved_character", "F1"))
    if normal != normal.strip() or normal.endswith("."):
        errors.append(FieldError(path, "must not start or end with spaces or end with a dot",
                                 "untrimmed_name", "F1"))
    device = normal.split(".", 1)[0].rstrip(" ").casefold()
    if device in WINDOWS_DEVICE_NAMES:
        errors.append(FieldError(path, f"{device.upper()} is a Windows device name, whatever the extension",
                                 "device_name", "F1"))
    if errors:
        return errors
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem or not ext:
        return [FieldError(path, "needs a name and an extension, like report.pdf", "missing_extension", "F1")]
    parts = [p.lower() for p in normal.split(".")[1:]]
    dangerous = sorted({p for p in parts if p in DANGEROUS_EXTENSIONS})
    if dangerous:
        errors.append(FieldError(path, "must not carry an executable or script extension: "
                                 + ", ".join("." + d for d in dangerous), "dangerous_extension", "F1"))
    return errors


# RFC 5987 attr-char besides letters and digits: what filename* may carry unencoded.
_ATTR_CHARS = "!#$&+-.^_`|~"


def ascii_fallback(name: str) -> str:
    """The ``filename`` of a Content-Disposition for clients that ignore ``filename*`` (RFC 6266
    appendix D): accents dropped, any other non-ASCII character, quote, backslash or percent
    sign as ``_``; the extension kept."""
    out: list[str] = []
    for c in unicodedata.normalize("NFKD", name):
        if unicodedata.combining(c):
            continue
        out.append(c if " " <= c <= "~" and c not in '"\\%' else "_")
    fallback = "".join(out)
    while "__" in fallback:
        fallback = fallback.replace("__", "_")
    stem, dot, ext = fallback.rpartition(".")
    if dot and stem.strip("_ ") == "":
        fallback = f"file.{ext}"
    return fallback


def content_disposition(name: str) -> str:
    """F1: the download saves the stored name, never renders inline (RFC 6266: an ASCII fallback
    and the exact name as UTF-8 in ``filename*``)."""
    return (f'attachment; filename="{ascii_fallback(name)}"; '
            f"filename*=UTF-8''{quote(name, safe=_ATTR_CHARS)}")


def check_upload(request: UploadRequest) -> AcceptedUpload | list[FieldError]:
    """All the checks an upload request gets before any byte is sent: the name, the claimed type
    for this purpose, the name's extension for that type, the declared size."""
    errors = name_errors(request.name)
    file_type = FILE_TYPES.get(request.content_type)
    caps = PURPOSE_MAX[request.purpose]
    if file_type is None or request.content_type not in caps:
        allowed = ", ".join(sorted(caps))
        errors.append(FieldError("content_type", f"{request.purpose} uploads take {allowed}",
                                 "type_not_allowed", "G8" if request.purpose is Purpose.GIG_MEDIA else "F1"))
        return errors
    ext = request.name.rpartition(".")[2].lower() if isinstance(request.name, str) else ""
    if not any(e.code in ("required", "missing_extension") for e in errors) and ext not in file_type.extensions:
        errors.append(FieldError("name", f"a {request.content_type} file is named ."
                                 + " or .".join(file_type.extensions) + f", not .{ext}",
                                 "extension_mismatch", "F1"))
    cap = caps[request.content_type]
    if request.size < 1:
        errors.append(FieldError("size", "an empty file cannot be uploaded", "too_small", "F1"))
    elif request.size > cap:
        errors.append(FieldError("size", f"at most {cap} bytes for {request.content_type} ({request.purpose})",
                                 "too_large", "G8" if request.purpose is Purpose.GIG_MEDIA else "F1"))
    if errors:
        return errors
    return AcceptedUpload(purpose=request.purpose, display_name=request.name, extension=ext,
                          file_type=file_type, max_bytes=cap, size=request.size)


# ---------------------------------------------------------------------------------------------
# Content: the first bytes must be what the name and the claimed type say
# ---------------------------------------------------------------------------------------------
SNIFF_BYTES = 4096


def _text_like(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:  # a multi-byte character cut at the end is fine
        return exc.start >= len(head) - 3 and exc.reason == "unexpected end of data"
    return True


_MAGIC = {
    "jpeg": lambda h: h.startswith(b"\xff\xd8\xff"),
    "png": lambda h: h.startswith(b"\x89PNG\r\n\x1a\n"),
    "gif": lambda h: h[:6] in (b"GIF87a", b"GIF89a"),
    "webp": lambda h: h[:4] == b"RIFF" and h[8:12] == b"WEBP",
    "mp4": lambda h: h[4:8] == b"ftyp",
    "avi": lambda h: h[:4] == b"RIFF" and h[8:12] == b"AVI ",
    "mp3": lambda h: h[:3] == b"ID3" or (len(h) > 1 and h[0] == 0xFF and h[1] & 0xE0 == 0xE0),
    "pdf": lambda h: h.startswith(b"%PDF-"),
    "zip": lambda h: h[:4] in (b"PK\x03\x04", b"PK\x05\x06"),
    "text": _text_like,
}


def content_matches(file_type: FileType, head: bytes) -> bool:
    """Whether the object's first bytes are of ``file_type`` (magic numbers; text is UTF-8
    without NUL bytes)."""
    return bool(head) and _MAGIC[file_type.magic](head)


def content_mismatch_reason(file_type: FileType, head: bytes) -> str | None:
    if content_matches(file_type, head):
        return None
    return f"the content is not {file_type.content_type} (its first bytes say otherwise)"


# ---------------------------------------------------------------------------------------------
# Verdicts
# ---------------------------------------------------------------------------------------------
class FileState(StrEnum):
    AWAITING_UPLOAD = "awaiting_upload"
    SCANNING = "scanning"
    CLEAN = "clean"
    INFECTED = "infected"
    UNSCANNABLE = "unscannable"


VERDICT_STATES = frozenset({FileState.CLEAN, FileState.INFECTED, FileState.UNSCANNABLE})


class BlockReason(StrEnum):
    """Why a file is unscannable, as a stable code beside the sentence in ``reason``."""

    SCANNER_LIMIT = "scanner_limit"  # the engine's limits (size, files, depth, ...)
    ENCRYPTED = "encrypted"
    TYPE_MISMATCH = "type_mismatch"  # the first bytes are not the claimed type
    TOO_LARGE = "too_large"  # over the purpose's cap
    SIZE_MISMATCH = "size_mismatch"  # not the size declared when the upload was asked for
    MEDIA_UNREADABLE = "media_unreadable"  # G8: the media's headers could not be read
    NEVER_UPLOADED = "never_uploaded"  # the sweeper: no object came
    SCAN_TIMEOUT = "scan_timeout"  # the sweeper (no verdict in time) or the engine (its time cap)
    IMAGE_TOO_LARGE = "image_too_large"  # F1/G8: more pixels than allowed, read from the header
    ACTIVE_CONTENT = "active_content"  # F1: scripts, actions, embedded files, macros (infected)
    DOCUMENT_UNREADABLE = "document_unreadable"  # F1: a PDF or Office file whose structure cannot be read
    REMOVED = "removed"  # W1: an operator removed it after a report


class VerdictSource(StrEnum):
    SCAN = "scan"  # the scanner and the type checks looked at the bytes
    SWEEPER = "sweeper"  # nothing came back in time
    OPERATOR = "operator"  # W1: removed after a report


@dataclass(frozen=True)
class Verdict:
    state: FileState  # clean | infected | unscannable
    signature: str | None = None  # infected: what the engine or the content checks found
    reason: str | None = None  # unscannable: why; infected: why, in words, where the signature is ours
    source: VerdictSource = VerdictSource.SCAN
    reason_code: BlockReason | None = None  # blocked: why, as a code

    def __post_init__(self) -> None:
        if self.state not in VERDICT_STATES:
            raise ValueError(f"not a verdict: {self.state}")
        if self.state is FileState.INFECTED and not self.signature:
            raise ValueError("an infected verdict names the signature")
        if self.state is FileState.UNSCANNABLE and not self.reason:
            raise ValueError("an unscannable verdict gives the reason")


LIMIT_PREFIX = "Heuristics.Limits.Exceeded."
ENCRYPTED_PREFIX = "Heuristics.Encrypted."


MACRO_PREFIX = "Heuristics.OLE2.ContainsMacros"  # ClamAV's AlertOLE2Macros
BROKEN_EXECUTABLE_PREFIX = "Heuristics.Broken.Executable"  # ClamAV's AlertBrokenExecutables
ACTIVE_CONTENT_PREFIX = "Marketplace.ActiveContent."  # our own findings (chalicelib/files/active_content.py)


class ActiveContent(StrEnum):
    """F1: what a document may carry that runs or opens something by itself. Each blocks the file
    for every purpose; the value is what the uploader reads."""

    JAVASCRIPT = "JavaScript"
    LAUNCH = "launch action"
    EMBEDDED_FILES = "embedded files"
    AUTOMATIC_ACTION = "automatic action"
    FORM_SCRIPTS = "XFA form scripts"
    RICH_MEDIA = "embedded Flash or rich media"
    MACROS = "macros"
    ACTIVEX = "ActiveX controls"
    OLE_OBJECTS = "embedded OLE objects"


def active_content_verdict(kind: str, found: Iterable[ActiveContent]) -> Verdict | None:
    """F1: a document carrying active content is blocked with a reason a person understands
    ("contains active content: JavaScript, launch action"); ``kind`` is "PDF" or "Office"."""
    found = sorted(set(found), key=list(ActiveContent).index)
    if not found:
        return None
    signature = f"{ACTIVE_CONTENT_PREFIX}{kind}." + ".".join(f.name.title().replace("_", "") for f in found)
    return Verdict(FileState.INFECTED, signature=signature,
                   reason="contains active content: " + ", ".join(f.value for f in found),
                   reason_code=BlockReason.ACTIVE_CONTENT)


def verdict_from_engine(signature: str | None) -> Verdict:
    """ClamAV's answer as a verdict. What the engine could not look into (its limits, encrypted
    content) is unscannable; any other finding, ``Heuristics.*`` included, is infected. Both are
    blocked. ClamAV's macro alert is active content (F1), said as such."""
    if signature is None:
        return Verdict(FileState.CLEAN)
    if signature.startswith(MACRO_PREFIX):
        return Verdict(FileState.INFECTED, signature=signature, reason="contains active content: macros",
                       reason_code=BlockReason.ACTIVE_CONTENT)
    if signature.startswith(BROKEN_EXECUTABLE_PREFIX):
        return Verdict(FileState.INFECTED, signature=signature, reason="contains a malformed program")
    if signature.startswith(LIMIT_PREFIX):
        limit = signature[len(LIMIT_PREFIX):]
        return Verdict(FileState.UNSCANNABLE, signature=signature,
                       reason=f"exceeds the scanner's {limit} limit", reason_code=BlockReason.SCANNER_LIMIT)
    if signature.startswith(ENCRYPTED_PREFIX):
        return Verdict(FileState.UNSCANNABLE, signature=signature,
                       reason="encrypted content cannot be scanned", reason_code=BlockReason.ENCRYPTED)
    return Verdict(FileState.INFECTED, signature=signature)


def engine_timeout_verdict(detail: str) -> Verdict:
    """F1: the engine did not answer within its time cap for this file. Unscannable at once: a
    file that stalls the scanner is not retried (retries are for failures of the scanner itself)."""
    return Verdict(FileState.UNSCANNABLE, reason=f"the scan did not finish within its time limit ({detail})",
                   reason_code=BlockReason.SCAN_TIMEOUT)


# F1 [decision]: an image of a message, delivery, requirement answer, buyer request or profile
# photo has at most this many pixels; gig media images at most G8's maximum (IMAGE_MAX). Read from
# the header before anything decodes the image (chalicelib/files/media.image_size); the largest of
# these is also Pillow's decompression-bomb limit.
IMAGE_MAX_PIXELS = 100_000_000


def image_size_verdict(purpose: Purpose, width: int, height: int) -> Verdict | None:
    """F1/G8: an image over its purpose's pixel limit, or with no pixels, is refused at once
    (unscannable, ``image_too_large``), before any decoder or the virus scanner sees it."""
    if width < 1 or height < 1:
        return Verdict(FileState.UNSCANNABLE, reason=f"the image header says {width}x{height} px",
                       reason_code=BlockReason.MEDIA_UNREADABLE)
    if purpose is Purpose.GIG_MEDIA:
        if width > IMAGE_MAX[0] or height > IMAGE_MAX[1]:
            return Verdict(FileState.UNSCANNABLE, reason=f"the image is {width}x{height} px; gig media images are "
                           f"at most {IMAGE_MAX[0]}x{IMAGE_MAX[1]} px (G8)", reason_code=BlockReason.IMAGE_TOO_LARGE)
        return None
    if width * height > IMAGE_MAX_PIXELS:
        return Verdict(FileState.UNSCANNABLE, reason=f"the image is {width}x{height} px "
                       f"({width * height / 1e6:.0f} megapixels); images are at most "
                       f"{IMAGE_MAX_PIXELS // 1_000_000} megapixels", reason_code=BlockReason.IMAGE_TOO_LARGE)
    return None


def combine(engine: Verdict, type_problem: str | None) -> Verdict:
    """The file's verdict: infected wins, then the engine's unscannable, then a type mismatch."""
    if engine.state is not FileState.CLEAN:
        return engine
    if type_problem:
        return Verdict(FileState.UNSCANNABLE, reason=type_problem, reason_code=BlockReason.TYPE_MISMATCH)
    return engine


def size_verdict(stored: int, declared: int | None, max_bytes: int) -> Verdict | None:
    """F1: the stored object must be within the purpose's cap and exactly the size the client
    declared when it asked for the upload (the presigned POST allows only that size; this holds
    even where a policy was not enforced). None when the size is right."""
    if stored > max_bytes:
        return Verdict(FileState.UNSCANNABLE, reason=f"larger than the {max_bytes} bytes allowed",
                       reason_code=BlockReason.TOO_LARGE)
    if declared is not None and stored != declared:
        return Verdict(FileState.UNSCANNABLE, reason=f"{stored} bytes were stored, not the {declared} declared",
                       reason_code=BlockReason.SIZE_MISMATCH)
    return None


# ---------------------------------------------------------------------------------------------
# Measured media (G8): read by adapters from headers, judged here
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class MediaInfo:
    family: Family
    width: int | None = None
    height: int | None = None
    duration_seconds: float | None = None
    pages: int | None = None


IMAGE_MIN = (712, 430)  # G8 minimum width × height
IMAGE_MAX = (4000, 2416)  # G8 maximum
IMAGE_RECOMMENDED = (1280, 769)  # G8 recommended (not enforced)
IMAGES_MIN, IMAGES_MAX = 1, 3  # G8
VIDEOS_MAX = 1  # [decision] one gig video
VIDEO_MAX_SECONDS = 75  # G8
AUDIOS_MAX = 1  # [decision]
AUDIO_MAX_SECONDS = 210  # G8 3:30
PDFS_MAX = 2  # G8
PDF_PAGES_SHOWN = 3  # G8 only the first 3 pages are shown
GIG_MEDIA_MAX_ITEMS = IMAGES_MAX + VIDEOS_MAX + AUDIOS_MAX + PDFS_MAX


def media_problem(content_type: str, info: MediaInfo | None) -> str | None:
    """What is wrong with one gig media file by G8, from its measured metadata (None: fine)."""
    if info is None:
        return "its media metadata could not be read"
    if info.family is Family.IMAGE:
        w, h = info.width or 0, info.height or 0
        if w < IMAGE_MIN[0] or h < IMAGE_MIN[1]:
            return f"images are at least {IMAGE_MIN[0]}x{IMAGE_MIN[1]} px; this one is {w}x{h}"
        if w > IMAGE_MAX[0] or h > IMAGE_MAX[1]:
            return f"images are at most {IMAGE_MAX[0]}x{IMAGE_MAX[1]} px; this one is {w}x{h}"
    elif info.family is Family.VIDEO:
        if info.duration_seconds is None or info.width is None or info.height is None:
            return "the video's length and frame size could not be read"
        if info.duration_seconds > VIDEO_MAX_SECONDS:
            return f"videos are at most {VIDEO_MAX_SECONDS} s; this one is {info.duration_seconds:.1f} s"
        if info.width <= info.height:
            return f"videos are landscape; this one is {info.width}x{info.height}"
    elif info.family is Family.AUDIO:
        if info.duration_seconds is None:
            return "the audio's length could not be read"
        if info.duration_seconds > AUDIO_MAX_SECONDS:
            return f"audio is at most 3:30; this one is {info.duration_seconds:.0f} s"
    elif info.family is Family.DOCUMENT:
        if not info.pages:
            return "the PDF's pages could not be read"
    return None


@dataclass(frozen=True)
class GalleryItem:
    """One entry of a gig's ``media`` as the publish check sees it."""

    file_id: str
    exists: bool  # a file record the seller owns, uploaded for gig media
    state: FileState | None = None
    content_type: str | None = None
    info: MediaInfo | None = None
    problem: str | None = None  # media_problem, measured at scan time


def gallery_errors(items: Sequence[GalleryItem], *, requires_video: bool = False,
                   allows_audio: bool = True) -> list[FieldError]:
    """G8 at publish: 1–3 clean images, at most one video (mandatory where the category says),
    audio only where allowed, up to 2 PDFs; every file clean, the seller's own, and within the
    measured limits. Paths are ``media.<index>``."""
    errors: list[FieldError] = []
    counts = {family: 0 for family in Family}
    seen: set[str] = set()
    for i, item in enumerate(items):
        path = f"media.{i}"
        if item.file_id in seen:
            errors.append(FieldError(path, "listed twice", "duplicate", "G8"))
            continue
        seen.add(item.file_id)
        if not item.exists:
            errors.append(FieldError(path, "no such gig media file of yours", "unknown_file", "G8"))
            continue
        if item.state is not FileState.CLEAN:
            waiting = {FileState.AWAITING_UPLOAD: "was never uploaded", FileState.SCANNING: "is still being scanned"}
            what = waiting.get(item.state, f"is {item.state} (blocked)") if item.state else "is unknown"
            errors.append(FieldError(path, f"the file {what}", "file_not_clean", "F1"))
            continue
        file_type = FILE_TYPES.get(item.content_type or "")
        family = file_type.family if file_type else None
        if family is None or (item.content_type not in GIG_MEDIA_MAX):
            errors.append(FieldError(path, "not a gig media type", "type_not_allowed", "G8"))
            continue
        counts[family] += 1
        if item.problem:
            errors.append(FieldError(path, item.problem, "media_rule", "G8"))
    if counts[Family.IMAGE] < IMAGES_MIN:
        errors.append(FieldError("media", f"at least {IMAGES_MIN} clean image to publish", "image_required", "G8"))
    if counts[Family.IMAGE] > IMAGES_MAX:
        errors.append(FieldError("media", f"at most {IMAGES_MAX} images", "too_many_images", "G8"))
    if counts[Family.VIDEO] > VIDEOS_MAX:
        errors.append(FieldError("media", f"at most {VIDEOS_MAX} video", "too_many_videos", "G8"))
    if requires_video and counts[Family.VIDEO] < 1:
        errors.append(FieldError("media", "this category needs a video", "video_required", "G8"))
    if counts[Family.AUDIO] > (AUDIOS_MAX if allows_audio else 0):
        errors.append(FieldError("media", "audio is not allowed in this category" if not allows_audio
                                 else f"at most {AUDIOS_MAX} audio file", "audio_not_allowed", "G8"))
    if counts[Family.DOCUMENT] > PDFS_MAX:
        errors.append(FieldError("media", f"at most {PDFS_MAX} PDFs", "too_many_pdfs", "G8"))
    return errors


# ---------------------------------------------------------------------------------------------
# The file record
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class StoredFile:
    id: str
    owner_id: str
    purpose: Purpose
    name: str  # display name only; the object key is server-chosen
    content_type: str
    max_bytes: int
    key: str
    created_at: datetime
    state: FileState = FileState.AWAITING_UPLOAD
    declared_size: int | None = None  # what the client said it would send (None: records from before)
    version_id: str | None = None  # the object version the verdict belongs to
    size: int | None = None
    uploaded_at: datetime | None = None
    scanned_at: datetime | None = None
    signature: str | None = None
    reason: str | None = None
    reason_code: BlockReason | None = None
    verdict_source: VerdictSource | None = None
    scan_attempts: int = 0
    last_error: str | None = None
    media: MediaInfo | None = None
    media_problem: str | None = None
    attached_to: str | None = None  # "gig:<id>", "order:<id>", "conversation:<id>", ...

    @property
    def file_type(self) -> FileType:
        return FILE_TYPES[self.content_type]

    @property
    def uploaded(self) -> bool:
        return self.state is not FileState.AWAITING_UPLOAD

    @property
    def has_verdict(self) -> bool:
        return self.state in VERDICT_STATES

    @property
    def is_clean(self) -> bool:
        return self.state is FileState.CLEAN

    @property
    def is_blocked(self) -> bool:
        """Not downloadable: anything but a clean verdict (F1)."""
        return not self.is_clean

    def record_upload(self, version_id: str, size: int, now: datetime) -> StoredFile | None:
        """S3 says a version exists. The first version is the file's; a later one under the same
        key is ignored (None), as is a repeat of the same one."""
        if self.version_id is not None:
            return None
        if self.state is FileState.AWAITING_UPLOAD:
            return replace(self, state=FileState.SCANNING, version_id=version_id, size=size, uploaded_at=now)
        return None  # a sweeper verdict came first; a late scan may still replace it (record_verdict)

    def remove(self, now: datetime) -> StoredFile:
        """W1: an operator removes a reported file: blocked for everyone from now on, like any file
        without a clean verdict (F1), with its own reason code."""
        return replace(self, state=FileState.UNSCANNABLE, reason="removed by an operator after a report",
                       reason_code=BlockReason.REMOVED, verdict_source=VerdictSource.OPERATOR, scanned_at=now)

    def owns_version(self, version_id: str) -> bool:
        return self.version_id is None or self.version_id == version_id

    def record_verdict(self, verdict: Verdict, version_id: str, size: int, now: datetime,
                       media: MediaInfo | None = None, media_problem: str | None = None) -> StoredFile | None:
        """The scan's verdict for ``version_id``; None when nothing changes (a redelivered
        message, another version). A real scan replaces a sweeper's time-out verdict."""
        if not self.owns_version(version_id):
            return None
        if self.has_verdict and self.verdict_source is VerdictSource.SCAN:
            return None
        return replace(self, state=verdict.state, version_id=version_id, size=size,
                       uploaded_at=self.uploaded_at or now, scanned_at=now, signature=verdict.signature,
                       reason=verdict.reason, reason_code=verdict.reason_code, verdict_source=verdict.source,
                       media=media,
                       media_problem=media_problem, last_error=None)

    def record_failure(self, error: str) -> StoredFile:
        return replace(self, scan_attempts=self.scan_attempts + 1, last_error=error[:500])

    def time_out(self, now: datetime) -> StoredFile | None:
        """The sweeper: no verdict in time is unscannable (never clean by default)."""
        if self.has_verdict:
            return None
        if self.state is FileState.AWAITING_UPLOAD:
            reason, code = "the file was never uploaded", BlockReason.NEVER_UPLOADED
        else:
            last = f" (last error: {self.last_error})" if self.last_error else ""
            reason = "the scan did not finish in time" + last
            code = BlockReason.SCAN_TIMEOUT
        return replace(self, state=FileState.UNSCANNABLE, reason=reason, reason_code=code, scanned_at=now,
                       verdict_source=VerdictSource.SWEEPER)

    def attach(self, target: str) -> StoredFile:
        return replace(self, attached_to=target)

    def detach(self) -> StoredFile:
        return replace(self, attached_to=None)


def profile_photo_errors(file_id: str, f: StoredFile | None, owner_id: str, target: str,
                         path: str = "photo") -> list[FieldError]:
    """A1: a seller profile's photo is the seller's own clean upload for profile photos. Another
    person's file answers as a missing one (nothing about it is revealed). An empty id is the
    profile's own "required" error, not this one."""
    if not file_id.strip():
        return []
    if f is None or f.owner_id != owner_id:
        return [FieldError(path, "no such profile photo of yours", "unknown_file", "A1")]
    if f.purpose is not Purpose.PROFILE_PHOTO:
        return [FieldError(path, f"this file was uploaded for {f.purpose}, not {Purpose.PROFILE_PHOTO}",
                           "wrong_purpose", "A1")]
    if not f.is_clean:
        what = {FileState.AWAITING_UPLOAD: "was never uploaded",
                FileState.SCANNING: "is still being scanned"}.get(f.state, f"is {f.state} (blocked)")
        return [FieldError(path, f"the file {what}", "file_not_clean", "F1")]
    if f.attached_to not in (None, target):
        return [FieldError(path, "the file is already attached elsewhere", "already_attached", "F1")]
    return []


def attach_errors(files: Iterable[tuple[int, str, StoredFile | None]], owner_id: str, purpose: Purpose,
                  target: str, path: str = "files") -> list[FieldError]:
    """Why files cannot be attached to ``target`` (F1): each must exist, be the caller's, be of
    this purpose, be uploaded, and not belong to something else already."""
    errors: list[FieldError] = []
    seen: set[str] = set()
    for index, file_id, f in files:
        where = f"{path}.{index}"
        if file_id in seen:
            errors.append(FieldError(where, "listed twice", "duplicate", "F1"))
            continue
        seen.add(file_id)
        if f is None or f.owner_id != owner_id:
            errors.append(FieldError(where, "no such file of yours", "unknown_file", "F1"))
        elif f.purpose is not purpose:
            errors.append(FieldError(where, f"this file was uploaded for {f.purpose}, not {purpose}",
                                     "wrong_purpose", "F1"))
        elif not f.uploaded:
            errors.append(FieldError(where, "the file was never uploaded", "not_uploaded", "F1"))
        elif f.attached_to not in (None, target):
            errors.append(FieldError(where, "the file is already attached elsewhere", "already_attached", "F1"))
    return errors
