"""The dashboard's rising themes (like for like, per service, a stated test) and its freshness."""
from __future__ import annotations

from datetime import timedelta
from html import escape

from admin.reports import rising, summary
from tests.admin.conftest import post
from tests.admin.test_report_pages import answers, audit_rows  # noqa: F401 (a fixture)


def test_the_themes_compare_shares_like_for_like_per_service_and_state_the_test(as_role, answers):
    page = as_role("viewer").get("/admin/dashboard/?service=OAKLANDS").get_data(as_text=True)
    assert escape(rising.TEST) in page and "p &lt; 0.05" in page and "at least 5 stories" in page
    assert 'id="theme-change-method">' in page and "compared with" in page
    table = page[page.index('id="theme-change"'):page.index("</table>", page.index('id="theme-change"'))]
    assert "Timeliness of care" in table and "100.0% (5)" in table and "no stories (0)" in table
    assert "Contacting services" not in table
    crisis = as_role("viewer").get("/admin/dashboard/?service=CRISIS").get_data(as_text=True)
    table = crisis[crisis.index('id="theme-change"'):]
    assert "Contacting services" in table[:table.index("</table>")]


def test_the_page_warns_when_its_figures_are_more_than_15_minutes_old(runtime, as_role, answers):
    client = as_role("viewer")
    summary.refresh(runtime.factory, runtime.now() - timedelta(minutes=20), tz=runtime.settings.timezone)
    page = client.get("/admin/dashboard/").get_data(as_text=True)
    assert 'id="figures-stale"' in page and "These figures may be out of date" in page
    assert "more than 15 minutes ago" in page


def test_figures_refreshed_minutes_ago_carry_no_warning(runtime, as_role, answers):
    summary.refresh(runtime.factory, runtime.now() - timedelta(minutes=3), tz=runtime.settings.timezone)
    page = as_role("viewer").get("/admin/dashboard/").get_data(as_text=True)
    assert 'id="figures-stale"' not in page and "Refresh now" in page


def test_refresh_now_needs_the_csrf_token_brings_figures_up_to_date_and_is_audited(runtime, as_role, answers):
    client = as_role("viewer")
    summary.refresh(runtime.factory, runtime.now() - timedelta(minutes=20), tz=runtime.settings.timezone)
    assert client.post("/admin/dashboard/refresh").status_code == 400
    response = post(client, "/admin/dashboard/refresh", {"service": "OAKLANDS", "from": "", "to": ""},
                    token_from="/admin/dashboard/")
    assert response.status_code == 302 and "service=OAKLANDS" in response.headers["Location"]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'id="figures-stale"' not in page and "brought up to date" in page
    assert [r for r in audit_rows(runtime) if r[0] == "dashboard_refresh"]
