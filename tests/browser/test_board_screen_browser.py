"""Board stories (write up, add a story, print) and the public screen under PPT's control, in a real browser."""
from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from storage.models import BoardStory, BoardStorySource
from tests.admin import world_factories as make
from tests.browser.conftest import AXE, assert_accessible, sign_in


def violations_but_refresh(page) -> list[str]:
    """axe's serious and critical violations, but meta-refresh: a wall screen reloads itself on purpose."""
    page.evaluate(AXE.read_text(encoding="utf-8"))
    results = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations'], "
                            "rules: {'meta-refresh': {enabled: false}}})")
    return [v["id"] for v in results["violations"] if v["impact"] in ("serious", "critical")]


@pytest.fixture
def world(seed, staff, runtime):
    story = seed.story("Jo Bloggs sat with me the night I arrived.", redacted="[NAME] sat with me the night I arrived.")
    other = seed.story("Sam Jones rang me back the next day.", redacted="[NAME] rang me back the next day.")
    flagged = seed.story("I took too many tablets but the nurse found me.", risk="self-harm")
    return {"story": story, "other": other, "flagged": flagged, "project": seed.project("Kinder nights", "OAKLANDS"),
            "entry": make.entry(runtime, you_said="Nights felt lonely", we_did="A nurse checks in every hour",
                                status="published")}


def test_a_reviewer_writes_up_a_board_story_and_prints_it(page, world, runtime):
    sign_in(page, "reviewer")
    page.goto(f"/admin/feedback/{world['story']}")
    page.get_by_role("button", name="Shortlist for the Trust Board").click()
    expect(page.locator("#story-text")).to_contain_text("[NAME] sat with me the night I arrived.")
    expect(page.locator("#board-status")).to_contain_text("Draft")
    assert_accessible(page, "new board story")

    page.get_by_role("link", name="Edit the title, narrative, consent and links").click()
    expect(page.get_by_label("Narrative")).to_have_value("[NAME] sat with me the night I arrived.")
    assert "Jo Bloggs" not in page.content()
    page.get_by_label("Consent given").check()
    page.get_by_role("button", name="Save board story").click()  # no title, no note of consent: errors, nothing saved
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_contain_text("Enter a title")
    expect(summary).to_contain_text("Enter how and when the person gave their consent")
    assert page.title().startswith("Error: ")
    assert_accessible(page, "board story form with errors")
    summary.get_by_role("link", name="Enter a title").click()
    expect(page.get_by_label("Title")).to_be_focused()

    page.get_by_label("Title").fill("Being listened to on the night I arrived")
    page.get_by_label("Narrative").fill("I arrived scared and alone.\n\nA nurse sat with me all night.")
    page.get_by_label("How and when consent was given or refused").fill("Agreed by phone on 3 March")
    page.get_by_label("QI project that followed").select_option(str(world["project"]))
    page.get_by_label("\u201cYou said, we did\u201d that followed").select_option(str(world["entry"]))
    page.get_by_role("button", name="Save board story").click()
    expect(page.locator(".nhsuk-notification-banner")).to_contain_text("Board story saved")
    expect(page.locator("#story-text p")).to_have_count(2)
    expect(page.locator("#board-status")).to_have_text("Ready for the Board")
    expect(page.get_by_role("link", name="Kinder nights")).to_be_visible()

    page.get_by_label("Story number").fill(str(world["other"]))
    page.get_by_role("button", name="Add story").click()
    expect(page.locator("#board-sources > li")).to_have_count(2)
    with runtime.factory() as db:
        assert db.scalars(select(BoardStorySource.answer_id)).one() == world["other"]
    assert_accessible(page, "board story with two stories")

    page.get_by_role("link", name="Print view").click()
    article = page.locator("#board-print")
    expect(article.get_by_role("heading", level=1)).to_have_text("Being listened to on the night I arrived")
    expect(article).to_contain_text("Shared with the consent of the person who told it")
    expect(article).to_contain_text("A nurse checks in every hour")
    assert_accessible(page, "board story print view")
    page.emulate_media(media="print")
    assert not page.locator(".nhsuk-header").is_visible() and not page.locator(".nhsuk-back-link").is_visible()
    assert not page.locator(".nhsuk-footer").is_visible() and not page.get_by_text("Ctrl+P").is_visible()
    expect(article.locator("#narrative p")).to_have_count(2)
    assert article.get_by_text("A nurse sat with me all night.").is_visible()
    assert "Agreed by phone" not in page.content()


def test_a_flagged_story_goes_to_the_board_only_once_confirmed(page, world, runtime):
    sign_in(page, "reviewer")
    page.goto(f"/admin/feedback/{world['flagged']}")
    page.get_by_role("button", name="Shortlist for the Trust Board").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("This story is flagged as a possible risk")
    assert_accessible(page, "flagged story confirmation")
    page.get_by_role("button", name="Shortlist it for the Trust Board").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Tick to confirm")
    assert_accessible(page, "flagged story confirmation with an error")
    with runtime.factory() as db:
        assert db.scalars(select(BoardStory)).first() is None
    page.get_by_label("I have checked this flagged story").check()
    page.get_by_role("button", name="Shortlist it for the Trust Board").click()
    expect(page.locator("#board-sources")).to_contain_text("Flagged as a possible risk: self-harm")


def test_the_board_pages_have_no_serious_accessibility_problems(page, world, runtime):
    board = make.board_story(runtime, world["story"], title="Being listened to", narrative="One.\n\nTwo.",
                             consent="refused", also=(world["other"],))
    sign_in(page, "admin")
    for name, url in (("board stories", "/admin/board/"), ("a refused board story", f"/admin/board/{board}"),
                      ("edit a board story", f"/admin/board/{board}/edit"),
                      ("a story with board choices", f"/admin/feedback/{world['other']}")):
        page.goto(url)
        assert_accessible(page, name)
    page.goto(f"/admin/board/{board}/print")
    expect(page.get_by_role("heading", level=1)).to_have_text("This board story cannot be printed")
    assert "Two." not in page.content()
    assert_accessible(page, "a board story that cannot be printed")


def test_the_public_screen_is_off_until_switched_on_and_hides_small_numbers(browser, server, seed, runtime):
    now = runtime.now()
    for fft in "4444445555551122":  # 16 answers, 75% poor
        seed.story(fft=fft, created_at=now - timedelta(days=2))
    make.entry(runtime, we_did="A nurse checks in every hour", status="published")
    context = browser.new_context(base_url=server)  # a screen on a ward wall: no one signed in
    try:
        screen = context.new_page()
        screen.goto("/screen/OAKLANDS")
        expect(screen.locator("main")).to_contain_text("This screen is not switched on")
        assert "A nurse checks in every hour" not in screen.content()
        assert violations_but_refresh(screen) == []

        make.screen(runtime, "OAKLANDS")
        screen.reload()
        expect(screen.locator("main")).to_contain_text("Not enough answers yet to show")
        assert "75%" not in screen.locator("main").inner_text()
        expect(screen.locator("main")).to_contain_text("A nurse checks in every hour")
        assert violations_but_refresh(screen) == []

        make.screen(runtime, "OAKLANDS", minimum=16)
        screen.reload()
        expect(screen.locator("main")).to_contain_text("75%")
        expect(screen.locator("main")).to_contain_text("From 16 answers")
        assert violations_but_refresh(screen) == []
    finally:
        context.close()
