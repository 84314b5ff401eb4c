"""Figure: time of the W2 contact-details check (chalicelib/domain/contact_details.scan) on texts
of the sizes people write: a message, a gig description at its maximum, a long order text, and
10k/100k characters of ordinary prose with numbers (the clean lines of the unit-test corpus, in
the seeds' five languages), with one contact detail at the end; plus pathological repetitions
that would make a careless regular expression quadratic. Median of several runs, in-process."""
from __future__ import annotations

import statistics
import time
from pathlib import Path

from benchmarks.report import heading, line, ms, table
from chalicelib.domain.contact_details import scan
from chalicelib.domain.gigs import DESCRIPTION_MAX
from chalicelib.domain.messaging import MESSAGE_TEXT_MAX

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "unit" / "data" / "contact_details_corpus.tsv"
RUNS = 7


def _prose(size: int) -> str:
    lines = [row.split("\t")[3] for row in CORPUS.read_text(encoding="utf-8").splitlines()
             if row.startswith("clean\t")]
    text = ""
    while len(text) < size:
        text += " ".join(lines) + " "
    return text[:size] + " Questions? dana (at) gmail . com"


def _median(text: str) -> float:
    samples = []
    for _ in range(RUNS):
        started = time.perf_counter()
        scan(text)
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def run() -> None:
    heading(f"W2 contact-details check: median of {RUNS} runs")
    texts = {
        "message (500 chars)": _prose(500),
        f"gig description (max {DESCRIPTION_MAX})": _prose(DESCRIPTION_MAX),
        f"message (max {MESSAGE_TEXT_MAX})": _prose(MESSAGE_TEXT_MAX),
        "prose, 10k chars": _prose(10_000),
        "prose, 100k chars": _prose(100_000),
        **{f"pathological {chunk!r} x 3000": chunk * 3000
           for chunk in ("1 ", "o-", "a.", "x dot ", "a at ", "a_b ", "+1 ", "five ")},
    }
    rows = []
    for name, text in texts.items():
        seconds = _median(text)
        rows.append((name, len(text), ms(seconds), f"{len(text) / max(seconds * 1000, 1e-9):,.0f}",
                     len(scan(text))))
    table(("text", "chars", "ms", "chars/ms", "findings"), rows, right=(1, 2, 3, 4))
    line()


if __name__ == "__main__":
    run()
