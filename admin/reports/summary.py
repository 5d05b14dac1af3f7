"""The dashboard's figures summed ahead, month by month, so the page need not count a year of stories.

report_monthly holds, per local calendar month and service (service_code '' for none), the
counts the dashboard is built from:

    fft        key "value|mode"   FFT answers (question 'fft'), as admin.reports.fft.fft_return counts
                                  them; value "?" stands for any answer that is not a rating, kept
                                  so that a service and mode seen only with those is listed, as the
                                  return lists it
    responses  key mode           responses to any survey
    theme      key theme          stories per theme (story_tags)
    sentiment  key sentiment      analysed stories per sentiment

`refresh` is the scheduled job. At most every `every` it looks for the months that changed
since its last look: months with new responses (by id, so a bulk load of old feedback is
seen too), with stories analysed or themes corrected since then (by analysed_at and
corrected_at, looked at again over an overlap, for transactions that committed late), months
it has never made, and always this month and the last. It marks them dirty in report_months,
then makes each dirty month again in a transaction of its own (newest first), replacing all
its rows: running it again changes nothing.

`read` gives the dashboard every month whose rows are fresh: made in the same time zone, and
right as of no longer than max_age ago (a month not changed since it was made is right as of
the last look; a changed one as of when it was made). admin.reports.dashboard counts the
other months live.
"""
from __future__ import annotations

import logging
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, insert, select

from admin.reports.fft import COUNTS, UNKNOWN_SERVICE, summarise
from admin.reports.periods import add_months, month_bounds, month_bucket, month_start, months_between
from admin.reports.qdc import major_category
from bot.fft import QUESTION_ID, RETURN_KEYS
from storage import upsert
from storage.models import (Answer, ReportMonth, ReportMonthly, Response, StoryAnalysis, StoryTag,
                            ThemeCorrection)
from storage.reports import answer_counts

log = logging.getLogger(__name__)

EVERY = timedelta(minutes=5)  # how often the scheduled refresh looks for changes
OVERLAP = timedelta(minutes=10)  # changes looked at again, for transactions that committed late
MAX_AGE = timedelta(minutes=15)  # the dashboard counts a month live if its rows are older than this
STALE_AFTER = timedelta(minutes=15)  # the dashboard page warns when its figures are older than this
PAGE_MAX_AGE = timedelta(hours=6)  # the dashboard page uses summaries up to this old (and warns), to stay fast
BUDGET = 60.0  # seconds: a scheduled run starts no new month after this; the rest wait for the next tick
NOT_A_RATING = "?"


def local_month(when: datetime, tz: str) -> date:
    return month_start(when.astimezone(ZoneInfo(tz)).date())


# ---------------------------------------------------------------------------------------------- refresh

def refresh(factory, now: datetime, *, tz: str = "Europe/London", every: timedelta = EVERY,
            overlap: timedelta = OVERLAP, budget: float | None = None, full: bool = False) -> list[date]:
    """Make again the months that changed (all of them if full); returns the months made, newest first.

    Does nothing but one small query if the last look was less than `every` ago and no month
    is left dirty. With a budget (seconds), starts no new month once it is spent.
    """
    with factory.begin() as db:
        states = {s.month: s for s in db.scalars(select(ReportMonth).with_for_update())}
        last = max((s.checked_at for s in states.values()), default=None)
        if full or last is None or now - last >= every or any(s.tz != tz for s in states.values()):
            _mark(db, states, now, tz, overlap, full)
        this = local_month(now, tz)
        first = [this, add_months(this, -1)]
        todo = sorted((m for m, s in states.items() if s.dirty), key=lambda m: (m not in first, -m.toordinal()))
    started, made = time.monotonic(), []
    for month in todo:
        if budget is not None and made and time.monotonic() - started > budget:
            log.info("report summaries: %d months left for the next run", len(todo) - len(made))
            break
        refresh_month(factory, month, now, tz=tz)
        made.append(month)
    return made


