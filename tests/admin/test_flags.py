"""Safeguarding first: the queue on the home page, reviewing a flag, closing it only with a note."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from storage.models import AuditEntry, SafeguardingFlag
from tests.admin.conftest import post


def test_the_home_page_leads_with_open_flags_oldest_first_and_how_long_each_has_waited(as_role, seed, runtime):
    now = runtime.now()
    newer = seed.flag("newer one", created_at=now - timedelta(minutes=20), priority="low")
    older = seed.flag("older one", created_at=now - timedelta(days=2, hours=3))
    closed = seed.flag("done", created_at=now - timedelta(days=9), status="closed")
    page = as_role("reviewer").get("/admin/").get_data(as_text=True)
    assert page.index("Safeguarding flags waiting") < page.index("Feedback</h2>")
    assert page.index(f"Flag {older}<") < page.index(f"Flag {newer}<")
    assert "2 days 3 hours" in page and "20 minutes" in page
    assert "2 flags waiting" in page and f"Flag {closed}<" not in page


def test_a_viewer_sees_how_many_flags_wait_but_not_what_they_say(as_role, seed):
    seed.flag("my private words")
    client = as_role("viewer")
    page = client.get("/admin/").get_data(as_text=True)
    assert "1 safeguarding flag waiting for a reviewer" in page
    assert "Flag 1" not in page and "my private words" not in page
    assert client.get("/admin/flags/").status_code == 403


def test_a_flag_shows_the_message_the_conversation_and_the_persons_other_flags(as_role, seed, runtime):
    contact = seed.contact("+447700900999")
    seed.message(contact, None, direction="in")
    seed.message(contact, "Please can you tell us why you gave your answer?")
    earlier = seed.flag("I feel hopeless", contact_id=contact, priority="high")
    flag = seed.flag("I want to end it", contact_id=contact)
    page = as_role("reviewer").get(f"/admin/flags/{flag}").get_data(as_text=True)
    assert "I want to end it" in page and "+447700900999" in page
    assert "Please can you tell us why you gave your answer?" in page and "(text not kept)" in page
    assert "I feel hopeless" in page and f"/admin/flags/{earlier}" in page
    with runtime.factory() as db:
        assert db.scalar(select(AuditEntry.action).where(AuditEntry.target == f"flag:{flag}")) == "view_flag"


def test_a_flag_cannot_be_closed_without_a_note(as_role, seed, runtime):
    flag = seed.flag()
    response = post(as_role("reviewer"), f"/admin/flags/{flag}/close", {"action_note": "   "})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "There is a problem" in page and 'href="#action_note"' in page
    assert "Enter the action taken before closing the flag" in page
    with runtime.factory() as db:
        assert db.get(SafeguardingFlag, flag).status == "open"


def test_closing_a_flag_records_who_when_and_what_was_done(as_role, seed, runtime):
    flag = seed.flag()
    client = as_role("reviewer")
    response = post(client, f"/admin/flags/{flag}/close", {"action_note": "Rang the crisis team"})
    assert response.status_code == 302 and response.headers["Location"] == "/admin/"
    with runtime.factory() as db:
        closed = db.get(SafeguardingFlag, flag)
        audit = db.scalars(select(AuditEntry).where(AuditEntry.action == "close_flag")).one()
    assert (closed.status, closed.reviewed_by, closed.action_note) == ("closed", "reviewer", "Rang the crisis team")
    assert closed.reviewed_at is not None and audit.username == "reviewer" and audit.target == f"flag:{flag}"
    assert "No safeguarding flags are waiting" in client.get("/admin/").get_data(as_text=True)
    closed_list = client.get("/admin/flags/?status=closed").get_data(as_text=True)
    assert f"Flag {flag}<" in closed_list


def test_closing_an_already_closed_flag_changes_nothing(as_role, seed, runtime):
    flag = seed.flag()
    client = as_role("reviewer")
    post(client, f"/admin/flags/{flag}/close", {"action_note": "first"})
    post(client, f"/admin/flags/{flag}/close", {"action_note": "second"})
    with runtime.factory() as db:
        assert db.get(SafeguardingFlag, flag).action_note == "first"


def test_a_flag_that_does_not_exist_is_not_found(as_role, staff):
    assert as_role("reviewer").get("/admin/flags/424242").status_code == 404


def test_flag_text_with_html_is_shown_as_text(as_role, seed):
    flag = seed.flag('<script>alert("x")</script><img src=x onerror=alert(1)>')
    page = as_role("reviewer").get(f"/admin/flags/{flag}").get_data(as_text=True)
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(" in page
