"""The FFT return page: a month's NHS England return per ODS site, its downloads, and the "submitted on" record."""
from __future__ import annotations

import csv
import io
import re
from dataclasses import replace
from datetime import date, datetime, timezone
from html import unescape
from html.parser import HTMLParser

import pytest
from openpyxl import load_workbook
from sqlalchemy import select, update

from storage.models import Answer, AuditEntry, FFTSubmission, Response, Service
from tests.admin.conftest import post

NOW = datetime(2026, 12, 15, 10, 0, tzinfo=timezone.utc)  # so the last complete month is November 2026
NOVEMBER = datetime(2026, 11, 10, tzinfo=timezone.utc)
HEAD = ["ODS site code", "Service", "Very good", "Good", "Neither good nor poor", "Poor", "Very poor", "Don't know",
        "Total", "SMS/text message", "Online", "Other"]


class _Table(HTMLParser):
    """The text of each row of one table (by id): [[cell, ...], ...]."""

    def __init__(self, table_id: str):
        super().__init__()
        self.table_id, self.inside, self.rows, self.cell = table_id, False, [], None

    def handle_starttag(self, tag, attrs):
        if tag == "table" and dict(attrs).get("id") == self.table_id:
            self.inside = True
        elif self.inside and tag == "tr":
            self.rows.append([])
        elif self.inside and tag in ("td", "th"):
            self.cell = ""

    def handle_endtag(self, tag):
        if tag == "table":
            self.inside = False
        elif self.inside and tag in ("td", "th") and self.cell is not None:
            self.rows[-1].append(" ".join(self.cell.split()))
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell += data


def table_rows(html: str, table_id: str = "fft-return-table") -> list[list[str]]:
    parser = _Table(table_id)
    parser.feed(html)
    return parser.rows


