"""Participation opportunities: their kinds, and a CSV row checked field by field (no I/O)."""
from __future__ import annotations

import csv
import io
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from bot import gsm7
from bot.keywords import normalise

# (code, what PPT call it, other ways a CSV may say it)
TYPES = (
    ("ebe_training", "Expert by Experience training", ("ebe", "ebe training", "expert by experience")),
    ("working_together", "Working Together group", ("working together", "wtg")),
    ("volunteering", "Volunteering", ("volunteer",)),
    ("committee", "Committee or board seat", ("committee", "board", "committee seat", "board seat")),
    ("qi_project", "QI project", ("qi", "quality improvement", "quality improvement project")),
    ("workshop", "Workshop", ()),
    ("peer_role", "Peer role", ("peer", "peer support", "peer support worker")),
    ("research", "Research", ()),
    ("other", "Other", ()),
)
PAYMENTS = {"paid": "paid", "expenses": "expenses", "expenses only": "expenses", "voluntary": "voluntary",
            "unpaid": "voluntary"}
REQUIRED = ("title", "summary", "type", "area", "venue", "payment")
_TYPE_BY_WORDS = {normalise(w): code for code, label, others in TYPES for w in (code, label, *others)}


def type_label(code: str) -> str:
    return next((label for c, label, _ in TYPES if c == code), code)


def _when(raw: str, tz: str) -> datetime | None:
    if not raw:
        return None
    value = datetime.fromisoformat(raw)
    if value.tzinfo is None:
        value = value.replace(tzinfo=ZoneInfo(tz))
    return value.astimezone(timezone.utc)


def check_row(row: dict, tz: str) -> tuple[dict | None, list[str]]:
    """The fields of one opportunity, or every problem with the row."""
    problems = [f"{name} is missing" for name in REQUIRED if not row.get(name)]
    summary = row.get("summary") or ""
    if summary and not gsm7.fits(summary):
        problems.append(f"summary must fit 2 SMS segments in plain characters ({len(summary)} characters now)")
    kind = _TYPE_BY_WORDS.get(normalise(row.get("type") or ""))
    if row.get("type") and kind is None:
        problems.append(f"type {row['type']!r} is not one of: {', '.join(label for _, label, _ in TYPES)}")
    payment = PAYMENTS.get(normalise(row.get("payment") or ""))
    if row.get("payment") and payment is None:
        problems.append(f"payment {row['payment']!r} must be paid, expenses only or voluntary")
    try:
        starts, ends = _when(row.get("starts_at") or "", tz), _when(row.get("ends_at") or "", tz)
        if starts and ends and ends <= starts:
            problems.append("ends_at must be after starts_at")
    except ValueError:
        starts = ends = None
        problems.append("starts_at and ends_at must look like 2026-12-01 10:00")
    try:
        closes = date.fromisoformat(row["closes_on"]) if row.get("closes_on") else None
    except ValueError:
        closes = None
        problems.append(f"closes_on {row['closes_on']!r} must be a date like 2026-11-30")
    places = row.get("places") or ""
    if places and (not places.isdigit() or int(places) < 1):
        problems.append(f"places {places!r} must be a whole number from 1, or empty for no limit")
    if len(row.get("title") or "") > 120:
        problems.append("title must be at most 120 characters")
    if problems:
        return None, problems
    return {"title": row["title"], "summary": summary, "description": row.get("description") or "", "type": kind,
            "area": row["area"], "venue": row["venue"], "starts_at": starts, "ends_at": ends,
            "places": int(places) if places else None, "payment": payment,
            "accessibility": row.get("accessibility") or "", "closes_on": closes}, []


def read_csv(data: str, tz: str = "Europe/London") -> tuple[list[dict], list[str]]:
    """The fields of every good row, and every problem by its line. The file is read whole first."""
    try:
        reader = csv.DictReader(io.StringIO(data.lstrip("\ufeff")))
        rows = [{(k or "").strip().lower(): (v or "").strip() for k, v in row.items() if isinstance(v, str)}
                for row in reader]
        header = {(h or "").strip().lower() for h in reader.fieldnames or []}
    except csv.Error as exc:
        return [], [f"not a readable CSV file: {exc}"]
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        return [], [f"the header needs {', '.join(missing)} (found: {', '.join(sorted(header)) or 'none'})"]
    good, errors = [], []
    for line, row in enumerate(rows, start=2):
        fields, problems = check_row(row, tz)
        if problems:
            errors.append(f"line {line}: " + "; ".join(problems))
        else:
            good.append(fields)
    return good, errors
