"""The feedback inbox query: analysed stories, filtered, sorted, counted, paged by keyset (never OFFSET)."""
from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Select, exists, func, select, tuple_
from sqlalchemy.orm import Session, aliased

from admin import params
from admin.forms import Errors
from admin.reports.qdc import MAJOR_CATEGORIES as CATEGORIES
from bot import fft
from storage.models import Answer, QIEvidence, Response, StoryAnalysis, StoryTag

PAGE_SIZE = 25
SENTIMENTS = ("positive", "neutral", "negative")
SEARCH_MAX = 200
THEMES: tuple[str, ...] = tuple(theme for themes in CATEGORIES.values() for theme in themes)
_BY_NAME = {" ".join(theme.split()).casefold(): theme for theme in THEMES}


def theme_named(text: str) -> str | None:
    """The framework's theme of this name, whatever its case and spacing; None if there is none."""
    return _BY_NAME.get(" ".join((text or "").split()).casefold())


@dataclass(frozen=True)
class Filters:
    """What the inbox is narrowed to. Every field is optional and they combine (AND)."""

    theme: str = ""
    category: str = ""
    service: str = ""
    date_from: str = ""
    date_to: str = ""
    fft: str = ""
    sentiment: str = ""
    channel: str = ""
    survey: str = ""
    flagged: str = ""  # yes or no
    qi: str = ""  # linked or unlinked
    q: str = ""

    def as_args(self) -> dict[str, str]:
        """The non-empty filters, for links and hidden form fields."""
        return {k: v for k, v in asdict(self).items() if v}

    def __bool__(self) -> bool:
        return bool(self.as_args())


def parse(args) -> tuple[Filters, Errors]:
    """Filters from a query string or form; unknown values are dropped, bad dates reported."""
    raw = {f.name: (args.get(f.name) or "").strip() for f in fields(Filters)}
    errors = Errors()
    raw["q"] = raw["q"][:SEARCH_MAX]
    for name, allowed in (("theme", THEMES), ("category", CATEGORIES), ("fft", fft.labels()),
                          ("sentiment", SENTIMENTS), ("flagged", ("yes", "no")), ("qi", ("linked", "unlinked"))):
        if raw[name] not in allowed:
            raw[name] = ""
    for name, label in (("date_from", "From"), ("date_to", "To")):
        if raw[name]:
            day = params.parse_day(raw[name])
            if day is None:
                errors.add(name, f"{label} date must be a real date from {params.FIRST_YEAR} to "
                                 f"{params.LAST_YEAR}, like 2026-03-31")
            raw[name] = day.isoformat() if day else ""
    if raw["date_from"] and raw["date_to"] and raw["date_from"] > raw["date_to"]:
        errors.add("date_to", "To date must be the same as or after the from date")
        raw["date_to"] = ""
    for name in ("service", "channel", "survey"):
        raw[name] = raw[name][:80]
    return Filters(**raw), errors


def _start_of(day: str, tz: str) -> datetime:
    return datetime.combine(date.fromisoformat(day), time(0), ZoneInfo(tz))


def conditions(f: Filters, tz: str) -> list:
    """SQL conditions on StoryAnalysis, Answer and Response (the caller joins them)."""
    where = []
    if f.theme:
        where.append(exists().where(StoryTag.answer_id == StoryAnalysis.answer_id, StoryTag.theme == f.theme))
    if f.category:
        where.append(exists().where(StoryTag.answer_id == StoryAnalysis.answer_id,
                                    StoryTag.theme.in_(CATEGORIES[f.category])))
    if f.service:
        where.append(Response.service_code == f.service)
    if f.date_from:
        where.append(Response.created_at >= _start_of(f.date_from, tz))
    if f.date_to:
        where.append(Response.created_at < _start_of(f.date_to, tz) + timedelta(days=1))
    if f.fft:
        rating = aliased(Answer)
        where.append(exists().where(rating.response_id == Answer.response_id,
                                    rating.question_id == fft.QUESTION_ID, rating.value == f.fft))
    if f.sentiment:
        where.append(StoryAnalysis.sentiment == f.sentiment)
    if f.channel:
        where.append(Response.mode == f.channel)
    if f.survey:
        where.append(Response.survey_id == f.survey)
    if f.flagged == "yes":
        where.append(StoryAnalysis.risk.is_not(None))
    elif f.flagged == "no":
        where.append(StoryAnalysis.risk.is_(None))
    linked = exists().where(QIEvidence.answer_id == StoryAnalysis.answer_id)
    if f.qi == "linked":
        where.append(linked)
    elif f.qi == "unlinked":
        where.append(~linked)
    if f.q:
        where.append(StoryAnalysis.redacted.icontains(f.q, autoescape=True))
    return where


