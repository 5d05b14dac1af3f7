"""Making Data Count XmR charts: limits and signals checked against examples worked out by hand."""
from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import delete

from admin.reports import spc, spc_baselines, summary
from admin.reports.xmr import xmr
from admin.reports.spc_baselines import Baseline, Segment, SpcBaselineError, load_baselines, segments
from storage.models import Answer
from tests.reports.conftest import at

# The base series used throughout, worked by hand:
#   values          10  12  11  13  12  14  11  13        sum 96, 8 points: mean 12
#   moving ranges       2   1   2   1   2   3   2        sum 13, 7 ranges: MR-bar 13/7 = 1.857...
#   2.66 x MR-bar = 2.66 x 13 / 7 = 34.58 / 7 = 4.94
#   process limits  12 + 4.94 = 16.94 and 12 - 4.94 = 7.06
#   two sigma       2/3 of 4.94 = 3.2933...: close to a limit above 15.2933 or below 8.7067
#   sides of 12     -   =   -   +   =   +   -   +     (no run);  steps + - + - + - +  (no trend)
BASE = [10, 12, 11, 13, 12, 14, 11, 13]
FIXED = [Segment(0, 0, 7)]  # limits from the base's 8 points only, so that points added after are judged by them


def chart(values, fixed=True, **kwargs):
    return xmr([f"m{i}" for i in range(len(values))], values, FIXED if fixed else None, **kwargs)


def signalled(analysis) -> dict[int, dict[str, str]]:
    return {i: p.signals for i, p in enumerate(analysis.points) if p.signals}


def test_the_mean_moving_ranges_and_limits_are_as_worked_by_hand():
    analysis = chart(BASE, fixed=False)
    (limits,) = analysis.limits
    assert limits.mean == 12
    assert limits.mr_bar == pytest.approx(13 / 7)
    assert [p.moving_range for p in analysis.points] == [None, 2, 1, 2, 1, 2, 3, 2]
    assert limits.upper == pytest.approx(16.94) and limits.lower == pytest.approx(7.06)
    assert limits.near_upper == pytest.approx(15.29333, abs=1e-4)
    assert limits.near_lower == pytest.approx(8.70667, abs=1e-4)
    assert signalled(analysis) == {}
    assert analysis.variation == "common"
    assert spc.variation_words("common") == "Common cause variation: no significant change"


def test_a_point_above_the_upper_limit_is_special_cause_improvement_when_higher_is_better():
    analysis = chart(BASE + [17.5])  # 17.5 > 16.94
    assert signalled(analysis) == {8: {"outside": "high"}}
    assert analysis.variation == "improvement"
    assert spc.variation_words("improvement") == "Special cause variation: improvement, higher than expected"


def test_a_point_below_the_lower_limit_is_special_cause_concern():
    analysis = chart(BASE + [7.0])  # 7.0 < 7.06
    assert signalled(analysis) == {8: {"outside": "low"}}
    assert analysis.variation == "concern"
    assert spc.variation_words("concern") == "Special cause variation: concern, lower than expected"


def test_when_lower_is_better_a_low_point_is_the_improvement():
    assert chart(BASE + [7.0], higher_is_better=False).variation == "improvement"


def test_a_point_just_inside_the_limit_is_no_signal_alone():
    # 16.9 is inside 16.94; it is close to the limit (above 15.29), but only 1 of its 3 is
    analysis = chart(BASE + [16.9])
    assert signalled(analysis) == {}
    assert analysis.variation == "common"


def test_a_run_of_7_above_the_mean_is_a_shift_and_every_point_of_it_is_marked():
    # 11 ends the base's points above the mean; then 7 above 12, see-sawing (no trend), none near a limit
    run = [13, 12.5, 13.5, 12.5, 13, 12.5, 13]
    analysis = chart(BASE + [11] + run)
    assert signalled(analysis) == {i: {"shift": "high"} for i in range(9, 16)}
    assert analysis.variation == "improvement"


def test_a_run_of_6_is_not_a_shift():
    assert signalled(chart(BASE + [11, 13, 12.5, 13.5, 12.5, 13, 12.5])) == {}


