"""One service's month, as its page, its printable pack and its PDF show it.

FFT % positive and % negative beside the trust's, from the monthly summaries when they are
fresh (admin.reports.summary), else counted live for that month alone. Small numbers are
hidden as the other reports hide them (admin.reports.suppression): an answer count from 1
to 4 reads "*", a percentage made from 1 to 4 answers reads "*" too (with the total beside
it, it would give the count away), and no percentage is given from fewer than THRESHOLD
answers. These pages and packs are for staff; the public screen has its own, stricter rules.
Stories are redacted text only, never a flagged one (the NLP found a possible risk).
"""
from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import case, func, select

from admin.reports import fft, rising, summary
from admin.reports.periods import add_months, month_bounds, month_start
from admin.reports.suppression import SUPPRESSED, THRESHOLD, suppress_column
from bot.fft import RETURN_KEYS, labels
from storage.models import Answer, QIEvidence, QIProject, Response, Service, StoryAnalysis, YouSaidWeDid

STORIES = 5  # stories shown: positive and negative in turn
THEMES = 5  # themes shown (every rising one is kept too)
ENTRIES = 5  # "You said, we did" items shown
OPEN = ("proposed", "active")  # QI projects still under way
SHORT = 40  # characters: shorter stories ("good") are chosen only when there are not enough longer ones
LONG = 600


def last_complete_month(now: datetime, tz: str) -> date:
    """The month before the one it is now in the trust's time zone."""
    return add_months(month_start(now.astimezone(ZoneInfo(tz)).date()), -1)


def fft_lines(db, month: date, *, tz: str, now: datetime) -> tuple[list[dict], datetime]:
    """(the month's FFT return lines for every service, when they were right): summaries if fresh, else live."""
    figures = summary.read(db, [month], tz=tz, now=now, max_age=summary.PAGE_MAX_AGE)
    if month in figures.as_of:
        return figures.fft_lines[month], figures.as_of[month]
    return fft.fft_return(db, *month_bounds(month, tz)), now


def fft_row(lines: list[dict], month: date, service: str | None = None) -> dict:
    """The six counts, total and percentages for one service (None: the whole trust)."""
    return fft.fold_by_month({month: lines}, [month], service=service, by_service=False)[0]


def shown(row: dict) -> dict:
    """What may be shown of an FFT row: {answers, counts: [(label, n or "*")], positive, negative, enough}."""
    values = list(RETURN_KEYS)
    cells, total = suppress_column([row[RETURN_KEYS[v]] for v in values], THRESHOLD)
    words = labels()
    enough = row["total"] >= THRESHOLD

    def percent(value: float, made_of: int):
        return None if not enough else SUPPRESSED if 0 < made_of < THRESHOLD else value

    return {"answers": total, "counts": [(words.get(v, v), n) for v, n in zip(values, cells)], "enough": enough,
            "none": row["total"] == 0,
            "positive": percent(row["percent_positive"], row["very_good"] + row["good"]),
            "negative": percent(row["percent_negative"], row["poor"] + row["very_poor"])}


def stories(db, code: str, month: date, *, tz: str, limit: int = STORIES) -> list[dict]:
    """A few of the month's unflagged stories, positive and negative in turn, chosen the same way every time.

    Stories of a useful length come first; within that, by their (random) id: a fair sample that does not
    change when the page is opened again. [{answer_id, text (redacted), sentiment, received}]
    """
    start, end = month_bounds(month, tz)
    length = func.length(StoryAnalysis.redacted)
    useful = case((length.between(SHORT, LONG), 0), else_=1)
    picked: dict[str, list] = {}
    for sentiment in ("positive", "negative", "neutral"):
        picked[sentiment] = list(db.execute(
            select(StoryAnalysis.answer_id, StoryAnalysis.redacted, StoryAnalysis.sentiment, Response.created_at)
            .select_from(Response).join(Answer, Answer.response_id == Response.id)
            .join(StoryAnalysis, StoryAnalysis.answer_id == Answer.id)
            .where(Response.created_at >= start, Response.created_at < end, Response.service_code == code,
                   StoryAnalysis.risk.is_(None), StoryAnalysis.sentiment == sentiment)
            .order_by(useful, StoryAnalysis.answer_id).limit(limit)))
    order, chosen = [], []
    for pair in zip(picked["positive"] + [None] * limit, picked["negative"] + [None] * limit):
        order += [row for row in pair if row is not None]
    for row in order + picked["neutral"]:
        if len(chosen) < limit:
            chosen.append({"answer_id": row[0], "text": row[1], "sentiment": row[2], "received": row[3]})
    return sorted(chosen, key=lambda s: ({"positive": 0, "neutral": 1, "negative": 2}[s["sentiment"]], s["answer_id"]))


