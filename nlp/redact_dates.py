"""Dates of birth for redaction, in the common UK forms.

After a cue ("dob", "d.o.b.", "date of birth", "born", "birthday") any date: 12/03/1985, 12-3-85,
12.03.85, 12th March 1985, 12 mar 85, March 12th 1985, or a year alone ("born in 1985").
With no cue, a whole date at least MIN_AGE years old ("Am 92 - 5.9.1930") is taken as a date of
birth too: feedback is about recent care, so a date that old is almost always someone's birthday.
A recent date ("seen on 12/03/2023") is kept.
"""
from __future__ import annotations

import re
from datetime import date

MIN_AGE = 16
_MONTH = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|"
          r"oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?")
_DAY = r"(?:3[01]|[12]\d|0?[1-9])(?:st|nd|rd|th)?"
_NUMERIC = r"(?:3[01]|[12]\d|0?[1-9])\s?[/.\-]\s?(?:1[0-2]|0?[1-9])\s?[/.\-]\s?(?P<y1>(?:19|20)\d{2}|\d{2})"
_WORDS = (r"(?:" + _DAY + r"(?:\s+of)?\s+" + _MONTH + r"|" + _MONTH + r"\s+" + _DAY + r")"
          r"(?:,?\s+(?P<y2>(?:19|20)\d{2}|'?\d{2}))?")
_DATE = r"(?:" + _NUMERIC + r"|" + _WORDS + r")"
_CUE = (r"\b(?:d\.?\s?o\.?\s?b\.?|date\s+of\s+birth|birth\s*date|born(?:\s+on|\s+in)?|birthday(?:\s+is|\s+was)?|"
        r"b'?day(?:\s+is)?)\s*(?:is|was|=)?\s*[:\-–]?\s*")
CUED = re.compile(_CUE + r"(" + _DATE + r"|(?:19|20)\d{2})(?![\d/])", re.I)
_DIGIT = re.compile(r"\d")
BARE = re.compile(r"(?<![\d/.\-])" + _DATE + r"(?![\d/])", re.I)


def _year(found: str) -> int | None:
    if not found:
        return None
    value = int(found.lstrip("'"))
    return value if value >= 100 else None  # a two-digit year says too little without a cue


def birth_spans(text: str, today: date | None = None) -> list[tuple[int, int]]:
    """Dates of birth: any date after a cue; a whole date at least MIN_AGE years old without one."""
    if not _DIGIT.search(text):
        return []
    today = today or date.today()
    spans = [(m.start(1), m.end(1)) for m in CUED.finditer(text)]
    for m in BARE.finditer(text):
        year = _year(m.group("y1") or m.group("y2") or "")
        if year is not None and year <= today.year - MIN_AGE:
            spans.append((m.start(), m.end()))
    return spans
