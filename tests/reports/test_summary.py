"""The dashboard's monthly summaries: the same figures as the live count, kept up to date by a scheduled job."""
from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from sqlalchemy import delete, insert, select

from admin.reports import summary
from admin.reports.dashboard import dashboard
from storage.models import Answer, ReportMonth, ReportMonthly, Response, StoryAnalysis, StoryTag, ThemeCorrection
from tests.admin.conftest import as_role, cheap_hashing, seed, staff  # noqa: F401 (fixtures)
from tests.reports.conftest import at

NOW = at("2026-04-20 12:00")
TZ = "Europe/London"
SERVICES = (None, "OAKLANDS", "CRISIS", "unknown", "NOBODY")


@pytest.fixture
def seeded(runtime, feedback):
    """Six months of feedback on three services, no service and a service coded "unknown"; every mode,
    every rating, an answer that is no rating, a survey without FFT, stories with one or two themes."""
    add = feedback.response
    themes = ["Timeliness of care", "Staff manner & personal attributes", "Contacting services"]
    modes = ["SMS/text message", "Online", "Telephone"]
    services = ["OAKLANDS", "CRISIS", None, "unknown"]
    n = 0
    for month in ("2025-11", "2025-12", "2026-01", "2026-02", "2026-03", "2026-04"):
        for day in range(1, 13):
            n += 1
            rating = "123456x"[n % 7]
            add(f"{month}-{day:02d} 10:00", service=services[n % 4], mode=modes[n % 3], fft=rating,
                story=f"Story {n}" if n % 5 else None, sentiment=("positive", "neutral", "negative")[n % 3],
                themes=themes[: 1 + n % 2] if n % 3 else themes[1:])
    add("2026-03-31 23:30", fft=1, story="Late", themes=themes[:1])  # April in London (BST), March in UTC
    add("2026-02-28 23:30", fft=4, story="Late Feb")  # February in London (GMT)
    add("2026-03-05 10:00", survey="experience", fft=2, story="Experience survey", mode="Online")
    add("2026-03-06 10:00", survey="about-care", story="No FFT here", themes=themes[2:], question="good")
    feedback.session.commit()


def comparable(data: dict) -> dict:
    """A dashboard's data without what says where it came from (theme_change is always counted live, up to the clock)."""
    return {k: v for k, v in data.items() if k not in ("as_of", "live_months", "charts", "theme_change")} | {
        "charts": {name: (c.svg, c.table) for name, c in data["charts"].items()}}


def figures(runtime, clock, service=None, use_summary=True):
    with runtime.factory() as db:
        return dashboard(db, NOW, tz=TZ, months=6, service=service, clock=clock, use_summary=use_summary)


def rows(runtime) -> list[tuple]:
    with runtime.factory() as db:
        return [tuple(r) for r in db.execute(select(ReportMonthly.month, ReportMonthly.service_code,
                                                    ReportMonthly.metric, ReportMonthly.key, ReportMonthly.count)
                                             .order_by(ReportMonthly.month, ReportMonthly.service_code,
                                                       ReportMonthly.metric, ReportMonthly.key))]


@pytest.mark.parametrize("service", SERVICES)
def test_the_dashboard_from_the_summaries_equals_the_live_count(runtime, seeded, service):
    summary.refresh(runtime.factory, NOW, tz=TZ)
    fast = figures(runtime, NOW + timedelta(minutes=1), service)
    live = figures(runtime, NOW, service, use_summary=False)
    assert fast["live_months"] == [] and fast["as_of"] == NOW
    assert live["live_months"] == live["months"]
    assert comparable(fast) == comparable(live)
    if service is None:
        assert sum(r["total"] for r in fast["fft"]) == 72 - 10 + 3  # ten answers were no rating
        assert {r["service"] for r in fast["by_service"]} == {"OAKLANDS", "CRISIS", "unknown"}


def test_summaries_too_old_are_not_used_and_a_month_without_one_is_counted_live(runtime, seeded):
    summary.refresh(runtime.factory, NOW, tz=TZ)
    stale = figures(runtime, NOW + summary.MAX_AGE + timedelta(seconds=1))
    assert stale["live_months"] == stale["months"] and stale["as_of"] == NOW + summary.MAX_AGE + timedelta(seconds=1)
    with runtime.factory.begin() as db:
        db.execute(delete(ReportMonth).where(ReportMonth.month == date(2026, 1, 1)))
    mixed = figures(runtime, NOW + timedelta(minutes=1))
    assert mixed["live_months"] == [date(2026, 1, 1)]
    assert comparable(mixed) == comparable(figures(runtime, NOW, use_summary=False))


def test_summaries_made_in_another_time_zone_are_not_used(runtime, seeded):
    summary.refresh(runtime.factory, NOW, tz="UTC")
    assert figures(runtime, NOW)["live_months"] == figures(runtime, NOW)["months"]
    summary.refresh(runtime.factory, NOW + timedelta(minutes=1), tz=TZ)  # all made again, in London's months
    fast = figures(runtime, NOW + timedelta(minutes=1))
    assert fast["live_months"] == [] and comparable(fast) == comparable(figures(runtime, NOW, use_summary=False))


def test_the_refresh_is_idempotent_and_makes_again_only_what_changed(runtime, seeded):
    made = summary.refresh(runtime.factory, NOW, tz=TZ)
    assert made[:2] == [date(2026, 4, 1), date(2026, 3, 1)] and sorted(made)[0] == date(2025, 11, 1)
    first = rows(runtime)
    assert first and summary.refresh(runtime.factory, NOW + timedelta(minutes=1), tz=TZ) == []  # looked lately
    assert summary.refresh(runtime.factory, NOW + timedelta(minutes=6), tz=TZ) == [date(2026, 4, 1),
                                                                                  date(2026, 3, 1)]
    assert summary.refresh(runtime.factory, NOW + timedelta(minutes=7), tz=TZ, full=True) == made
    assert rows(runtime) == first
    with runtime.factory() as db:
        states = db.scalars(select(ReportMonth)).all()
    assert {s.month for s in states} == set(made) and not any(s.dirty for s in states)
    assert {s.refreshed_at for s in states} == {NOW + timedelta(minutes=7)}


