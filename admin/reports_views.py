"""Reports: the diversity report, and exports (CSV and XLSX), every one recorded in the audit log."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from admin import audit, bulk, export, inbox, params, security
from admin.dashboard_views import CHOICE_MONTHS, parse_range
from admin.forms import Errors
from admin.reports import diversity, tables
from admin.reports.periods import last_months
from admin.views import rt, services

bp = security.protect(Blueprint("reports", __name__, url_prefix="/admin/reports"))
FORMATS = {"csv": "CSV", "xlsx": "Excel (XLSX)"}


@bp.get("/")
def index():
    return render_template("admin/reports.html", title="Reports", section="reports")


def _baseline() -> tuple[diversity.Baseline | None, bool]:
    """(baseline, is_the_example): the configured file, or the example shipped with YourSay."""
    path = rt().settings.diversity_baseline
    try:
        return diversity.load_baseline(path or diversity.EXAMPLE_BASELINE), not path
    except diversity.BaselineError:
        return None, False


def _diversity(first: date, last: date) -> dict | None:
    survey = rt().bot.surveys.latest("about-you")
    if survey is None:
        return None
    baseline, _ = _baseline()
    participants = rt().settings.diversity_participant_surveys
    with rt().factory() as db:
        return diversity.diversity_report(db, survey, baseline, first, last, participant_surveys=participants)


@bp.get("/diversity")
def diversity_page():
    first, last, errors = parse_range(request.args, rt().now(), rt().settings.timezone)
    report = _diversity(first, last)
    if report is None:
        abort(404)
    _, example = _baseline()
    return render_template("admin/diversity.html", title="Diversity report", section="reports", report=report,
                           errors=errors, first=first, last=last, example=example,
                           month_choices=_month_choices(), suppressed=diversity.SUPPRESSED)


def _month_choices() -> list[tuple[str, str]]:
    return [(f"{m:%Y-%m}", f"{m:%B %Y}") for m in reversed(last_months(rt().now(), CHOICE_MONTHS,
                                                                          rt().settings.timezone))]


@bp.get("/exports")
def exports_page():
    with rt().factory() as db:
        choices = services(db)
    year = last_months(rt().now(), 12, rt().settings.timezone)
    return render_template("admin/exports.html", title="Exports", section="reports", services=choices,
                           month_choices=_month_choices(), year_ago=f"{year[0]:%Y-%m}",
                           last_month=f"{year[-2]:%Y-%m}", this_month=f"{year[-1]:%Y-%m}", formats=FORMATS,
                           errors=Errors())


def _format() -> str:
    kind = request.form.get("format", "csv")
    return kind if kind in FORMATS else "csv"


@bp.post("/exports/feedback")
@security.role_required("reviewer")
def export_feedback():
    """Stories with themes and sentiment: redacted, unless an admin asks for the original (audited)."""
    filters, errors = inbox.parse(request.form)
    original = request.form.get("original") == "yes"
    if original and not current_user.can("admin"):
        abort(403)
    if errors:
        flash("Check the dates: " + "; ".join(e["text"] for e in errors.summary))
        return redirect(url_for("reports.exports_page"))
    return feedback_download(filters, original, _format(), url_for("reports.export_feedback"),
                             url_for("reports.exports_page"))


def feedback_download(filters: inbox.Filters, original: bool, kind: str, action: str, back: str):
    """The filtered stories as a CSV or XLSX download, the same from the exports page and the inbox. Audited.

    Until the form says confirm=yes it shows the stories the file will hold, to pick from, with
    flagged stories left out unless ticked.
    """
    tz = rt().settings.timezone
    choice = bulk.parse(request.form)
    confirmed = request.form.get("confirm") == "yes"
    with rt().factory.begin() as db:
        refused = bulk.refused(db, filters, tz, choice) if confirmed else None
        if not confirmed or refused:
            preview = bulk.preview(db, filters, tz, choice, request.form)
            return render_template("admin/export_confirm.html", title="Download stories", section="feedback",
                                   filters=filters, preview=preview, choice=choice, refused=refused,
                                   services=dict(services(db)), limit=bulk.LIMIT, kind=kind, original=original,
                                   action=action, back=back), 400 if refused else 200
        audit.record(db, "export", f"feedback.{kind}",
                     f"{'original' if original else 'redacted'} text; {choice.describe()}; "
                     f"filters {filters.as_args()}")
    table = tables.feedback_table(rt().factory, filters, tz=tz, original=original, where=choice.conditions())
    return export.download(table, f"feedback-{'original' if original else 'redacted'}", kind, rt().now())


@bp.post("/exports/fft-return")
@security.role_required("viewer")
def export_fft_return():
    month = params.parse_month(request.form.get("month"))
    if month is None:
        flash("Choose a month for the FFT return")
        return redirect(url_for("reports.exports_page"))
    with rt().factory.begin() as db:
        audit.record(db, "export", f"fft-return.{_format()}", f"{month:%Y-%m}")
        table = tables.fft_return_table(db, month, tz=rt().settings.timezone,
                                        trust_ods_code=rt().settings.trust_ods_code)
    return export.download(table, f"fft-return-{month:%Y-%m}", _format(), rt().now())


@bp.post("/exports/participants")
@security.role_required("admin")
def export_participants():
    with rt().factory.begin() as db:
        audit.record(db, "export", f"participants.{_format()}", "the participation database")
        table = tables.participation_table(db, tz=rt().settings.timezone)
    return export.download(table, "participants", _format(), rt().now())


@bp.post("/exports/diversity")
@security.role_required("viewer")
def export_diversity():
    first, last, _ = parse_range(request.form, rt().now(), rt().settings.timezone)
    report = _diversity(first, last)
    if report is None:
        abort(404)
    with rt().factory.begin() as db:
        audit.record(db, "export", f"diversity.{_format()}", f"{first:%Y-%m} to {last:%Y-%m}")
    return export.download(tables.diversity_table(report), "diversity", _format(), rt().now())
