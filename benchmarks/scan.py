"""Scan time per MB: clamd (signatures loaded once, the file streamed over its socket) against
the clamscan command (loads the signatures on every call), on the same files. Uses the EICAR test
database unless the official one is in /var/lib/clamav; with the official databases clamscan's
per-call load is seconds, so the gap only grows.

Then F1 (issue 16), time and peak memory to a verdict: the whole inspection of the scan service
(services/scanning.inspect_path: size, header pixel check, clamd, type, active content) for a
20000x20000 decompression-bomb PNG and a 10 MB clean file, each with a fresh clamd (its peak RSS
is VmHWM); and the bomb handed straight to ClamAV by clamscan, with our flags and with ClamAV's
default image settings (ScanImageFuzzyHash on: the decoder MaxScanTime does not stop). Prints
figures, asserts nothing."""
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
        _to_a_verdict(tmp, database)


def _peak_rss_kb(pid: int) -> int:
    with open(f"/proc/{pid}/status") as f:
        for row in f:
            if row.startswith("VmHWM:"):
                return int(row.split()[1])
    return 0


def _clamscan_peak(command: list[str], timeout: float) -> tuple[float, int, str]:
    """(seconds, peak RSS in KB, first output line) of one clamscan run, killed at ``timeout``."""
    import subprocess

    t = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + timeout
    while True:
        pid, status, usage = os.wait4(child.pid, os.WNOHANG)
        if pid:
            break
        if time.monotonic() > deadline:
            child.kill()
            pid, status, usage = os.wait4(child.pid, 0)
            return time.perf_counter() - t, usage.ru_maxrss, f"killed after {timeout:.0f} s"
        time.sleep(0.05)
    out = child.stdout.read().decode(errors="replace").strip().splitlines() if child.stdout else []
    return time.perf_counter() - t, usage.ru_maxrss, (out[0] if out else f"exit {status}")


def _to_a_verdict(tmp: str, database: str) -> None:
    import tracemalloc
    from datetime import UTC, datetime

    from chalicelib.domain.files import Purpose, StoredFile
    from chalicelib.files.clamav import clamscan_flags
    from chalicelib.services.scanning import inspect_path
    from local import clamav_local
    from tests.support import samples

    heading("F1: time and peak memory to a verdict (services/scanning.inspect_path, a fresh clamd each)")
    bomb = os.path.join(tmp, "bomb.png")
    with open(bomb, "wb") as f:
        f.write(samples.png_bomb(20_000, 20_000))
    clean = os.path.join(tmp, "clean-10mb.txt")
    with open(clean, "wb") as f:
        row = b"Kitchen remodel: cabinets, worktop, tiles, sink, tap, lights.\n"
        f.write(row * (10 * MB // len(row)))
    cases = [("bomb PNG 20000x20000", bomb, "image/png"), ("clean text", clean, "text/plain")]
    from chalicelib.files import active_content, media  # noqa: F401  (a running consumer has them loaded)

    warm = os.path.join(tmp, "warm.png")
    with open(warm, "wb") as f:
        f.write(samples.png(8, 8))
    media.image_size(warm)  # Pillow registers its plug-ins once per process
    rows = []
    for label, path, content_type in cases:
        size = os.path.getsize(path)
        record = StoredFile(id="file_bench", owner_id="usr_bench", purpose=Purpose.DELIVERY, name="x",
                            content_type=content_type, max_bytes=100 * MB, key="u/file_bench/x",
                            created_at=datetime.now(UTC), declared_size=size)
        progress(SECTION, f"verdict for {label}")
        daemon = clamav_local.LocalClamd(os.path.join(tmp, f"clamd-{len(rows)}"), database).start()
        try:
            assert daemon.process is not None
            before = _peak_rss_kb(daemon.process.pid)
            tracemalloc.start()
            t = time.perf_counter()
            verdict, _, _ = inspect_path(path, record, daemon.scanner())
            took = time.perf_counter() - t
            python_peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            clamd_peak = _peak_rss_kb(daemon.process.pid)
        finally:
            daemon.stop()
        rows.append((label, f"{size / MB:.2f}", f"{took * 1000:.0f}", f"{python_peak / MB:.1f}",
                     f"{before / 1024:.0f}", f"{clamd_peak / 1024:.0f}",
                     f"{verdict.state} ({verdict.reason_code or verdict.signature or '-'})"))
    table(["file", "MB", "ms to verdict", "python peak MB", "clamd RSS at start MB", "clamd peak RSS MB", "verdict"],
          rows, right=(1, 2, 3, 4, 5))
    line()
    line("The bomb straight to ClamAV (clamscan, no pixel check before it), peak RSS of the clamscan process:")
    rows = []
    ours = ["clamscan", "--no-summary", *clamscan_flags(), f"--database={database}", bomb]
    defaults = ["clamscan", "--no-summary", f"--database={database}", bomb]
    for label, command in (("our flags (--scan-image-fuzzy-hash=no)", ours),
                           ("ClamAV's image defaults (fuzzy hash on)", defaults)):
        progress(SECTION, f"bomb with {label}")
        took, peak, said = _clamscan_peak(command, timeout=180)
        rows.append((label, f"{took:.2f}", f"{peak / 1024:.0f}", said.rsplit(": ", 1)[-1]))
    table(["clamscan", "seconds", "peak RSS MB", "answer"], rows, right=(1, 2))
