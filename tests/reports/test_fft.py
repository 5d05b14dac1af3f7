from datetime import date

import pytest

from admin.reports import fft
from tests.reports.conftest import at


@pytest.fixture
def march(runtime, feedback):
    for value in (1, 1, 2, 3, 4, 5, 6):
        feedback.response("2026-03-10 12:00", fft=value)
    feedback.response("2026-03-11 12:00", fft=1, mode="Online")
    feedback.response("2026-03-12 12:00", fft=5, service="CRISIS")
    feedback.response("2026-03-12 12:00", survey="4pi")  # no FFT answer
    feedback.response("2026-02-28 23:30", fft=1)  # still February in the UK (GMT)
    feedback.response("2026-03-31 23:30", fft=5)  # 1 April 00:30 in the UK (BST)
    feedback.session.commit()


def test_percentages_use_every_answer_including_dont_know(runtime, march):
    with runtime.factory() as db:
        rows = fft.fft_by_month(db, [date(2026, 3, 1)])
    oaklands = next(r for r in rows if r["service"] == "OAKLANDS")
    assert oaklands["total"] == 8
    assert oaklands["percent_positive"] == round(100 * 4 / 8, 1)
    assert oaklands["percent_negative"] == round(100 * 2 / 8, 1)
    assert oaklands["dont_know"] == 1
    assert oaklands["by_mode"] == {"SMS/text message": 7, "Online": 1}


def test_months_are_uk_calendar_months(runtime, march):
    months = [date(2026, 2, 1), date(2026, 3, 1), date(2026, 4, 1)]
    with runtime.factory() as db:
        rows = fft.fft_by_month(db, months, by_service=False)
    assert [(r["month"], r["total"]) for r in rows] == [(months[0], 1), (months[1], 9), (months[2], 1)]
    assert all(r["service"] == "all" for r in rows)


def test_one_service_only(runtime, march):
    with runtime.factory() as db:
        rows = fft.fft_by_month(db, [date(2026, 3, 1)], service="CRISIS")
    assert [(r["service"], r["very_poor"], r["percent_negative"]) for r in rows] == [("CRISIS", 1, 100.0)]


def test_an_empty_month_has_no_percentages(runtime, march):
    with runtime.factory() as db:
        rows = fft.fft_by_month(db, [date(2025, 1, 1)], by_service=False)
    assert rows[0]["total"] == 0 and rows[0]["percent_positive"] is None


def test_responses_by_mode_counts_every_feedback_response(runtime, march):
    with runtime.factory() as db:
        rows = fft.responses_by_mode(db, [date(2026, 3, 1)])
    assert rows == [{"month": date(2026, 3, 1), "mode": "Online", "responses": 1},
                    {"month": date(2026, 3, 1), "mode": "SMS/text message", "responses": 9}]


def test_last_thirty_days_for_one_service(runtime, march):
    with runtime.factory() as db:
        screen = fft.fft_last_days(db, "OAKLANDS", at("2026-04-05 12:00"), days=30)
    assert screen["total"] == 9  # 6 March 12:00 onwards, including the night of 31 March
    assert screen["very_poor"] == 2 and screen["percent_negative"] == round(100 * 3 / 9, 1)
