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
