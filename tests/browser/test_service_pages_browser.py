"""A service's page, its printable pack and its PDF in a real browser, with axe on every page."""
from __future__ import annotations

import io

from playwright.sync_api import expect
from pypdf import PdfReader

from tests.admin.test_service_pages import FLAGGED, month  # noqa: F401  (the seeded month, a fixture)
from tests.browser.conftest import assert_accessible, sign_in


def test_a_viewer_finds_a_service_and_picks_a_month_without_javascript(browser, server, month, staff):  # noqa: F811
    context = browser.new_context(base_url=server, java_script_enabled=False)
    context.set_default_timeout(10_000)
    try:
        page = context.new_page()
        sign_in(page, "viewer")
        page.goto("/admin/services/")
        page.get_by_role("link", name="Oaklands Ward", exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Oaklands Ward")
        expect(page.locator("#fft-positive")).to_have_text("60.0% positive")
        expect(page.locator("#stories")).to_contain_text("[NAME] and the nurses")
        expect(page.locator("body")).not_to_contain_text(FLAGGED)
        page.get_by_label("Month", exact=True).select_option("2026-02")
        page.get_by_role("button", name="Show").click()
        page.wait_for_url("**month=2026-02**")
        expect(page.locator("#fft-summary")).to_contain_text("fewer than 5 answers in February 2026")
    finally:
        context.close()


def test_the_service_pages_have_no_serious_accessibility_problems(page, month, staff):  # noqa: F811
    sign_in(page, "viewer")
    for name, url in (("services", "/admin/services/"), ("a service's month", "/admin/services/OAKLANDS"),
                      ("a month with few answers", "/admin/services/OAKLANDS?month=2026-02"),
                      ("a month with no answers", "/admin/services/CRISIS?month=2025-06"),
                      ("the printable pack", "/admin/services/OAKLANDS/pack")):
        page.goto(url)
        assert_accessible(page, name)
    page.goto("/admin/services/OAKLANDS?month=2026-13")
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Month must be a month from the list")
    assert_accessible(page, "a service's month with an error")


def test_the_printable_pack_prints_without_navigation(page, month, staff):  # noqa: F811
    sign_in(page, "viewer")
    page.goto("/admin/services/OAKLANDS?month=2026-03")
    page.get_by_role("link", name="Printable pack for March 2026").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Oaklands Ward, March 2026")
    page.emulate_media(media="print")
    expect(page.locator("header.nhsuk-header")).to_be_hidden()
    expect(page.locator("#pack-links")).to_be_hidden()
    printed = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(page.pdf(format="A4"))).pages)
    assert "Oaklands Ward, March 2026" in printed and "60.0% positive" in printed
    assert "Sign out" not in printed and "Dashboard" not in printed and FLAGGED not in printed


def test_the_pdf_downloads_from_the_service_page(page, month, staff):  # noqa: F811
    sign_in(page, "viewer")
    page.goto("/admin/services/OAKLANDS?month=2026-03")
    with page.expect_download() as info:
        page.get_by_role("link", name="Download the pack as a PDF").click()
    download = info.value
    assert download.suggested_filename == "OAKLANDS-2026-03.pdf"
    text = "\n".join(p.extract_text() for p in PdfReader(download.path()).pages)
    assert "Oaklands Ward, March 2026" in text and "60.0% positive" in text