def test_a_point_on_the_mean_ends_a_run():
    # 3 above, one on the mean (12), 4 above: never 7 in a row
    assert signalled(chart(BASE + [11, 13, 12.5, 13.5, 12, 12.5, 13, 12.5, 13])) == {}


def test_a_run_of_7_below_the_mean_is_a_concern():
    run = [11, 11.5, 10.5, 11.5, 11, 11.5, 11]
    analysis = chart(BASE + [13] + run)
    assert signalled(analysis) == {i: {"shift": "low"} for i in range(9, 16)}
    assert analysis.variation == "concern"


def test_7_points_each_higher_than_the_last_are_a_trend():
    # 13 (the base's last) down to 9, then up 6 times: 9 10 11 11.5 | 12.5 13 14 crosses the mean (4 below, 3 above),
    # so no run; all within 8.71..15.29, so nothing near a limit
    trend = [9, 10, 11, 11.5, 12.5, 13, 14]
    analysis = chart(BASE + trend)
    assert signalled(analysis) == {i: {"trend": "high"} for i in range(8, 15)}
    assert analysis.variation == "improvement"


def test_6_points_each_higher_are_not_a_trend():
    assert signalled(chart(BASE + [10, 11, 11.5, 12.5, 13, 14])) == {}


def test_an_unchanged_value_ends_a_trend():
    assert signalled(chart(BASE + [9, 10, 11, 11, 12.5, 13, 14])) == {}


def test_7_points_each_lower_than_the_last_are_a_falling_trend_and_a_concern():
    # 13 up to 15 (still below 15.29), then down 6 times to 10
    analysis = chart(BASE + [15, 14, 13, 12.5, 11.5, 11, 10])
    assert signalled(analysis) == {i: {"trend": "low"} for i in range(8, 15)}
    assert analysis.variation == "concern"


def test_2_of_3_close_to_the_upper_limit_are_marked_and_the_third_is_not():
    # 15.5 and 15.6 are beyond two sigma (15.29) but inside the limit (16.94); 13 between them is not
    analysis = chart(BASE + [15.5, 13, 15.6])
    assert signalled(analysis) == {8: {"two_of_three": "high"}, 10: {"two_of_three": "high"}}
    assert analysis.variation == "improvement"


def test_2_of_3_close_to_the_lower_limit_are_a_concern():
    analysis = chart(BASE + [8.5, 8.6])  # both below 8.71, above 7.06
    assert signalled(analysis) == {8: {"two_of_three": "low"}, 9: {"two_of_three": "low"}}
    assert analysis.variation == "concern"


def test_1_of_3_close_to_a_limit_is_no_signal():
    # 15.5 and 15.6 are 4 points apart: no 3 in a row hold both
    assert signalled(chart(BASE + [15.5, 13, 12.5, 15.6])) == {}


def test_a_point_outside_the_limit_does_not_count_as_close_to_it():
    # 17.5 is outside (rule 1 alone); 15.5 is the only point of the three close to the limit
    assert signalled(chart(BASE + [17.5, 15.5])) == {8: {"outside": "high"}}


def test_2_close_to_opposite_limits_are_no_signal():
    assert signalled(chart(BASE + [15.5, 8.5])) == {}


def test_months_with_no_answers_are_gaps_left_out_of_the_sums():
    # values 10 _ 12 11 _ 13: mean (10 + 12 + 11 + 13) / 4 = 11.5
    # moving ranges go across the gaps: |12 - 10| = 2, |11 - 12| = 1, |13 - 11| = 2: MR-bar 5/3
    # limits 11.5 +/- 2.66 x 5/3 = 11.5 +/- 4.4333: 15.9333 and 7.0667
    analysis = xmr(list("abcdef"), [10, None, 12, 11, None, 13])
    (limits,) = analysis.limits
    assert limits.mean == 11.5 and limits.points == 4
    assert limits.mr_bar == pytest.approx(5 / 3)
    assert limits.upper == pytest.approx(15.9333, abs=1e-4) and limits.lower == pytest.approx(7.0667, abs=1e-4)
    assert [p.moving_range for p in analysis.points] == [None, None, 2, 1, None, 2]
    assert analysis.points[1].variation == "none" and analysis.points[1].signals == {}


