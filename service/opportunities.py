"""Opportunities PPT add from a CSV and publish."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from bot.opportunities import read_csv
from storage.models import Opportunity


@dataclass
class ImportReport:
    imported: list[int] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def import_csv(session: Session, data: str, now: datetime, tz: str = "Europe/London") -> ImportReport:
    """Add every good row as a draft; report every bad one by its line."""
    rows, errors = read_csv(data, tz)
    report = ImportReport(errors=errors)
    for fields in rows:
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