def _correct(runtime, answer_id: int, themes: list[str], when):
    """As a reviewer's correction on the story page does it."""
    with runtime.factory.begin() as db:
        db.execute(delete(StoryTag).where(StoryTag.answer_id == answer_id))
        db.execute(insert(StoryTag), [{"answer_id": answer_id, "theme": t, "confidence": 1.0, "source": "reviewer"}
                                      for t in themes])
        db.add(ThemeCorrection(answer_id=answer_id, themes=themes, corrected_by="rev", corrected_at=when))


def _story_in(runtime, month: str) -> int:
    start = at(f"{month}-01 00:00")
    with runtime.factory() as db:
        return db.scalar(select(StoryAnalysis.answer_id).join(Answer, Answer.id == StoryAnalysis.answer_id)
                         .join(Response, Response.id == Answer.response_id)
                         .where(Response.created_at > start, Response.created_at < start + timedelta(days=20))
                         .order_by(StoryAnalysis.answer_id))


def test_a_correction_marks_its_month_for_the_next_refresh(runtime, seeded):
    summary.refresh(runtime.factory, NOW, tz=TZ)
    _correct(runtime, _story_in(runtime, "2025-12"), ["Parking"], NOW + timedelta(minutes=2))
    before = figures(runtime, NOW + timedelta(minutes=3))
    assert "Parking" not in {r["theme"] for r in before["top_themes"]}  # right as of the last refresh
    made = summary.refresh(runtime.factory, NOW + timedelta(minutes=5), tz=TZ)
    assert made == [date(2026, 4, 1), date(2026, 3, 1), date(2025, 12, 1)]
    after = figures(runtime, NOW + timedelta(minutes=6))
    assert after["as_of"] == NOW + timedelta(minutes=5) and after["live_months"] == []
    assert "Parking" in {r["theme"] for r in after["top_themes"]}
    assert comparable(after) == comparable(figures(runtime, NOW, use_summary=False))


def test_a_month_is_made_again_when_its_stories_are_analysed_again_or_old_feedback_is_loaded(runtime, seeded,
                                                                                              feedback):
    summary.refresh(runtime.factory, NOW, tz=TZ)
    story = _story_in(runtime, "2026-01")
    with runtime.factory.begin() as db:  # as a new model's retagging does
        db.get(StoryAnalysis, story).sentiment, db.get(StoryAnalysis, story).analysed_at = "negative", NOW
        db.execute(delete(StoryTag).where(StoryTag.answer_id == story))
    feedback.response("2025-11-20 10:00", fft=5, story="Loaded late", themes=["Parking"])  # a bulk load
    feedback.session.commit()
    made = summary.refresh(runtime.factory, NOW + timedelta(minutes=5), tz=TZ)
    assert sorted(made) == [date(2025, 11, 1), date(2026, 1, 1), date(2026, 3, 1), date(2026, 4, 1)]
    assert comparable(figures(runtime, NOW + timedelta(minutes=6))) == comparable(
        figures(runtime, NOW, use_summary=False))


def test_a_refresh_with_a_budget_leaves_the_rest_for_the_next_run(runtime, seeded):
    made = summary.refresh(runtime.factory, NOW, tz=TZ, budget=0)
    assert made == [date(2026, 4, 1)]
    partial = figures(runtime, NOW)
    assert partial["live_months"] == partial["months"][:-1]
    rest = summary.refresh(runtime.factory, NOW + timedelta(seconds=5), tz=TZ)
    assert len(rest) == 5 and date(2026, 4, 1) not in rest
    assert comparable(figures(runtime, NOW + timedelta(seconds=5))) == comparable(
        figures(runtime, NOW, use_summary=False))


def test_an_empty_database_has_the_last_two_months_made_with_no_figures(runtime):
    assert summary.refresh(runtime.factory, NOW, tz=TZ) == [date(2026, 4, 1), date(2026, 3, 1)]
    data = figures(runtime, NOW)
    assert data["live_months"] == data["months"][:-2] and rows(runtime) == []
    assert [r["total"] for r in data["fft"]] == [0] * 6


def test_yoursay_reports_refresh(runtime, seeded, monkeypatch):
    from yoursay.cli import main

    monkeypatch.setenv("DATABASE_URL", runtime.settings.database_url)
    monkeypatch.setenv("YOURSAY_MODE", "dev")
    result = CliRunner().invoke(main, ["reports", "refresh"])
    assert result.exit_code == 0, result.output
    assert "Made " in result.output and rows(runtime)
    again = CliRunner().invoke(main, ["reports", "refresh", "--all"])
    assert again.exit_code == 0 and rows(runtime)


def test_the_page_says_when_its_figures_are_from(runtime, as_role):
    page = as_role("viewer").get("/admin/dashboard/").get_data(as_text=True)
    assert 'id="figures-as-of">Figures as of ' in page  # all counted live: as of now
    made_at = runtime.now() - timedelta(minutes=3)
    summary.refresh(runtime.factory, made_at, tz=runtime.settings.timezone)
    page = as_role("viewer").get("/admin/dashboard/").get_data(as_text=True)
    assert f"Figures as of {made_at.astimezone(ZoneInfo(runtime.settings.timezone)):%H:%M}" in page
