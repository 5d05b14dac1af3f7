"""UK calendar months as UTC instants, and grouping rows by month inside one SQL query."""
from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import case, literal


def month_start(day: date) -> date:
    return day.replace(day=1)


def add_months(month: date, n: int) -> date:
    index = month.year * 12 + month.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def months_between(first: date, last: date) -> list[date]:
    """Every month from first's to last's, both included, as first days."""
    months, month = [], month_start(first)
    while month <= month_start(last):
        months.append(month)
        month = add_months(month, 1)
    return months


def last_months(now: datetime, n: int, tz: str = "Europe/London") -> list[date]:
    """The n months up to and including the current one in that time zone."""
    this = month_start(now.astimezone(ZoneInfo(tz)).date())
    return [add_months(this, k) for k in range(1 - n, 1)]


def local_midnight(day: date, tz: str) -> datetime:
    """Midnight starting that day in the time zone, as UTC."""
    return datetime(day.year, day.month, day.day, tzinfo=ZoneInfo(tz)).astimezone(timezone.utc)


def month_bounds(month: date, tz: str = "Europe/London") -> tuple[datetime, datetime]:
    """[start, end) of a local calendar month, as UTC instants."""
    return local_midnight(month, tz), local_midnight(add_months(month, 1), tz)


def span(months: list[date], tz: str = "Europe/London") -> tuple[datetime, datetime]:
    """[start of the first month, end of the last) as UTC instants."""
    return month_bounds(months[0], tz)[0], month_bounds(months[-1], tz)[1]


def month_bucket(column, months: list[date], tz: str = "Europe/London"):
    """A SQL expression giving the index into months of the month a timestamp falls in.

    A CASE over the months' UTC boundaries: right on every database and time zone,
    and the query can still use an index on the column for the overall range.
    """
    starts = [month_bounds(m, tz)[0] for m in months[1:]]
    if not starts:
        return literal(0)
    return case(*[(column < start, index) for index, start in enumerate(starts)], else_=len(months) - 1)