def _mark(db, states: dict[date, ReportMonth], now: datetime, tz: str, overlap: timedelta, full: bool) -> None:
    """Look for changed months and mark them dirty; every month is recorded as looked at now."""
    this = local_month(now, tz)
    oldest = db.scalar(select(func.min(Response.created_at)))
    first = min(local_month(oldest, tz), add_months(this, -1)) if oldest else add_months(this, -1)
    months = months_between(first, this)
    if full or not states or any(s.tz != tz for s in states.values()):
        touched = set(months)
    else:
        since = max(s.checked_at for s in states.values()) - overlap
        touched = {this, add_months(this, -1)} | {m for m in months if m not in states}
        touched |= _miscounted(db, months, tz)  # ids and batches are random: new responses show in the count
        touched |= _months_of(db, months, tz, StoryAnalysis.analysed_at >= since, via=StoryAnalysis)
        touched |= _months_of(db, months, tz, ThemeCorrection.corrected_at >= since, via=ThemeCorrection)
    new = [{"month": m, "tz": tz, "dirty": True, "refreshed_at": None, "checked_at": now} for m in months if m not in states]
    if new:  # another run may have added them meanwhile: theirs stand, marked below
        db.execute(upsert.insert(db, ReportMonth.__table__).values(new).on_conflict_do_nothing())
    for state in db.scalars(select(ReportMonth).with_for_update()):
        state.checked_at = now
        if state.month in touched or state.tz != tz:
            state.dirty = True
        states[state.month] = state


def _months_of(db, months: list[date], tz: str, *where, via=None) -> set[date]:
    """The months (of those given) of the responses that match, through their answers' `via` rows if given."""
    bucket = month_bucket(Response.created_at, months, tz).label("bucket")
    query = select(bucket).select_from(Response)
    if via is not None:
        query = query.join(Answer, Answer.response_id == Response.id).join(via, via.answer_id == Answer.id)
    return {months[b] for b in db.scalars(query.where(*where).group_by(bucket))}


def _miscounted(db, months: list[date], tz: str) -> set[date]:
    """Months whose responses are not as many as their summary says (e.g. old feedback loaded)."""
    bucket = month_bucket(Response.created_at, months, tz).label("bucket")
    live = {months[b]: n for b, n in db.execute(select(bucket, func.count()).select_from(Response).group_by(bucket))}
    made = dict(db.execute(select(ReportMonthly.month, func.sum(ReportMonthly.count))
                           .where(ReportMonthly.metric == "responses").group_by(ReportMonthly.month)).all())
    return {m for m in months if live.get(m, 0) != (made.get(m) or 0)}


def refresh_month(factory, month: date, now: datetime, *, tz: str = "Europe/London") -> None:
    """Count one month again and replace its rows, in one transaction; its figures are right as of now."""
    start, end = month_bounds(month, tz)
    in_month = (Response.created_at >= start, Response.created_at < end)
    with factory.begin() as db:
        state = db.get(ReportMonth, month, with_for_update=True)
        counts: Counter[tuple[str, str, str]] = Counter()
        for service, mode, value, n in answer_counts(db, QUESTION_ID, start, end):
            counts[(service or "", "fft", f"{value if value in RETURN_KEYS else NOT_A_RATING}|{mode}")] += n
        for service, mode, n in db.execute(select(Response.service_code, Response.mode, func.count())
                                           .where(*in_month).group_by(Response.service_code, Response.mode)):
            counts[(service or "", "responses", mode)] += n
        for service, theme, n in db.execute(
                select(Response.service_code, StoryTag.theme, func.count())
                .select_from(StoryTag).join(Answer, Answer.id == StoryTag.answer_id)
                .join(Response, Response.id == Answer.response_id)
                .where(*in_month).group_by(Response.service_code, StoryTag.theme)):
            counts[(service or "", "theme", theme)] += n
        for service, sentiment, n in db.execute(
                select(Response.service_code, StoryAnalysis.sentiment, func.count())
                .select_from(StoryAnalysis).join(Answer, Answer.id == StoryAnalysis.answer_id)
                .join(Response, Response.id == Answer.response_id)
                .where(*in_month).group_by(Response.service_code, StoryAnalysis.sentiment)):
            counts[(service or "", "sentiment", sentiment)] += n
        db.execute(delete(ReportMonthly).where(ReportMonthly.month == month))
        if counts:
            db.execute(insert(ReportMonthly), [
                {"month": month, "service_code": s, "metric": metric, "key": key, "count": n}
                for (s, metric, key), n in sorted(counts.items())])
        if state is None:
            state = ReportMonth(month=month, checked_at=now)
            db.add(state)
        state.tz, state.dirty, state.refreshed_at = tz, False, now


