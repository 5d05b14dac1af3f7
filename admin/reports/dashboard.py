"""Everything the dashboard page shows, in one call: figures, charts and their tables."""
from __future__ import annotations

from datetime import datetime

from admin.reports import charts, fft, participation, themes
from admin.reports.periods import last_months


def dashboard(db, now: datetime, *, tz: str = "Europe/London", service: str | None = None, months: int = 12,
              yearly_target: int = participation.DEFAULT_YEARLY_TARGET, top: int = 5) -> dict:
    """The last `months` months (this one included), for one service or all.

    {months, fft, modes, top_themes, theme_trend, theme_change, major_categories, sentiment,
     participants, signups, subscribers, charts: {fft, themes, sentiment, participants}}
    """
    span = last_months(now, months, tz)
    labels = [f"{m:%b %Y}" for m in span]
    fft_rows = fft.fft_by_month(db, span, tz=tz, service=service, by_service=False)
    modes = fft.responses_by_mode(db, span, tz=tz, service=service)
    counts = themes.theme_counts(db, span, tz=tz, service=service)
    ranked = themes.top_themes(counts, top)
    trend = themes.theme_trend(counts, span, [t["theme"] for t in ranked])
    sentiment = themes.sentiment_split(db, span, tz=tz, service=service)
    joined = participation.new_participants(db, span, tz=tz, yearly_target=yearly_target)
    where = f" for {service}" if service else ""
    return {
        "months": span, "fft": fft_rows, "modes": modes, "top_themes": ranked, "theme_trend": trend,
        "theme_change": themes.change(trend), "major_categories": themes.major_category_counts(counts),
        "sentiment": sentiment, "participants": joined, "signups": participation.signups_by_type(db, span, tz=tz),
        "subscribers": participation.subscribers(db),
        "charts": {
            "fft": charts.line_chart(
                "FFT: % positive and % negative", f"Friends and Family Test results by month{where}, "
                "% of all answers including don't know", labels,
                [("Positive", [r["percent_positive"] for r in fft_rows]),
                 ("Negative", [r["percent_negative"] for r in fft_rows])], unit="%", max_value=100),
            "themes": charts.line_chart(
                "Top themes by month", f"Stories per month for the {len(ranked)} most raised themes{where}", labels,
                [(s["theme"], s["counts"]) for s in trend["series"]]),
            "sentiment": charts.stacked_bar_chart(
                "Sentiment of stories", f"Share of stories by sentiment, per month{where}", labels,
                [(s.capitalize(), [r[s] for r in sentiment]) for s in themes.SENTIMENTS]),
            "participants": charts.line_chart(
                "New participants against the target", f"Cumulative new participants and the target of "
                f"{yearly_target} a year", labels,
                [("Joined", [r["cumulative"] for r in joined]), ("Target", [r["cumulative_target"] for r in joined])]),
        },
    }
