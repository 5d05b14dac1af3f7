"""Bulk work on the inbox's filtered set: which stories a QI link or an export takes, shown before it is done.

Flagged stories (the NLP found a possible risk) are left out unless the reviewer ticks to
include them. When few enough stories match, the reviewer picks them one by one.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func
from sqlalchemy.orm import Session

from admin import inbox, params
from storage.models import StoryAnalysis

LIMIT = 200  # stories listed, and pickable one by one, on a confirmation page


@dataclass(frozen=True)
class Choice:
    """Which of the matching stories to take: flagged ones or not, and the ticked ones (None: all)."""

    include_flagged: bool = False
    picked: tuple[int, ...] | None = None

    def conditions(self) -> list:
        """SQL conditions on StoryAnalysis, added to the inbox's filters."""
        where = [] if self.include_flagged else [StoryAnalysis.risk.is_(None)]
        if self.picked is not None:
            where.append(StoryAnalysis.answer_id.in_(self.picked))
        return where

    def describe(self) -> str:
        """For the audit log."""
        chosen = "every match" if self.picked is None else f"{len(self.picked)} picked one by one"
        return f"{chosen}; flagged {'included' if self.include_flagged else 'left out'}"


def parse(form) -> Choice:
    """The choice from a confirmation form; picked=yes means only the ticked answer_id values."""
    include = form.get("include_flagged") == "yes"
    if form.get("picked") != "yes":
        return Choice(include, None)
    ids = (params.parse_id(v, params.BIGINT_MAX) for v in form.getlist("answer_id"))
    return Choice(include, tuple(dict.fromkeys(i for i in ids if i is not None))[:LIMIT])


@dataclass
class Preview:
    rows: list  # the newest matching stories, at most LIMIT
    total: int  # all the stories matching the filters
    flagged: int  # how many of those are flagged
    ticked: set[int]  # the stories ticked on the page

    @property
    def pickable(self) -> bool:
        return self.total <= LIMIT


def preview(db: Session, filters: inbox.Filters, tz: str, choice: Choice, form) -> Preview:
    """The matching stories to list; ticked: as picked before, else every unflagged one (and flagged if asked)."""
    rows = list(db.execute(inbox.base_query(filters, tz, *inbox.ROW).order_by(*inbox.NEWEST).limit(LIMIT)))
    total = inbox.count(db, filters, tz)
    flagged = db.scalar(inbox.base_query(filters, tz, func.count()).where(StoryAnalysis.risk.is_not(None)))
    if choice.picked is not None and form.get("refresh") != "flagged":
        ticked = set(choice.picked)
    else:
        ticked = {r.answer_id for r in rows}
    ticked = {i for i in ticked if choice.include_flagged or i not in {r.answer_id for r in rows if r.risk}}
    return Preview(rows, total, flagged, ticked)


def refused(db: Session, filters: inbox.Filters, tz: str, choice: Choice) -> str | None:
    """Why the choice cannot be carried out as it stands, or None."""
    if choice.picked is None:
        return None
    if not choice.picked:
        return "Select at least one story"
    if not choice.include_flagged:
        flagged = db.scalar(inbox.base_query(filters, tz, func.count()).where(
            StoryAnalysis.answer_id.in_(choice.picked), StoryAnalysis.risk.is_not(None)))
        if flagged:
            return "You selected a flagged story: tick \u201cInclude flagged stories\u201d to include it"
    return None
