"""Which themes are rising: a share of stories compared like with like, and a stated test of chance.

The latest month is compared with the month before it. A complete month is compared with the
whole month before; a month still under way (the clock inside it) is compared over the same
length of time from the start of each month (1 to 5 December 08:30 against 1 to 5 November
08:30), capped at the end of the month before. Each theme's share is the stories with it out of
all analysed stories in the period. A theme is "rising" when its share is higher and a one-sided
two-proportion z-test (pooled) gives p < ALPHA, with at least MIN_STORIES stories with the theme
in the later period.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select

from admin.reports.periods import add_months, month_bounds
from admin.reports.qdc import major_category
from storage.models import Answer, Response, StoryAnalysis, StoryTag

ALPHA = 0.05
MIN_STORIES = 5
EXCLUDE = ("Labelling not possible",)
TEST = (f"A theme is marked rising only if its share of stories is higher in the later period, a one-sided "
        f"two-proportion z-test (pooled) gives p < {ALPHA:g}, and at least {MIN_STORIES} stories in the later "
        f"period have the theme.")


@dataclass(frozen=True)
class Periods:
    """Two periods of the same kind, [start, end) as UTC instants, and whether the later one is complete."""

    earlier: tuple[datetime, datetime]
    later: tuple[datetime, datetime]
    complete: bool


def periods(month: date, clock: datetime, tz: str = "Europe/London") -> Periods:
    """The latest month against the one before, like with like (see the module's docstring)."""
    start, end = month_bounds(month, tz)
    before_start, before_end = month_bounds(add_months(month, -1), tz)
    if clock >= end:
        return Periods((before_start, before_end), (start, end), True)
    later_end = max(clock, start)
    return Periods((before_start, min(before_start + (later_end - start), before_end)), (start, later_end), False)


def z_test(x1: int, n1: int, x2: int, n2: int) -> tuple[float | None, float | None]:
    """(z, one-sided p) that the later share x2/n2 is above the earlier x1/n1; (None, None) if untestable."""
    if not n1 or not n2:
        return None, None
    pooled = (x1 + x2) / (n1 + n2)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    if se == 0:
        return None, None
    z = (x2 / n2 - x1 / n1) / se
    return z, 0.5 * math.erfc(z / math.sqrt(2))


def is_rising(x1: int, n1: int, x2: int, n2: int, *, alpha: float = ALPHA, minimum: int = MIN_STORIES) -> bool:
    """The stated rule: enough stories, a higher share, and p below alpha."""
    z, p = z_test(x1, n1, x2, n2)
    return x2 >= minimum and z is not None and z > 0 and p < alpha


def story_counts(db, start: datetime, end: datetime, service: str | None) -> tuple[int, dict[str, int]]:
    """(analysed stories, {theme: stories with it}) in [start, end), for one service or all."""
    where = [Response.created_at >= start, Response.created_at < end]
    if service is not None:
        where.append(Response.service_code == service)
    total = db.scalar(select(func.count()).select_from(StoryAnalysis)
                      .join(Answer, Answer.id == StoryAnalysis.answer_id)
                      .join(Response, Response.id == Answer.response_id).where(*where)) or 0
    rows = db.execute(select(StoryTag.theme, func.count(func.distinct(StoryTag.answer_id)))
                      .join(Answer, Answer.id == StoryTag.answer_id)
                      .join(Response, Response.id == Answer.response_id).where(*where).group_by(StoryTag.theme))
    return total, {theme: n for theme, n in rows if theme not in EXCLUDE}


def compare(db, month: date, clock: datetime, *, tz: str = "Europe/London", service: str | None = None,
            limit: int = 10) -> dict:
    """{periods, earlier_total, later_total, themes: [{theme, major_category, earlier, later, earlier_share,
    later_share, z, p, rising}]}: rising themes first, then the most raised in the later period; at most
    `limit`, but every rising theme is kept. Shares are percentages, None when there are no stories."""
    chosen = periods(month, clock, tz)
    n1, before = story_counts(db, *chosen.earlier, service)
    n2, after = story_counts(db, *chosen.later, service)
    rows = []
    for theme in set(before) | set(after):
        x1, x2 = before.get(theme, 0), after.get(theme, 0)
        z, p = z_test(x1, n1, x2, n2)
        rows.append({"theme": theme, "major_category": major_category(theme), "earlier": x1, "later": x2,
                     "earlier_share": 100 * x1 / n1 if n1 else None, "later_share": 100 * x2 / n2 if n2 else None,
                     "z": z, "p": p, "rising": is_rising(x1, n1, x2, n2)})
    rows.sort(key=lambda r: (not r["rising"], -r["later"], -r["earlier"], r["theme"]))
    kept = [r for i, r in enumerate(rows) if r["rising"] or i < limit]
    return {"periods": chosen, "earlier_total": n1, "later_total": n2, "themes": kept}
