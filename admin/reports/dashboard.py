"""Everything the dashboard page shows, in one call: figures, charts and their tables.

The monthly figures (FFT, responses by mode, themes, sentiment) come from the summaries the
scheduler keeps (admin.reports.summary) for every month whose summary is fresh (right as of
at most summary.MAX_AGE ago), this month included; any other month is counted live, as it
always was. Participation figures are small and always live.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta

from admin.reports import charts, fft, participation, rising, summary, themes
from admin.reports.periods import last_months, month_bounds


def dashboard(db, now: datetime, *, tz: str = "Europe/London", service: str | None = None, months: int = 12,
              yearly_target: int = participation.DEFAULT_YEARLY_TARGET, top: int = 5,
              clock: datetime | None = None, use_summary: bool = True,
              max_age: timedelta = summary.MAX_AGE) -> dict:
    """The last `months` months (the one `now` falls in included), for one service or all.

    {months, fft, by_service, modes, top_themes, theme_trend, theme_shares, theme_change, major_categories,
     sentiment, participants, signups, subscribers, as_of, live_months,
     charts: {fft, themes, sentiment, participants}}

    theme_shares is each top theme's % of the month's analysed stories (None for a month with no
    stories: a gap, not 0); theme_change compares the last month like with like (admin.reports.rising).

    clock is the time it is (now by default; the page passes a `now` in the last month it shows):
    summaries right as of more than max_age before it are not used. as_of is when the figures were
    right: the oldest summary used, or the clock if every month was counted live (live_months).
    """
    span = last_months(now, months, tz)
    labels = [f"{m:%b %Y}" for m in span]
    clock = clock or now
    monthly = _monthly(db, span, tz=tz, service=service, clock=clock, use_summary=use_summary, max_age=max_age)
    fft_rows = fft.fold_by_month(monthly.fft_lines, span, service=service, by_service=False)
    by_service = fft.totals_by_service(fft.fold_by_month(monthly.fft_lines, span, service=service))
    modes = monthly.modes
    counts = monthly.theme_counts
    ranked = themes.top_themes(counts, top)
    trend = themes.theme_trend(counts, span, [t["theme"] for t in ranked])
    sentiment = [{"month": m, **{s: monthly.sentiment[m].get(s, 0) for s in themes.SENTIMENTS}} for m in span]
    for row in sentiment:
        row["total"] = sum(row[s] for s in themes.SENTIMENTS)
    shares = _shares(trend, sentiment)
    live = [m for m in span if m not in monthly.as_of]
    joined = participation.new_participants(db, span, tz=tz, yearly_target=yearly_target)
    where = f" for {service}" if service else ""
    return {
        "months": span, "fft": fft_rows, "by_service": by_service, "modes": modes, "top_themes": ranked,
        "theme_trend": trend, "theme_shares": shares,
        "theme_change": rising.compare(db, span[-1], clock, tz=tz, service=service), "major_categories": themes.major_category_counts(counts),
        "sentiment": sentiment, "participants": joined, "signups": participation.signups_by_type(db, span, tz=tz),
        "subscribers": participation.subscribers(db),
        "as_of": min(monthly.as_of.values()) if monthly.as_of else clock, "live_months": live,
        "charts": {
            "fft": charts.line_chart(
                "FFT: % positive and % negative", f"Friends and Family Test results by month{where}, "
                "% of all answers including don't know", labels,
                [("Positive", [r["percent_positive"] for r in fft_rows]),
                 ("Negative", [r["percent_negative"] for r in fft_rows])], unit="%", max_value=100),
            "themes": _themes_chart(trend, shares, labels, where),
            "sentiment": charts.stacked_bar_chart(
                "Sentiment of stories", f"Share of stories by sentiment, per month{where}", labels,
                [(s.capitalize(), [r[s] for r in sentiment]) for s in themes.SENTIMENTS]),
            "participants": charts.line_chart(
                "New participants against the target", f"Cumulative new participants and the target of "
                f"{yearly_target} a year", labels,
                [("Joined", [r["cumulative"] for r in joined]), ("Target", [r["cumulative_target"] for r in joined])]),
        },
    }


def _shares(trend: dict, sentiment: list[dict]) -> list[dict]:
    """[{theme, shares: [% of the month's stories, or None if the month has none]}] per theme of the trend."""
    totals = [row["total"] for row in sentiment]
    return [{"theme": s["theme"], "shares": [round(100 * n / t, 1) if t else None for n, t in zip(s["counts"], totals)]}
            for s in trend["series"]]


def _themes_chart(trend: dict, shares: list[dict], labels: list[str], where: str) -> charts.Chart:
    """Each top theme's share of stories per month; its table gives the share with the count beside it."""
    chart = charts.line_chart(
        "Top themes by month", f"% of stories per month with each of the {len(shares)} most raised themes{where}; "
        "months with no stories are left as gaps", labels, [(s["theme"], s["shares"]) for s in shares], unit="%")
    chart.table["rows"] = [[s["theme"]] + ["no stories" if v is None else f"{v:g}% ({n})"
                                           for v, n in zip(s["shares"], c["counts"])]
                           for s, c in zip(shares, trend["series"])]
    return chart


def _monthly(db, span: list[date], *, tz: str, service: str | None, clock: datetime, use_summary: bool,
             max_age: timedelta) -> summary.Figures:
    """The monthly figures: fresh months from the summaries, the rest counted live, in the same shapes."""
    figures = (summary.read(db, span, tz=tz, now=clock, service=service, max_age=max_age) if use_summary
               else summary.Figures())
    live = [m for m in span if m not in figures.as_of]
    for run in _runs(span, set(live)):  # the live queries bucket by month over one unbroken range
        for month in run:
            figures.fft_lines[month] = fft.fft_return(db, *month_bounds(month, tz))
        figures.modes += fft.responses_by_mode(db, run, tz=tz, service=service)
        figures.theme_counts += themes.theme_counts(db, run, tz=tz, service=service)
        for row in themes.sentiment_split(db, run, tz=tz, service=service):
            figures.sentiment[row["month"]] = {s: row[s] for s in themes.SENTIMENTS}
    figures.modes.sort(key=lambda r: (r["month"], r["mode"]))
    figures.theme_counts.sort(key=lambda r: (r["month"], r["service"] or "", -r["stories"], r["theme"]))
    return figures


def _runs(span: list[date], chosen: set[date]) -> list[list[date]]:
    """The chosen months of span in runs of consecutive months."""
    runs: list[list[date]] = []
    for index, month in enumerate(span):
        if month in chosen:
            if index and span[index - 1] in chosen:
                runs[-1].append(month)
            else:
                runs.append([month])
    return runs