def text(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def answer(runtime, service: str | None, value: str, mode: str = "SMS/text message", when: datetime = NOVEMBER):
    with runtime.factory.begin() as db:
        response = Response(survey_id="fft", survey_version=1, service_code=service, mode=mode, created_at=when)
        db.add(response)
        db.flush()
        db.add(Answer(response_id=response.id, question_id="fft", value=value))


@pytest.fixture
def settings(settings):
    return replace(settings, trust_ods_code="RX2")


@pytest.fixture
def month(runtime, services, staff):
    """November 2026: Oaklands and Birch Ward share site RX2AB; CMHT North has no ODS code; Crisis had none."""
    runtime.now = lambda: NOW
    with runtime.factory.begin() as db:
        db.execute(update(Service).where(Service.code == "OAKLANDS").values(ods_code="RX2AB"))
        db.execute(update(Service).where(Service.code == "CRISIS").values(ods_code="RX2AC"))
        db.add_all([Service(code="BIRCH", name="Birch Ward", ods_code="RX2AB", active=True),
                    Service(code="EIP", name="Early Intervention", ods_code="RX2AD", active=True),
                    Service(code="OLDWARD", name="Old Ward", ods_code="RX2AE", active=False)])
    for value in ("1", "1", "2", "4", "6"):
        answer(runtime, "OAKLANDS", value)
    answer(runtime, "OAKLANDS", "3", "Online")
    answer(runtime, "BIRCH", "5", "Other")
    answer(runtime, "CMHTNORTH", "2")
    answer(runtime, None, "1")
    answer(runtime, "CRISIS", "5", when=datetime(2026, 10, 31, 23, 30, tzinfo=timezone.utc))  # 31 October, GMT
    answer(runtime, "CRISIS", "5", when=datetime(2026, 12, 1, 0, 30, tzinfo=timezone.utc))  # 1 December
    return runtime


def audit_rows(runtime, action: str | None = None) -> list[tuple[str, str, str, str]]:
    with runtime.factory() as db:
        query = select(AuditEntry.username, AuditEntry.action, AuditEntry.target, AuditEntry.detail)
        if action:
            query = query.where(AuditEntry.action == action)
        return [tuple(r) for r in db.execute(query.order_by(AuditEntry.id))]


# The figures ---------------------------------------------------------------------------------------------

def test_the_return_shows_each_site_with_its_six_counts_total_and_modes_then_the_trust_total(as_role, month):
    page = as_role("viewer").get("/admin/fft-return")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "FFT return: November 2026" in html
    rows = table_rows(html)
    assert rows[0] == ["", "Answers", "Mode of collection"] and rows[1] == HEAD
    assert rows[2:] == [
        ["RX2AB", "Birch Ward; Oaklands Ward", "2", "1", "1", "1", "1", "1", "7", "5", "1", "1"],
        ["Not set", "Community Mental Health Team North", "0", "1", "0", "0", "0", "0", "1", "1", "0", "0"],
        ["None", "No service given", "1", "0", "0", "0", "0", "0", "1", "1", "0", "0"],
        ["RX2", "Trust total", "3", "2", "1", "1", "1", "1", "9", "7", "1", "1"]]
    assert "1 answer named no service" in text(html)


def test_services_with_no_responses_are_listed_but_not_inactive_ones(as_role, month):
    html = as_role("viewer").get("/admin/fft-return?month=2026-11").get_data(as_text=True)
    listed = re.search(r'<ul id="no-responses-list">(.*?)</ul>', html, re.S).group(1)
    assert text(listed) == "Crisis Team (RX2AC) Early Intervention (RX2AD)"
    assert "Old Ward" not in html


def test_a_service_with_no_ods_code_is_a_problem_to_fix_with_a_link_to_its_settings(as_role, month):
    html = as_role("viewer").get("/admin/fft-return?month=2026-11").get_data(as_text=True)
    problems = re.search(r'<section id="problems">(.*?)</section>', html, re.S).group(1)
    assert "Fix before submitting" in problems
    assert ('<a href="/admin/services/CMHTNORTH/settings">Community Mental Health Team North</a> has no ODS site '
            "code") in problems
    assert "YOURSAY_TRUST_ODS_CODE" not in problems  # the trust's code is set


def test_without_the_trusts_ods_code_the_page_says_so(as_role, month):
    month.settings = replace(month.settings, trust_ods_code=None)
    with month.factory.begin() as db:
        db.execute(update(Service).where(Service.code == "CMHTNORTH").values(ods_code="RX2AF"))
    html = as_role("viewer").get("/admin/fft-return").get_data(as_text=True)
    problems = text(re.search(r'<section id="problems">(.*?)</section>', html, re.S).group(1))
    assert "The trust's ODS code is not set" in problems and "has no ODS site code" not in problems
    assert table_rows(html)[-1][:2] == ["Not set", "Trust total"]


def test_once_every_code_is_set_there_is_nothing_to_fix(as_role, month):
    with month.factory.begin() as db:
        db.execute(update(Service).where(Service.code == "CMHTNORTH").values(ods_code="RX2AF"))
    html = as_role("viewer").get("/admin/fft-return").get_data(as_text=True)
    assert "Fix before submitting" not in html
    assert ["RX2AF", "Community Mental Health Team North"] in [r[:2] for r in table_rows(html)]


def test_the_months_figures_are_in_uk_time(as_role, month):
    answer(month, "EIP", "1", "Online", when=datetime(2026, 6, 30, 23, 30, tzinfo=timezone.utc))  # 1 July, BST
    viewer = as_role("viewer")
    october = table_rows(viewer.get("/admin/fft-return?month=2026-10").get_data(as_text=True))
    assert [r[:2] + [r[8]] for r in october[2:]] == [["RX2AC", "Crisis Team", "1"], ["RX2", "Trust total", "1"]]
    july = table_rows(viewer.get("/admin/fft-return?month=2026-07").get_data(as_text=True))
    assert [r[:3] for r in july[2:]] == [["RX2AD", "Early Intervention", "1"], ["RX2", "Trust total", "1"]]
    june = viewer.get("/admin/fft-return?month=2026-06").get_data(as_text=True)
    assert "No FFT answers were given in June 2026" in june and not table_rows(june)


def test_a_month_not_yet_ended_is_marked_and_cannot_be_recorded_as_submitted(as_role, month):
    html = as_role("reviewer").get("/admin/fft-return?month=2026-12").get_data(as_text=True)
    assert "December 2026 has not ended" in html
    assert "Record as submitted" not in html
    total = table_rows(html)[-1]
    assert total[:2] + total[8:9] == ["RX2", "Trust total", "1"]  # 1 December's answer, so far


@pytest.mark.parametrize("bad", ["November", "2026-13", "1999-11", "2026-11-01", "2027-01"])  # 2027: to come
def test_a_bad_month_is_a_400_with_a_message(as_role, month, bad):
    response = as_role("viewer").get(f"/admin/fft-return?month={bad}")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "There is a problem" in html and "Choose a month from the list" in html
    assert 'id="fft-return-table"' not in html


def test_fft_return_is_in_the_main_navigation_right_after_dashboard(as_role, month):
    html = as_role("viewer").get("/admin/fft-return").get_data(as_text=True)
    nav = re.findall(r'class="nhsuk-header__navigation-link"[^>]*href="([^"]+)"|'
                     r'href="([^"]+)"[^>]*class="nhsuk-header__navigation-link"', html)
    links = [a or b for a, b in nav]
    assert links.index("/admin/fft-return") == links.index("/admin/dashboard/") + 1
    assert re.search(r'aria-current="page"[^>]*>\s*FFT return|href="/admin/fft-return"[^>]*aria-current="page"',
                     html)


# Downloads -----------------------------------------------------------------------------------------------

def test_the_csv_has_ods_codes_a_row_per_site_the_trust_total_and_notes_and_is_audited(as_role, month):
    viewer = as_role("viewer")
    response = post(viewer, "/admin/fft-return/download", {"month": "2026-11", "format": "csv"},
                    token_from="/admin/fft-return")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert 'filename="fft-return-2026-11-20261215-1000.csv"' in response.headers["Content-Disposition"]
    lines = response.get_data(as_text=True).lstrip("\ufeff").splitlines()
    rows = list(csv.reader(lines))
    assert rows[0] == ["ods_code", "service_code", "service", "very_good", "good", "neither_good_nor_poor", "poor",
                       "very_poor", "dont_know", "total", "mode_sms_text_message", "mode_online", "mode_other",
                       "percent_positive", "percent_negative"]
    assert rows[1:5] == [
        ["RX2AB", "BIRCH; OAKLANDS", "Birch Ward; Oaklands Ward", "2", "1", "1", "1", "1", "1", "7", "5", "1", "1",
         "42.9", "28.6"],
        ["", "CMHTNORTH", "Community Mental Health Team North", "0", "1", "0", "0", "0", "0", "1", "1", "0", "0",
         "100.0", "0.0"],
        ["", "", "No service given", "1", "0", "0", "0", "0", "0", "1", "1", "0", "0", "100.0", "0.0"],
        ["RX2", "", "Trust total", "3", "2", "1", "1", "1", "1", "9", "7", "1", "1", "55.6", "22.2"]]
    notes = [r[0] for r in rows[5:]]
    assert any("not suppressed" in n for n in notes)
    assert any(n.startswith("# Fix before submitting: no ODS site code for Community Mental Health Team North")
               for n in notes)
    assert any(n == "# No responses this month: Crisis Team (RX2AC), Early Intervention (RX2AD)" for n in notes)
    assert audit_rows(month, "export")[-1] == ("viewer", "export", "fft-return.csv", "2026-11")


def test_the_xlsx_has_the_same_return_with_ods_codes(as_role, month):
    response = post(as_role("viewer"), "/admin/fft-return/download", {"month": "2026-11", "format": "xlsx"},
                    token_from="/admin/fft-return")
    assert response.headers["Content-Disposition"].rstrip('"').endswith(".xlsx")
    sheet = load_workbook(io.BytesIO(response.get_data())).worksheets[0]
    assert sheet.title == "FFT return 2026-11"
    values = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert values[0][:3] == ["ods_code", "service_code", "service"]
    assert values[1][:10] == ["RX2AB", "BIRCH; OAKLANDS", "Birch Ward; Oaklands Ward", 2, 1, 1, 1, 1, 1, 7]
    assert values[4][:13] == ["RX2", None, "Trust total", 3, 2, 1, 1, 1, 1, 9, 7, 1, 1]
    assert audit_rows(month, "export")[-1][2:] == ("fft-return.xlsx", "2026-11")


def test_the_exports_page_download_is_the_same_return_with_ods_codes(as_role, month):
    response = post(as_role("viewer"), "/admin/reports/exports/fft-return", {"month": "2026-11", "format": "csv"},
                    token_from="/admin/reports/exports")
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert [(r["ods_code"], r["service"], r["total"]) for r in rows[:4]] == [
        ("RX2AB", "Birch Ward; Oaklands Ward", "7"), ("", "Community Mental Health Team North", "1"),
        ("", "No service given", "1"), ("RX2", "Trust total", "9")]


# The "submitted on" record ---------------------------------------------------------------------------------

def record(client, day: str, note: str = "", month: str = "2026-11"):
    d, m, y = day.split("-")[2], day.split("-")[1], day.split("-")[0]
    return post(client, "/admin/fft-return/submitted", {"month": month, "submitted-day": d, "submitted-month": m,
                                                         "submitted-year": y, "note": note},
                token_from=f"/admin/fft-return?month={month}")


def test_a_reviewer_records_the_date_it_was_submitted_and_it_is_audited(as_role, month):
    reviewer = as_role("reviewer")
    assert "Not yet recorded as submitted" in reviewer.get("/admin/fft-return").get_data(as_text=True)
    response = record(reviewer, "2026-12-12", "Sent by Jo through SDCS")
    assert response.status_code == 302 and response.headers["Location"].endswith("/admin/fft-return?month=2026-11")
    html = reviewer.get("/admin/fft-return?month=2026-11").get_data(as_text=True)
    assert "Submitted on 12 December 2026 by reviewer" in html and "Sent by Jo through SDCS" in html
    assert "Answers arrived after" not in html
    with month.factory() as db:
        row = db.get(FFTSubmission, "2026-11")
        assert (row.submitted_on, row.recorded_by, row.note) == (date(2026, 12, 12), "reviewer",
                                                                 "Sent by Jo through SDCS")
    assert audit_rows(month, "fft_submitted") == [
        ("reviewer", "fft_submitted", "fft-return:2026-11",
         "submitted on 2026-12-12 (was not recorded); 9 FFT answers in the return; note: Sent by Jo through SDCS")]


def test_changing_the_date_keeps_one_record_and_audits_old_and_new(as_role, month):
    reviewer = as_role("reviewer")
    record(reviewer, "2026-12-12")
    record(as_role("admin"), "2026-12-14")
    html = reviewer.get("/admin/fft-return?month=2026-11").get_data(as_text=True)
    assert "Submitted on 14 December 2026 by admin" in html
    with month.factory() as db:
        assert db.scalars(select(FFTSubmission.month)).all() == ["2026-11"]
    assert audit_rows(month, "fft_submitted")[-1][0::3] == (
        "admin", "submitted on 2026-12-14 (was 2026-12-12); 9 FFT answers in the return")


def test_answers_that_arrive_after_the_submission_are_warned_of_and_the_record_is_kept(as_role, month):
    reviewer = as_role("reviewer")
    record(reviewer, "2026-12-12")
    answer(month, "OAKLANDS", "5")
    answer(month, "CRISIS", "1")  # both given in November, written after the submission was recorded
    html = reviewer.get("/admin/fft-return?month=2026-11").get_data(as_text=True)
    warning = text(re.search(r'<div id="late-answers">(.*?)</div>\s*</div>\s*</div>', html, re.S).group(1))
    assert "Answers arrived after the return was submitted" in warning
    assert "2 FFT answers for November 2026 have arrived since the submission was recorded" in warning
    assert "had 9 answers then and has 11 now" in warning
    assert "Submitted on 12 December 2026 by reviewer" in html
    assert table_rows(html)[-1][8] == "11"
    record(reviewer, "2026-12-12", "A note added later")  # the same date: still compared with what was sent
    assert "had 9 answers then and has 11 now" in text(reviewer.get("/admin/fft-return").get_data(as_text=True))
    record(reviewer, "2026-12-15", "Revised return sent")  # a new submission: figures as they are now
    assert "Answers arrived after" not in reviewer.get("/admin/fft-return").get_data(as_text=True)


def test_other_months_are_not_warned_of(as_role, month):
    reviewer = as_role("reviewer")
    record(reviewer, "2026-12-12")
    answer(month, "OAKLANDS", "5", when=datetime(2026, 12, 2, tzinfo=timezone.utc))  # December's
    assert "Answers arrived after" not in reviewer.get("/admin/fft-return?month=2026-11").get_data(as_text=True)
    assert "Not yet recorded as submitted" in reviewer.get("/admin/fft-return?month=2026-10").get_data(as_text=True)


@pytest.mark.parametrize("day, message", [
    ("--", "Enter the date the return was submitted"),
    ("2026-02-30", "The date the return was submitted must be a real date"),
    ("2026-12-x", "The date the return was submitted must be a real date"),
    ("2026-11-30", "The date the return was submitted must be on or after 1 December 2026, when November"),
    ("2026-12-16", "The date the return was submitted must be today or in the past"),
])
def test_a_wrong_date_is_refused_with_the_nhs_error_summary(as_role, month, day, message):
    response = record(as_role("reviewer"), day)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    summary = re.search(r'class="nhsuk-error-summary".*?</ul>', html, re.S).group(0)
    assert message in text(summary) and 'href="#submitted-day"' in summary
    by_field = html[html.index('id="submitted-error"'):]  # the message beside the date, as well
    assert text(by_field).startswith('id="submitted-error" > Error: ' + message)
    with month.factory() as db:
        assert db.get(FFTSubmission, "2026-11") is None
    assert audit_rows(month, "fft_submitted") == []


def test_a_note_too_long_is_refused(as_role, month):
    response = record(as_role("reviewer"), "2026-12-12", "x" * 501)
    assert response.status_code == 400 and "Note must be 500 characters or fewer" in response.get_data(as_text=True)


def test_a_record_made_by_mistake_can_be_removed_and_that_is_audited(as_role, month):
    reviewer = as_role("reviewer")
    record(reviewer, "2026-12-12")
    response = post(reviewer, "/admin/fft-return/submitted/remove", {"month": "2026-11"},
                    token_from="/admin/fft-return?month=2026-11")
    assert response.status_code == 302
    assert "Not yet recorded as submitted" in reviewer.get("/admin/fft-return").get_data(as_text=True)
    assert audit_rows(month, "fft_submission_removed") == [
        ("reviewer", "fft_submission_removed", "fft-return:2026-11", "was submitted on 2026-12-12")]


# Roles -------------------------------------------------------------------------------------------------

def test_a_viewer_sees_and_downloads_the_return_but_cannot_record_it(as_role, month):
    viewer = as_role("viewer")
    html = viewer.get("/admin/fft-return").get_data(as_text=True)
    assert "Record as submitted" not in html and 'id="fft-return-table"' in html
    assert "A reviewer or an admin records it." in html
    assert record(viewer, "2026-12-12").status_code == 403
    response = post(viewer, "/admin/fft-return/submitted/remove", {"month": "2026-11"},
                    token_from="/admin/fft-return")
    assert response.status_code == 403
    with month.factory() as db:
        assert db.get(FFTSubmission, "2026-11") is None


def test_the_page_needs_sign_in(client, month):
    response = client.get("/admin/fft-return")
    assert response.status_code == 302 and "/admin/login" in response.headers["Location"]
