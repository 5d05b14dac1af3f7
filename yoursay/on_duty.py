"""Tell whoever is on duty about a safeguarding flag at once: by e-mail (SMTP) and/or a webhook.

The message says that a flag needs review and how urgent it is, with a link to the admin; the
person's words stay in the admin, behind sign-in. This is a prompt for a human, never a
clinical assessment.
"""
from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from email.message import EmailMessage

from sqlalchemy.orm import Session, sessionmaker

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
    if not (settings.on_duty_webhook_url or (settings.on_duty_email and settings.smtp_host)):
        return 0
    with factory() as session:
        flags = safeguarding.unnotified(session, priorities)
        session.expunge_all()
    told = 0
    for flag in flags:
        try:
            if settings.on_duty_email and settings.smtp_host:
                _email(settings, flag)
            if settings.on_duty_webhook_url:
                _post(settings, flag)
        except Exception:  # try again next tick; an unsent alert must not stop the others
            log.exception("could not tell the on-duty contact about flag %s", flag.id)
            continue
        with factory.begin() as session:
            safeguarding.mark_notified(session, flag.id, now)
        told += 1
    return told


def _email(settings: Settings, flag: SafeguardingFlag) -> None:
    message = EmailMessage()
    message["From"] = settings.mail_from or settings.smtp_user or settings.on_duty_email
    message["To"] = settings.on_duty_email
    message["Subject"] = f"[YourSay] URGENT: safeguarding flag #{flag.id} ({flag.priority})"
    message.set_content(f"{_summary(flag)}\n\nReview it now: {_link(settings, flag)}\n\n"
                        "If life is at risk, follow the trust's safeguarding procedure straight away.\n")
    with connect(settings) as smtp:
        smtp.send_message(message)


def _post(settings: Settings, flag: SafeguardingFlag) -> None:
    body = json.dumps({"id": flag.id, "category": flag.category, "priority": flag.priority,
                       "channel": flag.channel, "created_at": flag.created_at.isoformat(),
                       "url": _link(settings, flag), "text": _summary(flag)}).encode()
    request = urllib.request.Request(settings.on_duty_webhook_url, data=body, method="POST",
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310 (a URL the trust sets)
            if response.status >= 300:
                raise RuntimeError(f"webhook answered {response.status}")
    except urllib.error.HTTPError as exc:
        exc.close()
        raise RuntimeError(f"webhook answered {exc.code}") from None
