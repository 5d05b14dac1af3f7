"""Redaction on the shared FFT comments: how many comments lose something that is not personal data.

    .venv/bin/python benchmarks/redaction.py [--data CSV] [--redact-file PATH] [--show]

Every stretch that redaction replaces is looked up in redaction_review.csv (next to this script),
where a person has judged it: personal (a name, a date of birth, a reference number...) or not (a
time, a score, a hospital). The review holds comment ids, places and kinds, never the text.
A false positive is a comment with at least one replacement judged not personal. Replacements not
reviewed yet are counted apart and, with --show, printed with their context for review.
--redact-file measures another version of nlp/redact.py (e.g. the last commit's, for a before figure).
"""
from __future__ import annotations

import argparse
import csv
import importlib.util
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from nlp.data import DEFAULT_DATA  # noqa: E402

REVIEW = Path(__file__).resolve().parent / "redaction_review.csv"
PLACEHOLDER = re.compile(r"\[(NAME|PHONE|NHS_NUMBER|EMAIL|POSTCODE|ADDRESS|DATE_OF_BIRTH|NUMBER)\]")


def load_redact(path: str | None):
    if path is None:
        from nlp.redact import redact
        return redact
    spec = importlib.util.spec_from_file_location("redact_under_test", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.redact


def comments(path: Path) -> list[tuple[str, str]]:
    with open(path, newline="", encoding="utf-8-sig") as f:
        return [(row["Comment ID"], row["FFT answer"]) for row in csv.DictReader(f)
                if row["FFT answer"].strip() and row["FFT answer"].strip() != "Did not answer"]


def replaced(text: str, out: str) -> list[tuple[int, int, str]]:
    """Where the placeholders in `out` stand in `text`: [(start, end, label)]."""
    parts = PLACEHOLDER.split(out)
    spans, pos = [], len(parts[0])
    for k in range(1, len(parts), 2):
        label, literal = parts[k], parts[k + 1]
        last = k + 2 >= len(parts)
        end = len(text) - len(literal) if last else text.find(literal, pos + 1) if literal else pos
        spans.append((pos, end, label))
        pos = end + len(literal)
    return spans


def read_review() -> dict[tuple[str, int, int], str]:
    with open(REVIEW, newline="", encoding="utf-8") as f:
        return {(r["comment_id"], int(r["start"]), int(r["end"])): r["personal"]
                for r in csv.DictReader(row for row in f if not row.startswith("#"))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--redact-file", default=None)
    parser.add_argument("--show", action="store_true", help="print replacements not reviewed yet, with context")
    args = parser.parse_args()
    redact = load_redact(args.redact_file)
    rows = comments(args.data)
    redact("warm up: Dr Okafor")
    started = time.perf_counter()
    outs = [redact(text) for _, text in rows]
    seconds = time.perf_counter() - started
    review = read_review()
    changed = wrong = unreviewed = spans = personal = 0
    for (cid, text), out in zip(rows, outs):
        if out == text:
            continue
        changed += 1
        verdicts = []
        for start, end, label in replaced(text, out):
            spans += 1
            verdict = review.get((cid, start, end))
            verdicts.append(verdict)
            personal += verdict == "yes"
            if verdict is None:
                unreviewed += 1
                if args.show:
                    print(f"{cid},{start},{end},{label},?  ...{text[max(0, start - 40):start]}<<{text[start:end]}>>"
                          f"{text[end:end + 20]}...".replace("\n", " "))
        wrong += "no" in verdicts
    print(f"{len(rows)} comments, {len(rows) / seconds:.0f} a second; {changed} redacted ({spans} replacements, "
          f"{personal} judged personal, {unreviewed} not reviewed)")
    print(f"false positives: {wrong} comments ({100 * wrong / len(rows):.2f}% of all, "
          f"{100 * wrong / max(changed, 1):.0f}% of those redacted)")


if __name__ == "__main__":
    main()
