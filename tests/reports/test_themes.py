from datetime import date

import pytest

from admin.reports import qdc, themes

MONTHS = [date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)]


@pytest.fixture
def stories(runtime, feedback):
    feedback.response("2026-01-05 10:00", story="Sam was kind", sentiment="positive",
                      themes=["Staff manner & personal attributes", "Positive experience & gratitude"])
    feedback.response("2026-02-05 10:00", story="Waited weeks", sentiment="negative",
                      themes=["Timeliness of care"])
    feedback.response("2026-03-05 10:00", story="Waited again", sentiment="negative",
                      themes=["Timeliness of care", "Staff manner & personal attributes"])
    feedback.response("2026-03-06 10:00", story="Too slow", sentiment="negative", service="CRISIS",
                      themes=["Timeliness of care"])
    feedback.response("2026-03-07 10:00", story="ok", sentiment="neutral", themes=["Labelling not possible"])
    feedback.session.commit()


def test_theme_counts_per_month_and_top_themes(runtime, stories):
    with runtime.factory() as db:
        counts = themes.theme_counts(db, MONTHS)
    top = themes.top_themes(counts, limit=2)
    assert top == [{"theme": "Timeliness of care", "major_category": "Access to medical care & support",
                    "stories": 3},
                   {"theme": "Staff manner & personal attributes", "major_category": "Staff", "stories": 2}]
    trend = themes.theme_trend(counts, MONTHS, [t["theme"] for t in top])
    assert trend["series"][0] == {"theme": "Timeliness of care", "counts": [0, 1, 2]}
    assert themes.change(trend)[0] == {"theme": "Timeliness of care", "latest": 2, "previous": 1, "change": 1}


def test_theme_counts_by_service(runtime, stories):
    with runtime.factory() as db:
        counts = themes.theme_counts(db, MONTHS[2:], by_service=True)
        crisis = themes.theme_counts(db, MONTHS, service="CRISIS")
    assert {(r["service"], r["theme"], r["stories"]) for r in counts if r["theme"] == "Timeliness of care"} == {
        ("OAKLANDS", "Timeliness of care", 1), ("CRISIS", "Timeliness of care", 1)}
    assert [(r["theme"], r["stories"]) for r in crisis] == [("Timeliness of care", 1)]


def test_major_categories(runtime, stories):
    with runtime.factory() as db:
        majors = {r["major_category"]: r["mentions"] for r in themes.major_category_counts(
            themes.theme_counts(db, MONTHS))}
    assert majors["Access to medical care & support"] == 3 and majors["Staff"] == 2 and majors["General"] == 2


def test_sentiment_split_lists_every_month(runtime, stories):
    with runtime.factory() as db:
        rows = themes.sentiment_split(db, MONTHS)
    assert [(r["positive"], r["neutral"], r["negative"], r["total"]) for r in rows] == [
        (1, 0, 0, 1), (0, 0, 1, 1), (0, 1, 2, 3)]


def test_every_qdc_theme_has_one_major_category():
    from nlp import labels

    mapped = [t for ts in qdc.MAJOR_CATEGORIES.values() for t in ts]
    assert len(mapped) == len(set(mapped))
    assert set(mapped) == set(labels.THEMES)
    assert qdc.themes_in("Medication") == ("Supplying & understanding medication", "Pain management")
