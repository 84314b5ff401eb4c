"""Sample files built in memory: EICAR in archives, an encrypted zip, a zip bomb, minimal MP4 /
AVI / MP3 / PDF files with the headers the G8 checks read."""
from __future__ import annotations

import io
import struct
import zipfile
import zlib

from local.clamav_local import EICAR


def zip_of(entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return out.getvalue()


def zip_bomb(path: str, megabytes: int = 200) -> None:
    """``megabytes`` of zeros, deflated into one entry (about 200 KB for 200 MB), streamed."""
    chunk = bytes(1024 * 1024)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        with zf.open("zeros.bin", "w") as w:
            for _ in range(megabytes):
                w.write(chunk)


# -- traditional PKWARE (ZipCrypto) encryption, which Python's zipfile reads but cannot write ----
def _crc_table() -> list[int]:
    table = []
    for n in range(256):
        c = n
        for _ in range(8):
            c = 0xEDB88320 ^ (c >> 1) if c & 1 else c >> 1
        table.append(c)
    return table


_CRC = _crc_table()


class _Keys:
    def __init__(self, password: bytes) -> None:
        self.k = [0x12345678, 0x23456789, 0x34567890]
        for b in password:
            self.update(b)

    def update(self, b: int) -> None:
        k0, k1, k2 = self.k
        k0 = _CRC[(k0 ^ b) & 0xFF] ^ (k0 >> 8)
        k1 = (k1 + (k0 & 0xFF)) & 0xFFFFFFFF
        k1 = (k1 * 134775813 + 1) & 0xFFFFFFFF
        k2 = _CRC[(k2 ^ (k1 >> 24)) & 0xFF] ^ (k2 >> 8)
        self.k = [k0, k1, k2]

    def encrypt(self, data: bytes) -> bytes:
        out = bytearray()
        for b in data:
            t = (self.k[2] | 2) & 0xFFFF
            out.append(b ^ (((t * (t ^ 1)) >> 8) & 0xFF))
            self.update(b)
        return bytes(out)


def encrypted_zip(name: str, data: bytes, password: bytes = b"secret") -> bytes:
    """One stored entry, ZipCrypto-encrypted (flag bit 0)."""
    crc = zlib.crc32(data) & 0xFFFFFFFF
    keys = _Keys(password)
    header = bytes(11) + bytes([crc >> 24])
    payload = keys.encrypt(header + data)
    fname = name.encode()
    local = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 1, 0, 0, 0, crc, len(payload), len(data), len(fname), 0)
    central = struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 1, 0, 0, 0, crc, len(payload), len(data),
                          len(fname), 0, 0, 0, 0, 0, 0)
    body = local + fname + payload
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 1, 1, len(central) + len(fname), len(body), 0)
    return body + central + fname + end


def eicar_zip() -> bytes:
    return zip_of({"invoice.txt": EICAR})


def many_files_zip(count: int = 1001) -> bytes:
    return zip_of({f"part-{i:04d}.txt": b"x" for i in range(count)})


# -- media -----------------------------------------------------------------------------------------
def _box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", 8 + len(payload)) + kind + payload


def mp4(width: int, height: int, seconds: float, timescale: int = 1000) -> bytes:
    """ftyp + moov(mvhd, trak(tkhd, mdia(hdlr vide))) + a little mdat: what the reader needs."""
    mvhd = _box(b"mvhd", bytes(4) + bytes(8) + struct.pack(">II", timescale, int(seconds * timescale)) + bytes(80))
    tkhd = _box(b"tkhd", bytes(4) + bytes(72) + struct.pack(">II", width << 16, height << 16))
    hdlr = _box(b"hdlr", bytes(4) + bytes(4) + b"vide" + bytes(12) + b"video\0")
    trak = _box(b"trak", tkhd + _box(b"mdia", hdlr))
    return _box(b"ftyp", b"isom" + bytes(4) + b"isommp41") + _box(b"moov", mvhd + trak) + _box(b"mdat", bytes(64))


def avi(width: int, height: int, seconds: float, fps: int = 25) -> bytes:
    avih = struct.pack("<14I", 1_000_000 // fps, 0, 0, 0, int(seconds * fps), 0, 1, 0, width, height, 0, 0, 0, 0)
    hdrl = b"LIST" + struct.pack("<I", 4 + 8 + len(avih)) + b"hdrl" + b"avih" + struct.pack("<I", len(avih)) + avih
    body = b"AVI " + hdrl + b"LIST" + struct.pack("<I", 4) + b"movi"
    return b"RIFF" + struct.pack("<I", len(body)) + body


def mp3(seconds: float) -> bytes:
    """MPEG-1 Layer III frames, 128 kbit/s, 44.1 kHz: 1152 samples and 417 bytes each."""
    frame = b"\xff\xfb\x90\x00" + bytes(413)
    return frame * int(seconds * 44100 / 1152 + 1)


def pdf(pages: int) -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=200, height=200)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def png(width: int, height: int) -> bytes:
    from local.media_seed import png_bytes

    return png_bytes(width, height)


def windows_exe() -> bytes:
    return (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + bytes(48)
            + b"This program cannot be run in DOS mode.")


