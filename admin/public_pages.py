"""Public pages, no sign-in: the "You said, we did" page and the screen for public areas. No personal data."""
from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from sqlalchemy import select

from admin.reports import public
from admin.views import rt, services
from storage.models import Service

bp = Blueprint("public", __name__)
SCREEN_REFRESH = 300  # seconds between reloads of a public screen
SCREEN_DAYS = 30


@bp.get("/you-said-we-did")
def you_said_we_did():
    with rt().factory() as db:
        choices = services(db)
        code = request.args.get("service", "")
        code = code if code in dict(choices) else ""
        entries = public.you_said_we_did(db, service=code or None, limit=100)
    return render_template("admin/public_ysd.html", title="You said, we did", entries=entries,
                           services=choices, service=code, trust=rt().settings.trust_name)


def _readable(number: str | None) -> str | None:
    """A UK number as people write it (+447700900123: 07700 900123); others as they are."""
    if number and number.startswith("+44") and len(number) == 13:
        national = "0" + number[3:]
        return f"{national[:5]} {national[5:]}"
    return number


@bp.get("/screen/<code>")
def screen(code: str):
    """A service's screen for its waiting area. An unknown service is a 404. A screen PPT have not switched
    on is a plain page saying so (200, still reloading itself), so a ward that puts it up early sees why it
    is blank, and it starts showing figures by itself once PPT switch it on."""
    with rt().factory() as db:
        if db.scalar(select(Service.id).where(Service.code == code)) is None:
            abort(404)
        settings = rt().settings
        data = public.public_screen(db, code, rt().now(), days=SCREEN_DAYS, entries=3,
                                    update=settings.screen_update, tz=settings.timezone)
        db.commit()  # the figures as published, kept until the next step
    response = render_template("admin/screen.html", title=f"{data['service_name']}: your feedback", data=data,
                               refresh=SCREEN_REFRESH, trust=rt().settings.trust_name,
                               keyword=f"{settings.feedback_keyword} {code}", number=_readable(settings.twilio_from_number))
    return response, 200, {"Cache-Control": "no-cache"}
