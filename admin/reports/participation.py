"""Participation figures: new members against the yearly target, sign-ups by type, subscribers."""
from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from admin.reports.periods import month_bucket, span
from storage.models import Opportunity, Participant, SignUp

DEFAULT_YEARLY_TARGET = 100  # the strategy: 100 new members a year
SIGNUP_STATUSES = ("interested", "confirmed", "waiting", "attended", "withdrawn")


def new_participants(db, months: list[date], *, tz: str = "Europe/London",
                     yearly_target: int = DEFAULT_YEARLY_TARGET) -> list[dict]:
    """New participants (by the month they consented) against an even share of the yearly target.

    Rows, one per month: {month, new, cumulative, target, cumulative_target}; target is
    yearly_target / 12. People who have since deleted their data are no longer counted.
    """
    start, end = span(months, tz)
    bucket = month_bucket(Participant.consent_at, months, tz).label("bucket")
    query = (select(bucket, func.count()).where(Participant.consent_at >= start, Participant.consent_at < end)
             .group_by(bucket))
    per_month = dict(db.execute(query).all())
    monthly = yearly_target / 12
    rows, total = [], 0
    for index, month in enumerate(months):
        total += per_month.get(index, 0)
        rows.append({"month": month, "new": per_month.get(index, 0), "cumulative": total,
                     "target": round(monthly, 1), "cumulative_target": round(monthly * (index + 1), 1)})
    return rows


def signups_by_type(db, months: list[date] | None = None, *, tz: str = "Europe/London") -> list[dict]:
    """Sign-ups per opportunity type and status, made in the months given (or ever).

    Rows: {type, interested, confirmed, waiting, attended, withdrawn, total}, by type.
    """
    query = (select(Opportunity.type, SignUp.status, func.count())
             .join(Opportunity, Opportunity.id == SignUp.opportunity_id).group_by(Opportunity.type, SignUp.status))
    if months:
        start, end = span(months, tz)
        query = query.where(SignUp.created_at >= start, SignUp.created_at < end)
    rows: dict[str, dict] = {}
    for kind, status, n in db.execute(query):
        row = rows.setdefault(kind, {"type": kind, **{s: 0 for s in SIGNUP_STATUSES}})
        row[status] = row.get(status, 0) + n
    for row in rows.values():
        row["total"] = sum(v for k, v in row.items() if k != "type")
    return [rows[k] for k in sorted(rows)]


def subscribers(db) -> dict:
    """Who gets opportunity alerts now: {instant, weekly, subscribed, paused, off, participants}.

    subscribed = instant + weekly, counting only those whose alerts are not paused.
    """
    query = select(Participant.alerts, Participant.alerts_paused, func.count()).group_by(
        Participant.alerts, Participant.alerts_paused)
    out = {"instant": 0, "weekly": 0, "paused": 0, "off": 0, "participants": 0}
    for alerts, paused, n in db.execute(query):
        out["participants"] += n
        if alerts not in ("instant", "weekly"):
            out["off"] += n
        elif paused:
            out["paused"] += n
        else:
            out[alerts] += n
    out["subscribed"] = out["instant"] + out["weekly"]
    return out
