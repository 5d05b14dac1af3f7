"""The weekly e-mail of rising themes: every service's to PPT, and each service's own to its manager.

The latest complete week (Monday to Sunday, trust time) is compared with the week before, like with
like, using admin/reports/rising.py's shares and its stated test. Sent on the first tick on or after
08:00 on Monday. The e-mails carry no story text, only themes, shares and counts: stories stay in the
admin, behind sign-in.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from admin.reports import rising
from admin.reports.periods import local_midnight
from storage.models import Service
from yoursay import report_mail
from yoursay.config import Settings
from yoursay.report_mail import Mailing

KIND = "rising"


def email_rising_themes(factory: sessionmaker[Session], settings: Settings, now: datetime,
                        keep_going: Callable[[], bool] = lambda: True) -> int:
    """Send the week's rising themes, if due and not yet sent; returns how many e-mails went."""
    if not settings.smtp_enabled:
        return 0
    monday = report_mail.due_week(now, settings.timezone)
    period = report_mail.week_label(monday)
    with factory() as db:
        services = list(db.execute(select(Service.code, Service.name, Service.manager_email)
                                   .where(Service.active).order_by(Service.name, Service.code)).all())
    if not services:  # nothing to report on yet
        return 0
    names, found = {code: name for code, name, _ in services}, {}

    def write(code: str, to: str):  # code "" for PPT's e-mail of every service
        codes = [code] if code else list(names)
        return report_mail.message(settings, to, _subject(period, monday, names, code),
                                   _body(settings, monday, [(c, names[c], found[c]) for c in codes]), now,
                                   f"rising-{period}-{code or 'all'}")

    recipients = [("", settings.ppt_email)] + [(code, email.strip()) for code, _, email in services
                                               if email and email.strip()]
    wanted = [Mailing(to, code, lambda code=code, to=to: write(code, to)) for code, to in recipients]
    todo = report_mail.unsent(factory, KIND, period, wanted, now)
    if not todo:
        return 0
    with factory() as db:  # counted only when something is to be sent
        found.update({code: week_rising(db, monday, settings.timezone, code) for code in names})
    return report_mail.send(factory, settings, now, KIND, period, todo, keep_going)


def week_rising(db, monday: date, tz: str, service: str) -> dict:
    """{stories, stories_before, themes: [{theme, earlier, later, earlier_share, later_share, p}]}: the themes
    that rose beyond chance at one service in the week from monday against the week before."""
    later = (local_midnight(monday, tz), local_midnight(monday + timedelta(days=7), tz))
    earlier = (local_midnight(monday - timedelta(days=7), tz), later[0])
    n1, before = rising.story_counts(db, *earlier, service)
    n2, after = rising.story_counts(db, *later, service)
    themes = []
    for theme, x2 in after.items():
        x1 = before.get(theme, 0)
        if rising.is_rising(x1, n1, x2, n2):
            themes.append({"theme": theme, "earlier": x1, "later": x2, "earlier_share": 100 * x1 / n1 if n1 else None,
                           "later_share": 100 * x2 / n2, "p": rising.z_test(x1, n1, x2, n2)[1]})
    themes.sort(key=lambda t: (t["p"], t["theme"]))
    return {"stories": n2, "stories_before": n1, "themes": themes}


def _dates(monday: date) -> str:
    sunday = monday + timedelta(days=6)
    return f"Monday {monday.day} {monday:%b} to Sunday {sunday.day} {sunday:%b %Y}"


def _subject(period: str, monday: date, names: dict[str, str], code: str) -> str:
    where = f" at {names[code]}" if code else ""
    return f"Rising themes{where}, week {period} ({_dates(monday)})"


def _share(share: float | None, count: int, total: int) -> str:
    return "no stories" if share is None else f"{round(share, 1):g}% ({count} of {total} stories)"


def _p(p: float) -> str:
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def _body(settings: Settings, monday: date, services: list[tuple[str, str, dict]]) -> str:
    # Themes, shares and counts only: never a story's text, which stays in the admin behind sign-in.
    lines = [f"Themes that rose beyond chance in the week {_dates(monday)}, against the week before.", ""]
    for code, name, found in services:
        lines.append(f"{name} ({found['stories']} stories this week, {found['stories_before']} the week before)")
        for t in found["themes"]:
            lines.append(f"- {t['theme']}: {_share(t['later_share'], t['later'], found['stories'])}, up from "
                         f"{_share(t['earlier_share'], t['earlier'], found['stories_before'])}; {_p(t['p'])}")
        if not found["themes"]:
            lines.append("- No theme rose beyond chance this week.")
        lines += [f"  See the service's page: {report_mail.service_link(settings, code)}", ""]
    lines += [rising.TEST, "", "Stories are not included in this e-mail: read them in the admin.", ""]
    return "\n".join(lines)
