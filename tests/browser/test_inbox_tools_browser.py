"""The inbox as a working tool in a real browser: folded filters on a phone, saved searches, sorting, the
theme list, and axe on each page."""
from __future__ import annotations

import io
from datetime import datetime, timedelta, timezone

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from storage.models import SavedSearch, StoryTag, ThemeCorrection
from tests.browser.conftest import assert_accessible, sign_in

PHONE = {"width": 375, "height": 800}
MARCH = datetime(2026, 3, 2, tzinfo=timezone.utc)


@pytest.fixture
def stories(seed, staff):
    ids = {"calm": seed.story("The ward was calm and the staff explained my care plan.", sentiment="positive",
                              created_at=MARCH + timedelta(days=3)),
           "wait": seed.story("I waited six weeks for a call back.", sentiment="negative",
                              themes={"Timeliness of care": 0.82, "Contacting services": 0.4},
                              created_at=MARCH + timedelta(days=1)),
           "noise": seed.story("It was noisy at night.", sentiment="neutral", created_at=MARCH + timedelta(days=2)),
           "cold": seed.story("The food was cold.", sentiment="negative", service="CRISIS",
                              themes={"Food & drink provision & facilities": 0.77}, created_at=MARCH)}
    for n in range(12):
        seed.story(f"Another story {n} about the ward.", created_at=MARCH - timedelta(days=n + 1))
    return ids


@pytest.fixture
def phone(browser, server):
    context = browser.new_context(base_url=server, viewport=PHONE)
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def test_on_a_phone_the_filters_are_folded_and_the_first_story_is_on_the_first_screen(phone, stories):
    sign_in(phone, "reviewer")
    phone.goto("/admin/feedback/?service=OAKLANDS&theme=Timeliness+of+care")
    summary = phone.locator("#filters summary")
    expect(summary).to_have_text("Filters: theme Timeliness of care, service Oaklands Ward")
    assert phone.locator("#filters").evaluate("d => d.open") is False
    expect(phone.get_by_label("Search the text")).to_be_hidden()
    first = phone.locator("#stories > li").first.get_by_role("link")
    box = first.bounding_box()
    assert box is not None and box["y"] + box["height"] <= PHONE["height"], f"first story at {box}"
    expect(phone.locator("#match-count")).to_have_text("1 story matches your filters")
    assert_accessible(phone, "inbox on a phone, filters folded")

    phone.goto("/admin/feedback/")
    expect(phone.locator("#filters summary")).to_have_text("Filter stories")
    assert phone.locator("#stories > li").first.bounding_box()["y"] < PHONE["height"]
    summary.click()
    phone.get_by_label("Sentiment").select_option("negative")
    phone.get_by_role("button", name="Apply filters").click()
    expect(phone.locator("#filters summary")).to_have_text("Filters: sentiment negative")
    expect(phone.locator("#stories > li")).to_have_count(2)
    assert_accessible(phone, "inbox on a phone, filtered")


def test_on_a_wide_screen_the_filters_are_open(page, stories):
    sign_in(page, "viewer")
    page.goto("/admin/feedback/")
    assert page.locator("#filters").evaluate("d => d.open") is True
    expect(page.get_by_label("Search the text")).to_be_visible()


def test_sorting_is_kept_when_filtering(page, stories):
    sign_in(page, "viewer")
    page.goto("/admin/feedback/")
    expect(page.locator("#match-count")).to_have_text("16 stories in the inbox")
    page.get_by_role("link", name="Most negative first").click()
    titles = page.locator("#stories > li h3")
    expect(titles.nth(0)).to_have_text(f"Story {stories['wait']}")  # negative, newest first
    expect(titles.nth(1)).to_have_text(f"Story {stories['cold']}")
    expect(titles.nth(2)).to_have_text(f"Story {stories['noise']}")  # then neutral, then positive
    page.get_by_label("Service").select_option("OAKLANDS")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.locator("#match-count")).to_have_text("15 stories match your filters")
    expect(page.locator("#sort strong")).to_have_text("Most negative first")
    expect(titles.nth(0)).to_have_text(f"Story {stories['wait']}")
    page.get_by_role("link", name="Oldest first").click()
    expect(titles.last).to_have_text(f"Story {stories['calm']}")


