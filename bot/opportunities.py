"""Participation opportunities: loaded from a CSV, checked row by row, published by PPT."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from bot import gsm7
from bot.answers import normalise
from storage.models import Opportunity

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


@dataclass
class ImportReport:
    imported: list[int] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def type_label(code: str) -> str:
    return next((label for c, label, _ in TYPES if c == code), code)


def _when(raw: str, tz: str) -> datetime | None:
    if not raw:
        return None
    value = datetime.fromisoformat(raw)
    if value.tzinfo is None:
        value = value.replace(tzinfo=ZoneInfo(tz))
    return value.astimezone(timezone.utc)


def _row(row: dict, tz: str) -> tuple[dict | None, list[str]]:
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


def import_csv(session: Session, data: str, now: datetime, tz: str = "Europe/London") -> ImportReport:
    """Add every good row as a draft; report every bad one by its line. The file is read whole first."""
    report = ImportReport()
    try:
        reader = csv.DictReader(io.StringIO(data.lstrip("\ufeff")))
        rows = [{(k or "").strip().lower(): (v or "").strip() for k, v in row.items() if isinstance(v, str)}
                for row in reader]
        header = {(h or "").strip().lower() for h in reader.fieldnames or []}
    except csv.Error as exc:
        report.errors.append(f"not a readable CSV file: {exc}")
        return report
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        report.errors.append(f"the header needs {', '.join(missing)} (found: {', '.join(sorted(header)) or 'none'})")
        return report
    for line, row in enumerate(rows, start=2):
        fields, problems = _row(row, tz)
        if problems:
            report.errors.append(f"line {line}: " + "; ".join(problems))
            continue
        opportunity = Opportunity(**fields, status="draft", created_at=now)
        session.add(opportunity)
        session.flush()
        report.imported.append(opportunity.id)
    return report


def publish(session: Session, opportunity_id: int, now: datetime) -> Opportunity:
    """Make a draft visible to people; raises ValueError saying why it cannot be."""
    opportunity = session.get(Opportunity, opportunity_id, with_for_update=True)
    if opportunity is None:
        raise ValueError(f"there is no opportunity {opportunity_id}")
    if opportunity.status != "draft":
        raise ValueError(f"opportunity {opportunity_id} is {opportunity.status}, not a draft")
    if opportunity.closes_on and opportunity.closes_on < now.astimezone(ZoneInfo("Europe/London")).date():
        raise ValueError(f"opportunity {opportunity_id} closed on {opportunity.closes_on:%d %b %Y}")
    opportunity.status, opportunity.published_at = "published", now
    return opportunity
