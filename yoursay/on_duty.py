"""Tell whoever is on duty about a safeguarding flag at once, and again if it waits too long: by e-mail
(SMTP) and/or a webhook.

The message says that a flag needs review and how urgent it is, with a link to the admin; the
person's words and contact details stay in the admin, behind sign-in. This is a prompt for a
human, never a clinical assessment.
"""
from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from datetime import datetime, timedelta
from email.message import EmailMessage
from weakref import WeakKeyDictionary

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.safeguarding import review_hours
from storage import safeguarding
from storage.models import SafeguardingFlag
from yoursay.config import Settings
from yoursay.mail import connect

log = logging.getLogger(__name__)
TIMEOUT = 10


def _link(settings: Settings, flag: SafeguardingFlag) -> str:
    base = (settings.public_url or "").rstrip("/")
    return f"{base}/admin/flags/{flag.id}"


def _summary(flag: SafeguardingFlag) -> str:
    return (f"Safeguarding flag #{flag.id} needs review ({flag.priority} priority, {flag.category}), "
            f"raised {flag.created_at:%d %b %Y %H:%M} UTC from a {flag.channel} message.")


def notify_on_duty(factory: sessionmaker[Session], settings: Settings, now,
                   priorities: tuple[str, ...] = ("urgent", "high")) -> int:
    """Send every flag of these priorities not yet told (bot/safeguarding.yaml's tiers say which);
    each is marked told once every configured route took it. Low ones wait in the admin's queue."""
    if not _routes(settings):
        return 0
    with factory() as session:
        flags = safeguarding.unnotified(session, priorities)
        session.expunge_all()
    told = 0
    for flag in flags:
        subject = f"[YourSay] URGENT: safeguarding flag #{flag.id} ({flag.priority})"
        if _tell(factory, settings, flag, "alert", subject, _summary(flag), {}):
            with factory.begin() as session:
                safeguarding.mark_notified(session, flag.id, now)
            told += 1
    return told


def remind_on_duty(factory: sessionmaker[Session], settings: Settings, now: datetime,
                   priorities: tuple[str, ...] = ("urgent", "high"), limit: int = 50) -> int:
    """Remind the on-duty contact, once, of each open flag that has waited more than the review time.

    N is the admin's "waiting more than N hours" (YOURSAY_SAFEGUARDING_REVIEW_HOURS, else 24). Only the
    priorities the on-duty contact is alerted to at all are reminded of: low ones (a negated or past
    mention) stay in the admin's queue, with its warning. A flag someone has taken is still reminded
    of, saying who has it. Marked reminded once every configured route took it.
    """
    if not _routes(settings):
        return 0
    due = now - timedelta(hours=review_hours(settings.safeguarding_review))
    with factory() as session:
        flags = list(session.scalars(select(SafeguardingFlag)
                                     .where(SafeguardingFlag.status == "open", SafeguardingFlag.reminded_at.is_(None),
                                            SafeguardingFlag.priority.in_(priorities),
                                            SafeguardingFlag.created_at < due)
                                     .order_by(SafeguardingFlag.created_at, SafeguardingFlag.id).limit(limit)))
        session.expunge_all()
    reminded = 0
    for flag in flags:
        hours = int((now - flag.created_at).total_seconds() // 3600)
        waited = f"{hours} hour{'' if hours == 1 else 's'}" if hours else "less than an hour"
        subject = f"[YourSay] Reminder: safeguarding flag #{flag.id} waiting {waited} ({flag.priority})"
        text = (f"Reminder: safeguarding flag #{flag.id} has waited {waited} and is still open "
                f"({flag.priority} priority, {flag.category}), raised {flag.created_at:%d %b %Y %H:%M} UTC "
                f"from a {flag.channel} message. {_who_has_it(flag)}")
        extra = {"reminder": True, "waiting_hours": hours, "assigned_to": flag.assigned_to,
                 "in_progress": flag.in_progress_at is not None}
        if _tell(factory, settings, flag, "reminder", subject, text, extra):
            with factory.begin() as session:
                session.execute(update(SafeguardingFlag).where(SafeguardingFlag.id == flag.id)
                                .values(reminded_at=now))
            reminded += 1
    return reminded


def _who_has_it(flag: SafeguardingFlag) -> str:
    if flag.in_progress_at is not None:
        who = f" by {flag.assigned_to}" if flag.assigned_to else ""
        return f"It is marked in progress{who} since {flag.in_progress_at:%d %b %Y %H:%M} UTC."
    if flag.assigned_to:
        return f"It is assigned to {flag.assigned_to} but not yet marked in progress."
    return "Nobody has taken it yet."


def _routes(settings: Settings) -> bool:
    return bool(settings.on_duty_webhook_url or (settings.on_duty_email and settings.smtp_host))


# Routes that took a flag's alert or reminder while another route failed, per database: the next
# tick tries only the failed route, so a broken webhook does not send the e-mail again every tick.
# Kept in memory: a restart in between sends that one again, which is the safe way to be wrong.
_delivered: WeakKeyDictionary = WeakKeyDictionary()


def _tell(factory, settings: Settings, flag: SafeguardingFlag, kind: str, subject: str, text: str,
          extra: dict) -> bool:
    """Send by every configured route, each on its own (a failed e-mail never stops the webhook);
    False (logged, to try the failed routes again next tick) if any failed."""
    routes = []
    if settings.on_duty_email and settings.smtp_host:
        routes.append(("email", lambda: _email(settings, flag, subject, text)))
    if settings.on_duty_webhook_url:
        routes.append(("webhook", lambda: _post(settings, flag, text, extra)))
    done = _delivered.setdefault(factory, set())
    told = True
    for route, send in routes:
        if (flag.id, kind, route) in done:
            continue
        try:
            send()
            done.add((flag.id, kind, route))
        except Exception:  # an unsent alert must not stop the others
            log.exception("could not tell the on-duty contact about flag %s by %s", flag.id, route)
            told = False
    if told:
        done.difference_update({(flag.id, kind, route) for route, _ in routes})
    return told


def _email(settings: Settings, flag: SafeguardingFlag, subject: str, text: str) -> None:
    message = EmailMessage()
    message["From"] = settings.mail_from or settings.smtp_user or settings.on_duty_email
    message["To"] = settings.on_duty_email
    message["Subject"] = subject
    message.set_content(f"{text}\n\nReview it now: {_link(settings, flag)}\n\n"
                        "If life is at risk, follow the trust's safeguarding procedure straight away.\n")
    with connect(settings) as smtp:
        smtp.send_message(message)


def _post(settings: Settings, flag: SafeguardingFlag, text: str, extra: dict) -> None:
    body = json.dumps({"id": flag.id, "category": flag.category, "priority": flag.priority,
                       "channel": flag.channel, "created_at": flag.created_at.isoformat(),
                       "url": _link(settings, flag), "text": text, **extra}).encode()
    request = urllib.request.Request(settings.on_duty_webhook_url, data=body, method="POST",
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310 (a URL the trust sets)
            if response.status >= 300:
                raise RuntimeError(f"webhook answered {response.status}")
    except urllib.error.HTTPError as exc:
        exc.close()
        raise RuntimeError(f"webhook answered {exc.code}") from None
