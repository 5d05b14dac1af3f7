"""Board stories: a title and paragraphs from one or more redacted stories, consent, what changed, a print view."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from storage.models import AuditEntry, BoardStory, BoardStorySource
from tests.admin import world_factories as make
from tests.admin.conftest import post

ORIGINAL = "Jo Bloggs on Oaklands sat with me all night."
REDACTED = "[NAME] on Oaklands sat with me all night."


def audit(runtime) -> list[tuple[str, str, str]]:
    with runtime.factory() as db:
        return [tuple(r) for r in db.execute(select(AuditEntry.action, AuditEntry.target, AuditEntry.detail)
                                             .order_by(AuditEntry.id))]


def board(runtime, board_id: int) -> BoardStory:
    with runtime.factory() as db:
        return db.get(BoardStory, board_id)


def form(**changes) -> dict:
    data = {"title": "Being listened to on the night I arrived",
            "narrative": "I arrived scared.\n\nA nurse sat with me all night.", "consent": "anonymous",
            "consent_note": "", "qi_project_id": "", "you_said_we_did_id": ""}
    return {**data, **changes}


@pytest.fixture
def reviewer(as_role):
    return as_role("reviewer")


@pytest.fixture
def shortlisted(reviewer, seed, runtime):
    """A story shortlisted by a reviewer through the story page's button: the board story's id."""
    story = seed.story(ORIGINAL, redacted=REDACTED)
    response = post(reviewer, f"/admin/board/shortlist/{story}", {"note": "Shows what kindness does"})
    return int(response.headers["Location"].rsplit("/", 1)[1])


def test_a_new_board_story_starts_from_the_redacted_text_never_the_original(reviewer, shortlisted, runtime):
    row = board(runtime, shortlisted)
    assert row.narrative == REDACTED and row.consent == "unrecorded"  # nobody has decided on consent yet
    assert (row.consent_recorded_by, row.consent_recorded_at) == (None, None)
    page = reviewer.get(f"/admin/board/{shortlisted}/edit").get_data(as_text=True)
    assert REDACTED in page and "Jo Bloggs" not in page
    assert "checked" not in page.split('name="consent"')[1].split("</fieldset>")[0]  # a choice PPT must make


def test_an_old_board_story_with_no_narrative_is_edited_from_its_redacted_stories(reviewer, seed, runtime):
    story = seed.story(ORIGINAL, redacted=REDACTED)
    other = seed.story("Sam Jones rang me back the next day.", redacted="[NAME] rang me back the next day.")
    board_id = make.board_story(runtime, story, also=(other,))  # as migrated: no title, no narrative
    textarea = reviewer.get(f"/admin/board/{board_id}/edit").get_data(as_text=True).split('id="narrative"')[1]
    textarea = textarea.split("</textarea>")[0]
    assert f"{REDACTED}\n\n[NAME] rang me back the next day." in textarea
    assert "Jo Bloggs" not in textarea and "Sam Jones" not in textarea


def test_the_narrative_shows_as_paragraphs_split_on_blank_lines_and_escaped(reviewer, shortlisted, runtime):
    narrative = "I arrived scared.\r\n\r\nA <b>nurse</b> sat with me.\nAll night.\n   \n<script>alert(1)</script>"
    response = post(reviewer, f"/admin/board/{shortlisted}/edit", form(narrative=narrative))
    assert response.status_code == 302 and response.headers["Location"] == f"/admin/board/{shortlisted}"
    for url in (f"/admin/board/{shortlisted}", f"/admin/board/{shortlisted}/print"):
        page = reviewer.get(url).get_data(as_text=True)
        story = page.split('id="story-text"' if "print" not in url else 'id="narrative"')[1].split("</div>")[0]
        assert re.findall(r"<p[^>]*>(.*?)</p>", story, re.S) == [
            "I arrived scared.", "A &lt;b&gt;nurse&lt;/b&gt; sat with me.\nAll night.",
            "&lt;script&gt;alert(1)&lt;/script&gt;"], url
        assert "<b>nurse" not in page and "<script>alert" not in page
    assert ("board_update", f"board:{shortlisted}", "") in audit(runtime)


def test_a_title_and_narrative_are_needed_and_errors_follow_the_nhs_pattern(reviewer, shortlisted, runtime):
    response = post(reviewer, f"/admin/board/{shortlisted}/edit",
                    form(title="", narrative="  \n\n ", consent="given", consent_note="", qi_project_id="999",
                         you_said_we_did_id="abc"))
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "<title>Error: " in page and "nhsuk-error-summary" in page
    for href, text in (("#title", "Enter a title"), ("#narrative", "Enter the story"),
                       ("#consent_note", "Enter how and when the person gave their consent"),
                       ("#qi_project_id", "Select a QI project from the list"),
                       ("#you_said_we_did_id", "entry from the list")):
        assert f'href="{href}"' in page and text in page, href
    bad = post(reviewer, f"/admin/board/{shortlisted}/edit", form(consent="maybe")).get_data(as_text=True)
    assert 'href="#consent"' in bad and 'id="consent"' in bad
    long = post(reviewer, f"/admin/board/{shortlisted}/edit", form(title="x" * 201)).get_data(as_text=True)
    assert "Title must be 200 characters or fewer" in long
    row = board(runtime, shortlisted)
    assert (row.title, row.narrative, row.updated_at) == ("", REDACTED, None)


def test_consent_given_needs_a_note_and_who_recorded_it_and_when_is_kept(as_role, reviewer, shortlisted, runtime):
    post(reviewer, f"/admin/board/{shortlisted}/edit",
         form(consent="given", consent_note="Agreed by phone with the PPT lead on 3 March"))
    row = board(runtime, shortlisted)
    assert (row.consent, row.consent_note, row.consent_recorded_by) == (
        "given", "Agreed by phone with the PPT lead on 3 March", "reviewer")
    recorded_at = row.consent_recorded_at
    page = reviewer.get(f"/admin/board/{shortlisted}").get_data(as_text=True)
    consent = page.split('id="board-consent"')[1].split("</dd>")[0]
    assert "Consent given" in consent and "Agreed by phone" in consent and "Recorded by reviewer" in consent
    assert ("board_consent", f"board:{shortlisted}", "Consent given") in audit(runtime)

    post(as_role("admin"), f"/admin/board/{shortlisted}/edit",  # a new title: the consent record stays as it was
         form(title="A new title", consent="given", consent_note="Agreed by phone with the PPT lead on 3 March"))
    row = board(runtime, shortlisted)
    assert (row.title, row.consent_recorded_by, row.consent_recorded_at) == ("A new title", "reviewer", recorded_at)


def test_a_story_whose_consent_was_refused_cannot_be_printed_or_ready(reviewer, shortlisted, runtime):
    post(reviewer, f"/admin/board/{shortlisted}/edit", form())
    assert "Ready for the Board" in reviewer.get(f"/admin/board/{shortlisted}").get_data(as_text=True)
    post(reviewer, f"/admin/board/{shortlisted}/edit", form(consent="refused", consent_note="Withdrawn by letter"))
    page = reviewer.get(f"/admin/board/{shortlisted}").get_data(as_text=True)
    assert "Cannot be used: consent refused" in page and "Ready for the Board" not in page
    assert "refused or withdrew their consent" in page and f"/admin/board/{shortlisted}/print" not in page
    printed = reviewer.get(f"/admin/board/{shortlisted}/print")
    text = printed.get_data(as_text=True)
    assert printed.status_code == 409 and "cannot be printed" in text and "refused or withdrew" in text
    assert "A nurse sat with me" not in text and "Being listened to" not in text
    assert "Cannot be used: consent refused" in reviewer.get("/admin/board/").get_data(as_text=True)


def test_a_new_board_story_is_a_draft_until_it_has_a_title(reviewer, shortlisted):
    listing = reviewer.get("/admin/board/").get_data(as_text=True)
    assert f"Board story {shortlisted} (no title yet)" in listing
    assert "Draft: needs consent recorded (or that none was needed) and a title" in listing
    printed = reviewer.get(f"/admin/board/{shortlisted}/print")
    assert printed.status_code == 409 and "cannot be printed" in printed.get_data(as_text=True)
    assert "Print view" not in reviewer.get(f"/admin/board/{shortlisted}").get_data(as_text=True)
    assert post(reviewer, f"/admin/board/{shortlisted}/edit", form(title="")).status_code == 400
    post(reviewer, f"/admin/board/{shortlisted}/edit", form())
    assert reviewer.get(f"/admin/board/{shortlisted}/print").status_code == 200
    assert "Ready for the Board" in reviewer.get("/admin/board/").get_data(as_text=True)


def test_the_print_view_has_what_the_board_needs_and_no_navigation(reviewer, seed, shortlisted, runtime):
    project = seed.project("Kinder nights", "OAKLANDS")
    entry = make.entry(runtime, you_said="Nights felt lonely", we_did="A nurse now checks in every hour",
                       status="published")
    post(reviewer, f"/admin/board/{shortlisted}/edit",
         form(consent="given", consent_note="Agreed with Sam Jones by phone", qi_project_id=str(project),
              you_said_we_did_id=str(entry)))
    response = reviewer.get(f"/admin/board/{shortlisted}/print")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    article = page.split('id="board-print"')[1].split("</article>")[0]
    assert "<h1>Being listened to on the night I arrived</h1>" in article
    assert "<p class=\"app-story-text\">A nurse sat with me all night.</p>" in article
    assert "Oaklands Ward" in article and "March 2026" in article  # the service and month of its story
    assert "Shared with the consent of the person who told it" in article
    assert "Kinder nights (Active)" in article
    assert "Nights felt lonely" in article and "A nurse now checks in every hour" in article
    assert "Sam Jones" not in page  # how consent was given stays off the Board's page
    assert "nhsuk-header" in page.split('id="board-print"')[0]  # navigation sits outside the printed article...
    css = reviewer.get("/assets/admin.css")
    assert "@page { size: A4" in css.get_data(as_text=True)  # ...and admin.css sizes it for A4 (printing is in
    css.close()                                               # tests/browser/test_board_screen_browser.py)


def test_an_anonymous_story_says_why_consent_was_not_needed(reviewer, shortlisted):
    post(reviewer, f"/admin/board/{shortlisted}/edit", form())
    page = reviewer.get(f"/admin/board/{shortlisted}/print").get_data(as_text=True)
    assert "Told to us anonymously" in page and "consent was not needed" in page
    assert "Nothing is linked to this story yet" in page


def test_what_changed_is_chosen_from_lists_and_shown_as_links(reviewer, seed, shortlisted, runtime):
    project = seed.project("Kinder nights", "OAKLANDS")
    entry = make.entry(runtime, we_did="A nurse now checks in every hour")
    edit = reviewer.get(f"/admin/board/{shortlisted}/edit").get_data(as_text=True)
    assert f'<option value="{project}">Kinder nights (active)</option>' in edit
    assert f'<option value="{entry}">' in edit
    post(reviewer, f"/admin/board/{shortlisted}/edit",
         form(qi_project_id=str(project), you_said_we_did_id=str(entry)))
    page = reviewer.get(f"/admin/board/{shortlisted}").get_data(as_text=True)
    assert f'<a href="/admin/qi/{project}">Kinder nights</a>' in page
    assert f'<a href="/admin/you-said-we-did/{entry}">We did: A nurse now checks in every hour</a>' in page
    row = board(runtime, shortlisted)
    assert (row.qi_project_id, row.you_said_we_did_id) == (project, entry)


def test_what_ppt_type_is_redacted_when_saved(reviewer, shortlisted, runtime):
    post(reviewer, f"/admin/board/{shortlisted}/edit",
         form(narrative="Call me on 07700 900123.\n\nOr email jo.bloggs@example.com"))
    row = board(runtime, shortlisted)
    assert "07700 900123" not in row.narrative and "[PHONE]" in row.narrative and "[EMAIL]" in row.narrative


def test_more_stories_are_added_by_number_and_added_ones_can_be_taken_off(reviewer, seed, shortlisted, runtime):
    first = board(runtime, shortlisted).answer_id
    other = seed.story("Sam Jones rang me back the next day.", redacted="[NAME] rang me back the next day.")
    for typed, message in (("", "Enter the number of a story"), ("abc", "Enter a story number"),
                           ("123", "There is no analysed story with that number"),
                           (str(first), "is already part of this board story")):
        response = post(reviewer, f"/admin/board/{shortlisted}/stories", {"answer_id": typed})
        page = response.get_data(as_text=True)
        assert response.status_code == 400 and 'href="#answer_id"' in page and message in page, typed

    response = post(reviewer, f"/admin/board/{shortlisted}/stories", {"answer_id": str(other)})
    assert response.headers["Location"] == f"/admin/board/{shortlisted}"
    assert board(runtime, shortlisted).narrative == f"{REDACTED}\n\n[NAME] rang me back the next day."  # not edited yet
    page = reviewer.get(f"/admin/board/{shortlisted}").get_data(as_text=True)
    sources = page.split('id="board-sources"')[1]
    assert f"Story {first}" in sources and f"Story {other}" in sources and "Sam Jones" not in page
    assert f"Take story {other} off this board story" in sources and f"Take story {first} off" not in sources
    assert post(reviewer, f"/admin/board/{shortlisted}/stories", {"answer_id": str(other)}).status_code == 400

    post(reviewer, f"/admin/board/{shortlisted}/stories/{other}/remove")
    with runtime.factory() as db:
        assert db.scalars(select(BoardStorySource)).first() is None
    assert board(runtime, shortlisted).narrative == REDACTED
    assert post(reviewer, f"/admin/board/{shortlisted}/stories/{first}/remove").status_code == 404  # the first stays
    actions = [a for a, _, _ in audit(runtime)]
    assert "board_add_story" in actions and "board_remove_story" in actions


def test_once_ppt_have_edited_the_narrative_an_added_story_leaves_it_alone(reviewer, seed, shortlisted, runtime):
    post(reviewer, f"/admin/board/{shortlisted}/edit", form())
    other = seed.story("Another story.")
    post(reviewer, f"/admin/board/{shortlisted}/stories", {"answer_id": str(other)})
    assert board(runtime, shortlisted).narrative == "I arrived scared.\n\nA nurse sat with me all night."


def test_a_story_is_added_to_a_board_story_from_its_own_page(reviewer, seed, shortlisted, runtime):
    other = seed.story("The ward was calm.")
    page = reviewer.get(f"/admin/feedback/{other}").get_data(as_text=True)
    assert "Or add it to a board story" in page and f'<option value="{shortlisted}">' in page
    response = post(reviewer, f"/admin/board/add/{other}", {"board_id": str(shortlisted)})
    assert response.headers["Location"] == f"/admin/board/{shortlisted}"
    page = reviewer.get(f"/admin/feedback/{other}").get_data(as_text=True)
    assert f'<a href="/admin/board/{shortlisted}">Board story {shortlisted} (no title yet)</a>' in page
    assert f'<option value="{shortlisted}">' not in page  # already part of it
    assert post(reviewer, f"/admin/board/add/{other}", {"board_id": "999999"}).status_code == 404


def test_a_flagged_story_is_shortlisted_only_with_an_explicit_confirmation(reviewer, seed, runtime):
    story = seed.story("I took too many tablets, but the nurse found me", risk="self-harm")
    assert "you will be asked to confirm" in reviewer.get(f"/admin/feedback/{story}").get_data(as_text=True)
    first = post(reviewer, f"/admin/board/shortlist/{story}", {"note": "Brave story"})
    page = first.get_data(as_text=True)
    assert first.status_code == 200 and "This story is flagged as a possible risk" in page and "self-harm" in page
    assert 'name="confirm_flagged"' in page and 'value="Brave story"' in page
    unticked = post(reviewer, f"/admin/board/shortlist/{story}", {"note": "Brave story", "confirming": "yes"})
    assert unticked.status_code == 400 and 'href="#confirm_flagged"' in unticked.get_data(as_text=True)
    with runtime.factory() as db:
        assert db.scalars(select(BoardStory)).first() is None
    done = post(reviewer, f"/admin/board/shortlist/{story}",
                {"note": "Brave story", "confirming": "yes", "confirm_flagged": "yes"})
    assert done.status_code == 302
    with runtime.factory() as db:
        row = db.scalars(select(BoardStory)).one()
    assert row.note == "Brave story"
    assert ("board_shortlist", f"answer:{story}", "flagged story, confirmed") in audit(runtime)


def test_a_flagged_story_is_added_to_a_board_story_only_with_confirmation(reviewer, seed, shortlisted, runtime):
    flagged = seed.story("I felt like ending it that week", risk="suicide")
    for url, data in ((f"/admin/board/{shortlisted}/stories", {"answer_id": str(flagged)}),
                      (f"/admin/board/add/{flagged}", {"board_id": str(shortlisted)})):
        page = post(reviewer, url, data).get_data(as_text=True)
        assert "This story is flagged as a possible risk" in page, url
        with runtime.factory() as db:
            assert db.scalars(select(BoardStorySource)).first() is None
    post(reviewer, f"/admin/board/add/{flagged}", {"board_id": str(shortlisted), "confirm_flagged": "yes"})
    with runtime.factory() as db:
        assert db.scalars(select(BoardStorySource.answer_id)).one() == flagged
    sources = reviewer.get(f"/admin/board/{shortlisted}").get_data(as_text=True).split('id="board-sources"')[1]
    assert "Flagged as a possible risk: suicide" in sources


def test_viewers_read_and_print_but_do_not_change(as_role, reviewer, shortlisted):
    post(reviewer, f"/admin/board/{shortlisted}/edit", form())
    viewer = as_role("viewer")
    assert viewer.get(f"/admin/board/{shortlisted}/print").status_code == 200
    page = viewer.get(f"/admin/board/{shortlisted}").get_data(as_text=True)
    assert "Print view" in page and "Add another story" not in page and "/edit" not in page
    assert viewer.get(f"/admin/board/{shortlisted}/edit").status_code == 403
    assert post(viewer, f"/admin/board/{shortlisted}/edit", form()).status_code == 403
    assert post(viewer, f"/admin/board/{shortlisted}/stories", {"answer_id": "1"}).status_code == 403


def test_taking_a_board_story_off_the_shortlist_takes_its_added_stories_with_it(reviewer, seed, shortlisted, runtime):
    other = seed.story("Another story.")
    post(reviewer, f"/admin/board/{shortlisted}/stories", {"answer_id": str(other)})
    response = post(reviewer, f"/admin/board/{shortlisted}/remove")
    assert response.headers["Location"] == "/admin/board/"
    with runtime.factory() as db:
        assert db.scalars(select(BoardStory)).first() is None and db.scalars(select(BoardStorySource)).first() is None
    assert reviewer.get(f"/admin/board/{shortlisted}/print").status_code == 404
