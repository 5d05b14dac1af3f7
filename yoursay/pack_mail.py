"""The monthly e-mail of each service's pack (admin/reports/pack.py's PDF) to the service's manager.

On the first tick on or after 08:00 on the 2nd of a month (trust time; a day for the month's last
answers to arrive), each active service with a manager's e-mail gets its pack for the month before.
The pack holds only what the admin's printable pack shows: figures, themes and selected stories,
redacted, with flagged ones left out.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from admin.reports import pack
from storage.models import Service
from yoursay import report_mail
from yoursay.config import Settings
from yoursay.report_mail import Mailing
from yoursay.runtime import Runtime

KIND = "pack"
PackPdf = Callable[[str, date], "bytes | None"]  # (service code, month) -> the pack's PDF, None if no such service


def email_packs(factory: sessionmaker[Session], settings: Settings, now: datetime, pdf: PackPdf,
                keep_going: Callable[[], bool] = lambda: True) -> int:
    """Send each manager their service's pack for the month due, once; returns how many e-mails went."""
    if not settings.smtp_enabled:
        return 0
    month = report_mail.due_month(now, settings.timezone)
    period = f"{month:%Y-%m}"
    with factory() as db:
        services = list(db.execute(select(Service.code, Service.name, Service.manager_email)
                                   .where(Service.active, Service.manager_email.is_not(None))
                                   .order_by(Service.code)).all())
    wanted = [Mailing(email.strip(), code, lambda code=code, name=name, email=email.strip():
                      _write(settings, now, month, period, code, name, email, pdf))
              for code, name, email in services if email.strip()]
    return report_mail.send(factory, settings, now, KIND, period, report_mail.unsent(factory, KIND, period, wanted, now),
                            keep_going)


def _write(settings: Settings, now: datetime, month: date, period: str, code: str, name: str, to: str,
           pdf: PackPdf):
    content = pdf(code, month)  # built only when it is to be sent: WeasyPrint takes a moment
    if content is None:
        raise LookupError(f"no pack for service {code}")
    body = (f"Attached is {name}'s feedback pack for {month:%B %Y}: the Friends and Family Test score, its "
            f"statistical process control chart, top themes, selected stories (redacted; flagged ones are "
            f"left out), open QI projects and \"You said, we did\".\n\n"
            f"The same page in the admin: {report_mail.service_link(settings, code)}\n\n"
            f"You get this because you are named as the service's manager in YourSay. To change that, "
            f"contact the People Participation Team{f' at {settings.ppt_email}' if settings.ppt_email else ''}.\n")
    message = report_mail.message(settings, to, f"{name}: feedback pack for {month:%B %Y}", body, now,
                                  f"pack-{period}-{code}")
    message.add_attachment(content, maintype="application", subtype="pdf", filename=pack.file_name(code, month))
    return message


def pdf_maker(rt: Runtime) -> PackPdf:
    """Packs drawn with an app built on first use (the pack is rendered from the admin's templates)."""
    app = None

    def make(code: str, month: date) -> bytes | None:
        nonlocal app
        if app is None:
            from yoursay.app import create_app  # only when a pack is due: most ticks send none

            app = create_app(rt.settings, rt)
        return pack.pack_pdf(app, code, month, now=rt.now())

    return make
