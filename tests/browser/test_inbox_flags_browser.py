"""The admin in a real browser: sign in, filter, correct themes, review a flag, export, and axe on every page."""
from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from storage.models import SafeguardingFlag, StoryTag, ThemeCorrection
from tests.browser.conftest import assert_accessible, serious_violations, sign_in


@pytest.fixture
def stories(seed, staff):
    ids = {
        "kind": seed.story("The nurses on Oaklands were kind and listened.", themes={
            "Staff manner & personal attributes": 0.91}, sentiment="positive", fft="1"),
        "wait": seed.story("I waited six weeks for a call back from Jo Bloggs.",
                           redacted="I waited six weeks for a call back from [NAME].",
                           themes={"Timeliness of care": 0.82, "Contacting services": 0.4},
                           sentiment="negative", fft="4", service="CMHTNORTH"),
        "food": seed.story("The food was cold.", themes={"Food & drink provision & facilities": 0.77},
                           sentiment="negative", fft="3"),
    }
    ids["project"] = seed.project("Faster call backs", "CMHTNORTH")
    return ids


def test_a_reviewer_signs_in_filters_the_inbox_and_corrects_a_theme(page, stories, runtime):
    sign_in(page, "reviewer")
    page.get_by_role("link", name="Feedback").first.click()
    page.get_by_label("Sentiment").select_option("negative")
    page.get_by_label("Service").select_option("CMHTNORTH")
    page.get_by_role("button", name="Apply filters").click()
    results = page.locator("#stories > li")
    expect(results).to_have_count(1)  # waits for the filtered page to load
    assert "[NAME]" in results.first.inner_text() and "Jo Bloggs" not in page.content()

    results.first.get_by_role("link").click()
    page.get_by_text("Correct the themes").click()
    page.get_by_label("Contacting services").uncheck()
    page.get_by_label("Add a theme").fill("Staff responsiveness")  # one of the framework's themes, offered as you type
    page.get_by_role("button", name="Save themes").click()
    expect(page.locator(".nhsuk-notification-banner")).to_contain_text("Themes saved")
    assert page.get_by_role("cell", name="Staff responsiveness").is_visible()
    with runtime.factory() as db:
        themes = set(db.scalars(select(StoryTag.theme).where(StoryTag.answer_id == stories["wait"])))
        correction = db.get(ThemeCorrection, stories["wait"])
    assert themes == {"Timeliness of care", "Staff responsiveness"}
    assert set(correction.themes) == themes and correction.corrected_by == "reviewer"


def test_a_reviewer_reviews_a_flag_and_cannot_close_it_without_a_note(page, seed, staff, runtime):
    contact = seed.contact()
    seed.message(contact, "Thank you. Why did you give that answer?")
    flag = seed.flag("I can't go on like this", contact_id=contact,
                     created_at=runtime.now() - timedelta(hours=3, minutes=5))
    sign_in(page, "reviewer")
    queue = page.get_by_role("table")
    assert "3 hours 5 minutes" in queue.inner_text()
    assert_accessible(page, "home with a flag waiting")
    queue.get_by_role("link", name=f"Flag {flag}").click()
    main = page.locator("main").inner_text()
    assert "I can't go on like this" in main and "Why did you give that answer?" in main
    assert_accessible(page, "flag page")

    page.get_by_role("button", name="Close flag").click()
    summary = page.locator(".nhsuk-error-summary")
    assert "Enter the action taken" in summary.inner_text()
    assert_accessible(page, "flag page with an error")
    summary.get_by_role("link").click()
    page.get_by_label("What action was taken?").fill("Called them; passed to the crisis team.")
    page.get_by_role("button", name="Close flag").click()
    page.wait_for_url("**/admin/")
    expect(page.locator("main")).to_contain_text("No safeguarding flags are waiting")
    with runtime.factory() as db:
        closed = db.get(SafeguardingFlag, flag)
    assert closed.status == "closed" and closed.reviewed_by == "reviewer"


def test_a_reviewer_downloads_the_filtered_stories_as_csv(page, stories):
    sign_in(page, "reviewer")
    page.goto("/admin/feedback/?sentiment=negative")
    page.get_by_role("button", name="Download as CSV").click()
    expect(page.locator("main")).to_contain_text("Stories to be exported")
    assert_accessible(page, "export confirmation")
    with page.expect_download() as info:
        page.get_by_role("button", name="Download", exact=True).click()
    download = info.value
    assert download.suggested_filename.endswith(".csv")
    header, *lines = csv.reader(io.StringIO(download.path().read_text(encoding="utf-8-sig")))
    assert lines[-1] == ["# Text is redacted: names, numbers and addresses the NLP found are replaced."]
    rows = [dict(zip(header, line)) for line in lines[:-1]]
    assert {r["text"] for r in rows} == {"I waited six weeks for a call back from [NAME].", "The food was cold."}


def test_the_inbox_and_sign_in_work_without_javascript(browser, server, stories):
    context = browser.new_context(base_url=server, java_script_enabled=False)
    page = context.new_page()
    try:
        sign_in(page, "viewer")
        page.goto("/admin/feedback/")
        page.get_by_text("Filter stories").click()  # folded until opened when there is no JavaScript
        page.get_by_label("Search the text").fill("food")
        page.get_by_role("button", name="Apply filters").click()
        expect(page.locator("#stories > li")).to_have_count(1)
        page.locator("#stories a").first.click()
        assert "The food was cold." in page.content()
    finally:
        context.close()


def test_every_main_page_has_no_serious_accessibility_problems(page, stories, seed, staff):
    flag = seed.flag("Please help")
    page.goto("/admin/login")
    assert_accessible(page, "sign-in page")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".nhsuk-error-summary")).to_be_visible()  # the page the form comes back to, not the old one
    assert_accessible(page, "sign-in page with errors")
    sign_in(page, "admin")
    pages = {
        "home": "/admin/",
        "flags": "/admin/flags/",
        "closed flags": "/admin/flags/?status=closed",
        "flag": f"/admin/flags/{flag}",
        "inbox": "/admin/feedback/",
        "inbox filtered": "/admin/feedback/?theme=Timeliness+of+care&date_from=2026-01-01",
        "inbox with no results": "/admin/feedback/?q=nothing-matches-this",
        "story": f"/admin/feedback/{stories['wait']}",
        "users": "/admin/users/",
        "new user": "/admin/users/new",
        "edit user": f"/admin/users/{staff['viewer']}",
        "audit log": "/admin/audit/",
        "not found": "/admin/feedback/999999",
    }
    for name, url in pages.items():
        page.goto(url)
        assert_accessible(page, name)
    page.goto(f"/admin/feedback/{stories['wait']}")
    page.get_by_role("button", name="Show original text").click()
    expect(page.locator("main")).to_contain_text("Jo Bloggs")  # waits for the page the button opens
    assert_accessible(page, "story with original text")
    page.get_by_text("Correct the themes").click()
    assert_accessible(page, "story with the theme form open")
    page.goto("/admin/feedback/")
    page.get_by_role("button", name="Link stories to project").click()
    assert_accessible(page, "bulk link confirmation")
    page.goto("/admin/users/new")
    page.get_by_role("button", name="Add user").click()
    assert_accessible(page, "new user with errors")


def test_the_accessibility_check_does_find_problems(page):
    page.set_content('<html lang="en"><body><main><img src="x.png"><input type="text"></main></body></html>')
    found = {v["id"] for v in serious_violations(page)}
    assert "image-alt" in found and "label" in found