def base_query(f: Filters, tz: str, *columns) -> Select:
    """Stories matching the filters: analysed free-text answers with their response."""
    return (select(*columns).select_from(StoryAnalysis)
            .join(Answer, Answer.id == StoryAnalysis.answer_id)
            .join(Response, Response.id == Answer.response_id)
            .where(*conditions(f, tz)))


ROW = (StoryAnalysis.answer_id, StoryAnalysis.redacted, StoryAnalysis.sentiment, StoryAnalysis.risk,
       Answer.response_id, Answer.question_id, Response.survey_id, Response.survey_version, Response.service_code,
       Response.mode, Response.created_at)


@dataclass
class Page:
    rows: list
    newer: int | None  # cursor for the page before (earlier in the sort order), if any
    older: int | None  # cursor for the page after (later in the sort order), if any


# Newest first: by the day a story was given, then by its (random) id. Only the day is kept,
# so within a day stories come in no particular order; that is what keeps them anonymous.
NEWEST = (Response.created_at.desc(), StoryAnalysis.answer_id.desc())
KEY = tuple_(Response.created_at, StoryAnalysis.answer_id)

# The inbox's sort orders. "Most negative" goes by the sentiment the NLP gave (negative, then
# neutral, then positive), newest first within each; only the label is stored, not a score.
SORTS = {"newest": "Newest first", "oldest": "Oldest first", "negative": "Most negative first"}
NEGATIVE_FIRST = ("negative", "neutral")


def parse_sort(args) -> str:
    value = (args.get("sort") or "").strip()
    return value if value in SORTS else "newest"


@dataclass(frozen=True)
class Segment:
    """A run of the sort order: stories meeting `where`, by KEY (descending unless ascending)."""

    where: list
    ascending: bool = False


def segments(sort: str, f: Filters) -> list[Segment]:
    """The sort as runs read one after another. Each is a plain keyset query the indexes serve,
    so "most negative" costs no more than the newest-first inbox filtered by one sentiment."""
    if sort == "oldest":
        return [Segment([], ascending=True)]
    if sort == "negative" and not f.sentiment:
        return [Segment([StoryAnalysis.sentiment == label]) for label in NEGATIVE_FIRST] + [
            Segment([StoryAnalysis.sentiment.not_in(NEGATIVE_FIRST)])]
    return [Segment([])]


def _segment_of(sort: str, f: Filters, sentiment: str) -> int:
    if sort == "negative" and not f.sentiment:
        return NEGATIVE_FIRST.index(sentiment) if sentiment in NEGATIVE_FIRST else len(NEGATIVE_FIRST)
    return 0


def cursor(db: Session, answer_id: int | None) -> tuple[datetime, int, str] | None:
    """The sort key of a story (its day, id and sentiment), to page from it; None if there is no such story."""
    if answer_id is None:
        return None
    row = db.execute(select(Response.created_at, StoryAnalysis.sentiment)
                     .join(Answer, Answer.response_id == Response.id)
                     .join(StoryAnalysis, StoryAnalysis.answer_id == Answer.id)
                     .where(Answer.id == answer_id)).first()
    return None if row is None else (row.created_at, answer_id, row.sentiment)


