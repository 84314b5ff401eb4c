"""Measures media from headers, never by decoding blindly. Image dimensions come from the header
before any pixel is decoded (``image_size``, for every upload whose bytes are an image, F1), and
Pillow's decompression-bomb limit is the largest image any purpose allows (IMAGE_MAX_PIXELS), set
before every use of Pillow here, so nothing in the scan path decodes past it. For gig media
(G8): video length and frame size from the MP4 ``moov`` boxes or the AVI ``avih`` header,
audio length from the MP3 frames (mutagen), PDF page counts from the page tree (pypdf).

Each reader returns ``MediaInfo`` or raises ``MediaError`` with a reason a person can read."""
from __future__ import annotations

import os
import struct
from typing import BinaryIO

from chalicelib.domain.files import IMAGE_MAX_PIXELS, Family, FileType, MediaInfo


class MediaError(Exception):
    pass


def measure(file_type: FileType, path: str) -> MediaInfo | None:
    """Media metadata for images, video, audio and PDFs; None for other types."""
    readers = {"image/jpeg": _image, "image/png": _image, "image/gif": _image, "image/webp": _image,
               "video/mp4": _mp4, "video/x-msvideo": _avi, "audio/mpeg": _mp3, "application/pdf": _pdf}
    reader = readers.get(file_type.content_type)
    if reader is None:
        return None
    try:
        return reader(path)
    except MediaError:
        raise
    except Exception as exc:  # a malformed file: say so, never crash the scan
        raise MediaError(f"not a readable {file_type.content_type} file ({type(exc).__name__})") from None


# -- images --------------------------------------------------------------------------------------
# The image formats whose headers are read (what browsers show, and what ClamAV parses).
IMAGE_FORMATS = ("PNG", "JPEG", "GIF", "WEBP", "BMP", "TIFF")


def _pillow():
    from PIL import Image

    Image.MAX_IMAGE_PIXELS = IMAGE_MAX_PIXELS  # F1: Pillow refuses to decode past the largest allowed
    Image.init()
    return Image


def image_size(path: str) -> tuple[str, int, int] | None:
    """(format, width, height) from the header of an image file, None when the bytes are not an
    image. Reads the header only: the format plug-in is called directly, so Pillow's bomb check
    (which would refuse to say how large) does not stand between us and the numbers; nothing is
    decoded here."""
    image = _pillow()
    with open(path, "rb") as f:
        prefix = f.read(16)
        for fmt in IMAGE_FORMATS:
            factory, accept = image.OPEN[fmt]
            if accept is not None and not accept(prefix):
                continue
            f.seek(0)
            try:
                with factory(f, path) as img:
                    width, height = img.size
            except Exception as exc:  # noqa: BLE001 - a broken header: say so, never crash the scan
                raise MediaError(f"not a readable image/{fmt.lower()} file ({type(exc).__name__})") from None
            return fmt, width, height
    return None


def _image(path: str) -> MediaInfo:
    """Gig media images: the scan checked the pixel count first (image_size); here the structure
    is verified without a full decode, under Pillow's bomb limit."""
    image = _pillow()
    try:
        with image.open(path, formats=IMAGE_FORMATS) as img:  # reads the header only
            width, height = img.size
            img.verify()  # structure check without a full decode
    except image.DecompressionBombError as exc:
        raise MediaError(f"the image is far too large ({exc})") from None
    return MediaInfo(Family.IMAGE, width=width, height=height)


# -- MP4 -----------------------------------------------------------------------------------------
def _boxes(f: BinaryIO, start: int, end: int):
    """(type, payload start, payload end) of the boxes between ``start`` and ``end``."""
    pos = start
    while pos + 8 <= end:
        f.seek(pos)
        header = f.read(8)
        if len(header) < 8:
            return
        size, kind = struct.unpack(">I4s", header)
        body = pos + 8
        if size == 1:
            size = struct.unpack(">Q", f.read(8))[0]
            body = pos + 16
        elif size == 0:
            size = end - pos
        if size < body - pos or pos + size > end:
            raise MediaError("the MP4 box structure is broken")
        yield kind.decode("latin-1"), body, pos + size
        pos += size


def _find(f: BinaryIO, start: int, end: int, kind: str) -> tuple[int, int] | None:
    for k, s, e in _boxes(f, start, end):
        if k == kind:
            return s, e
    return None


def _mp4(path: str) -> MediaInfo:
    size = os.path.getsize(path)
    with open(path, "rb") as f:
        moov = _find(f, 0, size, "moov")
        if moov is None:
            raise MediaError("the MP4 has no movie header (moov)")
        mvhd = _find(f, *moov, "mvhd")
        if mvhd is None:
            raise MediaError("the MP4 has no mvhd box")
        f.seek(mvhd[0])
        version = f.read(1)[0]
        f.read(3)
        if version == 1:
            f.read(16)
            timescale, duration = struct.unpack(">IQ", f.read(12))
        else:
            f.read(8)
            timescale, duration = struct.unpack(">II", f.read(8))
        if not timescale:
            raise MediaError("the MP4 has no time scale")
        width = height = None
        for kind, s, e in _boxes(f, *moov):
            if kind != "trak":
                continue
            mdia = _find(f, s, e, "mdia")
            hdlr = _find(f, *mdia, "hdlr") if mdia else None
            if hdlr is None:
                continue
            f.seek(hdlr[0] + 8)
            if f.read(4) != b"vide":
                continue
            tkhd = _find(f, s, e, "tkhd")
            if tkhd is None:
                continue
            f.seek(tkhd[1] - 8)  # width and height, 16.16 fixed point, end the box
            w, h = struct.unpack(">II", f.read(8))
            width, height = w >> 16, h >> 16
            break
    if width is None:
        raise MediaError("the MP4 has no video track")
    return MediaInfo(Family.VIDEO, width=width, height=height, duration_seconds=duration / timescale)


# -- AVI -----------------------------------------------------------------------------------------
def _avi(path: str) -> MediaInfo:
    with open(path, "rb") as f:
        head = f.read(12)
        if head[:4] != b"RIFF" or head[8:12] != b"AVI ":
            raise MediaError("not an AVI file")
        if f.read(4) != b"LIST":
            raise MediaError("the AVI has no header list")
        f.read(4)
        if f.read(4) != b"hdrl" or f.read(4) != b"avih":
            raise MediaError("the AVI has no main header (avih)")
        f.read(4)
        fields = struct.unpack("<14I", f.read(56))
    usec_per_frame, total_frames, width, height = fields[0], fields[4], fields[8], fields[9]
    return MediaInfo(Family.VIDEO, width=width, height=height,
                     duration_seconds=total_frames * usec_per_frame / 1_000_000)


# -- MP3 -----------------------------------------------------------------------------------------
def _mp3(path: str) -> MediaInfo:
    from mutagen.mp3 import MP3

    audio = MP3(path)
    if audio.info is None:
        raise MediaError("the MP3 has no audio stream")
    return MediaInfo(Family.AUDIO, duration_seconds=float(audio.info.length))


# -- PDF -----------------------------------------------------------------------------------------
def _pdf(path: str) -> MediaInfo:
    from pypdf import PdfReader

    reader = PdfReader(path, strict=False)
    if reader.is_encrypted:
        raise MediaError("the PDF is encrypted")
    return MediaInfo(Family.DOCUMENT, pages=len(reader.pages))
