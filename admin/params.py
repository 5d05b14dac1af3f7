"""Ids, days and months from admin URLs and forms, checked in one place so none can cause a 500.

An id too big for its column matches no route (404) or counts as not given. A day or month
outside FIRST_YEAR..LAST_YEAR counts as not a real one, so the page says so instead of
failing in date arithmetic or in the database.
"""
from __future__ import annotations

import re
from datetime import date

from werkzeug.routing import IntegerConverter

INT_MAX = 2**31 - 1     # a PostgreSQL integer: the ids of counted rows
BIGINT_MAX = 2**63 - 1  # a PostgreSQL bigint: the random ids of anonymous rows (answers)
FIRST_YEAR, LAST_YEAR = 2000, 2100
_ID = re.compile(r"[0-9]{1,19}")
_MONTH = re.compile(r"([0-9]{4})-([0-9]{1,2})")


class IdConverter(IntegerConverter):
    """<int:...> in a route: an id no bigger than an integer column holds; a bigger one is a 404."""

    def __init__(self, map, fixed_digits=0, min=None, max=INT_MAX, signed=False):  # noqa: A002
        super().__init__(map, fixed_digits, min, max, signed)


class BigIdConverter(IdConverter):
    """<bigint:...> in a route: the same for a random id (a bigint column)."""

    def __init__(self, map, fixed_digits=0, min=None, max=BIGINT_MAX, signed=False):  # noqa: A002
        super().__init__(map, fixed_digits, min, max, signed)


CONVERTERS = {"int": IdConverter, "bigint": BigIdConverter}


def parse_id(value: str | None, largest: int = INT_MAX) -> int | None:
    """An id typed into a query string or form, or None if no row could have it."""
    value = (value or "").strip()
    if not _ID.fullmatch(value):
        return None
    number = int(value)
    return number if 0 < number <= largest else None


def in_years(day: date) -> bool:
    return FIRST_YEAR <= day.year <= LAST_YEAR


def parse_day(value: str | None) -> date | None:
    """A day written like 2026-03-31, or None if it is not a real one in our years."""
    try:
        day = date.fromisoformat((value or "").strip())
    except ValueError:
        return None
    return day if in_years(day) else None


def parse_month(value: str | None) -> date | None:
    """The first day of a month written like 2026-03, or None if it is not a real one in our years."""
    match = _MONTH.fullmatch((value or "").strip())
    if not match:
        return None
    year, month = int(match[1]), int(match[2])
    return date(year, month, 1) if FIRST_YEAR <= year <= LAST_YEAR and 1 <= month <= 12 else None
