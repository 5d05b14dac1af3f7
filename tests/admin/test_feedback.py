"""The feedback inbox: filters, keyset paging, a story's page, theme corrections, bulk links and export."""
from __future__ import annotations

import csv
import io
import re
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from storage.models import AuditEntry, QIEvidence, Response, StoryTag, ThemeCorrection
from tests.admin.conftest import EXPORT_COLUMNS, post

STORY_LINK = re.compile(r'href="/admin/feedback/(\d+)"')


def exported(response) -> tuple[list[dict], list[str]]:
    """A feedback CSV's rows by column (checking the columns), and the '# ' notes under them."""
    header, *lines = csv.reader(io.StringIO(response.get_data(as_text=True).removeprefix("\ufeff")))
    assert header == EXPORT_COLUMNS
    notes = [line[0] for line in lines if line[0].startswith("# ")]
    assert lines[len(lines) - len(notes):] == [[note] for note in notes], "notes come after every row"
    return [dict(zip(header, line)) for line in lines[:len(lines) - len(notes)]], notes


def shown(client, query: str = "") -> list[int]:
    """The story ids the inbox lists for this query string, in order."""
    response = client.get(f"/admin/feedback/?{query}")
    assert response.status_code == 200
    return [int(i) for i in STORY_LINK.findall(response.get_data(as_text=True))]


@pytest.fixture
def viewer(as_role):
    return as_role("viewer")


@pytest.fixture
def mix(seed):
    """Stories that differ in one way each from `base`."""
    march = datetime(2026, 3, 10, 12, tzinfo=timezone.utc)
    return {
        "base": seed.story("Lovely staff.", created_at=march),
        "theme": seed.story("Waited too long.", themes={"Timeliness of care": 0.8}, created_at=march),
        "category": seed.story("Cold food.", themes={"Food & drink provision & facilities": 0.7}, created_at=march),
        "service": seed.story("Good team.", service="CRISIS", created_at=march),
        "date": seed.story("Long ago.", created_at=datetime(2025, 12, 1, 12, tzinfo=timezone.utc)),
        "fft": seed.story("It was poor.", fft="5", created_at=march),
        "sentiment": seed.story("Not great.", sentiment="negative", created_at=march),
        "channel": seed.story("Online answer.", mode="Online", created_at=march),
        "survey": seed.story("From the big survey.", survey="experience", question="good", created_at=march),
        "flagged": seed.story("I feel unsafe.", risk="self-harm", created_at=march),
        "search": seed.story("The parking 100% full_always.", created_at=march),
    }


@pytest.mark.parametrize("query,expected", [
    ("theme=Timeliness+of+care", {"theme"}),
    ("category=Food+%26+diet", {"category"}),
    ("service=CRISIS", {"service"}),
    ("date_to=2026-01-31", {"date"}),
    ("fft=5", {"fft"}),
    ("sentiment=negative", {"sentiment"}),
    ("channel=Online", {"channel"}),
    ("survey=experience", {"survey"}),
    ("flagged=yes", {"flagged"}),
    ("q=100%25+FULL_", {"search"}),
])
def test_each_filter_narrows_the_inbox(viewer, mix, query, expected):
    assert set(shown(viewer, query)) == {mix[name] for name in expected}


def test_filters_combine(viewer, seed, mix):
    both = seed.story("Slow and rude.", sentiment="negative", themes={"Timeliness of care": 0.9},
                      created_at=datetime(2026, 3, 11, tzinfo=timezone.utc))
    assert shown(viewer, "sentiment=negative&theme=Timeliness+of+care&date_from=2026-03-01&date_to=2026-03-31") \
        == [both]
    assert shown(viewer, "flagged=no&service=CRISIS") == [mix["service"]]


def test_dates_are_uk_days(viewer, seed, staff):
    late = seed.story("Late evening in summer.", created_at=datetime(2026, 6, 30, 23, 30, tzinfo=timezone.utc))
    assert shown(viewer, "date_from=2026-07-01&date_to=2026-07-01") == [late]  # 00:30 on 1 July, UK time


def test_qi_linked_and_unlinked(viewer, seed, mix):
    project = seed.project()
    seed.link(project, mix["theme"])
    assert shown(viewer, "qi=linked") == [mix["theme"]]
    assert mix["theme"] not in shown(viewer, "qi=unlinked") and mix["base"] in shown(viewer, "qi=unlinked")


