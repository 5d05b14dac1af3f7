"""The dashboard, the diversity report and the exports page."""
from __future__ import annotations

import csv
import io
import re
from dataclasses import replace

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from admin.reports.periods import last_months
from storage.models import AuditEntry
from tests.admin import world_factories as make
from tests.admin.conftest import EXPORT_COLUMNS, post


def this_month(runtime) -> str:
    return f"{last_months(runtime.now(), 1, runtime.settings.timezone)[0]:%Y-%m}"


@pytest.fixture
def answers(seed, runtime):
    """Five FFT answers this month on Oaklands (2 very good, good, poor, don't know), one on Crisis."""
    now = runtime.now()
    for fft, sentiment in (("1", "positive"), ("1", "positive"), ("2", "neutral"), ("4", "negative"),
                           ("6", "neutral")):
        seed.story(fft=fft, sentiment=sentiment, created_at=now, themes={"Timeliness of care": 0.8})
    seed.story(fft="5", service="CRISIS", sentiment="negative", created_at=now, mode="Online",
               themes={"Contacting services": 0.7})


def audit_rows(runtime) -> list[tuple[str, str, str]]:
    with runtime.factory() as db:
        return [tuple(r) for r in db.execute(select(AuditEntry.action, AuditEntry.target, AuditEntry.detail)
                                             .order_by(AuditEntry.id))]


# Dashboard ---------------------------------------------------------------------------------------------

def test_the_dashboard_shows_fft_with_the_national_computation(as_role, answers):
    page = as_role("viewer").get("/admin/dashboard/?service=OAKLANDS").get_data(as_text=True)
    # (2 very good + 1 good) / 5 answers, don't know included; 1 poor / 5
    assert "60.0%" in page and "20.0%" in page
    assert "Oaklands Ward, " in page


def test_the_dashboard_has_accessible_charts_each_with_a_table(as_role, answers):
    page = as_role("viewer").get("/admin/dashboard/").get_data(as_text=True)
    charts = re.findall(r"<svg[^>]*yoursay-chart[^>]*>", page)
    assert len(charts) >= 5 and all('role="img"' in c and "aria-labelledby" in c for c in charts)
    assert page.count("<title id=") >= 5 and page.count("<desc id=") >= 5
    assert ' style="' not in page  # the CSP allows no inline styles
    for caption in ("FFT: % positive and % negative", "Responses by how they were given, per month",
                    "Top themes by month", "Sentiment of stories", "New participants against the target",
                    "FFT by service over the period", "Sign-ups in the period, by type of opportunity",
                    "Subscribers to opportunity alerts now"):
        assert caption in page
    assert "Timeliness of care" in page and "SMS/text message" in page and "Online" in page
    assert "Crisis Team" in page  # the per-service table, when no service is chosen


def test_the_dashboard_filters_by_service(as_role, answers):
    page = as_role("viewer").get("/admin/dashboard/?service=CRISIS").get_data(as_text=True)
    assert "Contacting services" in page and "Timeliness of care" not in page
    assert "SMS/text message" not in page


def test_a_bad_filter_is_explained_and_the_defaults_used(as_role, answers, runtime):
    page = as_role("viewer").get("/admin/dashboard/?service=NOPE&from=2099-01&to=" + this_month(runtime))
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "nhsuk-error-summary" in text
    assert 'href="#service"' in text and 'href="#from"' in text


def test_the_participation_target_is_configurable(as_role, app, runtime, staff):
    make.participant(runtime, consent_at=runtime.now())
    assert "against a target of 100 a year" in as_role("viewer").get("/admin/dashboard/").get_data(as_text=True)
    runtime.settings = replace(runtime.settings, participation_target=24)  # YOURSAY_PARTICIPATION_TARGET=24
    page = as_role("viewer").get("/admin/dashboard/").get_data(as_text=True)
    assert "1 new participant joined in the period, against a target of 24 a year (2.0 a month)" in page


# Diversity ---------------------------------------------------------------------------------------------

@pytest.fixture
def equality(runtime, services):
    month = last_months(runtime.now(), 1, runtime.settings.timezone)[0]
    make.equality(runtime, {"sex": "female"}, month, times=9)
    make.equality(runtime, {"sex": "male"}, month, times=3)
    make.equality(runtime, {"sex": "female"}, month, survey="fft", times=4)  # not an equality survey


def test_the_diversity_report_hides_small_counts_with_a_star(as_role, equality):
    page = as_role("viewer").get("/admin/reports/diversity").get_data(as_text=True)
    sex = page[page.index('id="q-sex"'):]
    sex = sex[:sex.index("</table>")]
    assert sex.count(">*<") >= 4  # male (3) and, so it cannot be worked out from the total, female; and their %
    assert ">3<" not in sex and ">9<" not in sex and ">12<" in sex
    assert "Population %" in page and "Example baseline" in page
    assert "Participants cannot be picked out" in page or "Not collected" in page


