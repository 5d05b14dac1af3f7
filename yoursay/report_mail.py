"""Reports e-mailed on a schedule, each once: when one is due, and sending it so that it is never sent twice.

Each e-mail is recorded in report_mailings (kind, period, recipient, service) in its own commit straight
after the mail server accepts it, as staff notices are: only a crash between those two steps could
send one twice. The scheduler's lease means one process sends at a time, and the table's unique key
allows one row per e-mail. A failure (a report that cannot be drawn, an address the server refuses)
is recorded too, and tried again after a wait that doubles, from 15 minutes up to 6 hours, so a bad
address costs a PDF an hour at most, not one every tick. At most PER_ROUND e-mails are tried a tick,
so the safeguarding alerts that share the tick never wait long behind a month's packs.
"""
from __future__ import annotations

import logging
import smtplib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, sessionmaker

from admin.reports.periods import add_months
from storage.models import ReportMailing
from yoursay.config import Settings
from yoursay.mail import connect

log = logging.getLogger(__name__)
SEND_AT = time(8, 0)  # trust time: weekly reports on Monday, monthly packs on the 2nd
FIRST_WAIT, LONGEST_WAIT = timedelta(minutes=15), timedelta(hours=6)  # after a failure, before trying again
PER_ROUND = 5


@dataclass(frozen=True)
class Mailing:
    """One e-mail to send once: who to, about which service ("" for all), and how to write it."""

    recipient: str
    service_code: str
    write: Callable[[], EmailMessage]


def due_week(now: datetime, tz: str) -> date:
    """The Monday of the latest complete week (Monday to Sunday) whose report is due: due from 08:00 the
    Monday after it, in the trust's time."""
    zone = ZoneInfo(tz)
    local = now.astimezone(zone)
    monday = local.date() - timedelta(days=local.weekday())
    if local < datetime.combine(monday, SEND_AT, tzinfo=zone):
        monday -= timedelta(days=7)
    return monday - timedelta(days=7)


def week_label(monday: date) -> str:
    """The ISO week, e.g. 2026-W48."""
    year, week, _ = monday.isocalendar()
    return f"{year}-W{week:02d}"


def due_month(now: datetime, tz: str) -> date:
    """The first day of the latest month whose pack is due: due from 08:00 on the 2nd of the month after
    (a day for the last answers of the month to arrive), in the trust's time."""
    zone = ZoneInfo(tz)
    local = now.astimezone(zone)
    this = local.date().replace(day=1)
    if local < datetime.combine(this.replace(day=2), SEND_AT, tzinfo=zone):
        this = add_months(this, -1)
    return add_months(this, -1)


def unsent(factory: sessionmaker[Session], kind: str, period: str, wanted: list[Mailing],
           now: datetime) -> list[Mailing]:
    """The mailings of this kind and period not yet sent, less those waiting to be tried again."""
    with factory() as db:
        done = set(db.execute(select(ReportMailing.recipient, ReportMailing.service_code)
                              .where(ReportMailing.kind == kind, ReportMailing.period == period,
                                     or_(ReportMailing.sent_at.is_not(None), ReportMailing.next_try_at > now))).all())
    return [m for m in wanted if (m.recipient, m.service_code) not in done]


def _record(factory: sessionmaker[Session], kind: str, period: str, mailing: Mailing, now: datetime,
            sent: bool) -> None:
    """Sent: mark it so (it is never sent again). Failed: count it, and set when to try again."""
    key = {"kind": kind, "period": period, "recipient": mailing.recipient, "service_code": mailing.service_code}
    with factory.begin() as db:
        row = db.scalar(select(ReportMailing).filter_by(**key).with_for_update())
        if row is None:
            row = ReportMailing(**key, failures=0)
            db.add(row)
        if sent:
            row.sent_at, row.next_try_at = now, None
        else:
            row.failures += 1
            row.next_try_at = now + min(FIRST_WAIT * 2 ** (row.failures - 1), LONGEST_WAIT)


def send(factory: sessionmaker[Session], settings: Settings, now: datetime, kind: str, period: str,
         mailings: list[Mailing], keep_going: Callable[[], bool] = lambda: True) -> int:
    """Send each mailing over one connection and record it; returns how many went.

    A message that cannot be written, or that the server refuses (a bad address, "try again later"), is
    logged and left for next tick without holding up the others; a lost connection stops this round.
    """
    if not mailings:
        return 0
    sent = 0
    with connect(settings) as smtp:
        for mailing in mailings[:PER_ROUND]:  # no transaction is open while the server is talked to
            if not keep_going():  # the lease was lost: another process sends from now on
                break
            try:
                message = mailing.write()
            except Exception:  # one report that cannot be drawn must not hold up the others
                log.exception("could not write the %s e-mail for %s to %s", kind, period, mailing.recipient)
                _record(factory, kind, period, mailing, now, sent=False)
                continue
            try:
                smtp.send_message(message)
            except (smtplib.SMTPRecipientsRefused, smtplib.SMTPResponseException):
                log.exception("the mail server refused the %s e-mail for %s to %s", kind, period, mailing.recipient)
                _record(factory, kind, period, mailing, now, sent=False)
                continue
            _record(factory, kind, period, mailing, now, sent=True)
            sent += 1
    log.info("e-mailed %s %s report(s) for %s", sent, kind, period)
    return sent


def message(settings: Settings, to: str, subject: str, body: str, now: datetime, idstring: str) -> EmailMessage:
    """A plain-text e-mail from YourSay."""
    mail = EmailMessage()
    mail["From"] = settings.mail_from or settings.smtp_user or settings.ppt_email
    mail["To"] = to
    mail["Subject"] = f"[YourSay] {subject}"
    mail["Date"] = format_datetime(now)
    mail["Message-ID"] = make_msgid(idstring=idstring, domain="yoursay.invalid")
    mail.set_content(body)
    return mail


def service_link(settings: Settings, code: str) -> str:
    return f"{(settings.public_url or '').rstrip('/')}/admin/services/{code}"
