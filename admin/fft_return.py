"""The FFT return page: a month's NHS England return per site, ready to check, download and record as submitted."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from admin import audit, export, fft_submissions, params, security
from admin.forms import Errors
from admin.reports import fft_sites, public, suppression
from admin.reports.periods import add_months, last_months
from admin.views import rt

bp = security.protect(Blueprint("fft_return", __name__, url_prefix="/admin/fft-return"))
CHOICE_MONTHS = 24
FORMATS = {"csv": "CSV", "xlsx": "Excel (XLSX)"}


def _this_month() -> date:
    return last_months(rt().now(), 1, rt().settings.timezone)[0]


def _month_choices(month: date) -> list[tuple[str, str]]:
    months = list(reversed(last_months(rt().now(), CHOICE_MONTHS, rt().settings.timezone)))
    if month not in months:
        months = sorted([*months, month], reverse=True)
    return [(f"{m:%Y-%m}", f"{m:%B %Y}") for m in months]


def _return(db, month: date) -> fft_sites.SiteReturn:
    s = rt().settings
    return fft_sites.site_return(db, month, tz=s.timezone, trust_ods_code=s.trust_ods_code)


def _page(month: date, errors: Errors | None = None, typed: dict | None = None, status: int = 200):
    with rt().factory() as db:
        figures = _return(db, month)
        record = fft_submissions.read(db, month)
    late = (figures.total["total"] - record.answers_then
            if record is not None and record.answers_then is not None else 0)
    return render_template(
        "admin/fft_return.html", title=f"FFT return: {month:%B %Y}", section="fft_return", month=month,
        figures=figures, record=record, late=late, errors=errors or Errors(), typed=typed or {},
        month_choices=_month_choices(month), complete=month < _this_month(), formats=FORMATS,
        threshold=suppression.THRESHOLD, min_public=public.MIN_PUBLIC), status


@bp.get("")
def page():
    asked = request.args.get("month")
    month = params.parse_month(asked) if asked else add_months(_this_month(), -1)
    if month is None or month > _this_month():  # a month to come has no return
        errors = Errors()
        errors.add("month", "Choose a month from the list")
        return render_template("admin/fft_return.html", title="FFT return", section="fft_return", month=None,
                               errors=errors, month_choices=_month_choices(add_months(_this_month(), -1))), 400
    return _page(month)


def _posted_month() -> date | None:
    return params.parse_month(request.form.get("month"))


@bp.post("/download")
@security.role_required("viewer")
def download():
    month = _posted_month()
    if month is None:
        flash("Choose a month for the FFT return")
        return redirect(url_for("fft_return.page"))
    kind = request.form.get("format", "csv")
    kind = kind if kind in FORMATS else "csv"
    with rt().factory.begin() as db:
        audit.record(db, "export", f"fft-return.{kind}", f"{month:%Y-%m}")
        table = fft_sites.as_table(_return(db, month))
    return export.download(table, f"fft-return-{month:%Y-%m}", kind, rt().now())


@bp.post("/submitted")
@security.role_required("reviewer")
def record_submitted():
    month = _posted_month()
    if month is None:
        flash("Choose a month for the FFT return")
        return redirect(url_for("fft_return.page"))
    typed, day, errors = fft_submissions.parse(request.form, month, rt().now(), rt().settings.timezone)
    if errors:
        return _page(month, errors, typed, 400)
    with rt().factory.begin() as db:
        answers = _return(db, month).total["total"]
        fft_submissions.save(db, month, day, typed["note"], answers, current_user.username, rt().now())
    flash(f"Recorded: the FFT return for {month:%B %Y} was submitted on {day.day} {day:%B %Y}")
    return redirect(url_for("fft_return.page", month=f"{month:%Y-%m}"))


@bp.post("/submitted/remove")
@security.role_required("reviewer")
def remove_submitted():
    month = _posted_month()
    if month is None:
        flash("Choose a month for the FFT return")
        return redirect(url_for("fft_return.page"))
    with rt().factory.begin() as db:
        removed = fft_submissions.remove(db, month)
    flash(f"The record of submitting {month:%B %Y}'s return was removed" if removed
          else f"{month:%B %Y}'s return was not recorded as submitted")
    return redirect(url_for("fft_return.page", month=f"{month:%Y-%m}"))