def test_the_diversity_report_can_be_downloaded_with_the_stars(as_role, equality, runtime):
    response = post(as_role("viewer"), "/admin/reports/exports/diversity", {"format": "csv"},
                    token_from="/admin/reports/exports")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    male = next(r for r in rows if r[:2] == ["What is your sex?", "Male"])
    assert male[2] == "*"
    assert audit_rows(runtime)[-1][:2] == ("export", "diversity.csv")


# Exports -----------------------------------------------------------------------------------------------

def test_the_fft_monthly_return_downloads_as_csv_and_xlsx_and_is_audited(as_role, answers, runtime):
    viewer = as_role("viewer")
    response = post(viewer, "/admin/reports/exports/fft-return", {"month": this_month(runtime), "format": "csv"},
                    token_from="/admin/reports/exports")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    oaklands = next(r for r in rows if r["service_code"] == "OAKLANDS")
    assert (oaklands["very_good"], oaklands["total"], oaklands["percent_positive"]) == ("2", "5", "60.0")

    response = post(viewer, "/admin/reports/exports/fft-return", {"month": this_month(runtime), "format": "xlsx"},
                    token_from="/admin/reports/exports")
    assert response.headers["Content-Disposition"].rstrip('"').endswith(".xlsx")
    book = load_workbook(io.BytesIO(response.get_data()))
    sheet = book.worksheets[0]
    assert sheet.title.startswith("FFT return") and sheet.cell(1, 1).value == "ods_code"
    assert [a[:2] for a in audit_rows(runtime)[-2:]] == [("export", "fft-return.csv"), ("export", "fft-return.xlsx")]


def test_feedback_exports_are_redacted_unless_an_admin_asks_and_that_is_audited(as_role, seed, runtime):
    seed.story("Jo Bloggs was rude", redacted="[NAME] was rude", service="CRISIS")
    seed.story("=HYPERLINK(\"http://evil\")", service="OAKLANDS")
    reviewer = as_role("reviewer")
    response = post(reviewer, "/admin/reports/exports/feedback",
                    {"service": "CRISIS", "format": "csv", "confirm": "yes"},
                    token_from="/admin/reports/exports")
    text = response.get_data(as_text=True)
    assert "[NAME] was rude" in text and "Jo Bloggs" not in text and "HYPERLINK" not in text
    assert post(reviewer, "/admin/reports/exports/feedback", {"original": "yes"},
                token_from="/admin/reports/exports").status_code == 403

    admin = as_role("admin")
    text = post(admin, "/admin/reports/exports/feedback", {"original": "yes", "format": "csv", "confirm": "yes"},
                token_from="/admin/reports/exports").get_data(as_text=True)
    assert "Jo Bloggs was rude" in text
    assert "'=HYPERLINK" in text  # never runs as a formula
    exports = [a for a in audit_rows(runtime) if a[0] == "export"]
    assert [(a[1], a[2].split(";")[0]) for a in exports] == [("feedback.csv", "redacted text"),
                                                              ("feedback.csv", "original text")]


def test_the_feedback_export_as_xlsx_has_the_inbox_exports_columns(as_role, seed, runtime):
    seed.story("=HYPERLINK(\"http://evil\")", redacted="=HYPERLINK(\"http://evil\")", fft="3")
    response = post(as_role("reviewer"), "/admin/reports/exports/feedback", {"format": "xlsx", "confirm": "yes"},
                    token_from="/admin/reports/exports")
    assert response.headers["Content-Disposition"].rstrip('"').endswith(".xlsx")
    sheet = load_workbook(io.BytesIO(response.get_data())).worksheets[0]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0] == EXPORT_COLUMNS
    story = dict(zip(EXPORT_COLUMNS, rows[1]))
    assert story["fft_answer"] == "Neither good nor poor" and story["text"] == "=HYPERLINK(\"http://evil\")"
    assert sheet.cell(2, len(EXPORT_COLUMNS)).data_type == "s"
    assert rows[-1][0] == "Text is redacted: names, numbers and addresses the NLP found are replaced."
    assert audit_rows(runtime)[-1][:2] == ("export", "feedback.xlsx")


def test_the_participation_database_is_for_admins_only(as_role, runtime, staff):
    make.participant(runtime, name="Sam Taylor")
    exports = as_role("reviewer").get("/admin/reports/exports").get_data(as_text=True)
    assert "Participation database" not in exports and "Include the original" not in exports
    assert "Participation database" in as_role("admin").get("/admin/reports/exports").get_data(as_text=True)
    response = post(as_role("admin"), "/admin/reports/exports/participants", {"format": "csv"},
                    token_from="/admin/reports/exports")
    assert "Sam Taylor" in response.get_data(as_text=True) and "+447700900321" in response.get_data(as_text=True)
    assert audit_rows(runtime)[-1][:2] == ("export", "participants.csv")


def test_viewers_see_only_the_aggregate_exports(as_role, staff):
    page = as_role("viewer").get("/admin/reports/exports").get_data(as_text=True)
    assert "NHS England FFT monthly return" in page and "Diversity report" in page
    assert "Feedback with themes" not in page and "Participation database" not in page
