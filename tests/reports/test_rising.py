"""Rising themes: like-for-like periods and the two-proportion z-test, against hand-worked examples."""
from datetime import date, datetime, timezone

import pytest

from admin.reports import rising


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc)


def test_the_z_test_matches_a_hand_worked_rise():
    # 5/100 then 15/100: pooled p = 20/200 = 0.10, se = sqrt(0.1 * 0.9 * (1/100 + 1/100)) = 0.042426,
    # z = (0.15 - 0.05) / 0.042426 = 2.357, one-sided p = 1 - Phi(2.357) = 0.0092 < 0.05: rising
    z, p = rising.z_test(5, 100, 15, 100)
    assert z == pytest.approx(2.357, abs=1e-3) and p == pytest.approx(0.0092, abs=1e-4)
    assert rising.is_rising(5, 100, 15, 100)


def test_a_rise_within_chance_is_not_rising():
    # 4/40 then 6/40: pooled 0.125, se = sqrt(0.125 * 0.875 * 0.05) = 0.07395, z = 0.05 / 0.07395 = 0.676, p = 0.249
    z, p = rising.z_test(4, 40, 6, 40)
    assert z == pytest.approx(0.676, abs=1e-3) and p == pytest.approx(0.249, abs=1e-3)
    assert not rising.is_rising(4, 40, 6, 40)


def test_too_few_stories_are_never_rising_however_small_p():
    # 0/50 then 4/20: pooled 4/70, se = sqrt(0.05714 * 0.94286 * (1/50 + 1/20)) = 0.06141, z = 3.257, p = 0.00056
    z, p = rising.z_test(0, 50, 4, 20)
    assert z == pytest.approx(3.257, abs=1e-3) and p < 0.001
    assert not rising.is_rising(0, 50, 4, 20)  # only 4 stories with the theme: fewer than 5
    assert rising.is_rising(0, 50, 5, 25)


def test_a_fall_or_no_stories_is_not_rising():
    assert not rising.is_rising(15, 100, 5, 100)
    assert rising.z_test(0, 0, 5, 10) == (None, None) and rising.z_test(0, 10, 0, 10) == (None, None)


def test_a_month_under_way_is_compared_with_the_same_length_of_the_month_before():
    chosen = rising.periods(date(2025, 12, 1), utc("2025-12-05 08:30"))  # GMT: local time is UTC
    assert not chosen.complete
    assert chosen.later == (utc("2025-12-01 00:00"), utc("2025-12-05 08:30"))
    assert chosen.earlier == (utc("2025-11-01 00:00"), utc("2025-11-05 08:30"))


def test_a_complete_month_is_compared_with_the_whole_month_before():
    chosen = rising.periods(date(2025, 12, 1), utc("2026-01-02 09:00"))
    assert chosen.complete
    assert chosen.later == (utc("2025-12-01 00:00"), utc("2026-01-01 00:00"))
    assert chosen.earlier == (utc("2025-11-01 00:00"), utc("2025-12-01 00:00"))


def test_the_earlier_period_stops_at_the_end_of_a_shorter_month():
    chosen = rising.periods(date(2026, 3, 1), utc("2026-03-31 12:00"))  # 30.5 days in; February has 28
    assert chosen.earlier == (utc("2026-02-01 00:00"), utc("2026-03-01 00:00"))


@pytest.fixture
def december(runtime, feedback):
    """Oaklands: 1 of 20 stories on timeliness on 1-4 November, 8 of 20 on 1-4 December; more outside."""
    for day in range(20):
        feedback.response(f"2025-11-0{1 + day % 4} 10:00", story="s", themes=["Timeliness of care"] if day < 1 else [])
        feedback.response(f"2025-12-0{1 + day % 4} 10:00", story="s",
                          themes=["Timeliness of care"] if day < 8 else ["Staff manner & personal attributes"])
    for _ in range(10):  # later in November: outside the like-for-like period
        feedback.response("2025-11-20 10:00", story="s", themes=["Timeliness of care"])
        feedback.response("2025-12-02 10:00", story="s", service="CRISIS", themes=["Contacting services"])
    feedback.session.commit()


def test_compare_uses_shares_like_for_like_and_per_service(runtime, december):
    with runtime.factory() as db:
        result = rising.compare(db, date(2025, 12, 1), utc("2025-12-05 08:30"), service="OAKLANDS")
    assert (result["earlier_total"], result["later_total"]) == (20, 20)
    by_theme = {t["theme"]: t for t in result["themes"]}
    first = by_theme["Timeliness of care"]
    # 1/20 then 8/20: pooled 0.225, se = sqrt(0.225 * 0.775 * 0.1) = 0.13205, z = 0.35 / 0.13205 = 2.650, p = 0.004
    assert (first["theme"], first["earlier"], first["later"], first["earlier_share"], first["later_share"]) == (
        "Timeliness of care", 1, 8, 5.0, 40.0)
    assert first["z"] == pytest.approx(2.650, abs=1e-3) and first["rising"]
    assert by_theme["Staff manner & personal attributes"]["rising"]  # 0/20 then 12/20
    assert [t["theme"] for t in result["themes"]] == ["Staff manner & personal attributes", "Timeliness of care"]
    with runtime.factory() as db:
        crisis = rising.compare(db, date(2025, 12, 1), utc("2025-12-05 08:30"), service="CRISIS")
    assert crisis["earlier_total"] == 0 and not any(t["rising"] for t in crisis["themes"])
