"""The public screen's FFT figures, published in steps so that no one answer shows.

A screen in a waiting room changing the moment one more answer arrives tells whoever sat
there what that person said. So the figures are kept as published (public_screens) and
published again only when `update` new answers have arrived since (at least 5), or, if the
trust sets update="daily", on the first view of each new local day.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from admin.reports.fft import COUNTS, fft_last_days, fft_return, summarise
from storage import upsert
from storage.models import PublicScreen

DAILY = "daily"


def _answers_since(db, service: str, since: datetime, now: datetime) -> int:
    return sum(line["total"] for line in fft_return(db, since, now + timedelta(microseconds=1))
               if line["service"] == service)


def _due(db, shown: PublicScreen, now: datetime, days: int, update: int | str, tz: str) -> bool:
    if shown.days != days:
        return True
    if update == DAILY:
        zone = ZoneInfo(tz)
        return now.astimezone(zone).date() != shown.published_at.astimezone(zone).date()
    return _answers_since(db, shown.service_code, shown.since, now) - shown.seen >= int(update)


def published(db, service: str, now: datetime, *, days: int = 30, update: int | str = 5,
              tz: str = "Europe/London") -> dict:
    """The figures to show: {very_good..dont_know, total, percent_positive, percent_negative, published_at}.

    Publishes afresh (in the caller's transaction) when none are kept or the next step is due.
    """
    shown = db.get(PublicScreen, service)
    if shown is None or _due(db, shown, now, days, update, tz):
        live = fft_last_days(db, service, now, days)
        values = {"counts": {k: live[k] for k in COUNTS}, "days": days, "since": live["start"],
                  "seen": live["total"], "published_at": now}
        stmt = upsert.insert(db, PublicScreen.__table__).values(service_code=service, **values)
        db.execute(stmt.on_conflict_do_update(index_elements=["service_code"], set_=values))
        db.expire_all()
        shown = db.get(PublicScreen, service)
    return {**summarise(dict(shown.counts)), "published_at": shown.published_at}
