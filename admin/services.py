"""Services: each one's month (FFT beside the trust, SPC, themes, stories, QI, "You said, we did"),
as a page, a printable pack and a PDF (admin.reports.pack)."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, abort, render_template, request
from sqlalchemy import select

from admin import audit, params, security
from admin.forms import Errors
from admin.reports import pack
from admin.reports.periods import last_months
from admin.reports.service_month import last_complete_month, services_month
from admin.views import rt
from storage.models import Service

bp = security.protect(Blueprint("services", __name__, url_prefix="/admin/services"))
CHOICE_MONTHS = 36  # how far back the month picker goes


def _month() -> tuple[date, Errors]:
    """The month asked for (?month=YYYY-MM), up to this one; the last complete month by default."""
    runtime = rt()
    tz, now = runtime.settings.timezone, runtime.now()
    this = last_months(now, 1, tz)[0]
    errors = Errors()
    raw = request.args.get("month", "").strip()
    month = params.parse_month(raw) if raw else last_complete_month(now, tz)
    if month is None:
        errors.add("month", "Month must be a month from the list, like 2026-03")
    elif month > this:
        errors.add("month", f"Month must be {this:%B %Y} or earlier")
    return (month if not errors else last_complete_month(now, tz)), errors


def _choices(month: date) -> list[tuple[str, str]]:
    """The month picker's months, newest first, with the chosen one even if it is older."""
    runtime = rt()
    months = sorted(set(last_months(runtime.now(), CHOICE_MONTHS, runtime.settings.timezone)) | {month}, reverse=True)
    return [(f"{m:%Y-%m}", f"{m:%B %Y}") for m in months]


def _bad_month(errors: Errors):
    return render_template("admin/error.html", title="That month cannot be shown",
                           message=errors.summary[0]["text"] + "."), 400


def _context(code: str, month: date) -> dict:
    runtime = rt()
    with runtime.factory() as db:
        data = pack.pack_context(db, runtime.settings, code, month, now=runtime.now())
    if data is None:
        abort(404)
    return data


@bp.get("/")
@security.role_required("viewer")
def index():
    runtime = rt()
    month, errors = _month()
    with runtime.factory() as db:
        data = services_month(db, month, tz=runtime.settings.timezone, now=runtime.now())
    return render_template("admin/services.html", title="Services", section="services", month=month,
                           month_choices=_choices(month), errors=errors, **data), 400 if errors else 200


@bp.get("/<code>")
@security.role_required("viewer")
def service(code: str):
    month, errors = _month()
    data = _context(code, month)
    return render_template("admin/service.html", title=f"{data['service']['name']}: {month:%B %Y}", section="services",
                           month_choices=_choices(month), errors=errors, **data), 400 if errors else 200


def _pack_context(code: str) -> tuple[dict | None, date, Errors]:
    """The pack's data, or None with the month's errors (a service that does not exist is a 404 either way)."""
    month, errors = _month()
    if errors:
        with rt().factory() as db:
            if db.scalar(select(Service.id).where(Service.code == code)) is None:
                abort(404)
        return None, month, errors
    return _context(code, month), month, errors


@bp.get("/<code>/pack")
@security.role_required("viewer")
def pack_page(code: str):
    data, _, errors = _pack_context(code)
    if errors:
        return _bad_month(errors)
    return pack.render_pack_html(None, data)


@bp.get("/<code>/pack.pdf")
@security.role_required("viewer")
def pack_pdf(code: str):
    """The pack as a PDF download; who downloaded which pack goes in the audit log."""
    data, month, errors = _pack_context(code)
    if errors:
        return _bad_month(errors)
    pdf = pack.html_to_pdf(pack.render_pack_html(None, data, pdf=True), title=pack.title(data))
    with rt().factory.begin() as db:
        audit.record(db, "pack_download", f"service:{code}", f"{month:%Y-%m}")
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{pack.file_name(code, month)}"', "Cache-Control": "no-store"})
