"""W2: the detector measured on a corpus of realistic texts in every language of the seeds (en, es,
fr, de, he), contact details plain, obfuscated and spelled out, and ordinary numbers and prose that
are not contact details (tests/unit/data/contact_details_corpus.tsv). Prints precision and recall
(run with -s to see them) and fails below 98% on either."""
from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from chalicelib.domain.contact_details import ContactKind, scan

CORPUS = Path(__file__).parent / "data" / "contact_details_corpus.tsv"
KINDS = {"email": ContactKind.EMAIL, "phone": ContactKind.PHONE, "link": ContactKind.LINK,
         "handle": ContactKind.HANDLE}
MINIMUM = 0.98


def _cases() -> list[tuple[bool, str, str, str]]:
    cases = []
    for number, line in enumerate(CORPUS.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        label, kind, language, text = line.split("\t")
        assert label in {"contact", "clean"} and (kind in KINDS) == (label == "contact"), f"line {number}"
        cases.append((label == "contact", kind, language, text))
    return cases


def test_w2_corpus_precision_and_recall(capsys: pytest.CaptureFixture[str]) -> None:
    cases = _cases()
    counts: Counter[str] = Counter()
    wrong_kind, misses, false_alarms = [], [], []
    by_language: Counter[tuple[str, str]] = Counter()
    for contact, kind, language, text in cases:
        findings = scan(text)
        if contact and findings:
            counts["tp"] += 1
            if KINDS[kind] not in {f.kind for f in findings}:
                wrong_kind.append(text)
        elif contact:
            counts["fn"] += 1
            misses.append(text)
            by_language[(language, "fn")] += 1
        elif findings:
            counts["fp"] += 1
            false_alarms.append(text)
            by_language[(language, "fp")] += 1
        else:
            counts["tn"] += 1
    precision = counts["tp"] / ((counts["tp"] + counts["fp"]) or 1)
    recall = counts["tp"] / ((counts["tp"] + counts["fn"]) or 1)
    with capsys.disabled():
        print(f"\nW2 corpus: {len(cases)} cases ({counts['tp'] + counts['fn']} contact details, "
              f"{counts['tn'] + counts['fp']} clean), precision {precision:.1%}, recall {recall:.1%}, "
              f"kind right {1 - len(wrong_kind) / ((counts['tp']) or 1):.1%}")
        for text in misses:
            print("  missed:", text)
        for text in false_alarms:
            print("  false alarm:", text)
        for text in wrong_kind:
            print("  other kind:", text)
    assert len(cases) >= 300
    assert {language for _, _, language, _ in cases} == {"en", "es", "fr", "de", "he"}
    assert precision >= MINIMUM and recall >= MINIMUM, (precision, recall)
