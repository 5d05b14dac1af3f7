"""Safer bulk work: a QI link or an export lists its stories first, leaves flagged ones out, and lets you pick."""
from __future__ import annotations

from datetime import datetime, timezone
from html.parser import HTMLParser

import pytest
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from admin import bulk
from storage.models import AuditEntry, QIEvidence
from tests.admin.conftest import csrf_token, post
from tests.admin.test_feedback import exported

MARCH = datetime(2026, 3, 10, 12, tzinfo=timezone.utc)


class _Form(HTMLParser):
    """What a browser would submit from the page's form: hidden fields and ticked boxes (no buttons)."""

    def __init__(self):
        super().__init__()
        self.fields: list[tuple[str, str]] = []
        self.boxes: dict[str, bool] = {}

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag != "input" or "name" not in a:
            return
        if a.get("type") == "checkbox":
            self.boxes[a.get("id", "")] = "checked" in a
            if "checked" in a:
                self.fields.append((a["name"], a["value"]))
        elif a["name"] != "csrf_token":
            self.fields.append((a["name"], a.get("value", "")))


def form_of(response) -> _Form:
    parser = _Form()
    parser.feed(response.get_data(as_text=True))
    return parser


def submit(client, url, page, **changes):
    """POST the page's form as shown, with confirm=yes and any changes (a list value replaces that field)."""
    fields = [(k, v) for k, v in form_of(page).fields if k not in changes]
    for k, v in changes.items():
        fields += [(k, x) for x in (v if isinstance(v, list) else [v])]
    data = MultiDict(fields + [("csrf_token", csrf_token(client, "/admin/")), ("confirm", "yes")])
    return client.post(url, data=data)


@pytest.fixture
def stories(seed):
    return {
        "kind": seed.story("Jo was kind", redacted="[NAME] was kind", sentiment="negative", created_at=MARCH),
        "slow": seed.story("Too slow", sentiment="negative", service="CRISIS", created_at=MARCH),
        "risk": seed.story("I want to end it all", redacted="I want to end it all", sentiment="negative",
                           risk="suicide", created_at=MARCH),
    }


def linked(runtime, project) -> set[int]:
    with runtime.factory() as db:
        return set(db.scalars(select(QIEvidence.answer_id).where(QIEvidence.project_id == project)))


