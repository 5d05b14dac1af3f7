"""The inbox as a working tool: how many stories match, sort orders, saved searches, theme correction, Excel export."""
from __future__ import annotations

import html
import io
import re
from datetime import datetime, timedelta, timezone

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from admin import inbox
from storage import stories
from storage.models import AuditEntry, SavedSearch, StoryAnalysis, StoryTag, ThemeCorrection
from tests.admin.conftest import EXPORT_COLUMNS, csrf_token, post
from tests.admin.test_bulk_choice import form_of, submit
from tests.admin.test_feedback import STORY_LINK, shown

MARCH = datetime(2026, 3, 2, tzinfo=timezone.utc)
NEXT = re.compile(r'href="(/admin/feedback/\?[^"]*after=\d+[^"]*)"')
PREVIOUS = re.compile(r'href="(/admin/feedback/\?[^"]*before=\d+[^"]*)"')
RANK = {"negative": 0, "neutral": 1, "positive": 2}


def text_of(response) -> str:
    """The page's text as a person reads it: tags gone, entities decoded, spaces collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))).split())


def match_line(client, query: str = "") -> str:
    page = client.get(f"/admin/feedback/?{query}").get_data(as_text=True)
    found = re.search(r'id="match-count">(.*?)</p>', page, re.S)
    return " ".join(found.group(1).split()) if found else ""


@pytest.fixture
def viewer(as_role):
    return as_role("viewer")


@pytest.fixture
def varied(seed):
    """13 stories: 7 negative at Oaklands (2 about waiting), 4 positive at the crisis team, 2 neutral flagged."""
    ids = {"negative": [], "positive": [], "flagged": [], "waiting": []}
    for n in range(7):
        themes = {"Timeliness of care": 0.8} if n < 2 else None
        story = seed.story(f"Bad {n}", sentiment="negative", themes=themes, created_at=MARCH + timedelta(days=n))
        ids["negative"].append(story)
        if n < 2:
            ids["waiting"].append(story)
    for n in range(4):
        ids["positive"].append(seed.story(f"Good {n}", service="CRISIS", created_at=MARCH))
    for n in range(2):
        ids["flagged"].append(seed.story(f"Unsafe {n}", sentiment="neutral", risk="self-harm", created_at=MARCH))
    return ids


def test_the_inbox_says_how_many_stories_match_the_filters(viewer, varied):
    assert match_line(viewer) == "13 stories in the inbox"
    assert match_line(viewer, "sentiment=negative") == "7 stories match your filters"
    assert match_line(viewer, "service=CRISIS") == "4 stories match your filters"
    assert match_line(viewer, "theme=Timeliness+of+care&sentiment=negative") == "2 stories match your filters"
    assert match_line(viewer, "flagged=yes&sentiment=neutral") == "2 stories match your filters"
    assert match_line(viewer, "q=Bad+6") == "1 story matches your filters"
    assert match_line(viewer, "service=CMHTNORTH") == ""  # none: the page says so instead
    assert "No stories match these filters" in viewer.get("/admin/feedback/?service=CMHTNORTH").get_data(as_text=True)


def test_the_count_is_of_every_match_not_only_the_page_shown(viewer, seed, staff):
    for n in range(30):
        seed.story(f"story {n}", sentiment="negative")
    first = shown(viewer, "sentiment=negative")
    assert len(first) == 25
    assert match_line(viewer, "sentiment=negative") == "30 stories match your filters"
    assert len(shown(viewer, f"sentiment=negative&after={first[-1]}")) == 5
    assert match_line(viewer, f"sentiment=negative&after={first[-1]}") == "30 stories match your filters"
    assert match_line(viewer, f"sentiment=negative&sort=oldest&before={first[0]}") == "30 stories match your filters"


def test_past_the_cap_the_count_says_more_than(viewer, seed, staff, monkeypatch):
    monkeypatch.setattr(inbox, "COUNT_CAP", 5)
    for n in range(30):
        seed.story(f"story {n}", sentiment="negative" if n < 4 else "positive")
    assert match_line(viewer) == "More than 5 stories in the inbox"
    assert match_line(viewer, "sentiment=negative") == "4 stories match your filters"
    assert match_line(viewer, "q=story+27") == "1 story matches your filters"


def walk(client, query: str) -> list[list[int]]:
    """Every page of the inbox for this query, following "next" links from the first, in turn."""
    pages, url = [], f"/admin/feedback/?{query}"
    while url:
        page = client.get(url).get_data(as_text=True)
        pages.append([int(i) for i in STORY_LINK.findall(page)])
        found = NEXT.search(page)
        url = html.unescape(found.group(1)) if found else None
    return pages


def walk_back(client, query: str, last: list[int]) -> list[list[int]]:
    """The pages before the last one, following "previous" links, last first."""
    pages, url = [], f"/admin/feedback/?{query}&before={last[0]}"
    while url:
        page = client.get(url).get_data(as_text=True)
        pages.append([int(i) for i in STORY_LINK.findall(page)])
        found = PREVIOUS.search(page)
        url = html.unescape(found.group(1)) if found else None
    return pages


@pytest.fixture
def sixty(seed):
    """60 stories over 7 days (several a day, as only the day is kept), of each sentiment: (id, day, sentiment)."""
    made = []
    for n in range(60):
        day, sentiment = MARCH + timedelta(days=n % 7), ("negative", "positive", "neutral", "positive")[n % 4]
        made.append((seed.story(f"story {n}", sentiment=sentiment, created_at=day,
                                service="CRISIS" if n % 3 == 0 else "OAKLANDS"), day, sentiment))
    return made


ORDERS = {
    "": lambda s: sorted(s, key=lambda r: (r[1], r[0]), reverse=True),
    "sort=oldest": lambda s: sorted(s, key=lambda r: (r[1], r[0])),
    "sort=negative": lambda s: sorted(s, key=lambda r: (RANK[r[2]], -r[1].timestamp(), -r[0])),
}


@pytest.mark.parametrize("query", list(ORDERS))
def test_each_sort_order_is_kept_across_pages_both_ways(viewer, staff, sixty, query):
    expected = [i for i, _, _ in ORDERS[query](sixty)]
    pages = walk(viewer, query)
    assert [len(p) for p in pages] == [25, 25, 10]
    assert sum(pages, []) == expected
    assert walk_back(viewer, query, pages[-1]) == [pages[1], pages[0]]


@pytest.mark.parametrize("query", list(ORDERS))
def test_a_sort_order_combines_with_the_filters(viewer, staff, sixty, query):
    crisis = [s for n, s in enumerate(sixty) if n % 3 == 0]
    expected = [i for i, _, _ in ORDERS[query](crisis)]
    args = f"{query}&service=CRISIS" if query else "service=CRISIS"
    assert sum(walk(viewer, args), []) == expected


def test_most_negative_first_within_one_sentiment_is_newest_first(viewer, staff, sixty):
    negative = [i for i, _, _ in ORDERS[""]([s for s in sixty if s[2] == "negative"])]
    assert shown(viewer, "sort=negative&sentiment=negative") == negative


def test_the_sort_order_is_shown_and_an_unknown_one_is_newest_first(viewer, staff, sixty):
    page = text_of(viewer.get("/admin/feedback/?sort=negative"))
    assert "Sort: Newest first · Oldest first · Most negative first" in page
    assert shown(viewer, "sort=sideways") == shown(viewer)
    filtered = viewer.get("/admin/feedback/?sort=oldest&service=CRISIS").get_data(as_text=True)
    assert 'name="sort" value="oldest"' in filtered, "applying other filters keeps the sort order"


def test_the_folded_filters_say_which_filters_are_applied(viewer, varied):
    page = text_of(viewer.get("/admin/feedback/?service=OAKLANDS&theme=Timeliness+of+care&flagged=no"))
    assert "Filters: theme Timeliness of care, service Oaklands Ward, not flagged" in page
    assert "Filter stories" in text_of(viewer.get("/admin/feedback/"))
    folded = viewer.get("/admin/feedback/").get_data(as_text=True)
    assert re.search(r'<details class="nhsuk-details app-filters" id="filters">', folded), "closed unless opened"


# Saved searches

def save(client, name: str, **fields):
    return post(client, "/admin/feedback/searches", {"search_name": name, **fields}, token_from="/admin/feedback/")


def saved_links(client) -> list[tuple[str, str]]:
    """(name, link) of each saved search listed on the inbox."""
    page = client.get("/admin/feedback/").get_data(as_text=True)
    section = page.split('id="saved-searches"', 1)[1].split("</ul>", 1)[0] if "app-saved-searches" in page else ""
    return [(html.unescape(name), html.unescape(href))
            for href, name in re.findall(r'<a href="([^"]*)"[^>]*>([^<]+)</a>', section)]


def saved_names(client) -> list[str]:
    return [name for name, _ in saved_links(client)]


def test_a_saved_search_brings_back_the_same_filters_and_sort(as_role, varied, runtime):
    reviewer = as_role("reviewer")
    response = save(reviewer, "Oaklands waits", service="OAKLANDS", theme="Timeliness of care", sort="oldest")
    assert response.status_code == 302
    assert "Search saved as “Oaklands waits”" in text_of(reviewer.get(response.headers["Location"]))
    [(_, link)] = saved_links(reviewer)
    assert "Oaklands waits theme Timeliness of care, service Oaklands Ward, oldest first" in text_of(
        reviewer.get("/admin/feedback/"))
    target = reviewer.get(link)
    assert [int(i) for i in STORY_LINK.findall(target.get_data(as_text=True))] == varied["waiting"]  # oldest first
    assert "(showing now)" in target.get_data(as_text=True)
    with runtime.factory() as db:
        row = db.scalars(select(SavedSearch)).one()
    assert (row.username, row.query) == ("reviewer", "theme=Timeliness+of+care&service=OAKLANDS&sort=oldest")


def test_each_person_sees_and_deletes_only_their_own_saved_searches(as_role, varied, runtime):
    reviewer, admin = as_role("reviewer"), as_role("admin")
    save(reviewer, "My negatives", sentiment="negative")
    save(admin, "Crisis team", service="CRISIS")
    assert saved_names(reviewer) == ["My negatives"] and saved_names(admin) == ["Crisis team"]
    with runtime.factory() as db:
        mine = db.scalar(select(SavedSearch.id).where(SavedSearch.username == "reviewer"))
    refused = post(admin, f"/admin/feedback/searches/{mine}/delete", token_from="/admin/feedback/")
    assert refused.status_code == 404 and saved_names(reviewer) == ["My negatives"]
    deleted = post(reviewer, f"/admin/feedback/searches/{mine}/delete", token_from="/admin/feedback/")
    assert deleted.status_code == 302 and "deleted" in text_of(reviewer.get(deleted.headers["Location"]))
    assert saved_names(reviewer) == [] and saved_names(admin) == ["Crisis team"]
    assert reviewer.post(f"/admin/feedback/searches/{mine}/delete").status_code == 400  # no CSRF token


def test_saved_searches_need_a_signed_in_person(client, varied, runtime):
    response = client.post("/admin/feedback/searches", data={"search_name": "Mine", "sentiment": "negative",
                                                             "csrf_token": csrf_token(client)})
    assert response.status_code == 302 and response.headers["Location"].startswith("/admin/login")
    with runtime.factory() as db:
        assert db.scalars(select(SavedSearch)).all() == []


def test_a_viewer_can_keep_saved_searches_too(as_role, varied):
    viewer = as_role("viewer")
    assert save(viewer, "Flagged", flagged="yes").status_code == 302
    assert saved_names(viewer) == ["Flagged"]


@pytest.mark.parametrize("name,message", [
    ("", "Enter a name for this search"),
    ("   ", "Enter a name for this search"),
    ("x" * 81, "The name must be 80 characters or fewer"),
])
def test_a_bad_name_is_explained_and_nothing_is_saved(as_role, varied, runtime, name, message):
    response = save(as_role("reviewer"), name, sentiment="negative")
    assert response.status_code == 400
    page = text_of(response)
    assert "There is a problem" in page and message in page
    assert "7 stories match your filters" in page, "the inbox is shown as it was"
    with runtime.factory() as db:
        assert db.scalars(select(SavedSearch)).all() == []


def test_a_name_of_80_characters_is_fine(as_role, varied):
    reviewer = as_role("reviewer")
    assert save(reviewer, "y" * 80, sentiment="negative").status_code == 302
    assert saved_names(reviewer) == ["y" * 80]


def test_a_taken_name_is_refused_unless_replace_is_chosen(as_role, varied, runtime):
    reviewer = as_role("reviewer")
    save(reviewer, "Weekly check", sentiment="negative")
    again = save(reviewer, "weekly CHECK", service="CRISIS")
    assert again.status_code == 400
    assert "You already have a saved search called “Weekly check”" in text_of(again)
    assert 'name="replace" value="yes"' in again.get_data(as_text=True)
    replaced = save(reviewer, "weekly CHECK", service="CRISIS", replace="yes")
    assert replaced.status_code == 302
    with runtime.factory() as db:
        rows = db.scalars(select(SavedSearch)).all()
    assert [(r.name, r.query) for r in rows] == [("weekly CHECK", "service=CRISIS")]
    save(as_role("admin"), "Weekly check", sentiment="negative")  # another person may use the same name
    with runtime.factory() as db:
        assert len(db.scalars(select(SavedSearch)).all()) == 2


def test_a_person_keeps_a_limited_number_of_saved_searches(as_role, varied, monkeypatch):
    from admin import saved_searches

    monkeypatch.setattr(saved_searches, "PER_PERSON", 2)
    reviewer = as_role("reviewer")
    save(reviewer, "One", sentiment="negative")
    save(reviewer, "Two", sentiment="positive")
    third = save(reviewer, "Three", sentiment="neutral")
    assert third.status_code == 400 and "You can keep up to 2 saved searches" in text_of(third)
    assert save(reviewer, "Two", sentiment="neutral", replace="yes").status_code == 302  # replacing is fine
    assert saved_names(reviewer) == ["One", "Two"]


def test_there_must_be_something_to_save(as_role, varied):
    response = save(as_role("reviewer"), "Everything")
    assert response.status_code == 400 and "Choose some filters or a sort order" in text_of(response)


def test_only_known_filters_are_stored_and_they_are_only_ever_text(as_role, varied, runtime):
    reviewer = as_role("reviewer")
    evil = '"><script>alert(1)</script>'
    save(reviewer, evil, service=evil, theme="javascript:alert(1)", sort="drop table", redirect="https://evil.example",
         after="5")
    with runtime.factory() as db:
        row = db.scalars(select(SavedSearch)).one()
    assert row.query == "service=%22%3E%3Cscript%3Ealert%281%29%3C%2Fscript%3E"  # unknown theme, sort and keys dropped
    page = reviewer.get("/admin/feedback/").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page and "evil.example" not in page
    with runtime.factory.begin() as db:  # even a stored query that was tampered with is parsed again
        db.get(SavedSearch, row.id).query = "theme=<b>x</b>&next=//evil.example&sentiment=negative"
    assert saved_links(reviewer) == [(evil, "/admin/feedback/?sentiment=negative")]


# Theme correction

def test_a_theme_is_added_from_the_list_then_saved_with_the_rest(as_role, seed, runtime):
    story = seed.story(themes={"Staff manner & personal attributes": 0.9, "Parking": 0.3})
    reviewer = as_role("reviewer")
    page = reviewer.get(f"/admin/feedback/{story}").get_data(as_text=True)
    assert page.count('<option value="') >= len(inbox.THEMES) and 'list="qdc-themes"' in page
    assert page.count('type="checkbox"') == 2, "only the story's own themes, not 50 tick boxes"

    added = post(reviewer, f"/admin/feedback/{story}/tags", {
        "theme": ["Staff manner & personal attributes"], "add_theme": "  timeliness OF care ", "action": "add"})
    assert added.status_code == 200 and "Not saved yet" in text_of(added)
    boxes = form_of(added).boxes
    assert [boxes[k] for k in sorted(boxes)] == [True, False, True]  # kept, unticked (Parking), added
    with runtime.factory() as db:
        assert db.get(ThemeCorrection, story) is None

    saved = submit(reviewer, f"/admin/feedback/{story}/tags", added, action="save")
    assert saved.status_code == 302
    with runtime.factory() as db:
        correction = db.get(ThemeCorrection, story)
        themes = set(db.scalars(select(StoryTag.theme).where(StoryTag.answer_id == story)))
    assert correction.themes == ["Staff manner & personal attributes", "Timeliness of care"]
    assert themes == set(correction.themes) and correction.corrected_by == "reviewer"


def test_a_theme_typed_and_saved_in_one_go_is_kept(as_role, seed, runtime):
    story = seed.story(themes={"Parking": 0.3})
    post(as_role("reviewer"), f"/admin/feedback/{story}/tags", {"theme": "Parking", "add_theme": "Car parking",
                                                                  "action": "save"})
    with runtime.factory() as db:
        assert db.get(ThemeCorrection, story) is None  # "Car parking" is not a theme
    response = post(as_role("reviewer"), f"/admin/feedback/{story}/tags",
                    {"add_theme": "Labelling not possible", "action": "save"})
    assert response.status_code == 302
    with runtime.factory() as db:
        assert db.get(ThemeCorrection, story).themes == ["Labelling not possible"]


def test_a_reviewers_safeguarding_theme_flags_the_story_everywhere_flagged_stories_are_kept_out(as_role, seed,
                                                                                                 runtime):
    missed = seed.story("He keeps hitting me when the staff go home", themes={"Staff manner & personal attributes": 0.6})
    flagged = seed.story("I took all my tablets", risk="self-harm")
    reviewer = as_role("reviewer")
    post(reviewer, f"/admin/feedback/{missed}/tags", {"theme": "Staff manner & personal attributes",
                                                      "add_theme": "Safeguarding concerns?", "action": "save"})
    with runtime.factory() as db:
        assert db.get(StoryAnalysis, missed).risk == "by a reviewer"
    with runtime.factory.begin() as db:  # a new model analyses it again and sees no risk: the flag stays
        stories.save(db, missed, sentiment="neutral", risk=None, redacted="He keeps hitting me", themes=[],
                     model_version="next", now=runtime.now())
    with runtime.factory() as db:
        assert db.get(StoryAnalysis, missed).risk == "by a reviewer"
    page = reviewer.get("/admin/feedback/?flagged=no").get_data(as_text=True)
    assert "keeps hitting me" not in page  # out of the unflagged stories, so out of packs and bulk work
    assert "keeps hitting me" in reviewer.get("/admin/feedback/?flagged=yes").get_data(as_text=True)
    # taking the theme off clears the reviewer's flag, never the risk check's
    post(reviewer, f"/admin/feedback/{missed}/tags", {"theme": "Staff manner & personal attributes", "action": "save"})
    post(reviewer, f"/admin/feedback/{flagged}/tags", {"add_theme": "Labelling not possible", "action": "save"})
    with runtime.factory() as db:
        assert db.get(StoryAnalysis, missed).risk is None
        assert db.get(StoryAnalysis, flagged).risk == "self-harm"


def test_an_unknown_theme_is_refused_clearly_and_nothing_changes(as_role, seed, runtime):
    story = seed.story(themes={"Parking": 0.3})
    response = post(as_role("reviewer"), f"/admin/feedback/{story}/tags",
                    {"theme": "Parking", "add_theme": "Rude receptionist", "action": "save"})
    assert response.status_code == 400
    page = text_of(response)
    assert "There is a problem" in page and "“Rude receptionist” is not a theme in the framework" in page
    assert 'value="Rude receptionist"' in response.get_data(as_text=True), "what was typed is kept to correct"
    with runtime.factory() as db:
        assert db.get(ThemeCorrection, story) is None
        assert set(db.scalars(select(StoryTag.theme).where(StoryTag.answer_id == story))) == {"Parking"}


def test_add_with_nothing_typed_asks_for_a_theme(as_role, seed):
    story = seed.story()
    response = post(as_role("reviewer"), f"/admin/feedback/{story}/tags",
                    {"theme": "Staff manner & personal attributes", "action": "add"})
    assert response.status_code == 400 and "Enter the theme to add" in text_of(response)


def test_a_viewer_cannot_correct_themes(as_role, seed):
    story = seed.story()
    viewer = as_role("viewer")
    assert "Add a theme" not in viewer.get(f"/admin/feedback/{story}").get_data(as_text=True)
    assert post(viewer, f"/admin/feedback/{story}/tags", {"add_theme": "Parking", "action": "save"}).status_code == 403


# Excel export of the current filter

def sheet_rows(response) -> list[dict]:
    sheet = load_workbook(io.BytesIO(response.data), read_only=True)["Feedback"]
    header, *rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert header == EXPORT_COLUMNS
    return [dict(zip(header, r)) for r in rows if r and r[0] is not None and str(r[0]).isdigit()]


def test_excel_of_the_current_filter_holds_exactly_its_stories(as_role, varied, runtime):
    reviewer = as_role("reviewer")
    query = {"sentiment": "negative", "service": "OAKLANDS"}
    matching = shown(reviewer, "sentiment=negative&service=OAKLANDS")
    inbox_page = reviewer.get("/admin/feedback/?sentiment=negative&service=OAKLANDS").get_data(as_text=True)
    assert 'name="format" value="xlsx">Download as Excel</button>' in inbox_page

    confirm = post(reviewer, "/admin/feedback/export", {**query, "format": "xlsx"})
    assert confirm.status_code == 200 and "XLSX file" in text_of(confirm)
    download = submit(reviewer, "/admin/feedback/export", confirm)
    assert download.status_code == 200 and download.mimetype.endswith("spreadsheetml.sheet")
    assert re.search(r'filename="feedback-redacted-\d{8}-\d{4}\.xlsx"', download.headers["Content-Disposition"])
    rows = sheet_rows(download)
    assert [int(r["story_id"]) for r in rows] == matching == varied["negative"][::-1]
    assert {r["sentiment"] for r in rows} == {"negative"} and {r["service"] for r in rows} == {"Oaklands Ward"}
    with runtime.factory() as db:
        audit = db.scalars(select(AuditEntry).where(AuditEntry.action == "export")).one()
    assert audit.target == "feedback.xlsx" and "OAKLANDS" in audit.detail


def test_flagged_stories_are_left_out_of_the_excel_file_unless_included(as_role, varied):
    reviewer = as_role("reviewer")
    confirm = post(reviewer, "/admin/feedback/export", {"sentiment": "neutral", "format": "xlsx"})
    assert "2 stories match your filters, of which 2 are flagged" in text_of(confirm)
    refused = submit(reviewer, "/admin/feedback/export", confirm)
    assert refused.status_code == 400 and "Select at least one story" in text_of(refused)
    included = submit(reviewer, "/admin/feedback/export", confirm, include_flagged="yes",
                      answer_id=[str(i) for i in varied["flagged"]])
    assert sorted(int(r["story_id"]) for r in sheet_rows(included)) == sorted(varied["flagged"])
