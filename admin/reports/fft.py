"""FFT results for the dashboard and the public screen, with NHS England's computation.

% positive = (Very good + Good) / all answers, and % negative = (Poor + Very poor) / all
answers, where all answers include Neither, Poor, Very poor and Don't know: the same sums
as the monthly return (fft_return), which these figures are built from.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import func, select

from admin.reports.periods import month_bounds, month_bucket, span
from bot.fft import QUESTION_ID, RETURN_KEYS
from storage.models import Response
from storage.reports import answer_counts

COUNTS = tuple(RETURN_KEYS.values())  # very_good, good, neither_good_nor_poor, poor, very_poor, dont_know
RETURN_HEADER = ("service", "mode", *COUNTS, "total", "percent_positive", "percent_negative")
UNKNOWN_SERVICE = "unknown"
ALL = "all"


def percent(part: int, total: int) -> float | None:
    """As the monthly return rounds it: one decimal place; None when there are no answers."""
    return round(100.0 * part / total, 1) if total else None


def summarise(counts: dict) -> dict:
    """Add total, percent_positive and percent_negative to a dict of the six answer counts."""
    total = sum(counts[k] for k in COUNTS)
    return {**counts, "total": total,
            "percent_positive": percent(counts["very_good"] + counts["good"], total),
            "percent_negative": percent(counts["poor"] + counts["very_poor"], total)}


def _empty() -> dict:
    return {k: 0 for k in COUNTS}


def fft_return(db, start: datetime, end: datetime) -> list[dict]:
    """The NHS England monthly return: each answer's count per service and mode, for responses in [start, end).

    Rows as RETURN_HEADER names them, sorted by service and mode; no service is "unknown".
    """
    lines: dict[tuple[str, str], dict] = {}
    for service, mode, value, n in answer_counts(db, QUESTION_ID, start, end):
        key = (service or UNKNOWN_SERVICE, mode)
        counts = lines.setdefault(key, {"service": key[0], "mode": mode, **_empty()})
        if value in RETURN_KEYS:
            counts[RETURN_KEYS[value]] += n
    return [summarise(lines[key]) for key in sorted(lines)]


def fft_by_month(db, months: list[date], *, tz: str = "Europe/London", service: str | None = None,
                 by_service: bool = True) -> list[dict]:
    """FFT counts and percentages per month (and per service unless by_service=False).

    Rows: {month, service, very_good..dont_know, total, percent_positive, percent_negative,
    by_mode: {mode: total}}. With by_service=False, service is "all". Months with no answers
    are still listed when by_service=False, so a chart has every month.
    """
    lines = {month: fft_return(db, *month_bounds(month, tz)) for month in months}
    return fold_by_month(lines, months, service=service, by_service=by_service)


def fold_by_month(lines: dict[date, list[dict]], months: list[date], *, service: str | None = None,
                  by_service: bool = True) -> list[dict]:
    """fft_by_month's rows from each month's monthly-return lines (fft_return's rows).

    The lines may come from the return itself or from the monthly summaries (admin.reports.summary).
    """
    rows: dict[tuple[date, str], dict] = {}
    for month in months:
        if not by_service:
            rows[(month, ALL)] = {"month": month, "service": ALL, **_empty(), "by_mode": {}}
        for line in lines.get(month, ()):
            if service is not None and line["service"] != service:
                continue
            key = (month, line["service"] if by_service else ALL)
            row = rows.setdefault(key, {"month": month, "service": key[1], **_empty(), "by_mode": {}})
            for k in COUNTS:
                row[k] += line[k]
            row["by_mode"][line["mode"]] = row["by_mode"].get(line["mode"], 0) + line["total"]
    return [{**summarise(row), "by_mode": row["by_mode"]} for _, row in sorted(rows.items())]


def totals_by_service(rows: list[dict]) -> list[dict]:
    """fft_by_month's rows (by service) summed over their months: [{service, counts, total, percents}]."""
    totals: dict[str, dict] = {}
    for row in rows:
        t = totals.setdefault(row["service"], _empty())
        for k in COUNTS:
            t[k] += row[k]
    return [{"service": code, **summarise(counts)} for code, counts in sorted(totals.items())]


def responses_by_mode(db, months: list[date], *, tz: str = "Europe/London", service: str | None = None,
                      survey: str | None = None) -> list[dict]:
    """How many responses (any feedback survey, answered FFT or not) came in each way, per month.

    Rows: {month, mode, responses}, sorted by month then mode.
    """
    start, end = span(months, tz)
    bucket = month_bucket(Response.created_at, months, tz).label("bucket")
    query = (select(bucket, Response.mode, func.count()).where(Response.created_at >= start,
                                                               Response.created_at < end)
             .group_by(bucket, Response.mode))
    if service is not None:
        query = query.where(Response.service_code == service)
    if survey is not None:
        query = query.where(Response.survey_id == survey)
    rows = [{"month": months[b], "mode": mode, "responses": n} for b, mode, n in db.execute(query)]
    return sorted(rows, key=lambda r: (r["month"], r["mode"]))


def fft_last_days(db, service: str, now: datetime, days: int = 30) -> dict:
    """One service's FFT over the last `days` days up to now, for the public screen.

    {service, start, end, very_good..dont_know, total, percent_positive, percent_negative}.
    """
    start = now - timedelta(days=days)
    counts = _empty()
    for line in fft_return(db, start, now + timedelta(microseconds=1)):
        if line["service"] == service:
            for k in COUNTS:
                counts[k] += line[k]
    return {"service": service, "start": start, "end": now, **summarise(counts)}
