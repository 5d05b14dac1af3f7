"""The FFT return and a service's settings in a real browser: reached from the main navigation, axe-clean."""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect
from sqlalchemy import update

from admin.reports.periods import add_months, last_months
from storage.models import Service
from tests.admin.test_fft_return_page import answer
from tests.browser.conftest import assert_accessible, sign_in


@pytest.fixture
def settings(settings):
    return replace(settings, trust_ods_code="RX2")


@pytest.fixture
def last_month(runtime, services, staff):
    """Last month's answers: Oaklands (site RX2AB) and CMHT North (no ODS code yet); Crisis had none."""
    month = add_months(last_months(runtime.now(), 1, runtime.settings.timezone)[0], -1)
    when = datetime(month.year, month.month, 10, 12, tzinfo=timezone.utc)
    with runtime.factory.begin() as db:
        db.execute(update(Service).where(Service.code == "OAKLANDS").values(ods_code="RX2AB"))
    for value in ("1", "1", "2", "5"):
        answer(runtime, "OAKLANDS", value, when=when)
    answer(runtime, "OAKLANDS", "3", when=when, mode="Online")
    answer(runtime, "CMHTNORTH", "2", when=when)
    return month


def test_a_reviewer_checks_downloads_and_records_the_fft_return(page, last_month, runtime):
    sign_in(page, "reviewer")
    page.locator(".nhsuk-header").get_by_role("link", name="FFT return", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"FFT return: {last_month:%B %Y}")
    table = page.get_by_role("table", name=f"FFT return for {last_month:%B %Y}, by site")
    expect(table.get_by_role("row").nth(2)).to_contain_text("RX2AB")
    expect(table.get_by_role("row").last).to_contain_text("Trust total")
    expect(page.locator("#no-responses-list")).to_contain_text("Crisis Team")
    expect(page.locator("#problems")).to_contain_text("Community Mental Health Team North has no ODS site code")
    expect(page.locator("#submission-status")).to_have_text("Not yet recorded as submitted")
    assert_accessible(page, "FFT return")

    with page.expect_download() as download:
        page.get_by_role("button", name="Download CSV").click()
    body = Path(download.value.path()).read_bytes().decode("utf-8-sig")
    assert body.startswith("ods_code,service_code,service,")
    assert "\r\nRX2AB,OAKLANDS,Oaklands Ward,2,1,1,0,1,0,5,4,1,0," in body  # six counts, total, then modes

    page.get_by_role("button", name="Record as submitted").click()  # no date: the NHS error summary
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_contain_text("Enter the date the return was submitted")
    assert_accessible(page, "FFT return with an error")
    summary.get_by_role("link", name="Enter the date the return was submitted").click()
    today = runtime.now().astimezone(ZoneInfo(runtime.settings.timezone)).date()
    page.get_by_label("Day").fill(str(today.day))
    page.get_by_role("textbox", name="Month").fill(str(today.month))
    page.get_by_label("Year").fill(str(today.year))
    page.get_by_label("Note (optional)").fill("Sent through SDCS")
    page.get_by_role("button", name="Record as submitted").click()
    expect(page.locator(".nhsuk-notification-banner")).to_contain_text(f"{last_month:%B %Y} was submitted on")
    expect(page.locator("#submission-status")).to_have_text(f"Submitted on {today.day} {today:%B %Y} by reviewer")
    assert_accessible(page, "FFT return recorded as submitted")


def test_an_admin_sets_a_missing_ods_code_from_the_fft_return(page, last_month):
    sign_in(page, "admin")
    page.goto("/admin/fft-return")
    page.locator("#problems").get_by_role("link", name="Community Mental Health Team North").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Settings for Community Mental Health Team North")
    assert_accessible(page, "service settings")
    page.get_by_label("ODS site code").fill("R-1")
    page.get_by_label("Minimum number of answers for the screen").fill("2")
    page.get_by_role("button", name="Save settings").click()
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_contain_text("ODS site code must be 3 to 10 letters and numbers only, like RX2AB")
    expect(summary).to_contain_text("Minimum number of answers must be 5 or more")
    assert_accessible(page, "service settings with errors")
    page.get_by_label("ODS site code").fill("rx2af")
    page.get_by_label("Minimum number of answers for the screen").fill("20")
    page.get_by_label("Show this service's public screen").check()
    page.get_by_role("button", name="Save settings").click()
    expect(page.locator(".nhsuk-notification-banner")).to_contain_text(
        "Settings for Community Mental Health Team North saved")
    expect(page.get_by_label("ODS site code")).to_have_value("RX2AF")
    page.goto("/admin/fft-return")
    expect(page.locator("#problems")).to_have_count(0)
    expect(page.get_by_role("table", name=f"FFT return for {last_month:%B %Y}, by site")).to_contain_text("RX2AF")


def test_a_viewer_reads_a_services_settings(page, last_month):
    sign_in(page, "viewer")
    page.goto("/admin/services/OAKLANDS/settings")
    expect(page.locator("main")).to_contain_text("Only an admin can change a service's settings.")
    expect(page.locator("main")).to_contain_text("RX2AB")
    assert_accessible(page, "service settings, read only")
