"""The FFT % positive chart of a service or the trust: monthly figures read, XmR sums (admin.reports.xmr), drawn.

How the limits and signals are worked out, and the choices made where the guidance is silent, are in
admin/reports/xmr.py. Baselines come from the file at YOURSAY_SPC_BASELINES (admin.reports.spc_baselines).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timezone

from sqlalchemy import select

from admin.reports import fft, spc_svg, summary
from admin.reports.periods import add_months, month_bounds, months_between
from admin.reports.suppression import SUPPRESSED, THRESHOLD
from admin.reports.spc_baselines import Baseline, SpcBaselineError, load_baselines, parse_month, segments
from admin.reports.xmr import MIN_POINTS, VARIATIONS, Analysis, variation_words, xmr
from storage.models import Service

log = logging.getLogger(__name__)

MAX_MONTHS = 120  # the furthest back a chart reads, baselines included


# --------------------------------------------------------------------------------- the FFT chart

@dataclass
class SpcChart:
    """What admin/templates/admin/_spc.html's spc_chart(chart) draws."""

    id: str
    title: str
    desc: str
    months: list[date]
    analysis: Analysis
    svg: object  # markupsafe.Markup: everything in it escaped
    icon: object  # markupsafe.Markup: the variation icon, hidden from screen readers (its words are beside it)
    variation: str  # common, improvement, concern or none
    variation_words: str
    tag: str  # the nhsuk-tag colour for the variation
    table: dict  # {caption, header, rows}
    notes: list[str]
    error: str | None = None  # the baselines file could not be read: default limits are used
    as_of: datetime | None = None


def fft_chart(db, settings, service_code: str | None, month: str | date, months: int = 24, *,
              now: datetime | None = None, name: str | None = None) -> SpcChart:
    """The XmR chart of FFT % positive for a service (or the trust if None), `months` months to `month` (YYYY-MM).

    Draw it with {% from "admin/_spc.html" import spc_chart %}{{ spc_chart(chart) }}. name: the service's
    name for the title (looked up if not given). now: the time it is, for the summaries' freshness.
    """
    last = parse_month(month, "month")
    shown = months_between(add_months(last, 1 - months), last)
    error, baseline = None, None
    if settings.spc_baselines:
        try:
            baseline = load_baselines(settings.spc_baselines).get(service_code)
        except SpcBaselineError as exc:
            log.warning("%s", exc)
            error = str(exc)
    later = None
    if baseline is not None and baseline.first and baseline.first > last:  # not begun by this month
        later, baseline = baseline.first, None
    first = shown[0]
    if baseline is not None:  # read back to the baseline of the limits in force at the first month shown
        starts = [(baseline.first or first, baseline.first)] + [(s, s) for s, _ in baseline.recalculate]
        active = [b for s, b in starts if s <= first and b is not None]
        if active:
            first = max(min(first, active[-1]), add_months(last, 1 - MAX_MONTHS))
    span = months_between(first, last)
    clock = now or datetime.now(timezone.utc)
    rows, as_of = monthly_fft(db, span, tz=settings.timezone, service=service_code, clock=clock)
    # A month with fewer than THRESHOLD answers is a gap too, as the admin's small-number rule says
    # elsewhere: a percentage from so few is noise, and could point to someone.
    values = [None if r["total"] < THRESHOLD else 100.0 * (r["very_good"] + r["good"]) / r["total"] for r in rows]
    labels = [f"{m:%b %Y}" for m in span]
    analysis = xmr(labels, values, segments(span, baseline), floor=0.0, ceiling=100.0)
    for point, row in zip(analysis.points, rows):
        point.answers = SUPPRESSED if 0 < row["total"] < THRESHOLD else row["total"]
    skip = len(span) - len(shown)
    if any(v is not None for v in values[skip:]):  # months before a service's first answers are left out
        while values[skip] is None:
            skip += 1
    shown = span[skip:]
    analysis = Analysis(analysis.points[skip:], [lim for lim in analysis.limits if lim.end > skip],
                        analysis.higher_is_better)
    who = name or (_service_name(db, service_code) if service_code else "the trust")
    chart_id = "spc-" + ("".join(c if c.isalnum() else "-" for c in service_code.lower()) if service_code else "trust")
    title = f"FFT % positive for {who}: statistical process control chart"
    variation = analysis.variation
    words = variation_words(variation, analysis.higher_is_better)
    latest = analysis.latest
    desc = (f"XmR chart of the Friends and Family Test % positive, {shown[0]:%B %Y} to {last:%B %Y}, "
            f"with the mean and the upper and lower process limits. "
            + (f"Latest month with answers, {latest.label}: {latest.value:.1f}% positive. " if latest else
               "No answers in these months. ") + words + ".")
    notes = _notes(analysis, baseline, span, skip)
    if any(0 < r["total"] < THRESHOLD for r in rows[skip:]):
        notes.append(f"Months with fewer than {THRESHOLD} answers are left out (gaps), as elsewhere in the "
                     "admin: a percentage from so few is not reliable, and could point to someone.")
    if later:
        notes.append(f"The baseline set for this chart begins in {later:%B %Y}, after these months: "
                     "the limits are worked out from every month shown.")
    if shown[0] > add_months(last, 1 - months):
        notes.insert(0, f"There are no answers from before {shown[0]:%B %Y}: the chart starts there.")
    chart = SpcChart(chart_id, title, desc, shown, analysis, None, None, variation, words,
                     VARIATIONS[variation][1], spc_svg.table(analysis), notes, error, as_of)
    chart.svg = spc_svg.draw(chart)
    chart.icon = spc_svg.icon(variation, analysis.higher_is_better)
    return chart


def _service_name(db, code: str) -> str:
    return db.scalar(select(Service.name).where(Service.code == code)) or code


def _notes(analysis: Analysis, baseline: Baseline | None, span: list[date], skip: int) -> list[str]:
    """Plain words on how the limits were worked out."""
    notes = []
    for lim in analysis.limits:
        a, b = span[lim.baseline[0]], span[lim.baseline[1]]
        since = f"From {span[lim.start]:%B %Y}, the" if lim.start > skip else "The"
        notes.append(f"{since} limits are worked out from {lim.points} month{'s' if lim.points != 1 else ''} "
                     f"with answers, {a:%B %Y} to {b:%B %Y}"
                     + (" (the baseline set for this chart)." if baseline else "."))
        if lim.provisional:
            notes.append(f"These limits are provisional: they rest on fewer than {MIN_POINTS} months.")
    if not analysis.limits:
        notes.append("There are too few months with answers to work out process limits (at least 2 are needed).")
    if any(p.value is None for p in analysis.points):
        notes.append("Months with no answers are gaps: they are left out of the mean, limits and rules.")
    return notes


def monthly_fft(db, months: list[date], *, tz: str, service: str | None, clock: datetime,
                max_age=summary.PAGE_MAX_AGE) -> tuple[list[dict], datetime]:
    """fft.fold_by_month's rows (one a month) for a service or all: from the summaries where fresh, else live.

    Returns (rows, as_of): the figures are right as of the oldest summary used, or the clock.
    """
    figures = summary.read(db, months, tz=tz, now=clock, service=service, max_age=max_age)
    for month in months:
        if month not in figures.fft_lines:
            figures.fft_lines[month] = fft.fft_return(db, *month_bounds(month, tz))
    rows = fft.fold_by_month(figures.fft_lines, months, service=service, by_service=False)
    return rows, min(figures.as_of.values()) if figures.as_of else clock
