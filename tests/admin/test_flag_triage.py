"""The safeguarding queue for triage: most urgent first, who has it, and replying to the person."""
from __future__ import annotations

import html

from dataclasses import replace
from datetime import datetime, time, timedelta, timezone

from sqlalchemy import select, update

from outbox import delivery
from outbox.delivery import Policy
from storage import outbox
from storage.models import AuditEntry, Contact, Outbox, SafeguardingFlag
from bot.texts import FLAG_REPLIES
from tests.admin.conftest import post
from yoursay.config import QuietHours


def _set(runtime, flag_id: int, **values) -> None:
    with runtime.factory.begin() as db:
        db.execute(update(SafeguardingFlag).where(SafeguardingFlag.id == flag_id).values(**values))


def _audit(runtime, action: str) -> list[AuditEntry]:
    with runtime.factory() as db:
        return list(db.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def _queued(runtime) -> list[Outbox]:
    with runtime.factory() as db:
        return list(db.scalars(select(Outbox).where(Outbox.kind == "flag_reply")))


def test_the_queue_puts_urgent_before_high_before_low_then_the_longest_waiting_first(as_role, seed, runtime):
    now = runtime.now()
    high_old = seed.flag("high old", priority="high", created_at=now - timedelta(days=3))
    low_oldest = seed.flag("low", priority="low", created_at=now - timedelta(days=5))
    urgent_new = seed.flag("urgent new", priority="urgent", created_at=now - timedelta(minutes=5))
    urgent_old = seed.flag("urgent old", priority="urgent", created_at=now - timedelta(hours=2))
    page = as_role("reviewer").get("/admin/flags/").get_data(as_text=True)
    order = [page.index(f"Flag {f}<") for f in (urgent_old, urgent_new, high_old, low_oldest)]
    assert order == sorted(order)


def test_the_home_page_lists_flags_in_the_same_triage_order(as_role, seed, runtime):
    now = runtime.now()
    low_oldest = seed.flag("low", priority="low", created_at=now - timedelta(days=5))
    urgent_new = seed.flag("urgent new", priority="urgent", created_at=now - timedelta(minutes=5))
    page = as_role("reviewer").get("/admin/").get_data(as_text=True)
    assert page.index(f"Flag {urgent_new}<") < page.index(f"Flag {low_oldest}<")
    assert "Waiting more than 24 hours" in page


def test_each_row_shows_service_channel_a_redacted_snippet_category_priority_and_the_wait(as_role, seed, runtime):
    now = runtime.now()
    flag = seed.flag("My name is Sarah Jones, call me on 07700 900123, I can't go on", category="self-harm",
                     priority="high", created_at=now - timedelta(hours=30))
    _set(runtime, flag, service_code="OAKLANDS")
    fresh = seed.flag("fresh one", priority="low", created_at=now - timedelta(minutes=10))
    page = as_role("reviewer").get("/admin/flags/").get_data(as_text=True)
    row = page[page.index(f'data-flag="{flag}"'):page.index(f'data-flag="{fresh}"')]
    fresh_row = page[page.index(f'data-flag="{fresh}"'):]
    assert "Oaklands Ward" in row and ">sms<" in row and "self-harm" in row and "High" in row
    assert "I can" in row and "07700 900123" not in row and "Sarah Jones" not in row
    assert "1 day 6 hours" in row and "Waiting more than 24 hours" in row
    assert "Not known" in fresh_row and "Waiting more than" not in fresh_row
    assert "1 flag waiting more than 24 hours" in page


def test_the_warning_uses_the_configured_review_hours(app, as_role, seed, runtime):
    runtime.settings = replace(runtime.settings, safeguarding_review="within 4 hours")
    seed.flag(created_at=runtime.now() - timedelta(hours=5))
    page = as_role("reviewer").get("/admin/flags/").get_data(as_text=True)
    assert "Waiting more than 4 hours" in page


def test_a_flag_can_be_assigned_and_marked_in_progress_and_each_change_is_audited(as_role, seed, runtime):
    flag = seed.flag()
    client = as_role("reviewer")
    assert post(client, f"/admin/flags/{flag}/assign", {"assigned_to": "admin"}).status_code == 302
    assert post(client, f"/admin/flags/{flag}/start").status_code == 302
    with runtime.factory() as db:
        row = db.get(SafeguardingFlag, flag)
    assert (row.assigned_to, row.status) == ("admin", "open") and row.in_progress_at is not None
    assert [(a.username, a.target, a.detail) for a in _audit(runtime, "assign_flag")] == [
        ("reviewer", f"flag:{flag}", "to admin")]
    assert [a.target for a in _audit(runtime, "start_flag")] == [f"flag:{flag}"]
    queue = client.get("/admin/flags/").get_data(as_text=True)
    assert "In progress" in queue and ">admin<" in queue.replace("<br>", "<")
    assert "In progress" in client.get(f"/admin/flags/{flag}").get_data(as_text=True)


def test_a_flag_cannot_be_assigned_to_a_viewer(as_role, seed, runtime):
    flag = seed.flag()
    response = post(as_role("reviewer"), f"/admin/flags/{flag}/assign", {"assigned_to": "viewer"})
    assert response.status_code == 400 and "Choose a reviewer from the list" in response.get_data(as_text=True)
    with runtime.factory() as db:
        assert db.get(SafeguardingFlag, flag).assigned_to is None


def test_changes_need_the_csrf_token(as_role, seed, runtime):
    contact = seed.contact()
    flag = seed.flag(contact_id=contact)
    client = as_role("reviewer")
    for path, data in [("assign", {"assigned_to": "reviewer"}), ("start", {}), ("reply", {"reply": "0"})]:
        assert client.post(f"/admin/flags/{flag}/{path}", data=data).status_code == 400
    with runtime.factory() as db:
        row = db.get(SafeguardingFlag, flag)
    assert (row.assigned_to, row.in_progress_at) == (None, None) and _queued(runtime) == []


def test_an_approved_reply_is_queued_to_the_flags_contact_and_audited(as_role, seed, runtime):
    contact = seed.contact("+447700900555")
    flag = seed.flag(contact_id=contact, priority="high")
    response = post(as_role("reviewer"), f"/admin/flags/{flag}/reply", {"reply": "1"})
    assert response.status_code == 302
    [row] = _queued(runtime)
    assert (row.contact_id, row.channel, row.body, row.status) == (contact, "sms", FLAG_REPLIES[1], "pending")
    assert row.extra == {"flag_id": flag, "ignore_quiet_hours": False}
    [entry] = _audit(runtime, "reply_flag")
    assert entry.target == f"flag:{flag}" and FLAG_REPLIES[1] in entry.detail
    # the next reviewer to open the flag sees it was sent, by whom, and where it has got to
    page = as_role("admin").get(f"/admin/flags/{flag}").get_data(as_text=True)
    sent = page.split('id="replies-sent"')[1].split("</table>")[0]
    assert "reviewer" in sent and "Waiting to send" in sent
    assert html.escape(FLAG_REPLIES[1], quote=False) in sent


def test_a_free_reply_over_two_segments_is_refused_with_an_error_summary(as_role, seed, runtime):
    flag = seed.flag(contact_id=seed.contact())
    response = post(as_role("reviewer"), f"/admin/flags/{flag}/reply", {"reply": "own", "message": "x" * 307})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "There is a problem" in page and 'href="#message"' in page
    assert "must fit 2 text messages" in page and _queued(runtime) == []
    emoji = post(as_role("reviewer"), f"/admin/flags/{flag}/reply", {"reply": "own", "message": "Hi \U0001f600"})
    assert emoji.status_code == 400 and _queued(runtime) == []


def test_a_free_reply_within_two_segments_is_queued(as_role, seed, runtime):
    flag = seed.flag(contact_id=seed.contact())
    post(as_role("reviewer"), f"/admin/flags/{flag}/reply", {"reply": "own", "message": "y" * 306})
    assert [r.body for r in _queued(runtime)] == ["y" * 306]


def test_nothing_is_sent_to_a_person_who_has_texted_stop(as_role, seed, runtime):
    contact = seed.contact()
    flag = seed.flag(contact_id=contact)
    with runtime.factory.begin() as db:
        db.execute(update(Contact).where(Contact.id == contact).values(opted_out=True))
    client = as_role("reviewer")
    assert "has texted STOP" in client.get(f"/admin/flags/{flag}").get_data(as_text=True)
    post(client, f"/admin/flags/{flag}/reply", {"reply": "0"})
    assert _queued(runtime) == [] and _audit(runtime, "reply_flag") == []


def test_nothing_is_sent_when_the_flag_has_no_contact(as_role, seed, runtime):
    flag = seed.flag(contact_id=None)
    client = as_role("reviewer")
    assert "contact details are not kept" in client.get(f"/admin/flags/{flag}").get_data(as_text=True)
    response = post(client, f"/admin/flags/{flag}/reply", {"reply": "0"}, follow_redirects=True)
    assert "Nothing was sent" in response.get_data(as_text=True) and _queued(runtime) == []


def _claimed(runtime, contact: int, priority: str) -> outbox.Claimed:
    flag = SafeguardingFlag(id=1, contact_id=contact, priority=priority)
    now = runtime.now()
    with runtime.factory.begin() as db:
        from storage import safeguarding
        safeguarding.queue_reply(db, flag, "We have read your message.", now)
    with runtime.factory.begin() as db:
        return outbox.claim(db, "sms", "w1", now)[-1]


def _facts(runtime, item):
    with runtime.factory() as db:
        return outbox.facts(db, [item])[item.id]


def test_a_queued_reply_is_cancelled_if_they_text_stop_before_it_goes(seed, runtime):
    contact = seed.contact()
    item = _claimed(runtime, contact, "urgent")
    with runtime.factory.begin() as db:
        db.execute(update(Contact).where(Contact.id == contact).values(opted_out=True))
    verdict = delivery.verdict(Policy(), item, _facts(runtime, item), "w1", runtime.now())
    assert verdict == ("cancel", "recipient opted out")


def test_only_an_urgent_flags_reply_goes_in_quiet_hours(seed, runtime):
    always_quiet = Policy(quiet_hours=QuietHours(time(0, 0), time(23, 59)))
    night = datetime(2026, 1, 10, 23, 0, tzinfo=timezone.utc)
    urgent = _claimed(runtime, seed.contact("+447700900001"), "urgent")
    assert delivery.verdict(always_quiet, urgent, _facts(runtime, urgent), "w1", night) is None
    high = _claimed(runtime, seed.contact("+447700900002"), "high")
    assert delivery.verdict(always_quiet, high, _facts(runtime, high), "w1", night)[0] == "postpone"