def test_a_gap_neither_breaks_nor_adds_to_a_run():
    run = [13, 12.5, 13.5, None, 12.5, 13, 12.5, 13]  # 7 points above the mean, a month with no answers among them
    analysis = chart(BASE + [11] + run)
    assert set(signalled(analysis)) == {9, 10, 11, 13, 14, 15, 16}


def test_the_latest_variation_is_that_of_the_latest_month_with_answers():
    analysis = chart(BASE + [17.5, None])
    assert analysis.latest.label == "m8" and analysis.variation == "improvement"


def test_limits_from_fewer_than_12_points_are_provisional_and_from_fewer_than_2_there_are_none():
    assert chart(BASE, fixed=False).limits[0].provisional
    assert not xmr([str(i) for i in range(12)], BASE + [12, 12, 12, 12]).limits[0].provisional
    single = xmr(["a", "b"], [None, 80.0])
    assert single.limits == [] and single.variation == "none"
    assert single.points[1].limits is None


def test_limits_are_kept_within_0_and_100_percent():
    # 90 100 90 100: mean 95, MR-bar 10, 2.66 x 10 = 26.6: 121.6 and 68.4, of which 121.6 is shown as 100
    (limits,) = xmr(list("abcd"), [90, 100, 90, 100], floor=0, ceiling=100).limits
    assert limits.upper == 100 and limits.lower == pytest.approx(68.4)


def test_a_recalculation_gives_new_limits_from_its_month_and_the_step_across_it_is_not_a_moving_range():
    # the base, then the same pattern 10 higher: mean 22, MR-bar 13/7 again, limits 17.06 and 26.94
    higher = [v + 10 for v in BASE]
    stepped = xmr([str(i) for i in range(16)], BASE + higher, [Segment(0, 0, 7), Segment(8, 8, 15)])
    first, second = stepped.limits
    assert first.mean == 12 and second.mean == 22
    assert second.upper == pytest.approx(26.94) and second.lower == pytest.approx(17.06)
    assert stepped.points[8].moving_range is None and stepped.points[9].moving_range == 2
    assert signalled(stepped) == {}
    # judged by the first limits, every one of the higher points is outside them
    one = chart(BASE + higher)
    assert all(one.points[i].signals["outside"] == "high" for i in range(8, 16))


def test_a_run_does_not_carry_across_a_recalculation():
    # 3 above 12 before the recalculation and 4 after it: 7 in a row against the same limits, but not across
    # new ones. After it: 13 12.5 13.5 12.5 11 11.5 10.5 11.5, mean 96 / 8 = 12 again; MR-bar 6.5 / 7, limits
    # 12 +/- 2.47 and close beyond 12 +/- 1.646: nothing near them, and no trend
    values = BASE + [11, 13, 12.5, 13.5] + [13, 12.5, 13.5, 12.5, 11, 11.5, 10.5, 11.5]
    split = xmr([str(i) for i in range(20)], values, [Segment(0, 0, 7), Segment(12, 12, 19)])
    assert split.limits[1].mean == 12
    assert signalled(split) == {}
    assert signalled(chart(values)) == {i: {"shift": "high"} for i in range(9, 16)}


# ------------------------------------------------------------------------------------- baselines file

MONTHS = [date(2025, m, 1) for m in range(1, 13)] + [date(2026, m, 1) for m in range(1, 7)]


def write(tmp_path, text: str):
    path = tmp_path / "spc.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_baselines_file_sets_the_months_and_recalculations_per_service_and_for_the_trust(tmp_path):
    path = write(tmp_path, """
trust:
  from: 2025-04
  to: 2026-03
services:
  OAKLANDS:
    from: 2025-01
    to: 2025-12
    recalculate:
      - 2026-03
      - {from: 2026-05, to: 2026-06}
""")
    baselines = load_baselines(path)
    assert baselines[None] == Baseline(date(2025, 4, 1), date(2026, 3, 1))
    assert segments(MONTHS, baselines[None]) == [Segment(0, 3, 14)]
    assert segments(MONTHS, baselines["OAKLANDS"]) == [Segment(0, 0, 11), Segment(14, 14, 17), Segment(16, 16, 17)]
    assert segments(MONTHS, None) == [Segment(0, 0, 17)]