def test_a_search_is_saved_found_again_and_deleted(page, stories, runtime):
    sign_in(page, "reviewer")
    page.goto("/admin/feedback/")
    expect(page.locator("main")).to_contain_text("You have no saved searches")
    page.get_by_label("Sentiment").select_option("negative")
    page.get_by_label("Service").select_option("OAKLANDS")
    page.get_by_role("button", name="Apply filters").click()
    page.get_by_role("link", name="Oldest first").click()
    page.get_by_label("Save this search as").fill("Oaklands, unhappy")
    page.get_by_role("button", name="Save this search").click()
    expect(page.locator(".nhsuk-notification-banner")).to_contain_text("Search saved as “Oaklands, unhappy”")

    page.get_by_role("link", name="Feedback").first.click()  # the whole inbox again
    expect(page.locator("#match-count")).to_have_text("16 stories in the inbox")
    saved = page.locator(".app-saved-searches li")
    expect(saved).to_have_text(["Oaklands, unhappy service Oaklands Ward, sentiment negative, oldest first "
                                "Delete the saved search Oaklands, unhappy"], use_inner_text=False)
    assert_accessible(page, "inbox with a saved search")
    saved.get_by_role("link", name="Oaklands, unhappy").click()
    expect(page.locator("#match-count")).to_have_text("1 story matches your filters")
    expect(page.get_by_label("Sentiment")).to_have_value("negative")
    expect(page.locator("#sort strong")).to_have_text("Oldest first")

    page.get_by_label("Save this search as").fill("oaklands, UNHAPPY")
    page.get_by_role("button", name="Save this search").click()
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_contain_text("You already have a saved search called “Oaklands, unhappy”")
    assert_accessible(page, "inbox with a name already taken")
    summary.get_by_role("link").click()
    expect(page.get_by_label("Save this search as")).to_be_focused()

    page.get_by_role("button", name="Delete the saved search Oaklands, unhappy").click()
    expect(page.locator(".nhsuk-notification-banner")).to_contain_text("Saved search “Oaklands, unhappy” deleted")
    expect(page.locator("main")).to_contain_text("You have no saved searches")
    with runtime.factory() as db:
        assert db.scalars(select(SavedSearch)).all() == []


def test_a_reviewer_corrects_themes_with_the_searchable_list(page, stories, runtime):
    sign_in(page, "reviewer")
    page.goto(f"/admin/feedback/{stories['wait']}")
    page.get_by_text("Correct the themes").click()
    add = page.get_by_label("Add a theme")
    assert add.get_attribute("list") == "qdc-themes"
    assert page.locator("#qdc-themes option").count() == 50
    assert page.locator("#correct-themes input[type=checkbox]").count() == 2  # the story's own themes only
    assert_accessible(page, "story with the theme form open")

    add.fill("Rude receptionist")
    page.get_by_role("button", name="Save themes").click()
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_contain_text("“Rude receptionist” is not a theme in the framework")
    assert_accessible(page, "story with an unknown theme")
    summary.get_by_role("link").click()
    expect(add).to_be_focused()

    add.fill("staff responsiveness")
    add.press("Enter")  # adds it to the list, not saved yet
    expect(page.locator("#correct-themes")).to_contain_text("Not saved yet")
    expect(page.get_by_label("Staff responsiveness")).to_be_checked()
    page.get_by_label("Contacting services").uncheck()
    page.get_by_role("button", name="Save themes").click()
    expect(page.locator(".nhsuk-notification-banner")).to_contain_text("Themes saved")
    with runtime.factory() as db:
        themes = set(db.scalars(select(StoryTag.theme).where(StoryTag.answer_id == stories["wait"])))
        correction = db.get(ThemeCorrection, stories["wait"])
    assert themes == {"Timeliness of care", "Staff responsiveness"} == set(correction.themes)


def test_the_excel_download_holds_the_filtered_stories(page, stories):
    from openpyxl import load_workbook

    sign_in(page, "reviewer")
    page.goto("/admin/feedback/?sentiment=negative")
    page.get_by_role("button", name="Download as Excel").click()
    expect(page.locator("main")).to_contain_text("in the XLSX file")
    assert_accessible(page, "Excel export confirmation")
    with page.expect_download() as info:
        page.get_by_role("button", name="Download", exact=True).click()
    download = info.value
    assert download.suggested_filename.endswith(".xlsx")
    sheet = load_workbook(io.BytesIO(download.path().read_bytes()), read_only=True)["Feedback"]
    ids = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True) if row and str(row[0]).isdigit()]
    assert sorted(ids) == sorted(str(stories[k]) for k in ("wait", "cold"))
