"""A service's page and printable pack: its month's FFT beside the trust's, SPC, themes, stories, QI and
"You said, we did"; and the list of services."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from storage.models import AuditEntry, QIProject, YouSaidWeDid

NOW = datetime(2026, 4, 10, 9, 0, tzinfo=timezone.utc)  # the last complete month is March 2026
MARCH = datetime(2026, 3, 3, 0, 0, tzinfo=timezone.utc)
FEBRUARY = datetime(2026, 2, 3, 0, 0, tzinfo=timezone.utc)
FLAGGED = "I have been thinking about hurting myself since the ward round"
FLAGGED_TOO = "Nobody on the team would listen and I feel like ending it all tonight"
WAITING = "Staff manner & personal attributes"


def day(start: datetime, n: int) -> datetime:
    return start + timedelta(days=n % 25)


def entry(runtime, you_said: str, we_did: str, *, service="OAKLANDS", status="published",
          published_at: datetime = MARCH) -> None:
    with runtime.factory.begin() as db:
        db.add(YouSaidWeDid(you_said=you_said, we_did=we_did, service_code=service, happened_on=date(2026, 3, 1),
                            status=status, created_by="seed", created_at=published_at,
                            published_at=published_at if status == "published" else None))


@pytest.fixture
def month(runtime, seed):
    """Oaklands Ward in March 2026: 10 FFT answers (6 positive, 3 negative, one of them flagged), stories,
    themes against February, QI projects and "You said, we did"; 10 answers elsewhere in the trust."""
    for n in range(6):
        seed.story(f"Jo and the nurses on Oaklands were kind and listened to me every day ({n})",
                   redacted=f"[NAME] and the nurses on Oaklands were kind and listened to me every day ({n})",
                   fft="1", sentiment="positive", created_at=day(MARCH, n), themes={WAITING: 0.9})
    for n in range(2):
        seed.story(f"I waited far too long to see a doctor on the ward, nobody told me why ({n})", fft="4",
                   sentiment="negative", created_at=day(MARCH, 10 + n), themes={"Timeliness of care": 0.8})
    seed.story(FLAGGED, fft="5", sentiment="negative", risk="self-harm", created_at=day(MARCH, 12), themes={})
    seed.story("It was fine I suppose, nothing special happened at all", fft="3", sentiment="neutral",
               created_at=day(MARCH, 13), themes={})
    for n in range(10):
        seed.story(f"Good team ({n})", service="CMHTNORTH", fft="1", created_at=day(MARCH, n))
    seed.story(FLAGGED_TOO, redacted=FLAGGED_TOO, service="CMHTNORTH", fft=None, sentiment="negative",
               risk="self-harm", created_at=day(MARCH, 4), themes={})  # its only negative story
    for n in range(3):
        seed.story(f"Fine ({n})", service="CRISIS", fft="2", created_at=day(MARCH, n))
    for n in range(4):
        seed.story(f"Kind staff in February ({n}) and a clean ward", fft="1", created_at=day(FEBRUARY, n),
                   themes={WAITING: 0.9})
    seed.story("An April story, not in March", fft="5", sentiment="negative", created_at=NOW - timedelta(days=2))
    open_project = seed.project("Kinder discharge", "OAKLANDS")
    done = seed.project("Older project", "OAKLANDS")
    with runtime.factory.begin() as db:
        db.get(QIProject, done).status = "completed"
    entry(runtime, "The phone line was always busy", "We added a second phone line")
    entry(runtime, "Draft words", "Not yet published", status="draft")
    entry(runtime, "Crisis line words", "Crisis changes", service="CRISIS")
    entry(runtime, "Said in April", "Done in April", published_at=NOW - timedelta(days=3))
    runtime.now = lambda: NOW
    return {"project": open_project}


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def test_the_service_page_shows_the_last_complete_month_beside_the_trust(as_role, month):
    html = page(as_role("viewer"), "/admin/services/OAKLANDS")
    assert "<h1>Oaklands Ward</h1>" in html and "March 2026" in html
    assert "60.0% positive" in html  # 6 of 10 answers
    # 3 negative: beside the total of 10, "30.0%" would give away a count of 3, which is hidden as "*"
    assert "*% negative" in html and "30.0%" not in html
    assert "from 10 answers" in html
    assert "Trust: 82.6% from 23 answers" in html  # 19 of the trust's 23 answers positive
    assert "Trust: *% from 23 answers" in html and "13.0%" not in html  # 3 negative


def test_the_month_picker_chooses_another_month(as_role, month):
    html = page(as_role("viewer"), "/admin/services/OAKLANDS?month=2026-02")
    assert "<h1>Oaklands Ward</h1>" in html and "February 2026" in html
    fft = html[html.index('id="fft-heading"'):html.index('id="spc-heading"')]
    assert "fewer than 5 answers in February 2026" in fft and "%" not in fft.split("% positive is")[0]  # 4 answers
    assert '<option value="2026-02" selected>February 2026</option>' in html
    assert '<select class="nhsuk-select" id="month" name="month"' in html


def test_themes_are_shares_with_counts_against_the_month_before(as_role, month):
    html = page(as_role("viewer"), "/admin/services/OAKLANDS")
    assert "Themes in March 2026" in html and "against 4 in February 2026" in html
    themes = html[html.index('id="themes"'):]
    row = themes[themes.index(WAITING.replace("&", "&amp;")):]
    assert "100.0% (4)" in row.split("</tr>")[0] and "60.0% (6)" in row.split("</tr>")[0]  # 6 of 10 stories
    assert "Timeliness of care" in themes
    assert "one-sided two-proportion z-test" in html


def test_stories_are_redacted_and_flagged_ones_are_left_out(as_role, month):
    html = page(as_role("viewer"), "/admin/services/OAKLANDS")
    stories = html[html.index('id="stories"'):html.index('id="qi-heading"')]
    assert "[NAME] and the nurses on Oaklands" in stories and "Jo and the nurses" not in html
    assert "I waited far too long" in stories  # negative stories are mixed in
    assert FLAGGED not in html
    assert stories.count('class="app-story"') == 5
    assert "An April story" not in html


def test_a_flagged_story_is_left_out_even_when_it_is_the_only_negative_one(as_role, month):
    html = page(as_role("viewer"), "/admin/services/CMHTNORTH?month=2026-03")
    stories = html[html.index('id="stories"'):html.index('id="qi-heading"')]
    assert stories.count('class="app-story"') == 5 and "Good team" in stories
    assert FLAGGED_TOO not in html


def test_the_same_stories_are_chosen_every_time(as_role, month):
    client = as_role("viewer")
    first, again = (page(client, "/admin/services/OAKLANDS") for _ in range(2))
    pick = lambda html: html[html.index('id="stories"'):html.index('id="qi-heading"')]  # noqa: E731
    assert pick(first) == pick(again)


def test_open_qi_projects_and_published_you_said_we_did_are_shown(as_role, month):
    html = page(as_role("viewer"), "/admin/services/OAKLANDS")
    assert f'href="/admin/qi/{month["project"]}">Kinder discharge</a>' in html
    assert "Older project" not in html  # completed
    assert "0 of 1 QI project is backed by service user feedback" in html
    assert "We added a second phone line" in html
    assert "Not yet published" not in html and "Crisis changes" not in html
    assert "Done in April" not in html  # published after March


def test_the_page_links_to_the_pack_the_pdf_and_the_settings(as_role, month):
    html = page(as_role("viewer"), "/admin/services/OAKLANDS?month=2026-03")
    assert 'href="/admin/services/OAKLANDS/pack?month=2026-03"' in html
    assert 'href="/admin/services/OAKLANDS/pack.pdf?month=2026-03"' in html
    assert 'href="/admin/services/OAKLANDS/settings"' in html


def test_the_page_shows_the_spc_chart(as_role, month):
    html = page(as_role("viewer"), "/admin/services/OAKLANDS")
    assert 'id="spc-oaklands"' in html and "<svg" in html
    assert "Mar 2026" in html[html.index('id="spc-oaklands"'):]


def test_an_unknown_service_is_not_found_and_a_bad_month_is_refused(as_role, month):
    viewer = as_role("viewer")
    assert viewer.get("/admin/services/NOWHERE").status_code == 404
    assert viewer.get("/admin/services/NOWHERE/pack").status_code == 404
    assert viewer.get("/admin/services/NOWHERE/pack.pdf?month=2026-03").status_code == 404
    for bad in ("2026-13", "March", "2026-05"):  # not a month; not a month; after this one
        response = viewer.get(f"/admin/services/OAKLANDS?month={bad}")
        assert response.status_code == 400
        html = response.get_data(as_text=True)
        assert "nhsuk-error-summary" in html and 'href="#month"' in html
        assert viewer.get(f"/admin/services/OAKLANDS/pack?month={bad}").status_code == 400
        assert viewer.get(f"/admin/services/OAKLANDS/pack.pdf?month={bad}").status_code == 400
        assert viewer.get(f"/admin/services/?month={bad}").status_code == 400


def test_every_role_may_read_the_pages_and_download_the_pack(as_role, month):
    for role in ("viewer", "reviewer", "admin"):
        client = as_role(role)
        for url in ("/admin/services/", "/admin/services/OAKLANDS", "/admin/services/OAKLANDS/pack",
                    "/admin/services/OAKLANDS/pack.pdf"):
            assert client.get(url).status_code == 200, (role, url)


def test_the_pages_need_sign_in(client, month):
    for url in ("/admin/services/", "/admin/services/OAKLANDS", "/admin/services/OAKLANDS/pack",
                "/admin/services/OAKLANDS/pack.pdf"):
        response = client.get(url)
        assert response.status_code == 302 and "/admin/login" in response.headers["Location"]


def test_the_printable_pack_has_the_same_month_without_the_controls(as_role, month):
    html = page(as_role("viewer"), "/admin/services/OAKLANDS/pack?month=2026-03")
    assert "Oaklands Ward, March 2026" in html and "monthly feedback pack" in html
    assert "60.0% positive" in html and "[NAME] and the nurses" in html and FLAGGED not in html
    assert "We added a second phone line" in html and "Kinder discharge" in html
    assert 'id="month"' not in html  # no month picker on paper
    assert 'class="nhsuk-list app-no-print" id="pack-links"' in html


def test_downloading_the_pdf_is_audited(as_role, runtime, month):
    response = as_role("viewer").get("/admin/services/OAKLANDS/pack.pdf?month=2026-03")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    assert 'filename="OAKLANDS-2026-03.pdf"' in response.headers["Content-Disposition"]
    with runtime.factory() as db:
        entry_row = db.scalars(select(AuditEntry).where(AuditEntry.action == "pack_download")).one()
    assert (entry_row.username, entry_row.target, entry_row.detail) == ("viewer", "service:OAKLANDS", "2026-03")


def test_the_services_list_shows_each_services_month(as_role, month):
    html = page(as_role("viewer"), "/admin/services/?month=2026-03")
    rows = {row.split("</a>")[0].rsplit(">", 1)[-1]: row for row in html.split('<tr class="nhsuk-table__row"')[1:]}
    assert "10" in rows["Oaklands Ward"] and "60.0%" in rows["Oaklands Ward"] and "30.0%" not in rows["Oaklands Ward"]
    assert 'href="/admin/services/OAKLANDS?month=2026-03"' in rows["Oaklands Ward"]
    assert 'href="/admin/services/OAKLANDS/pack.pdf?month=2026-03"' in rows["Oaklands Ward"]
    assert "100.0%" in rows["Community Mental Health Team North"]
    crisis = rows["Crisis Team"]
    assert "FFT answers </span>*<" in crisis and "% positive </span>-<" in crisis  # 3 answers: hidden
    assert "% negative </span>-<" in crisis
    assert "82.6%" in html[html.index('id="trust-row"'):]
