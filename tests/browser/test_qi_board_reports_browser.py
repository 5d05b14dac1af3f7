"""QI, You said we did, board stories, reports and participation in a real browser, with axe on every page."""
from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from storage.models import YouSaidWeDid
from tests.admin import world_factories as make
from tests.browser.conftest import AXE, assert_accessible, sign_in


def violations_but(page, rule: str) -> list[str]:
    """axe's serious and critical violations, leaving out one rule that the page breaks on purpose."""
    page.evaluate(AXE.read_text(encoding="utf-8"))
    results = page.evaluate("async (rule) => await axe.run(document, {resultTypes: ['violations'], "
                            "rules: {[rule]: {enabled: false}}})", rule)
    return [v["id"] for v in results["violations"] if v["impact"] in ("serious", "critical")]


@pytest.fixture
def world(seed, staff, runtime):
    now = runtime.now()
    story = seed.story("Jo Bloggs on Oaklands listened to me.", redacted="[NAME] on Oaklands listened to me.",
                       themes={"Staff listening, understanding & involving patients": 0.9, "Discharge": 0.5},
                       created_at=now)
    for fft in ("1", "2", "2", "4", "6"):
        seed.story(fft=fft, created_at=now - timedelta(days=2), themes={"Discharge": 0.7}, sentiment="negative")
    project = seed.project("Kinder discharge", "OAKLANDS")
    seed.link(project, story)
    make.screen(runtime, "OAKLANDS")  # PPT have switched Oaklands' public screen on
    opportunity = make.opportunity(runtime, status="published")
    person = make.participant(runtime, consent_at=now)
    month = now.date().replace(day=1)
    make.equality(runtime, {"sex": "female"}, month, times=6)
    make.equality(runtime, {"sex": "male"}, month, times=2)
    return {"story": story, "project": project, "entry": make.entry(runtime, status="published"),
            "board": make.board_story(runtime, story, "Shows listening matters"), "opportunity": opportunity,
            "signup": make.signup(runtime, person, opportunity), "notice": make.notice(runtime)}


def test_a_reviewer_writes_and_publishes_you_said_we_did(page, world, runtime):
    sign_in(page, "reviewer")
    page.get_by_role("link", name="You said, we did").first.click()
    page.get_by_role("button", name="Write an entry").click()
    page.get_by_role("button", name="Save entry").click()  # empty: NHS error summary, and nothing saved
    summary = page.locator(".nhsuk-error-summary")
    assert "Enter what people said" in summary.inner_text()
    assert_accessible(page, "You said we did form with errors")
    summary.get_by_role("link", name="Enter what people said").click()
    page.get_by_label("You said").fill("Visiting times were too short for families who work.")
    page.get_by_label("We did").fill("Visiting now runs until 8pm on weekdays.")
    page.get_by_label("Service").select_option("OAKLANDS")
    page.get_by_role("button", name="Save entry").click()
    expect(page.locator(".nhsuk-notification-banner")).to_contain_text("saved as a draft")
    page.get_by_role("button", name="Publish").click()
    expect(page.locator(".nhsuk-notification-banner")).to_contain_text("Published")
    with runtime.factory() as db:
        entry = db.scalars(select(YouSaidWeDid).where(YouSaidWeDid.created_by == "reviewer")).one()
    assert entry.status == "published"

    public = page.context.browser.new_context(base_url=page.url.split("/admin")[0])  # no session: the public
    try:
        visitor = public.new_page()
        visitor.goto("/you-said-we-did")
        expect(visitor.locator("main")).to_contain_text("Visiting now runs until 8pm on weekdays.")
        assert_accessible(visitor, "public You said we did page")
        visitor.goto("/screen/OAKLANDS")
        expect(visitor.locator("main")).to_contain_text("Visiting now runs until 8pm")
    finally:
        public.close()


