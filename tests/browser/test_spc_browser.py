"""The dashboard's Making Data Count chart in a real browser: read by its name, its table opened, axe clean."""
from __future__ import annotations

from dataclasses import replace

from playwright.sync_api import expect

from tests.admin.test_spc_dashboard import complete_month, year_of_fft  # noqa: F401 (a fixture)
from tests.browser.conftest import assert_accessible, sign_in


def test_the_trust_spc_chart_on_the_dashboard_is_accessible_with_its_table(page, staff, runtime, year_of_fft,
                                                                           tmp_path, monkeypatch):
    first, last = complete_month(runtime, 13), complete_month(runtime, 2)
    path = tmp_path / "spc.yaml"
    path.write_text(f"trust:\n  from: {first:%Y-%m}\n  to: {last:%Y-%m}\n", encoding="utf-8")
    monkeypatch.setattr(runtime, "settings", replace(runtime.settings, spc_baselines=str(path)))
    sign_in(page, "viewer")
    page.goto("/admin/dashboard/")
    page.get_by_role("link", name="FFT % positive over time (Making Data Count)").click()
    chart = page.get_by_role("img", name="FFT % positive for the trust: statistical process control chart")
    expect(chart).to_be_visible()
    section = page.locator("#spc-trust")
    expect(section.locator(".nhsuk-tag--orange")).to_have_text("Special cause variation: concern, lower than expected")
    table = page.get_by_role("table", name="FFT % positive by month, with the process limits and special-cause signals")
    expect(table).to_be_hidden()
    page.get_by_text("Show the chart's figures and signals as a table").click()
    expect(table).to_be_visible()
    latest = table.get_by_role("row", name=f"{complete_month(runtime, 1):%b %Y}")
    expect(latest).to_contain_text("40.0%")
    expect(latest).to_contain_text("Concern: Outside the process limits (lower)")
    page.get_by_text("How to read this chart").click()
    expect(page.get_by_text("it is outside the process limits;")).to_be_visible()
    assert_accessible(page, "Dashboard with the SPC chart and its table open")
