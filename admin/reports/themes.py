"""Which themes people raise, how that changes month by month, and the sentiment of stories."""
from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from admin.reports.periods import month_bucket, span
from admin.reports.qdc import MAJOR_CATEGORIES, major_category
from storage.models import Answer, Response, StoryAnalysis, StoryTag

SENTIMENTS = ("positive", "neutral", "negative")


def _in_range(query, start, end, service):
    query = query.where(Response.created_at >= start, Response.created_at < end)
    return query.where(Response.service_code == service) if service is not None else query


def theme_counts(db, months: list[date], *, tz: str = "Europe/London", service: str | None = None,
                 by_service: bool = False) -> list[dict]:
    """Stories per theme per month (and per service if by_service): the base of every theme figure.

    Rows: {month, service (None unless by_service), theme, major_category, stories}.
    """
    start, end = span(months, tz)
    bucket = month_bucket(Response.created_at, months, tz).label("bucket")
    columns = [bucket, StoryTag.theme] + ([Response.service_code] if by_service else [])
    query = (select(*columns, func.count())
             .select_from(StoryTag).join(Answer, Answer.id == StoryTag.answer_id)
             .join(Response, Response.id == Answer.response_id)
             .group_by(*columns))
    rows = []
    for row in db.execute(_in_range(query, start, end, service)):
        rows.append({"month": months[row[0]], "service": row[2] if by_service else None, "theme": row[1],
                     "major_category": major_category(row[1]), "stories": row[-1]})
    return sorted(rows, key=lambda r: (r["month"], r["service"] or "", -r["stories"], r["theme"]))


def top_themes(counts: list[dict], limit: int = 10, *, exclude: tuple[str, ...] = ("Labelling not possible",)
               ) -> list[dict]:
    """The most raised themes over all the rows given: [{theme, major_category, stories}], most first."""
    totals: dict[str, int] = {}
    for row in counts:
        if row["theme"] not in exclude:
            totals[row["theme"]] = totals.get(row["theme"], 0) + row["stories"]
    ranked = sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
    return [{"theme": t, "major_category": major_category(t), "stories": n} for t, n in ranked]


def theme_trend(counts: list[dict], months: list[date], themes: list[str]) -> dict:
    """Counts per month for the given themes: {months, series: [{theme, counts: [int per month]}]}."""
    index = {m: i for i, m in enumerate(months)}
    series = {t: [0] * len(months) for t in themes}
    for row in counts:
        if row["theme"] in series:
            series[row["theme"]][index[row["month"]]] += row["stories"]
    return {"months": months, "series": [{"theme": t, "counts": series[t]} for t in themes]}


def change(trend: dict) -> list[dict]:
    """For each theme, this month against the month before: {theme, latest, previous, change}."""
    out = []
    for s in trend["series"]:
        latest = s["counts"][-1] if s["counts"] else 0
        previous = s["counts"][-2] if len(s["counts"]) > 1 else 0
        out.append({"theme": s["theme"], "latest": latest, "previous": previous, "change": latest - previous})
    return out


def major_category_counts(counts: list[dict]) -> list[dict]:
    """Theme mentions summed by QDC major category: [{major_category, mentions}], in framework order.

    A story with two themes in one major category counts twice here (mentions, not stories).
    """
    totals = {major: 0 for major in MAJOR_CATEGORIES}
    for row in counts:
        totals[row["major_category"]] += row["stories"]
    return [{"major_category": major, "mentions": n} for major, n in totals.items()]


def sentiment_split(db, months: list[date], *, tz: str = "Europe/London", service: str | None = None) -> list[dict]:
    """Stories by sentiment per month: [{month, positive, neutral, negative, total}] for every month."""
    start, end = span(months, tz)
    bucket = month_bucket(Response.created_at, months, tz).label("bucket")
    query = (select(bucket, StoryAnalysis.sentiment, func.count())
             .select_from(StoryAnalysis).join(Answer, Answer.id == StoryAnalysis.answer_id)
             .join(Response, Response.id == Answer.response_id)
             .group_by(bucket, StoryAnalysis.sentiment))
    rows = [{"month": m, **{s: 0 for s in SENTIMENTS}} for m in months]
    for b, sentiment, n in db.execute(_in_range(query, start, end, service)):
        if sentiment in SENTIMENTS:
            rows[b][sentiment] += n
    for row in rows:
        row["total"] = sum(row[s] for s in SENTIMENTS)
    return rows