def test_a_reviewer_shortlists_a_story_for_the_board(page, seed, staff):
    story = seed.story("Sam Jones helped me.", redacted="[NAME] helped me.")
    sign_in(page, "reviewer")
    page.goto(f"/admin/feedback/{story}")
    page.get_by_label("Why this story? (optional)").fill("A short story of help")
    page.get_by_role("button", name="Shortlist for the Trust Board").click()
    expect(page.locator("#story-text")).to_contain_text("[NAME] helped me.")
    assert "Sam Jones" not in page.content()
    page.emulate_media(media="print")
    assert not page.locator(".nhsuk-header").is_visible() and not page.get_by_role(
        "button", name="Take off the shortlist").is_visible()
    assert page.locator("#story-text").is_visible()


def test_an_admin_previews_participation_news_before_it_goes(page, world):
    sign_in(page, "admin")
    page.get_by_role("button", name="More").click()  # the NHS header folds what does not fit into "More"
    page.get_by_role("link", name="Participation News").first.click()
    page.get_by_label("Message").fill("Participation News: the summer event is on 3 July.")
    page.get_by_role("button", name="Preview the message").click()
    expect(page.locator("main")).to_contain_text("1 text message")
    assert_accessible(page, "broadcast confirmation")
    page.get_by_role("button", name="Send to 1 person").click()
    expect(page.locator(".nhsuk-notification-banner")).to_contain_text("queued to 1 person")


def test_the_dashboard_works_without_javascript(browser, server, world):
    context = browser.new_context(base_url=server, java_script_enabled=False)
    try:
        page = context.new_page()
        sign_in(page, "viewer")
        page.goto("/admin/dashboard/")
        page.get_by_label("Service").select_option("OAKLANDS")
        page.get_by_role("button", name="Show").click()
        page.wait_for_url("**service=OAKLANDS**")
        expect(page.locator("svg.yoursay-chart").nth(3)).to_be_visible()  # at least 4 charts
        expect(page.locator(".nhsuk-lede-text")).to_contain_text("Oaklands Ward")
    finally:
        context.close()


def test_the_new_pages_have_no_serious_accessibility_problems(page, world):
    sign_in(page, "admin")
    pages = {
        "QI projects": "/admin/qi/",
        "new QI project": "/admin/qi/new",
        "QI project": f"/admin/qi/{world['project']}",
        "edit QI project": f"/admin/qi/{world['project']}/edit",
        "QI by service": "/admin/services/",
        "a service's QI": "/admin/services/OAKLANDS",
        "You said we did": "/admin/you-said-we-did/",
        "You said we did entry": f"/admin/you-said-we-did/{world['entry']}",
        "edit You said we did": f"/admin/you-said-we-did/{world['entry']}/edit",
        "board stories": "/admin/board/",
        "board story": f"/admin/board/{world['board']}",
        "story with the board button": f"/admin/feedback/{world['story']}",
        "dashboard": "/admin/dashboard/",
        "dashboard for a service": "/admin/dashboard/?service=OAKLANDS",
        "dashboard with errors": "/admin/dashboard/?service=NOPE&from=2099-01",
        "reports": "/admin/reports/",
        "diversity report": "/admin/reports/diversity",
        "exports": "/admin/reports/exports",
        "opportunities": "/admin/opportunities/",
        "new opportunity": "/admin/opportunities/new",
        "opportunity with sign-ups": f"/admin/opportunities/{world['opportunity']}",
        "edit opportunity": f"/admin/opportunities/{world['opportunity']}/edit",
        "Participation News": "/admin/broadcast/",
        "staff notices": "/admin/notices/",
        "public You said we did": "/you-said-we-did",
    }
    for name, url in pages.items():
        page.goto(url)
        assert_accessible(page, name)
    # The public screen reloads itself (meta refresh) on purpose: it is a display on a wall that no one uses,
    # so axe's meta-refresh rule (WCAG 2.2.1, for pages people interact with) is the one rule left out there.
    page.goto("/screen/OAKLANDS")
    assert page.locator('meta[http-equiv="refresh"]').count() == 1
    assert violations_but(page, "meta-refresh") == []
    for url, button, name in (("/admin/qi/new", "Save project", "QI project form with errors"),
                              ("/admin/opportunities/new", "Save opportunity", "opportunity form with errors"),
                              ("/admin/broadcast/", "Preview the message", "Participation News with errors")):
        page.goto(url)
        page.get_by_role("button", name=button).click()
        page.locator(".nhsuk-error-summary").wait_for()
        assert_accessible(page, name)
