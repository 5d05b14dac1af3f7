"""The dashboard's Making Data Count chart: the trust's FFT % positive, its limits, signals and table."""
from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime, timezone

import pytest

from admin.reports.periods import add_months, last_months
from storage.models import Answer, Response


def complete_month(runtime, k: int):
    """The k-th complete month before this one (1: last month)."""
    return add_months(last_months(runtime.now(), 1, runtime.settings.timezone)[0], -k)


@pytest.fixture
def year_of_fft(runtime, services):
    """Ten FFT answers a month on Oaklands for 13 complete months: 70% and 80% positive in turn, then 40% last month.

    Over all 13 months the limits are 72.3 +/- 2.66 x 12.5 (lower 39.06): 40% is common cause. Against a baseline
    of the 12 months before it (mean 75, MR-bar 10, lower limit 75 - 26.6 = 48.4) it is a special cause of concern.
    """
    with runtime.factory.begin() as db:
        for k in range(1, 14):
            month = complete_month(runtime, k)
            positive = 4 if k == 1 else 8 if k % 2 == 0 else 7
            for n in range(10):
                response = Response(survey_id="fft", survey_version=1, service_code="OAKLANDS", mode="SMS/text message",
                                    created_at=datetime(month.year, month.month, n + 5, 12, tzinfo=timezone.utc))
                db.add(response)
                db.flush()
                db.add(Answer(response_id=response.id, question_id="fft", value="1" if n < positive else "4"))


def spc_section(page: str) -> str:
    start = page.index('aria-labelledby="spc"')
    return page[start:page.index("</section>", start)]


def test_the_dashboard_shows_the_trust_chart_with_its_variation_and_table(as_role, runtime, year_of_fft):
    page = as_role("viewer").get("/admin/dashboard/").get_data(as_text=True)
    section = spc_section(page)
    assert 'href="#spc"' in page
    assert 'id="spc-trust"' in section and "FFT % positive for the trust" in section
    svg = re.search(r"<svg[^>]*app-spc-chart[^>]*>", section).group(0)
    assert 'role="img"' in svg and "aria-labelledby" in svg
    assert "Common cause variation: no significant change" in section
    last = complete_month(runtime, 1)
    assert f"{last:%b %Y}: 40.0% positive from 10 answers" in section
    table = section[section.index('id="spc-trust-table"'):]
    assert "40.0%" in table and "72.3%" in table and "39.1%" in table  # the mean and the lower limit
    first = complete_month(runtime, 13)  # the months before the first answers are left out
    assert f"There are no answers from before {first:%B %Y}: the chart starts there." in section
    assert re.search(r'<tr class="nhsuk-table__row">\s*<th scope="row" class="nhsuk-table__header">(\w+ \d+)</th>',
                     table).group(1) == f"{first:%b %Y}"
    assert ' style="' not in page


def test_a_baseline_turns_last_month_into_a_concern_shown_in_words_and_by_its_signal(as_role, runtime, year_of_fft,
                                                                                     tmp_path, monkeypatch):
    first, last = complete_month(runtime, 13), complete_month(runtime, 2)
    path = tmp_path / "spc.yaml"
    path.write_text(f"trust:\n  from: {first:%Y-%m}\n  to: {last:%Y-%m}\n", encoding="utf-8")
    monkeypatch.setattr(runtime, "settings", replace(runtime.settings, spc_baselines=str(path)))
    section = spc_section(as_role("viewer").get("/admin/dashboard/").get_data(as_text=True))
    assert 'nhsuk-tag--orange">Special cause variation: concern, lower than expected' in section
    assert "Concern: Outside the process limits (lower)" in section
    assert "48.4%" in section and "75.0%" in section
    assert f"worked out from 12 months with answers, {first:%B %Y} to {last:%B %Y} (the baseline set" in section


def test_a_service_chosen_on_the_dashboard_gets_its_own_chart(as_role, year_of_fft):
    section = spc_section(as_role("viewer").get("/admin/dashboard/?service=CRISIS").get_data(as_text=True))
    assert 'id="spc-crisis"' in section and "FFT % positive for Crisis Team" in section
    assert "Not enough data for process limits" in section


def test_a_bad_baselines_file_is_explained_on_the_page_and_the_chart_still_drawn(as_role, runtime, year_of_fft,
                                                                                 tmp_path, monkeypatch):
    path = tmp_path / "spc.yaml"
    path.write_text("trust:\n  from: last April\n", encoding="utf-8")
    monkeypatch.setattr(runtime, "settings", replace(runtime.settings, spc_baselines=str(path)))
    response = as_role("viewer").get("/admin/dashboard/")
    section = spc_section(response.get_data(as_text=True))
    assert response.status_code == 200
    assert "The SPC baselines file could not be used" in section
    assert "&#39;last April&#39; is not a month written as YYYY-MM" in section
    assert "Common cause variation" in section
