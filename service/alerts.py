"""Telling participants about opportunities: the alert and digest texts, and the jobs that queue them.

The texts are pure functions. An SMS always fits 2 GSM-7 segments (the summary, then the
title, are trimmed to fit); on Telegram a message may be longer.
"""
from __future__ import annotations

import logging
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session, sessionmaker

from bot import gsm7
from bot.opportunities import type_label
from service.opportunities import publish
from storage import alerts as store
from storage.models import Opportunity

log = logging.getLogger(__name__)
PAYMENT_WORDS = {"paid": "paid", "expenses": "expenses", "voluntary": "voluntary"}
ALERT_TAIL = "Text JOIN to see it, ALERTS to change alerts, STOP to stop."
DIGEST_TAIL = "Text JOIN to see them, ALERTS to change alerts, STOP to stop."
TELEGRAM_LIMIT = 4096
_PLAIN = {"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-",
          "\u2026": "...", "\u00a0": " ", "\t": " "}


def plain(text: str) -> str:
    """text in the GSM-7 alphabet: typographic quotes and dashes made plain, anything else '?'."""
    text = "".join(_PLAIN.get(ch, ch) for ch in text)
    return "".join(ch if gsm7.is_gsm7(ch) else "?" for ch in text)


def shorten(text: str, septets: int) -> str:
    """text cut at a word to at most this many GSM-7 septets, with '...' if anything was cut."""
    if gsm7.septets(text) <= septets:
        return text
    if septets < 4:
        return ""
    cut = text
    while cut and gsm7.septets(cut) > septets - 3:
        cut = cut[:-1]
    word = cut.rsplit(" ", 1)[0] if " " in cut.strip() else cut
    return word.rstrip(" ,.;:-") + "..."


def when(starts_at: datetime | None, tz: str) -> str:
    """e.g. 'Thu 3 Dec 2pm' or 'Thu 3 Dec 2:30pm', in local time; '' if there is no date."""
    if starts_at is None:
        return ""
    local = starts_at.astimezone(ZoneInfo(tz))
    hour = local.hour % 12 or 12
    clock = f"{hour}{local:%p}" if local.minute == 0 else f"{hour}:{local:%M%p}"
    return f"{local:%a} {local.day} {local:%b} {clock.lower()}"


def alert_text(opportunity: Opportunity, trust_name: str, sms: bool = True, tz: str = "Europe/London") -> str:
    """The alert for a newly published opportunity. For SMS it fits 2 GSM-7 segments."""
    o = opportunity
    where = "online" if o.venue.strip().lower() == "online" else o.area
    details = [type_label(o.type), where, when(o.starts_at, tz), PAYMENT_WORDS.get(o.payment, o.payment)]
    if not sms:
        text = (f"New from {trust_name}: {o.title} ({', '.join(filter(None, details))}).\n\n{o.summary}"
                + (f"\n\nWhere: {o.venue}" if where != "online" else "")
                + (f"\nCloses {o.closes_on.day} {o.closes_on:%b}" if o.closes_on else "")
                + f"\n\n{ALERT_TAIL}")
        return text[:TELEGRAM_LIMIT]
    trust, title, summary = plain(trust_name), plain(o.title), plain(o.summary)
    details = [plain(d) for d in details]
    budget = 153 * gsm7.MAX_SEGMENTS

    def build(summary_: str) -> str:
        head = f"New from {trust}: {title} ({', '.join(filter(None, details))})."
        return f"{head} {summary_} {ALERT_TAIL}" if summary_ else f"{head} {ALERT_TAIL}"

    text = build(summary)
    if gsm7.septets(text) <= budget:
        return text
    room = budget - gsm7.septets(build("")) - 1
    if room >= 20:  # enough left for a useful part of the summary
        return build(shorten(summary, room))
    # Even without the summary it is too long: shorten the title, then the area, then the trust's name.
    for part in ("title", "area", "trust"):
        over = gsm7.septets(build("")) - budget
        if over <= 0:
            break
        if part == "title":
            title = shorten(title, max(20, gsm7.septets(title) - over))
        elif part == "area":
            details[1] = shorten(details[1], max(12, gsm7.septets(details[1]) - over))
        else:
            trust = shorten(trust, max(12, gsm7.septets(trust) - over))
    return build("")


def digest_text(titles: list[str], trust_name: str, sms: bool = True) -> str:
    """The weekly digest: the titles that fit, then 'and N more: text JOIN to see them'."""
    head = f"New this week from {plain(trust_name) if sms else trust_name}:"
    if sms:
        titles = [shorten(plain(t), 60) for t in titles]
    fits = (lambda t: gsm7.fits(t)) if sms else (lambda t: len(t) <= TELEGRAM_LIMIT)
    for shown in range(len(titles), -1, -1):
        lines = "".join(f"\n- {t}" for t in titles[:shown])
        more = len(titles) - shown
        if more == 0:
            text = f"{head}{lines}\n{DIGEST_TAIL}"
        elif shown == 0:
            text = (f"{head} {more} new opportunities: text JOIN to see them. "
                    "ALERTS to change alerts, STOP to stop.")
        else:
            text = f"{head}{lines}\nand {more} more: text JOIN to see them. ALERTS to change alerts, STOP to stop."
        if fits(text):
            return text
    return text


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
    bodies = {"sms": alert_text(opportunity, trust_name, sms=True, tz=tz),
              "telegram": alert_text(opportunity, trust_name, sms=False, tz=tz)}
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
    key, queued = week_key(local.date()), 0
    while True:
        with factory.begin() as session:
            waiting = store.digests_due(session, key, local.date(), batch)
            for person in waiting:
                body = digest_text(person.titles, trust_name, sms=person.channel != "telegram")
                queued += store.queue_digest(session, person, body, key, now)
        if len(waiting) < batch:
            return queued