def test_the_example_baselines_file_reads():
    baselines = load_baselines(spc_baselines.EXAMPLE_BASELINES)
    assert None in baselines and baselines["OAKLANDS"].recalculate


@pytest.mark.parametrize("text, words", [
    ("trust: [from", "cannot read the SPC baselines file"),
    ("trust:\n  from: 2025-13\n", "'2025-13' is not a month written as YYYY-MM"),
    ("trust:\n  from: 2025-06\n  to: 2025-01\n", "'to' (2025-01) is before 'from' (2025-06)"),
    ("trust:\n  start: 2025-06\n", "unknown setting start"),
    ("wards:\n  A: {}\n", "must have only 'trust' and 'services' at the top"),
    ("services:\n  OAKLANDS:\n    from: 2025-06\n    recalculate: 2026-01\n", "expected a list"),
])
def test_a_bad_baselines_file_says_what_is_wrong_and_where(tmp_path, text, words):
    path = write(tmp_path, text)
    with pytest.raises(SpcBaselineError) as raised:
        load_baselines(path)
    assert words in str(raised.value) and str(path) in str(raised.value)


def test_a_missing_baselines_file_is_a_clear_error(tmp_path):
    with pytest.raises(SpcBaselineError, match="cannot read the SPC baselines file"):
        load_baselines(tmp_path / "nowhere.yaml")


# -------------------------------------------------------------------------------- from the database

def seed_year(feedback):
    """OAKLANDS: 10 answers a month, 2025: 70% and 80% in turn; January 2026: 40%. CRISIS: all very good in March."""
    for month in range(1, 14):
        year, m = (2025, month) if month <= 12 else (2026, 1)
        positive = 4 if month == 13 else (7 if month % 2 else 8)
        for n in range(10):
            feedback.response(f"{year}-{m:02d}-{n + 2:02d} 12:00", fft=1 if n < positive else 4)
    for n in range(5):
        feedback.response(f"2025-03-{n + 10:02d} 12:00", service="CRISIS", fft=1)
    feedback.session.commit()


NOW = at("2026-02-05 12:00")


def test_the_service_chart_is_built_from_its_monthly_fft_counts(runtime, services, feedback):
    seed_year(feedback)
    with runtime.factory() as db:
        chart = spc.fft_chart(db, runtime.settings, "OAKLANDS", "2026-01", months=13, now=NOW)
    assert [p.value for p in chart.analysis.points] == [70, 80] * 6 + [40]
    assert [p.answers for p in chart.analysis.points] == [10] * 13
    # every point: mean 940 / 13 = 72.31; moving ranges 11 x 10 and |40 - 80| = 40: MR-bar 150 / 12 = 12.5;
    # lower limit 72.31 - 2.66 x 12.5 = 72.31 - 33.25 = 39.06, so 40% is inside it: common cause
    (limits,) = chart.analysis.limits
    assert limits.mean == pytest.approx(940 / 13) and limits.mr_bar == pytest.approx(12.5)
    assert limits.lower == pytest.approx(940 / 13 - 33.25)
    assert chart.variation == "common"
    assert chart.table["rows"][-1][:4] == ["Jan 2026", "40.0%", 10, "40.0"]
    assert chart.svg.startswith("<svg") and 'role="img"' in chart.svg
    assert chart.title == "FFT % positive for Oaklands Ward: statistical process control chart"
    assert "Common cause variation" in chart.desc and "Jan 2026: 40.0% positive" in chart.desc


def test_a_baseline_of_2025_makes_january_2026_a_concern(runtime, feedback, tmp_path):
    # 2025 alone: mean 75, MR-bar 10, limits 75 +/- 26.6: 48.4 and 101.6 (shown as 100); 40% is below 48.4
    seed_year(feedback)
    path = write(tmp_path, "services:\n  OAKLANDS:\n    from: 2025-01\n    to: 2025-12\n")
    settings = replace(runtime.settings, spc_baselines=str(path))
    with runtime.factory() as db:
        chart = spc.fft_chart(db, settings, "OAKLANDS", "2026-01", months=13, now=NOW, name="Oaklands Ward")
        trust = spc.fft_chart(db, settings, None, "2026-01", months=13, now=NOW)
    (limits,) = chart.analysis.limits
    assert limits.mean == 75 and limits.lower == pytest.approx(48.4) and limits.upper == 100
    assert chart.analysis.points[-1].signals == {"outside": "low"}
    assert chart.variation == "concern" and chart.tag == "orange"
    assert chart.variation_words == "Special cause variation: concern, lower than expected"
    assert "Oaklands Ward" in chart.title
    assert any("the baseline set for this chart" in note for note in chart.notes)
    # the trust has no baseline in the file: its limits come from every month, CRISIS's answers included
    assert trust.analysis.points[2].answers == 15 and trust.analysis.points[2].value == pytest.approx(80)
    assert not any("baseline set" in note for note in trust.notes)


