"""Scan time per MB: clamd (signatures loaded once, the file streamed over its socket) against
the clamscan command (loads the signatures on every call), on the same files. Uses the EICAR test
database unless the official one is in /var/lib/clamav; with the official databases clamscan's
per-call load is seconds, so the gap only grows. Prints figures, asserts nothing."""
from __future__ import annotations

import glob
import os
import statistics
import tempfile
import time

from benchmarks.report import heading, line, progress, table

SECTION = "scan"
MB = 1024 * 1024


def _files(directory: str) -> list[tuple[str, str, float]]:
    """(label, path, megabytes): random bytes (nothing compresses, every byte is matched) and a
    zip of text (ClamAV unpacks it)."""
    import zipfile

    out = []
    for size in (1, 10, 50):
        path = os.path.join(directory, f"random-{size}mb.bin")
        with open(path, "wb") as f:
            f.write(os.urandom(size * MB))
        out.append((f"random {size} MB", path, float(size)))
    path = os.path.join(directory, "text.zip")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for i in range(20):
            zf.writestr(f"notes-{i}.txt", f"Kitchen remodel notes, line {i}.\n" * 20000)
    out.append(("zip of 20 text files", path, os.path.getsize(path) / MB))
    return out


def _time(scan, path: str, runs: int) -> float:
    samples = []
    for _ in range(runs):
        t = time.perf_counter()
        scan(path)
        samples.append(time.perf_counter() - t)
    return statistics.median(samples)


def run(runs: int = 3) -> None:
    from chalicelib.files.clamav import ClamscanScanner
    from local import clamav_local

    heading("Virus scanning: seconds per MB, clamd (socket) vs clamscan (command), same files")
    if not clamav_local.installed():
        line("ClamAV is not installed (make deps installs it): section skipped")
        return
    with tempfile.TemporaryDirectory(prefix="bench-scan-") as tmp:
        official = "/var/lib/clamav"
        database = official if glob.glob(os.path.join(official, "*.c[lv]d")) else \
            clamav_local.build_test_database(os.path.join(tmp, "db"))
        line(f"signatures: {database}; median of {runs} runs per file")
        progress(SECTION, "starting clamd")
        t = time.perf_counter()
        daemon = clamav_local.LocalClamd(os.path.join(tmp, "clamd"), database).start()
        started = time.perf_counter() - t
        try:
            clamd, clamscan = daemon.scanner(), ClamscanScanner(database_dir=database)
            rows = []
            for label, path, megabytes in _files(tmp):
                progress(SECTION, f"scanning {label}")
                a = _time(clamd.scan, path, runs)
                b = _time(clamscan.scan, path, runs)
                rows.append((label, f"{megabytes:.2f}", f"{a * 1000:.0f}", f"{a / megabytes * 1000:.1f}",
                             f"{b * 1000:.0f}", f"{b / megabytes * 1000:.1f}", f"{b / a:.1f}x"))
            table(["file", "MB", "clamd ms", "clamd ms/MB", "clamscan ms", "clamscan ms/MB", "clamscan/clamd"],
                  rows, right=(1, 2, 3, 4, 5, 6))
            line(f"clamd start-up (database load, paid once per process): {started * 1000:.0f} ms")
        finally:
            daemon.stop()
