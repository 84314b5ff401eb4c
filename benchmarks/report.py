"""Printing: progress lines as the bench goes, and plain-text tables for the report."""
from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Sequence

_START = time.perf_counter()


def progress(section: str, message: str) -> None:
    print(f"[{time.perf_counter() - _START:6.1f}s] {section}: {message}", file=sys.stderr, flush=True)


def heading(title: str) -> None:
    print(f"\n{'=' * 100}\n{title}\n{'=' * 100}", flush=True)


def line(text: str = "") -> None:
    print(text, flush=True)


def table(headers: Sequence[str], rows: Sequence[Sequence[object]], right: Sequence[int] = ()) -> None:
    """Columns sized to their content; indices in ``right`` are right-aligned."""
    cells = [[str(c) for c in headers]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]

    def fmt(row: list[str]) -> str:
        padded = (c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(row, widths, strict=False)))
        return "  ".join(padded).rstrip()

    print(fmt(cells[0]), flush=True)
    print("  ".join("-" * w for w in widths), flush=True)
    for row in cells[1:]:
        print(fmt(row), flush=True)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}"


def median_ms(samples: Sequence[float]) -> str:
    return ms(statistics.median(samples)) if samples else "-"
