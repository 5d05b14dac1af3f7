"""A person's saved inbox searches: a name and the inbox's query string, of known filters only.

The query is built from the parsed filters (never from the raw request), and parsed again
when it is read, so a saved search can only ever be a link to the inbox with valid filters.
"""
from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import parse_qsl, urlencode

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict

from admin import inbox
from storage.models import SavedSearch

NAME_MAX = 80
PER_PERSON = 50  # saved searches one person can keep


def query_string(filters: inbox.Filters, sort: str) -> str:
    """The inbox's query string for these filters and sort order ('' for the whole inbox, newest first)."""
    return urlencode(args(filters, sort))


def args(filters: inbox.Filters, sort: str) -> dict[str, str]:
    """The filters and sort, for url_for (the default sort left out)."""
    return {**filters.as_args(), **({"sort": sort} if sort != "newest" else {})}


def parse(query: str) -> tuple[inbox.Filters, str]:
    """The filters and sort a stored query string stands for; anything unknown is dropped."""
    values = MultiDict(parse_qsl(query or "", keep_blank_values=False))
    filters, _ = inbox.parse(values)
    return filters, inbox.parse_sort(values)


def clean_name(raw: str | None) -> str:
    return re.sub(r"\s+", " ", raw or "").strip()


def name_problem(name: str) -> str | None:
    if not name:
        return "Enter a name for this search"
    if len(name) > NAME_MAX:
        return f"The name must be {NAME_MAX} characters or fewer"
    if any(ord(ch) < 32 for ch in name):
        return "The name must be plain text"
    return None


def mine(db: Session, username: str) -> list[SavedSearch]:
    """This person's saved searches, by name."""
    return list(db.scalars(select(SavedSearch).where(SavedSearch.username == username)
                           .order_by(func.lower(SavedSearch.name), SavedSearch.id)))


def named(db: Session, username: str, name: str) -> SavedSearch | None:
    """This person's saved search of that name, whatever its case."""
    return db.scalars(select(SavedSearch).where(SavedSearch.username == username,
                                                func.lower(SavedSearch.name) == name.lower())).first()


def save(db: Session, username: str, name: str, query: str, now: datetime, replace: bool = False) -> str | None:
    """Keep the search under that name; None, or why not (the name is taken and replace is not asked)."""
    existing = named(db, username, name)
    if existing is not None:
        if not replace:
            return (f"You already have a saved search called \u201c{existing.name}\u201d. "
                    "Choose another name, or replace it")
        existing.name, existing.query, existing.created_at = name, query, now
        return None
    if db.scalar(select(func.count()).select_from(SavedSearch).where(SavedSearch.username == username)) >= PER_PERSON:
        return f"You can keep up to {PER_PERSON} saved searches: delete one you no longer need first"
    db.add(SavedSearch(username=username, name=name, query=query, created_at=now))
    return None


def remove(db: Session, username: str, search_id: int) -> str | None:
    """Delete one of this person's saved searches; its name, or None if they have no such search."""
    name = db.scalar(select(SavedSearch.name).where(SavedSearch.id == search_id, SavedSearch.username == username))
    if name is not None:
        db.execute(delete(SavedSearch).where(SavedSearch.id == search_id, SavedSearch.username == username))
    return name


def describe(filters: inbox.Filters, sort: str, services: dict, surveys: dict, fft_answers: dict) -> list[str]:
    """The search in words, a part per filter: ['service Oaklands', 'theme Staff attitude', ...]."""
    f = filters
    q = f.q if len(f.q) <= 40 else f.q[:39] + "\u2026"
    parts = [f"text contains \u201c{q}\u201d" if f.q else "",
             f"theme {f.theme}" if f.theme else "",
             f"category {f.category}" if f.category else "",
             f"service {services.get(f.service, f.service)}" if f.service else "",
             f"from {_day(f.date_from)}" if f.date_from else "",
             f"to {_day(f.date_to)}" if f.date_to else "",
             f"FFT answer {fft_answers.get(f.fft, f.fft)}" if f.fft else "",
             f"sentiment {f.sentiment}" if f.sentiment else "",
             f"channel {f.channel}" if f.channel else "",
             f"survey {surveys.get(f.survey, f.survey)}" if f.survey else "",
             {"yes": "flagged", "no": "not flagged"}.get(f.flagged, ""),
             {"linked": "linked to a QI project", "unlinked": "not linked to a QI project"}.get(f.qi, ""),
             inbox.SORTS[sort].lower() if sort != "newest" else ""]
    return [p for p in parts if p]


def _day(iso: str) -> str:
    day = datetime.strptime(iso, "%Y-%m-%d")
    return f"{day.day} {day:%B %Y}"