def test_a_bad_date_is_explained_and_the_rest_still_filters(viewer, mix):
    page = viewer.get("/admin/feedback/?date_from=31/02/2026&sentiment=negative").get_data(as_text=True)
    assert "There is a problem" in page and "From date must be a real date" in page
    assert [int(i) for i in STORY_LINK.findall(page)] == [mix["sentiment"]]


def test_unanalysed_answers_are_not_in_the_inbox(viewer, seed, staff):
    hidden = seed.story("Not analysed yet: Jo Bloggs 07700 900123", analysed=False)
    assert hidden not in shown(viewer)
    assert viewer.get(f"/admin/feedback/{hidden}").status_code == 404


def newest_first(stories: list[tuple[int, datetime]]) -> list[int]:
    """Newest day first; within a day (only the day is kept), by the story's random id."""
    return [i for i, day in sorted(stories, key=lambda s: (s[1], s[0]), reverse=True)]


def test_paging_is_by_keyset_newest_first_without_gaps_or_repeats(viewer, seed, staff):
    days = [datetime(2026, 3, 1 + n // 9, tzinfo=timezone.utc) for n in range(60)]  # 9 stories a day
    ids = newest_first([(seed.story(f"story {n}", created_at=day), day) for n, day in enumerate(days)])
    first = shown(viewer)
    assert first == ids[:25]
    page = viewer.get("/admin/feedback/").get_data(as_text=True)
    assert f"after={first[-1]}" in page and "before=" not in page
    second = shown(viewer, f"after={first[-1]}")
    third = shown(viewer, f"after={second[-1]}")
    assert first + second + third == ids
    assert "after=" not in viewer.get(f"/admin/feedback/?after={second[-1]}").get_data(as_text=True)
    assert shown(viewer, f"before={second[0]}") == first
    assert shown(viewer, f"before={third[0]}") == second


def test_paging_keeps_the_filters(viewer, seed, staff):
    for n in range(30):
        seed.story(f"negative {n}", sentiment="negative")
        seed.story(f"positive {n}")
    page = viewer.get("/admin/feedback/?sentiment=negative").get_data(as_text=True)
    older = re.search(r'href="(/admin/feedback/\?[^"]*after=\d+[^"]*)"', page).group(1).replace("&amp;", "&")
    assert "sentiment=negative" in older
    assert len(shown(viewer, older.split("?", 1)[1])) == 5


INJECTIONS = ["' OR '1'='1", "1; DROP TABLE responses;--", "\" OR 1=1 --", "%' UNION SELECT password_hash FROM users--",
              "<script>alert(1)</script>", "\"><img src=x onerror=alert(1)>"]


@pytest.mark.parametrize("evil", INJECTIONS)
def test_injection_strings_in_filters_are_only_text(viewer, mix, runtime, evil):
    for field in ("q", "service", "channel", "survey", "theme", "date_from", "after"):
        response = viewer.get("/admin/feedback/", query_string={field: evil})
        page = response.get_data(as_text=True)
        assert response.status_code == 200
        assert "<script>alert(1)</script>" not in page and "<img src=x" not in page
        if field in ("q", "service", "channel", "survey"):
            assert STORY_LINK.findall(page) == []  # matched literally: nothing has that text
    with runtime.factory() as db:
        assert db.scalar(select(func.count()).select_from(Response)) == len(mix)


def test_html_in_a_story_is_shown_as_text_everywhere(as_role, seed):
    evil = seed.story('<script>alert("story")</script><b onmouseover=alert(1)>hi</b>',
                      themes={"Not assigned": 0.5})
    client = as_role("reviewer")
    for url in ("/admin/feedback/", f"/admin/feedback/{evil}"):
        page = client.get(url).get_data(as_text=True)
        assert "<script>alert" not in page and "<b onmouseover" not in page and "&lt;script&gt;" in page
    page = post(client, f"/admin/feedback/{evil}/original").get_data(as_text=True)
    assert "<script>alert" not in page and "&lt;script&gt;" in page


def test_a_story_shows_redacted_text_its_answers_and_themes_with_confidence(viewer, seed):
    story = seed.story("Jo Bloggs on 07700 900123 was rude", redacted="[NAME] on [PHONE] was rude", fft="4",
                       themes={"Staff manner & personal attributes": 0.873, "Negative experience & dissatisfaction": 0.5})
    page = viewer.get(f"/admin/feedback/{story}").get_data(as_text=True)
    assert "[NAME] on [PHONE] was rude" in page and "Jo Bloggs" not in page and "07700" not in page
    assert "Overall, how was your experience of our service?" in page and ">Poor<" in page
    assert "Staff manner &amp; personal attributes" in page and "87%" in page and "50%" in page
    assert "Please can you tell us why you gave your answer?" in page
    assert "Show original text" not in page  # viewers never see the original


def test_a_story_shows_other_free_text_answers_only_redacted(viewer, seed, runtime):
    story = seed.story("Good care", survey="experience", question="good",
                       extra={"improve": "Tell Dr Jones to call 07700 900456"})
    page = viewer.get(f"/admin/feedback/{story}").get_data(as_text=True)
    assert "07700 900456" not in page and "not analysed yet" in page


def test_a_reviewer_can_see_the_original_and_it_is_audited(as_role, seed, runtime):
    story = seed.story("Jo Bloggs was rude", redacted="[NAME] was rude")
    client = as_role("reviewer")
    assert client.post(f"/admin/feedback/{story}/original").status_code == 400  # no CSRF token
    page = post(client, f"/admin/feedback/{story}/original").get_data(as_text=True)
    assert "Jo Bloggs was rude" in page and "Your viewing has been recorded" in page
    with runtime.factory() as db:
        entry = db.scalars(select(AuditEntry).where(AuditEntry.action == "view_original")).one()
    assert (entry.username, entry.target) == ("reviewer", f"answer:{story}")


def test_correcting_themes_updates_tags_and_keeps_the_whole_set_as_a_training_example(as_role, seed, runtime):
    story = seed.story(themes={"Staff manner & personal attributes": 0.9, "Parking": 0.3})
    client = as_role("reviewer")
    response = post(client, f"/admin/feedback/{story}/tags",
                    {"theme": ["Staff manner & personal attributes", "Staff listening, understanding & involving "
                               "patients", "Not a QDC theme"]})
    assert response.status_code == 302
    with runtime.factory() as db:
        tags = {t.theme: t for t in db.scalars(select(StoryTag).where(StoryTag.answer_id == story))}
        correction = db.get(ThemeCorrection, story)
        audit = db.scalars(select(AuditEntry).where(AuditEntry.action == "change_tags")).one()
    assert set(tags) == {"Staff manner & personal attributes", "Staff listening, understanding & involving patients"}
    assert tags["Staff manner & personal attributes"].source == "model"
    assert tags["Staff listening, understanding & involving patients"].source == "reviewer"
    assert correction.themes == ["Staff manner & personal attributes",
                                 "Staff listening, understanding & involving patients"]
    assert correction.corrected_by == "reviewer" and "Parking" in audit.detail
    post(client, f"/admin/feedback/{story}/tags", {"theme": ["Parking"]})  # a second correction replaces the first
    with runtime.factory() as db:
        assert db.get(ThemeCorrection, story).themes == ["Parking"]
        assert set(db.scalars(select(StoryTag.theme).where(StoryTag.answer_id == story))) == {"Parking"}


def test_a_correction_needs_at_least_one_theme(as_role, seed, runtime):
    story = seed.story()
    response = post(as_role("reviewer"), f"/admin/feedback/{story}/tags", {})
    assert response.status_code == 400 and "Select at least one theme" in response.get_data(as_text=True)
    with runtime.factory() as db:
        assert db.get(ThemeCorrection, story) is None


def test_linking_one_story_to_a_qi_project(as_role, seed, runtime):
    story, project = seed.story(), seed.project("Warmer welcome")
    client = as_role("reviewer")
    post(client, f"/admin/feedback/{story}/qi", {"project_id": str(project)})
    post(client, f"/admin/feedback/{story}/qi", {"project_id": str(project)})
    with runtime.factory() as db:
        assert db.scalar(select(func.count()).select_from(QIEvidence)) == 1
    assert "Warmer welcome" in client.get(f"/admin/feedback/{story}").get_data(as_text=True)
    assert post(client, f"/admin/feedback/{story}/qi", {"project_id": "99999"}).status_code == 400


def test_bulk_linking_asks_first_then_links_exactly_the_filtered_stories(as_role, seed, mix, runtime):
    project = seed.project()
    seed.link(project, mix["sentiment"])
    client = as_role("reviewer")
    form = {"project_id": str(project), "sentiment": "negative"}
    confirm = post(client, "/admin/feedback/bulk", form)
    assert confirm.status_code == 200 and "1 story matches your filters" in confirm.get_data(as_text=True)
    other = seed.story("Also negative", sentiment="negative")
    done = post(client, "/admin/feedback/bulk", {**form, "confirm": "yes"})
    assert done.status_code == 302 and "sentiment=negative" in done.headers["Location"]
    with runtime.factory() as db:
        linked = list(db.scalars(select(QIEvidence.answer_id).where(QIEvidence.project_id == project)))
        audit = db.scalars(select(AuditEntry).where(AuditEntry.action == "link_qi")).one()
    assert sorted(linked) == sorted([mix["sentiment"], other]) and "1 stories" in audit.detail


def test_the_export_is_the_filtered_set_redacted_and_audited(as_role, seed, runtime):
    keep = seed.story("Jo was great", redacted="[NAME] was great", fft="1", service="CRISIS")
    seed.story("Other service")
    risky = seed.story("=HYPERLINK(\"http://x\")", service="CRISIS", risk="self-harm")
    response = post(as_role("reviewer"), "/admin/feedback/export",
                    {"service": "CRISIS", "confirm": "yes", "include_flagged": "yes"})
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows, notes = exported(response)
    assert [int(r["story_id"]) for r in rows] == [risky, keep]
    assert rows[1]["text"] == "[NAME] was great" and rows[1]["fft_answer"] == "Very good"
    assert rows[1]["service"] == "Crisis Team" and rows[1]["themes"] == "Staff manner & personal attributes"
    assert rows[1]["major_categories"] == "Staff" and rows[1]["response_id"].isdigit()
    assert rows[0]["text"].startswith("'=") and rows[0]["flagged"] == "self-harm"
    assert notes == ["# Text is redacted: names, numbers and addresses the NLP found are replaced."]
    with runtime.factory() as db:
        audit = db.scalars(select(AuditEntry).where(AuditEntry.action == "export")).one()
    assert audit.username == "reviewer" and "redacted" in audit.detail and "CRISIS" in audit.detail


def test_only_an_admin_can_export_the_original_text(as_role, seed):
    seed.story("Jo was great", redacted="[NAME] was great")
    assert post(as_role("reviewer"), "/admin/feedback/export", {"original": "yes"}).status_code == 403
    response = post(as_role("admin"), "/admin/feedback/export", {"original": "yes", "confirm": "yes"})
    assert "Jo was great" in response.get_data(as_text=True)


def test_the_export_streams_a_large_set_in_batches(as_role, seed, monkeypatch):
    from admin import export
    from admin.reports import tables

    monkeypatch.setattr(tables, "BATCH", 7)
    monkeypatch.setattr(export, "CHUNK_ROWS", 4)
    days = [datetime(2026, 3, 1 + n // 4, tzinfo=timezone.utc) for n in range(30)]
    ids = newest_first([(seed.story(f"story {n}", created_at=day), day) for n, day in enumerate(days)])
    response = post(as_role("reviewer"), "/admin/feedback/export", {"confirm": "yes"})
    assert response.is_streamed
    rows, _ = exported(response)
    assert [int(r["story_id"]) for r in rows] == ids


def test_the_inbox_and_the_exports_page_give_the_same_feedback_file(as_role, seed):
    seed.story("Jo was great", redacted="[NAME] was great", fft="2", service="CRISIS")
    seed.story("Cold food.", themes={"Food & drink provision & facilities": 0.7})
    reviewer = as_role("reviewer")
    from_inbox = post(reviewer, "/admin/feedback/export", {"service": "CRISIS", "confirm": "yes"})
    from_exports = post(reviewer, "/admin/reports/exports/feedback",
                        {"service": "CRISIS", "format": "csv", "confirm": "yes"},
                        token_from="/admin/reports/exports")
    assert exported(from_inbox) == exported(from_exports)
    assert len(exported(from_inbox)[0]) == 1


def test_an_inbox_with_nothing_says_so(viewer, runtime):
    assert "No stories have been analysed yet" in viewer.get("/admin/feedback/").get_data(as_text=True)


def test_times_are_shown_in_uk_time(viewer, seed):
    story = seed.story(created_at=datetime(2026, 7, 1, 8, 5, tzinfo=timezone.utc) - timedelta(hours=0))
    assert "1 July 2026 at 9:05am" in viewer.get(f"/admin/feedback/{story}").get_data(as_text=True)