# -- F1 issue 16: hostile files, generated at test time (no malware: EICAR and these only) -------
def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def _png(width: int, height: int, idat: bytes) -> bytes:
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    return b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", ihdr) + _png_chunk(b"IDAT", idat) + _png_chunk(b"IEND", b"")


def png_header_only(width: int = 30_000, height: int = 30_000) -> bytes:
    """A PNG whose header claims ``width`` x ``height`` and whose data holds one row."""
    return _png(width, height, zlib.compress(bytes(min(width, 1000) + 1)))


def png_bomb(width: int = 20_000, height: int = 20_000) -> bytes:
    """A real decompression bomb: every row of zeros is there, deflated at level 9 (20000 x 20000
    greyscale: 400 MB of pixels in about 380 KB). The rows are fed to zlib in blocks, never built
    whole."""
    rows_per_block = max(1, 8_000_000 // (width + 1))
    block = bytes((width + 1) * rows_per_block)
    packer = zlib.compressobj(9)
    parts, left = [], height
    while left:
        n = min(left, rows_per_block)
        parts.append(packer.compress(block[:(width + 1) * n]))
        left -= n
    parts.append(packer.flush())
    return _png(width, height, b"".join(parts))


def _pdf_with(mutate) -> bytes:
    """A one-page PDF written by pypdf, ``mutate(writer)`` first."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    mutate(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _set_root(writer, key: str, value) -> None:
    from pypdf.generic import NameObject

    writer._root_object[NameObject(key)] = value


def _action(**entries):
    from pypdf.generic import DictionaryObject, NameObject, TextStringObject

    out = DictionaryObject()
    for k, v in entries.items():
        out[NameObject("/" + k)] = NameObject(v) if v.startswith("/") else TextStringObject(v)
    return out


def pdf_open_action_javascript() -> bytes:
    """/OpenAction << /S /JavaScript /JS (...) >>: runs when the document opens."""
    return _pdf_with(lambda w: _set_root(w, "/OpenAction", _action(S="/JavaScript", JS="app.alert('hi');")))


def pdf_launch_action() -> bytes:
    """/OpenAction << /S /Launch /F (cmd.exe) >>."""
    return _pdf_with(lambda w: _set_root(w, "/OpenAction", _action(S="/Launch", F="cmd.exe")))


def pdf_document_javascript() -> bytes:
    """A document-level script in the /Names /JavaScript tree (runs when the document opens)."""
    return pdf_raw([
        b"<< /Type /Catalog /Pages 2 0 R /Names << /JavaScript 4 0 R >> >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
        b"<< /Names [(init) 5 0 R] >>",
        b"<< /S /JavaScript /JS (app.alert\\(1\\)) >>",
    ])


def pdf_embedded_file() -> bytes:
    return _pdf_with(lambda w: w.add_attachment("readme.txt", b"an attached file"))


def pdf_page_automatic_action() -> bytes:
    """A page's /AA (additional actions) that goes to a web page when the page opens."""
    from pypdf.generic import DictionaryObject, NameObject

    def mutate(w) -> None:
        w.pages[0][NameObject("/AA")] = DictionaryObject({NameObject("/O"): _action(S="/URI", URI="http://x.test")})
    return _pdf_with(mutate)


def pdf_open_action_go_to_page() -> bytes:
    """An /OpenAction that only shows the first page (a plain document)."""
    from pypdf.generic import ArrayObject, NameObject

    return _pdf_with(lambda w: _set_root(w, "/OpenAction", ArrayObject([w.pages[0].indirect_reference,
                                                                       NameObject("/Fit")])))


def pdf_raw(objects: list[bytes]) -> bytes:
    """A PDF written by hand: ``objects`` are the bodies of objects 1..n (1 is the catalog)."""
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def pdf_escaped_javascript() -> bytes:
    """JavaScript whose names are written with #xx escapes (/J#61vaScript, /J#53): a search of the
    bytes for "JavaScript" finds nothing; a PDF parser reads the names."""
    return pdf_raw([
        b"<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
        b"<< /S /J#61vaScript /J#53 (app.alert\\(1\\)) >>",
    ])


_CONTENT_TYPES = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                  b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                  b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                  b'<Default Extension="xml" ContentType="application/xml"/>'
                  b'<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
                  b'officedocument.wordprocessingml.document.main+xml"/></Types>')
_RELS = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
         b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
         b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
         b'officeDocument" Target="word/document.xml"/></Relationships>')
_DOCUMENT = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
             b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
             b'<w:body><w:p><w:r><w:t>Kitchen plan</w:t></w:r></w:p></w:body></w:document>')


def docx(extra: dict[str, bytes] | None = None) -> bytes:
    """A minimal Word document; ``extra`` parts added (``word/vbaProject.bin``: a macro project)."""
    return zip_of({"[Content_Types].xml": _CONTENT_TYPES, "_rels/.rels": _RELS, "word/document.xml": _DOCUMENT,
                   **(extra or {})})


def docx_with_macros() -> bytes:
    """A Word document carrying a VBA project part (what Word saves for a document with macros)."""
    return docx({"word/vbaProject.bin": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504),
                 "word/_rels/vbaProject.bin.rels": _RELS})
