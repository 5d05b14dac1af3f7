"""The monthly NHS England return, from the command line."""
from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timezone

import pytest
from click.testing import CliRunner

from bot import fft
from storage.models import Answer, Response
from yoursay.cli import main

HEADER = ["service", "mode", "very_good", "good", "neither_good_nor_poor", "poor", "very_poor", "dont_know", "total",
          "percent_positive", "percent_negative"]


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
    assert data["month"] == "2026-11" and [list(r) for r in data["rows"]] == [HEADER] * 3
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


def test_a_summer_month_starts_at_midnight_uk_time(runtime):
    add(runtime, "OAKLANDS", "Online", "1", datetime(2026, 6, 30, 23, 30, tzinfo=timezone.utc))  # 1 July, 00:30 BST
    add(runtime, "OAKLANDS", "Online", "2", datetime(2026, 7, 31, 22, 30, tzinfo=timezone.utc))  # 31 July, 23:30 BST
    july = json.loads(run(runtime, "fft-return", "--month", "2026-07", "--format", "json").output)
    assert [(r["very_good"], r["good"]) for r in july["rows"]] == [(1, 1)]
    assert json.loads(run(runtime, "fft-return", "--month", "2026-06", "--format", "json").output)["rows"] == []


def test_the_csv_return_has_a_header_and_one_row_per_service_and_mode(november):
    result = run(november, "fft-return", "--month", "2026-11")
    assert result.output.splitlines()[0] == ",".join(HEADER)
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert [(r["service"], r["mode"], r["total"]) for r in rows] == [
        ("OAKLANDS", "Online", "1"), ("OAKLANDS", "SMS/text message", "7"), ("unknown", "SMS/text message", "1")]
    assert (rows[1]["percent_positive"], rows[0]["percent_negative"]) == ("57.1", "0.0")


def test_every_answer_in_the_survey_file_has_a_column_in_the_return():
    assert fft.labels() == {"1": "Very good", "2": "Good", "3": "Neither good nor poor", "4": "Poor",
                            "5": "Very poor", "6": "Don't know"}
    assert list(fft.RETURN_KEYS) == list(fft.labels())


def test_a_bad_month_gets_a_clear_message(runtime):
    result = CliRunner().invoke(main, ["fft-return", "--month", "November"],
                                env={"DATABASE_URL": runtime.settings.database_url, "YOURSAY_MODE": "dev"})
    assert result.exit_code == 2 and "YYYY-MM" in result.output
