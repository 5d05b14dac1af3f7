"""Telling participants about opportunities: the jobs that queue alerts, digests and broadcasts.

The words are bot/texts.py's (Texts.alert and Texts.digest): an SMS always fits 2 GSM-7
segments; on Telegram a message may be longer.
"""
from __future__ import annotations

import logging
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session, sessionmaker

from bot import gsm7
from bot.texts import Texts
from service.opportunities import publish
from storage import alerts as store
from storage.models import Opportunity

log = logging.getLogger(__name__)


def broadcast_problem(body: str) -> str | None:
    """Why a broadcast cannot go as it is (every SMS must fit 2 GSM-7 segments); None if it can."""
    if not body.strip():
        return "the message is empty"
    odd = sorted({ch for ch in body if not gsm7.is_gsm7(ch)})
    if odd:
        shown = ", ".join(repr(ch) for ch in odd[:10])
        return (f"the message has characters a plain text message cannot carry: {shown} "
                "(use straight quotes, - for dashes, and no emoji)")
    if not gsm7.fits(body):
        return (f"the message is too long: {gsm7.septets(body)} characters, {gsm7.segments(body)} text messages; "
                f"at most {153 * gsm7.MAX_SEGMENTS} characters (2 text messages)")
    return None


# --- what the CLI and the admin call ---------------------------------------------------------

def publish_and_alert(session: Session, opportunity_id: int, now: datetime, trust_name: str, weekly_cap: int,
                      tz: str = "Europe/London") -> tuple[Opportunity, store.AlertCounts]:
    """Publish a draft and queue its alerts, in the caller's transaction (so both happen, or neither)."""
    opportunity = publish(session, opportunity_id, now)
    session.flush()
    texts = Texts(trust_name=trust_name)
    bodies = {"sms": texts.alert(opportunity, sms=True, tz=tz), "telegram": texts.alert(opportunity, sms=False, tz=tz)}
    counts = store.queue_alerts(session, opportunity_id, now, weekly_cap, bodies)
    log.info("opportunity %s published: %s alerts queued, %s to digests", opportunity_id, counts.alerts,
             counts.digest)
    return opportunity, counts


def broadcast(session: Session, body: str, audience: str, now: datetime) -> tuple[int, int]:
    """Queue a broadcast (e.g. Participation News): (broadcast id, how many queued). ValueError says why not."""
    body = body.strip()
    problem = broadcast_problem(body)
    if problem:
        raise ValueError(problem)
    return store.queue_broadcast(session, body, audience, now)


def week_key(local_day: date) -> str:
    year, week, _ = local_day.isocalendar()
    return f"digest:{year}-W{week:02d}"


def send_digests(factory: sessionmaker[Session], now: datetime, trust_name: str, at: tuple[int, time],
                 tz: str = "Europe/London", batch: int = 200) -> int:
    """Queue this ISO week's digest for everyone with opportunities waiting, once it is past `at`.

    Safe to run as often as you like: each person gets one digest a week (dedupe key
    digest:<year>-W<week>). Returns how many were queued.
    """
    local = now.astimezone(ZoneInfo(tz))
    weekday, clock = at
    if (local.isoweekday(), local.time()) < (weekday, clock):
        return 0
    key, queued, texts = week_key(local.date()), 0, Texts(trust_name=trust_name)
    while True:
        with factory.begin() as session:
            waiting = store.digests_due(session, key, local.date(), batch)
            for person in waiting:
                body = texts.digest(person.titles, sms=person.channel != "telegram")
                queued += store.queue_digest(session, person, body, key, now)
        if len(waiting) < batch:
            return queued
