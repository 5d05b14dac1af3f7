"""The monthly NHS England return, from the command line."""
from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timezone

import pytest
from click.testing import CliRunner

from bot import fft
from storage.models import Answer, Response, Service
from yoursay.cli import main

HEADER = ["ods_code", "service_code", "service", "very_good", "good", "neither_good_nor_poor", "poor", "very_poor",
          "dont_know", "total", "mode_sms_text_message", "mode_online", "mode_other", "percent_positive",
          "percent_negative"]


def add(rt, service, mode, score, when):
    with rt.factory.begin() as session:
        response = Response(survey_id="fft", survey_version=1, service_code=service,
                            mode=mode, created_at=when)
        session.add(response)
        session.flush()
        session.add(Answer(response_id=response.id, question_id="fft", value=score))


@pytest.fixture
def november(runtime):
    with runtime.factory.begin() as session:
        session.add(Service(code="OAKLANDS", name="Oaklands Ward", ods_code="RX2AB", active=True))
    nov = datetime(2026, 11, 10, 12, tzinfo=timezone.utc)
    for score in "1112456":
        add(runtime, "OAKLANDS", "SMS/text message", score, nov)
    add(runtime, "OAKLANDS", "Online", "3", nov)
    add(runtime, None, "SMS/text message", "1", nov)
    add(runtime, "OAKLANDS", "SMS/text message", "5", datetime(2026, 10, 31, 23, 30, tzinfo=timezone.utc))
    add(runtime, "OAKLANDS", "SMS/text message", "5", datetime(2026, 12, 1, 0, 30, tzinfo=timezone.utc))
    return runtime


def run(rt, *args):
    env = {"DATABASE_URL": rt.settings.database_url, "YOURSAY_MODE": "dev", "YOURSAY_TRUST_ODS_CODE": "RX2"}
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def test_the_json_return_counts_each_answer_per_site_with_its_modes(november):
    result = run(november, "fft-return", "--month", "2026-11", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert (data["month"], data["trust_ods_code"], data["modes"]) == ("2026-11", "RX2",
                                                                      ["SMS/text message", "Online", "Other"])
    site, nowhere = data["rows"]
    assert (site["ods_code"], site["services"], site["modes"]) == ("RX2AB", ["Oaklands Ward"],
                                                                    {"SMS/text message": 7, "Online": 1, "Other": 0})
    assert {k: site[k] for k in ("very_good", "good", "neither_good_nor_poor", "poor", "very_poor", "dont_know",
                                 "total")} == {"very_good": 3, "good": 1, "neither_good_nor_poor": 1, "poor": 1,
                                               "very_poor": 1, "dont_know": 1, "total": 8}
    assert (site["percent_positive"], site["percent_negative"]) == (50.0, 25.0)
    assert (nowhere["ods_code"], nowhere["services"], nowhere["very_good"]) == ("", ["No service given"], 1)
    assert (data["total"]["ods_code"], data["total"]["total"], data["total"]["modes"]["SMS/text message"]) == (
        "RX2", 9, 8)


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


def test_the_csv_return_has_a_row_per_ods_site_then_the_trust_total_then_notes(november):
    result = run(november, "fft-return", "--month", "2026-11")
    assert result.output.splitlines()[0] == ",".join(HEADER)
    rows = list(csv.DictReader(io.StringIO(result.output)))
    figures = [r for r in rows if not r["ods_code"].startswith("#")]
    assert [(r["ods_code"], r["service"], r["total"], r["mode_sms_text_message"], r["mode_online"])
            for r in figures] == [("RX2AB", "Oaklands Ward", "8", "7", "1"), ("", "No service given", "1", "1", "0"),
                                  ("RX2", "Trust total", "9", "8", "1")]
    assert (figures[0]["percent_positive"], figures[0]["percent_negative"]) == ("50.0", "25.0")
    assert any("not suppressed" in r["ods_code"] for r in rows[len(figures):])


def test_every_answer_in_the_survey_file_has_a_column_in_the_return():
    assert fft.labels() == {"1": "Very good", "2": "Good", "3": "Neither good nor poor", "4": "Poor",
                            "5": "Very poor", "6": "Don't know"}
    assert list(fft.RETURN_KEYS) == list(fft.labels())


def test_a_bad_month_gets_a_clear_message(runtime):
    result = CliRunner().invoke(main, ["fft-return", "--month", "November"],
                                env={"DATABASE_URL": runtime.settings.database_url, "YOURSAY_MODE": "dev"})
    assert result.exit_code == 2 and "YYYY-MM" in result.output