def _read(db: Session, query: Select, runs: list[Segment], key, backwards: bool, want: int) -> list:
    """Up to `want` rows from the runs in turn; the first run starts just beyond key (if any)."""
    rows: list = []
    for n, run in enumerate(runs):
        ascending = run.ascending != backwards
        part = query.where(*run.where)
        if n == 0 and key is not None:  # the day alone as well, which the index on created_at can serve
            part = part.where(*((KEY > tuple_(*key), Response.created_at >= key[0]) if ascending else
                                (KEY < tuple_(*key), Response.created_at <= key[0])))
        order = (Response.created_at.asc(), StoryAnalysis.answer_id.asc()) if ascending else NEWEST
        rows += db.execute(part.order_by(*order).limit(want - len(rows))).all()
        if len(rows) >= want:
            break
    return rows


def page(db: Session, f: Filters, tz: str, after: int | None = None, before: int | None = None,
         size: int = PAGE_SIZE, sort: str = "newest") -> Page:
    """One page in the sort order. after=id: the stories after that one; before=id: those before it."""
    query = base_query(f, tz, *KEY_ROW)  # the page's keys first: indexes alone can serve them
    runs = segments(sort, f)
    after_key, before_key = cursor(db, after), cursor(db, before)
    if before_key is not None:
        start = _segment_of(sort, f, before_key[2])
        rows = _read(db, query, runs[start::-1], before_key[:2], True, size + 1)
        more = len(rows) > size
        rows = rows[:size]
        rows.reverse()
        newer, older = (rows[0].answer_id if more and rows else None), (rows[-1].answer_id if rows else None)
    else:
        start = _segment_of(sort, f, after_key[2]) if after_key is not None else 0
        rows = _read(db, query, runs[start:], after_key[:2] if after_key else None, False, size + 1)
        more = len(rows) > size
        rows = rows[:size]
        newer = rows[0].answer_id if after_key is not None and rows else None
        older = rows[-1].answer_id if more else None
    return Page(_whole(db, [r.answer_id for r in rows]), newer, older)


KEY_ROW = (StoryAnalysis.answer_id, Response.created_at)


def _whole(db: Session, ids: list[int]) -> list:
    """The page's stories in full, in the order of ids (text is read for these rows only)."""
    if not ids:
        return []
    found = {row.answer_id: row for row in db.execute(
        select(*ROW).select_from(StoryAnalysis).join(Answer, Answer.id == StoryAnalysis.answer_id)
        .join(Response, Response.id == Answer.response_id).where(StoryAnalysis.answer_id.in_(ids)))}
    return [found[i] for i in ids if i in found]


COUNT_CAP = 1_000  # the inbox counts up to this many matches, then says "more than 1,000"


def count(db: Session, f: Filters, tz: str) -> int:
    """How many stories match, exactly."""
    return db.scalar(base_query(f, tz, func.count()))


def count_capped(db: Session, f: Filters, tz: str, cap: int | None = None) -> int:
    """How many stories match, up to cap + 1 (meaning "more than cap"; COUNT_CAP unless given): the
    database stops counting there, so the inbox's count stays quick however many stories there are."""
    cap = COUNT_CAP if cap is None else cap
    matches = base_query(f, tz, StoryAnalysis.answer_id).limit(cap + 1).subquery()
    return db.scalar(select(func.count()).select_from(matches))


def tags_for(db: Session, answer_ids: list[int]) -> dict[int, list[StoryTag]]:
    """Each story's themes, most confident first."""
    result: dict[int, list[StoryTag]] = {i: [] for i in answer_ids}
    if answer_ids:
        for tag in db.scalars(select(StoryTag).where(StoryTag.answer_id.in_(answer_ids))
                              .order_by(StoryTag.confidence.desc(), StoryTag.theme)):
            result[tag.answer_id].append(tag)
    return result


def fft_for(db: Session, response_ids: list[int]) -> dict[int, str]:
    """The FFT answer given in each response, where there is one."""
    if not response_ids:
        return {}
    return dict(db.execute(select(Answer.response_id, Answer.value)
                           .where(Answer.response_id.in_(response_ids),
                                  Answer.question_id == fft.QUESTION_ID)).all())