# ------------------------------------------------------------------------------------------------- read

def is_stale(as_of: datetime, now: datetime, limit: timedelta = STALE_AFTER) -> bool:
    """Whether figures right as of `as_of` (when their summaries were last refreshed) are too old to trust as current."""
    return now - as_of > limit


@dataclass
class Figures:
    """The months read from report_monthly, and their figures in the shapes the live queries give."""

    as_of: dict[date, datetime] = field(default_factory=dict)  # month: its figures are right as of then
    fft_lines: dict[date, list[dict]] = field(default_factory=dict)  # as admin.reports.fft.fft_return gives
    modes: list[dict] = field(default_factory=list)  # as admin.reports.fft.responses_by_mode gives
    theme_counts: list[dict] = field(default_factory=list)  # as admin.reports.themes.theme_counts gives
    sentiment: dict[date, dict[str, int]] = field(default_factory=dict)  # month: {sentiment: stories}


def read(db, months: list[date], *, tz: str, now: datetime, service: str | None = None,
         max_age: timedelta = MAX_AGE) -> Figures:
    """The figures of every month (of those given) whose rows are fresh, for one service or all.

    The service filter is the live one's: for FFT lines it is matched after no service reads
    as "unknown" (as the return has it), for the rest against the response's own service code.
    """
    out = Figures()
    for state in db.scalars(select(ReportMonth).where(ReportMonth.month.in_(months))):
        right_as_of = state.refreshed_at if state.dirty else state.checked_at
        if state.tz == tz and right_as_of is not None and right_as_of >= now - max_age:
            out.as_of[state.month] = right_as_of
    if not out.as_of:
        return out
    chosen = ReportMonthly.month.in_(sorted(out.as_of))
    fft_query = (select(ReportMonthly.month, ReportMonthly.service_code, ReportMonthly.key, ReportMonthly.count)
                 .where(chosen, ReportMonthly.metric == "fft"))
    rest = (select(ReportMonthly.month, ReportMonthly.metric, ReportMonthly.key, func.sum(ReportMonthly.count))
            .where(chosen, ReportMonthly.metric != "fft")
            .group_by(ReportMonthly.month, ReportMonthly.metric, ReportMonthly.key))
    if service is not None:  # the FFT return reads no service as "unknown"; the rest take the code as it is
        codes = [service, ""] if service == UNKNOWN_SERVICE else [service]
        fft_query = fft_query.where(ReportMonthly.service_code.in_(codes))
        rest = rest.where(ReportMonthly.service_code == service)
    conn = db.connection()  # plain rows: a year is some thousands of them
    lines: dict[date, dict[tuple[str, str], dict]] = {m: {} for m in out.as_of}
    for month, code, key, n in conn.execute(fft_query):
        value, mode = key.split("|", 1)
        name = code or UNKNOWN_SERVICE
        line = lines[month].get((name, mode))
        if line is None:
            line = lines[month][(name, mode)] = {"service": name, "mode": mode, **dict.fromkeys(COUNTS, 0)}
        if value in RETURN_KEYS:
            line[RETURN_KEYS[value]] += n
    out.sentiment = {m: {} for m in out.as_of}
    for month, metric, key, n in conn.execute(rest):
        if metric == "responses":
            out.modes.append({"month": month, "mode": key, "responses": n})
        elif metric == "theme":
            out.theme_counts.append({"month": month, "service": None, "theme": key,
                                     "major_category": major_category(key), "stories": n})
        elif metric == "sentiment":
            out.sentiment[month][key] = n
    for month, by_key in lines.items():
        out.fft_lines[month] = [summarise(by_key[k]) for k in sorted(by_key)]
    return out

