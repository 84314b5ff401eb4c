"""The virus scanner port and its two ClamAV adapters (F1).

- ``ClamdScanner`` streams the file to a running clamd over its Unix socket (INSTREAM): the
  signatures stay loaded between scans, so a scan costs milliseconds (preferred).
- ``ClamscanScanner`` runs the ``clamscan`` command, which loads the signature database on every
  call (acceptable fallback: seconds with the official databases).

Both apply the same limits (``LIMITS``, the one place they are set): what exceeds them, and
encrypted content, is reported by ClamAV as ``Heuristics.Limits.Exceeded.*`` /
``Heuristics.Encrypted.*`` and becomes *unscannable*. An engine that cannot answer (no daemon, no
database, a protocol error) raises ``ScanError``: the message is retried and the file stays
blocked; it never becomes clean by default. A scan that outlasts our own time cap (the engine
took the file and gave no answer) raises ``ScanTimeout``: that file is unscannable at once, never
retried, since a retry would only stall the scanner again (F1).

Images (F1): ClamAV 1.x computes a fuzzy hash of every image it meets by decoding all its pixels
(ScanImageFuzzyHash); MaxScanTime does not interrupt that decoder, so a 380 KB PNG that claims
20000x20000 pixels held a scan for minutes and 2 GB of memory. ClamAV 1.4 lets it be switched off
(we use no fuzzy-hash signatures): ``ScanImageFuzzyHash no``, while ``ScanImage`` keeps ClamAV's
structural image checks. Before any of this, the scan service reads every image's dimensions from
its header and refuses one over its purpose's pixel limit (services/scanning.py)."""
from __future__ import annotations

import os
import re
import socket
import struct
import subprocess
from dataclasses import dataclass
from typing import Protocol

from chalicelib.domain.files import LARGEST_UPLOAD

MB = 1024 * 1024

# One place for the engine's limits; clamd.conf and clamscan's flags are rendered from it.
# MaxScanSize equals MaxFileSize on purpose: ClamAV trims an archive member larger than
# MaxFileSize and scans the rest without an alert, so only the total-size limit catches a zip
# bomb (200 MB of zeros in 200 KB). An archive whose content expands past it is unscannable.
LIMITS = {
    "MaxFileSize": LARGEST_UPLOAD,  # bytes; no upload is larger (domain/files.PURPOSE_MAX)
    "MaxScanSize": LARGEST_UPLOAD,  # bytes in total, archive contents included
    "MaxFiles": 1000,  # [decision] files inside one archive
    "MaxRecursion": 16,  # archives in archives
    "MaxScanTime": 40_000,  # ms; inside the scan Lambda's 60 s
}
ALERTS = {
    "AlertEncrypted": "yes",  # encrypted archives and documents: Heuristics.Encrypted.*
    "AlertExceedsMax": "yes",  # limits above: Heuristics.Limits.Exceeded.*
    "AlertBrokenExecutables": "yes",  # Heuristics.Broken.Executable: infected
    "AlertBrokenMedia": "no",  # media are checked by our own header readers
    "AlertOLE2Macros": "yes",  # F1 active content: Heuristics.OLE2.ContainsMacros
    "HeuristicAlerts": "yes",
}
# F1: no pixel decoding inside the engine (see the module's docstring); needs ClamAV >= 1.4.
IMAGES = {
    "ScanImage": "yes",
    "ScanImageFuzzyHash": "no",
}
# Our own cap on one scan, past the engine's MaxScanTime: no answer by then is ScanTimeout.
SOCKET_TIMEOUT = LIMITS["MaxScanTime"] / 1000 + 10.0  # seconds
CHUNK = 1 * MB


class ScanError(Exception):
    """The engine gave no verdict. The caller must not treat the file as clean."""


class ScanTimeout(ScanError):
    """The engine took the file and gave no answer within our time cap: the file, not the engine,
    is the problem (unscannable at once, no retry)."""


class Scanner(Protocol):
    name: str

    def scan(self, path: str) -> str | None:
        """The signature found in the file at ``path``, or None when the engine found nothing.
        Raises ScanError when it could not tell."""


def clamd_config(*, socket_path: str, database_dir: str, temp_dir: str, pid_file: str,
                 log_file: str | None = None, foreground: bool = True) -> str:
    """A clamd.conf with our limits (tests, `make run`, the production image)."""
    lines = [
        f"LocalSocket {socket_path}",
        "LocalSocketMode 660",
        f"DatabaseDirectory {database_dir}",
        f"TemporaryDirectory {temp_dir}",
        f"PidFile {pid_file}",
        f"Foreground {'yes' if foreground else 'no'}",
        f"StreamMaxLength {LIMITS['MaxFileSize'] + MB}",
        "MaxThreads 4",
        "ReadTimeout 60",
        "SelfCheck 0",
    ]
    if log_file:
        lines.append(f"LogFile {log_file}")
    if os.geteuid() == 0:
        lines.append("User root")  # clamd otherwise drops to the clamav user, which cannot read tmp dirs
    lines += [f"{k} {v}" for k, v in LIMITS.items()]
    lines += [f"{k} {v}" for k, v in ALERTS.items()]
    lines += [f"{k} {v}" for k, v in IMAGES.items()]
    return "\n".join(lines) + "\n"


