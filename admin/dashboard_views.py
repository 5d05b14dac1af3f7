"""The dashboard: FFT, responses by mode, themes, sentiment and participation, by month and service."""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from flask import Blueprint, flash, redirect, render_template, request, url_for
from markupsafe import Markup

from admin import audit, params, security
from admin.forms import Errors
from admin.reports import charts, participation, rising, spc, summary
from admin.reports.dashboard import dashboard
from admin.reports.periods import add_months, last_months, months_between
from admin.views import rt, services
from bot.opportunities import type_label

bp = security.protect(Blueprint("dashboard", __name__, url_prefix="/admin/dashboard"))
DEFAULT_MONTHS = 12
MAX_MONTHS = 36
CHOICE_MONTHS = 60  # how far back the month pickers go
SPC_MONTHS = 24  # the SPC chart's months: enough for a baseline and for runs and trends to show
_STYLE = re.compile(r' style="[^"]*"')  # our CSP allows no inline styles; admin.css sizes the charts


def svg(chart: charts.Chart) -> Markup:
    """A chart's SVG for a template. Every text in it was escaped by admin.reports.charts."""
    return Markup(_STYLE.sub("", chart.svg))  # noqa: S704 (escaped where it was made)


def parse_range(args, now: datetime, tz: str) -> tuple[date, date, Errors]:
    """(first month, last month, errors) from ?from=YYYY-MM&to=YYYY-MM; the last 12 months by default."""
    this = last_months(now, 1, tz)[0]
    errors = Errors()
    first, last = params.parse_month(args.get("from")), params.parse_month(args.get("to"))
    last = last if last and last <= this else this
    if args.get("to") and params.parse_month(args["to"]) is None:
        errors.add("to", "To must be a month from the list")
    if args.get("from") and first is None:
        errors.add("from", "From must be a month from the list")
    first = first or add_months(last, 1 - DEFAULT_MONTHS)
    if first > last:
        errors.add("from", "From must be the same month as To or earlier")
        first = add_months(last, 1 - DEFAULT_MONTHS)
    if len(months_between(first, last)) > MAX_MONTHS:
        errors.add("from", f"Choose {MAX_MONTHS} months or fewer")
        first = add_months(last, 1 - MAX_MONTHS)
    return first, last, errors


def spc_last_month(last: date, now: datetime, tz: str) -> date:
    """The SPC chart's latest month: the dashboard's last, or the month before if that is not over yet."""
    this = last_months(now, 1, tz)[0]
    return add_months(this, -1) if last >= this else last


def _modes_table(modes: list[dict], months: list[date]) -> dict:
    names = sorted({r["mode"] for r in modes})
    grid = {(r["month"], r["mode"]): r["responses"] for r in modes}
    return {"caption": "Responses by how they were given, per month",
            "header": ["Month"] + names + ["Total"],
            "rows": [[f"{m:%b %Y}"] + [grid.get((m, n), 0) for n in names] + [sum(grid.get((m, n), 0) for n in names)]
                     for m in months]}


def _as_of(when: datetime, now: datetime, tz: str) -> str:
    """"14:05", or "14:05 on 3 March 2026" if not today, in the trust's time zone."""
    local, today = when.astimezone(ZoneInfo(tz)), now.astimezone(ZoneInfo(tz)).date()
    return f"{local:%H:%M}" + ("" if local.date() == today else f" on {local.day} {local:%B %Y}")


def period_text(periods: rising.Periods, tz: str) -> tuple[str, str]:
    """(later, earlier) periods in words, e.g. ("1 December 2025 to 5 December 2025 08:30", ...) or whole months."""
    def words(start: datetime, end: datetime) -> str:
        first, last = start.astimezone(ZoneInfo(tz)), end.astimezone(ZoneInfo(tz))
        if periods.complete:
            return f"{first:%B %Y}"
        return f"{first.day} {first:%B %Y} to {last.day} {last:%B %Y} {last:%H:%M}"
    return words(*periods.later), words(*periods.earlier)


@bp.post("/refresh")
@security.role_required("viewer")
def refresh():
    """Bring the summaries up to date now, and record who asked."""
    runtime = rt()
    now = runtime.now()
    made = summary.refresh(runtime.factory, now, tz=runtime.settings.timezone, every=timedelta(0),
                           budget=summary.BUDGET)
    with runtime.factory.begin() as db:
        audit.record(db, "dashboard_refresh", "dashboard", f"{len(made)} month(s) made again")
    flash("The dashboard's figures have been brought up to date")
    keep = {k: request.form[k] for k in ("service", "from", "to") if request.form.get(k)}
    return redirect(url_for("dashboard.index", **keep))


@bp.get("/")
@security.role_required("viewer")
def index():
    runtime = rt()
    tz, now = runtime.settings.timezone, runtime.now()
    first, last, errors = parse_range(request.args, now, tz)
    target = runtime.settings.participation_target
    with runtime.factory() as db:
        choices = services(db)
        service = request.args.get("service", "")
        if service and service not in dict(choices):
            errors.add("service", "Select a service from the list")
            service = ""
        months = months_between(first, last)
        anchor = datetime(last.year, last.month, 15, 12, tzinfo=timezone.utc)
        data = dashboard(db, anchor, tz=tz, service=service or None, months=len(months), yearly_target=target,
                         clock=now, max_age=summary.PAGE_MAX_AGE)
        spc_month = spc_last_month(last, now, tz)
        spc_chart = spc.fft_chart(db, runtime.settings, service or None, spc_month, SPC_MONTHS, now=now)
    names = dict(choices)
    modes_total: dict[str, int] = {}
    for r in data["modes"]:
        modes_total[r["mode"]] = modes_total.get(r["mode"], 0) + r["responses"]
    modes_chart = charts.bar_chart("Responses by mode", "Responses in the period by how they were given",
                                   list(modes_total), list(modes_total.values()), chart_id="chart-modes")
    month_choices = [(f"{m:%Y-%m}", f"{m:%B %Y}") for m in reversed(last_months(now, CHOICE_MONTHS, tz))]
    return render_template(
        "admin/dashboard.html", title="Dashboard", section="dashboard", data=data, errors=errors,
        services=choices, names=names, service=service, first=first, last=last, month_choices=month_choices,
        by_service=data["by_service"], modes_chart=modes_chart,
        modes_table=_modes_table(data["modes"], data["months"]), as_of=_as_of(data["as_of"], now, tz),
        stale=summary.is_stale(data["as_of"], now), stale_after=int(summary.STALE_AFTER.total_seconds() // 60),
        rising_test=rising.TEST, period_text=period_text(data["theme_change"]["periods"], tz),
        target=target, svg=svg, spc_chart=spc_chart, spc_month=spc_month,
        joined=sum(r["new"] for r in data["participants"]),
        status_names=participation.SIGNUP_STATUSES, type_label=type_label)