def open_projects(db, code: str) -> list[dict]:
    """The service's QI projects still under way, with how much feedback backs each."""
    projects = list(db.scalars(select(QIProject).where(QIProject.service_code == code, QIProject.status.in_(OPEN))
                               .order_by(QIProject.title)))
    counts = {pid: (s, t) for pid, s, t in db.execute(
        select(QIEvidence.project_id, func.count(QIEvidence.answer_id), func.count(QIEvidence.theme))
        .where(QIEvidence.project_id.in_([p.id for p in projects])).group_by(QIEvidence.project_id))}
    return [{"id": p.id, "title": p.title, "status": p.status, "lead": p.lead, "stories": counts.get(p.id, (0, 0))[0],
             "themes": counts.get(p.id, (0, 0))[1], "backed": any(counts.get(p.id, (0, 0)))} for p in projects]


def you_said_we_did(db, code: str, before: datetime, limit: int = ENTRIES) -> list[dict]:
    """The service's published entries as they stood at the end of the month, newest first."""
    query = (select(YouSaidWeDid).where(YouSaidWeDid.service_code == code, YouSaidWeDid.status == "published",
                                        YouSaidWeDid.published_at < before)
             .order_by(YouSaidWeDid.happened_on.desc(), YouSaidWeDid.id.desc()).limit(limit))
    return [{"id": e.id, "you_said": e.you_said, "we_did": e.we_did, "happened_on": e.happened_on}
            for e in db.scalars(query)]


def period_words(periods: rising.Periods, tz: str) -> tuple[str, str]:
    """(later, earlier) in words: "March 2026", or "1 to 5 December 2026" for a month not over yet."""
    def words(start: datetime, end: datetime) -> str:
        first, last = start.astimezone(ZoneInfo(tz)), (end - timedelta(microseconds=1)).astimezone(ZoneInfo(tz))
        return f"{first:%B %Y}" if periods.complete else f"{first.day} to {last.day} {last:%B %Y}"
    return words(*periods.later), words(*periods.earlier)


def service_month(db, code: str, month: date, *, tz: str, now: datetime) -> dict | None:
    """Everything but the SPC chart for one service's month; None if there is no such service.

    {service: {code, name, active}, month, complete, as_of, fft: shown(...), trust: shown(...), themes:
     rising.compare(...), themes_period: (later, earlier) in words, stories, projects, entries}
    """
    service = db.scalar(select(Service).where(Service.code == code))
    if service is None:
        return None
    start, end = month_bounds(month, tz)
    lines, as_of = fft_lines(db, month, tz=tz, now=now)
    themes = rising.compare(db, month, now, tz=tz, service=code, limit=THEMES)
    return {"service": {"code": service.code, "name": service.name, "active": service.active}, "month": month,
            "complete": now >= end, "as_of": as_of, "fft": shown(fft_row(lines, month, code)),
            "trust": shown(fft_row(lines, month)), "themes": themes,
            "themes_period": period_words(themes["periods"], tz),
            "stories": stories(db, code, month, tz=tz), "projects": open_projects(db, code),
            "entries": you_said_we_did(db, code, end)}


def services_month(db, month: date, *, tz: str, now: datetime) -> dict:
    """The services list: {rows: [{code, name, active, fft: shown(...), projects, backed}], trust, as_of}."""
    lines, as_of = fft_lines(db, month, tz=tz, now=now)
    per_service = {r["service"]: r for r in fft.fold_by_month({month: lines}, [month])}
    empty = fft_row([], month)
    projects: dict[str, list[int]] = {}
    for pid, code in db.execute(select(QIProject.id, QIProject.service_code).where(QIProject.status.in_(OPEN))):
        projects.setdefault(code, []).append(pid)
    backed = set(db.scalars(select(QIEvidence.project_id).distinct().where(
        QIEvidence.project_id.in_([pid for ids in projects.values() for pid in ids]))))
    rows = []
    for s in db.scalars(select(Service).order_by(Service.name)):
        row = per_service.get(s.code, empty)
        if s.active or row["total"]:
            mine = projects.get(s.code, [])
            rows.append({"code": s.code, "name": s.name, "active": s.active, "fft": shown(row),
                         "projects": len(mine), "backed": sum(p in backed for p in mine)})
    return {"rows": rows, "trust": shown(fft_row(lines, month)), "as_of": as_of, "suppressed": SUPPRESSED}