def test_the_link_confirmation_lists_each_story_redacted_with_service_date_and_flag(as_role, seed, stories):
    project = seed.project("Warmer welcome")
    page = post(as_role("reviewer"), "/admin/feedback/bulk", {"project_id": str(project), "sentiment": "negative"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "3 stories match your filters, of which 1 is flagged" in html
    assert "[NAME] was kind" in html and "Jo was kind" not in html
    assert "Crisis Team" in html and "10 March 2026" in html and "Flagged: suicide" in html
    boxes = form_of(page).boxes
    assert boxes == {"include_flagged": False, f"story-{stories['kind']}": True,
                     f"story-{stories['slow']}": True, f"story-{stories['risk']}": False}


def test_linking_as_shown_leaves_the_flagged_story_out_and_is_audited(as_role, seed, stories, runtime):
    project = seed.project()
    client = as_role("reviewer")
    page = post(client, "/admin/feedback/bulk", {"project_id": str(project), "sentiment": "negative"})
    done = submit(client, "/admin/feedback/bulk", page)
    assert done.status_code == 302
    assert linked(runtime, project) == {stories["kind"], stories["slow"]}
    with runtime.factory() as db:
        audit = db.scalars(select(AuditEntry).where(AuditEntry.action == "link_qi")).one()
    assert "2 stories" in audit.detail and "2 picked one by one" in audit.detail and "flagged left out" in audit.detail


def test_a_reviewer_can_pick_stories_one_by_one(as_role, seed, stories, runtime):
    project = seed.project()
    client = as_role("reviewer")
    page = post(client, "/admin/feedback/bulk", {"project_id": str(project), "sentiment": "negative"})
    submit(client, "/admin/feedback/bulk", page, answer_id=[str(stories["slow"])])
    assert linked(runtime, project) == {stories["slow"]}


def test_a_picked_story_outside_the_filters_is_never_linked(as_role, seed, stories, runtime):
    project = seed.project()
    other = seed.story("Positive and elsewhere", sentiment="positive")
    client = as_role("reviewer")
    page = post(client, "/admin/feedback/bulk", {"project_id": str(project), "sentiment": "negative"})
    submit(client, "/admin/feedback/bulk", page, answer_id=[str(other), str(stories["kind"])])
    assert linked(runtime, project) == {stories["kind"]}


def test_a_flagged_story_is_linked_only_with_the_include_box_ticked(as_role, seed, stories, runtime):
    project = seed.project()
    client = as_role("reviewer")
    page = post(client, "/admin/feedback/bulk", {"project_id": str(project), "sentiment": "negative"})
    refused = submit(client, "/admin/feedback/bulk", page, answer_id=[str(stories["risk"])])
    assert refused.status_code == 400 and "Include flagged stories" in refused.get_data(as_text=True)
    assert linked(runtime, project) == set()
    shown = post(client, "/admin/feedback/bulk", {"project_id": str(project), "sentiment": "negative",
                                                    "include_flagged": "yes", "refresh": "flagged"})
    assert form_of(shown).boxes[f"story-{stories['risk']}"] is True
    submit(client, "/admin/feedback/bulk", shown)
    assert linked(runtime, project) == set(stories.values())


def test_ticking_no_story_links_nothing_and_says_so(as_role, seed, stories, runtime):
    project = seed.project()
    client = as_role("reviewer")
    page = post(client, "/admin/feedback/bulk", {"project_id": str(project)})
    refused = submit(client, "/admin/feedback/bulk", page, answer_id=[])
    assert refused.status_code == 400 and "Select at least one story" in refused.get_data(as_text=True)
    assert linked(runtime, project) == set()


def test_too_many_to_pick_lists_the_newest_and_takes_every_unflagged_match(as_role, seed, stories, runtime,
                                                                            monkeypatch):
    monkeypatch.setattr(bulk, "LIMIT", 2)
    project = seed.project()
    client = as_role("reviewer")
    page = post(client, "/admin/feedback/bulk", {"project_id": str(project), "sentiment": "negative"})
    html = page.get_data(as_text=True)
    assert "narrow your filters to 2 stories or fewer" in html and 'name="answer_id"' not in html
    submit(client, "/admin/feedback/bulk", page)
    assert linked(runtime, project) == {stories["kind"], stories["slow"]}


@pytest.mark.parametrize("url,extra,token_from", [
    ("/admin/feedback/export", {}, "/admin/"),
    ("/admin/reports/exports/feedback", {"format": "csv"}, "/admin/reports/exports"),
])
def test_an_export_lists_its_stories_first_and_holds_only_those_picked(as_role, stories, runtime, url, extra,
                                                                       token_from):
    client = as_role("reviewer")
    page = post(client, url, {"sentiment": "negative", **extra}, token_from=token_from)
    html = page.get_data(as_text=True)
    assert page.mimetype == "text/html" and "Stories to be exported" in html and "Flagged: suicide" in html
    with runtime.factory() as db:
        assert db.scalars(select(AuditEntry).where(AuditEntry.action == "export")).first() is None
    rows, _ = exported(submit(client, url, page))
    assert {int(r["story_id"]) for r in rows} == {stories["kind"], stories["slow"]}
    rows, _ = exported(submit(client, url, page, answer_id=[str(stories["kind"])]))
    assert [int(r["story_id"]) for r in rows] == [stories["kind"]]
    with runtime.factory() as db:
        details = list(db.scalars(select(AuditEntry.detail).where(AuditEntry.action == "export")))
    assert len(details) == 2 and "1 picked one by one; flagged left out" in details[1]


def test_an_export_includes_a_flagged_story_only_when_asked(as_role, stories):
    client = as_role("reviewer")
    rows, _ = exported(post(client, "/admin/feedback/export", {"confirm": "yes"}))
    assert stories["risk"] not in {int(r["story_id"]) for r in rows}
    rows, _ = exported(post(client, "/admin/feedback/export", {"confirm": "yes", "include_flagged": "yes"}))
    assert stories["risk"] in {int(r["story_id"]) for r in rows}