def clamscan_flags() -> list[str]:
    """The same limits and alerts as clamscan options."""
    return [
        f"--max-filesize={LIMITS['MaxFileSize']}",
        f"--max-scansize={LIMITS['MaxScanSize']}",
        f"--max-files={LIMITS['MaxFiles']}",
        f"--max-recursion={LIMITS['MaxRecursion']}",
        f"--max-scantime={LIMITS['MaxScanTime']}",
        "--alert-encrypted=yes",
        "--alert-exceeds-max=yes",
        "--alert-broken=yes",
        "--alert-macros=yes",
        "--heuristic-alerts=yes",
        "--scan-image=yes",
        "--scan-image-fuzzy-hash=no",
    ]


_FOUND = re.compile(r"^(?:stream|.*?): (?P<sig>\S.*?) FOUND$")


@dataclass
class ClamdScanner:
    socket_path: str
    timeout: float = SOCKET_TIMEOUT
    name: str = "clamd"

    def _command(self, command: bytes, payload_path: str | None = None) -> str:
        sent = False
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
                conn.settimeout(self.timeout)
                conn.connect(self.socket_path)
                conn.sendall(b"z" + command + b"\0")
                if payload_path is not None:
                    with open(payload_path, "rb") as f:
                        while chunk := f.read(CHUNK):
                            conn.sendall(struct.pack(">I", len(chunk)) + chunk)
                    conn.sendall(struct.pack(">I", 0))
                sent = True
                reply = b""
                while not reply.endswith(b"\0"):
                    data = conn.recv(4096)
                    if not data:
                        break
                    reply += data
        except TimeoutError as exc:
            if sent and payload_path is not None:  # clamd has the whole file and is still at it
                raise ScanTimeout(f"clamd gave no answer in {self.timeout:.0f} s") from exc
            raise ScanError(f"clamd at {self.socket_path}: {exc}") from exc
        except OSError as exc:
            raise ScanError(f"clamd at {self.socket_path}: {exc}") from exc
        return reply.rstrip(b"\0").decode("utf-8", "replace").strip()

    def ping(self) -> bool:
        try:
            return self._command(b"PING") == "PONG"
        except ScanError:
            return False

    def version(self) -> str:
        return self._command(b"VERSION")

    def scan(self, path: str) -> str | None:
        reply = self._command(b"INSTREAM", path)
        if reply == "stream: OK":
            return None
        found = _FOUND.match(reply)
        if found:
            return found.group("sig")
        # "INSTREAM size limit exceeded. ERROR", "... ERROR", an empty reply (daemon died)...
        raise ScanError(f"clamd answered {reply!r}")


@dataclass
class ClamscanScanner:
    database_dir: str | None = None
    binary: str = "clamscan"
    timeout: float = SOCKET_TIMEOUT
    name: str = "clamscan"

    def scan(self, path: str) -> str | None:
        command = [self.binary, "--no-summary", "--stdout", "--infected", *clamscan_flags()]
        if self.database_dir:
            command.append(f"--database={self.database_dir}")
        command.append(path)
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=self.timeout)
        except subprocess.TimeoutExpired as exc:  # subprocess.run has killed it
            raise ScanTimeout(f"clamscan gave no answer in {self.timeout:.0f} s") from exc
        except OSError as exc:
            raise ScanError(f"clamscan: {exc}") from exc
        if done.returncode == 0:
            return None
        if done.returncode == 1:
            for line in done.stdout.splitlines():
                if line.startswith(path + ": ") and line.endswith(" FOUND"):
                    return line[len(path) + 2:-len(" FOUND")]
            raise ScanError(f"clamscan reported a finding it did not name: {done.stdout[-300:]!r}")
        raise ScanError(f"clamscan exited {done.returncode}: {(done.stderr or done.stdout).strip()[-300:]}")


def from_settings() -> Scanner:
    """clamd when its socket is there (fastest), else the clamscan command."""
    from chalicelib.config import settings

    s = settings()
    if s.scanner == "clamd" or (s.scanner == "auto" and os.path.exists(s.clamd_socket)):
        return ClamdScanner(s.clamd_socket)
    return ClamscanScanner(database_dir=s.clamav_database_dir or None, binary=s.clamscan_path)
