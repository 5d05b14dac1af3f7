"""E-mailing staff notices to the People Participation Team over SMTP.

Without SMTP settings nothing is sent: the notices stay listed for the admin.
"""
from __future__ import annotations

import logging
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from storage.models import StaffNotice
from yoursay.config import Settings

log = logging.getLogger(__name__)
TIMEOUT = 30


def notice_email(notice: StaffNotice, settings: Settings) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.mail_from or settings.smtp_user or settings.ppt_email
    message["To"] = settings.ppt_email
    message["Subject"] = f"[YourSay] {notice.subject}"
    message["Date"] = format_datetime(notice.created_at)
    message["Message-ID"] = make_msgid(idstring=f"staff-notice-{notice.id}", domain="yoursay.invalid")
    message.set_content(f"{notice.body}\n\n-- \nYourSay staff notice #{notice.id} ({notice.kind}). "
                        "It is also listed in the admin.\n")
    return message


def email_staff_notices(factory: sessionmaker[Session], settings: Settings, now, limit: int = 50) -> int:
    """E-mail new staff notices to PPT, one e-mail each, and mark them e-mailed. Returns how many went.

    Each is marked in its own commit straight after the server accepts it, so a failure part
    way loses nothing and repeats nothing (short of a crash in between those two steps). The
    scheduler's lease means one process runs this at a time.
    """
    if not settings.smtp_enabled:
        return 0
    with factory() as session:
        notices = list(session.scalars(select(StaffNotice).where(StaffNotice.emailed_at.is_(None))
                                       .order_by(StaffNotice.id).limit(limit)))
    if not notices:
        return 0
    sent = 0
    with connect(settings) as smtp:
        for notice in notices:  # no transaction is open while the server is talked to
            smtp.send_message(notice_email(notice, settings))
            with factory.begin() as session:
                session.execute(update(StaffNotice).where(StaffNotice.id == notice.id).values(emailed_at=now))
            sent += 1
    log.info("e-mailed %s staff notice(s) to %s", sent, settings.ppt_email)
    return sent


def connect(settings: Settings) -> smtplib.SMTP:
    smtp = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=TIMEOUT)
    try:
        if settings.smtp_starttls:
            smtp.starttls(context=ssl.create_default_context())
        if settings.smtp_user:
            smtp.login(settings.smtp_user, settings.smtp_password or "")
    except BaseException:
        smtp.close()
        raise
    return smtp