def test_a_baseline_before_the_months_shown_is_still_used(runtime, feedback, tmp_path):
    seed_year(feedback)
    path = write(tmp_path, "services:\n  OAKLANDS:\n    from: 2025-01\n    to: 2025-12\n")
    with runtime.factory() as db:
        chart = spc.fft_chart(db, replace(runtime.settings, spc_baselines=str(path)), "OAKLANDS", "2026-01",
                              months=3, now=NOW)
    assert [p.label for p in chart.analysis.points] == ["Nov 2025", "Dec 2025", "Jan 2026"]
    assert chart.analysis.limits[0].mean == 75 and chart.variation == "concern"


def test_a_bad_baselines_file_still_draws_the_chart_and_says_why(runtime, feedback, tmp_path):
    seed_year(feedback)
    path = write(tmp_path, "trust:\n  from: April 2025\n")
    with runtime.factory() as db:
        chart = spc.fft_chart(db, replace(runtime.settings, spc_baselines=str(path)), None, "2026-01", months=13,
                              now=NOW)
    assert "'April 2025' is not a month written as YYYY-MM" in chart.error
    assert chart.analysis.limits and chart.svg


def test_months_with_no_answers_are_gaps_and_months_before_the_first_answers_are_left_out(runtime, feedback):
    seed_year(feedback)  # CRISIS: 5 very good in March 2025
    for _ in range(5):
        feedback.response("2025-05-20 12:00", service="CRISIS", fft=5)
    feedback.response("2025-06-03 12:00", service="CRISIS", fft=1)  # one answer: too few to show
    feedback.session.commit()
    with runtime.factory() as db:
        chart = spc.fft_chart(db, runtime.settings, "CRISIS", "2025-06", months=6, now=NOW)
        empty = spc.fft_chart(db, runtime.settings, "CMHTNORTH", "2025-06", months=6, now=NOW)
    assert [p.label for p in chart.analysis.points] == ["Mar 2025", "Apr 2025", "May 2025", "Jun 2025"]
    assert [p.value for p in chart.analysis.points] == [100, None, 0, None]
    assert chart.notes[0] == "There are no answers from before March 2025: the chart starts there."
    assert chart.table["rows"][1] == ["Apr 2025", "-", 0, "-", "-", "-", "-", "No answers: a gap"]
    # fewer than 5 answers: no percentage, and the count itself shown as "*", as on every other report
    assert chart.table["rows"][3] == ["Jun 2025", "-", "*", "-", "-", "-", "-", "Too few answers: a gap"]
    assert any(note.startswith("Months with fewer than 5 answers are left out") for note in chart.notes)
    assert chart.analysis.limits[0].provisional and chart.analysis.latest.label == "May 2025"
    assert "These limits are provisional: they rest on fewer than 12 months." in chart.notes
    # no answers at all: every month shown, as gaps, and no limits
    assert len(empty.analysis.points) == 6 and empty.analysis.limits == [] and empty.variation == "none"
    assert any("too few months" in note for note in empty.notes)


def test_the_chart_reads_the_monthly_summaries_where_they_are_fresh(runtime, feedback):
    seed_year(feedback)
    summary.refresh(runtime.factory, NOW, tz=runtime.settings.timezone, full=True)
    with runtime.factory.begin() as db:  # the answers gone: only the summaries can give the figures now
        db.execute(delete(Answer))
    with runtime.factory() as db:
        chart = spc.fft_chart(db, runtime.settings, "OAKLANDS", "2026-01", months=13, now=NOW)
    assert [p.value for p in chart.analysis.points] == [70, 80] * 6 + [40]
    assert chart.as_of == NOW
