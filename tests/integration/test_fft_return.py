"""The monthly NHS England return, from the command line."""
from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timezone

import pytest
from click.testing import CliRunner

from storage.models import Answer, Response
from yoursay.cli import main


def add(rt, service, mode, score, when):
    with rt.factory.begin() as session:
        response = Response(survey_id="fft", survey_version=1, service_code=service,
                            mode=mode, created_at=when)
        session.add(response)
        session.flush()
        session.add(Answer(response_id=response.id, question_id="fft", value=score))


@pytest.fixture
def november(runtime):
    nov = datetime(2026, 11, 10, 12, tzinfo=timezone.utc)
    for score in "1112456":
        add(runtime, "OAKLANDS", "SMS/text message", score, nov)
    add(runtime, "OAKLANDS", "Online", "3", nov)
    add(runtime, None, "SMS/text message", "1", nov)
    add(runtime, "OAKLANDS", "SMS/text message", "5", datetime(2026, 10, 31, 23, 30, tzinfo=timezone.utc))
    add(runtime, "OAKLANDS", "SMS/text message", "5", datetime(2026, 12, 1, 0, 30, tzinfo=timezone.utc))
    return runtime


def run(rt, *args):
    env = {"DATABASE_URL": rt.settings.database_url, "YOURSAY_MODE": "dev"}
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def test_the_json_return_counts_each_answer_per_service_and_mode(november):
    result = run(november, "fft-return", "--month", "2026-11", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["month"] == "2026-11"
    rows = {(r["service"], r["mode"]): r for r in data["rows"]}
    sms = rows[("OAKLANDS", "SMS/text message")]
    assert {k: sms[k] for k in ("very_good", "good", "neither_good_nor_poor", "poor", "very_poor", "dont_know",
                                "total")} == {"very_good": 3, "good": 1, "neither_good_nor_poor": 0, "poor": 1,
                                              "very_poor": 1, "dont_know": 1, "total": 7}
    assert sms["percent_positive"] == round(100 * 4 / 7, 1)
    assert sms["percent_negative"] == round(100 * 2 / 7, 1)
    assert rows[("OAKLANDS", "Online")]["neither_good_nor_poor"] == 1
    assert rows[("unknown", "SMS/text message")]["very_good"] == 1


def test_the_month_is_a_calendar_month_in_uk_time(november):
    data = json.loads(run(november, "fft-return", "--month", "2026-11", "--format", "json").output)
    assert sum(r["total"] for r in data["rows"]) == 9
    october = json.loads(run(november, "fft-return", "--month", "2026-10", "--format", "json").output)
    assert sum(r["total"] for r in october["rows"]) == 1


def test_the_csv_return_has_a_header_and_one_row_per_service_and_mode(november):
    result = run(november, "fft-return", "--month", "2026-11")
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert len(rows) == 3
    assert rows[0].keys() >= {"service", "mode", "very_good", "total", "percent_positive", "percent_negative"}


def test_a_bad_month_gets_a_clear_message(runtime):
    result = CliRunner().invoke(main, ["fft-return", "--month", "November"],
                                env={"DATABASE_URL": runtime.settings.database_url, "YOURSAY_MODE": "dev"})
    assert result.exit_code == 2 and "YYYY-MM" in result.output
