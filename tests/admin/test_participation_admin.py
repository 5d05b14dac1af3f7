"""Opportunities (publish queues alerts), sign-ups, Participation News and staff notices."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from storage.models import AuditEntry, Broadcast, Opportunity, Outbox, SignUp, StaffNotice
from tests.admin import world_factories as make
from tests.admin.conftest import post



@pytest.fixture
def admin(as_role):
    return as_role("admin")


def opportunity_form(**changes) -> dict:
    form = {"title": "Help design the new ward", "summary": "Share your ideas with the design team. Paid.",
            "description": "", "type": "working_together", "area": "North", "venue": "online",
            "starts_at": "2026-12-01T10:00", "ends_at": "2026-12-01T12:00", "places": "8", "payment": "paid",
            "accessibility": "", "closes_on": ""}
    return {**form, **changes}


def outbox(runtime, kind: str) -> list[Outbox]:
    with runtime.factory() as db:
        return list(db.scalars(select(Outbox).where(Outbox.kind == kind)))


def test_an_admin_adds_an_opportunity_as_a_draft(admin, runtime):
    response = post(admin, "/admin/opportunities/new", opportunity_form())
    assert response.status_code == 302
    with runtime.factory() as db:
        o = db.scalars(select(Opportunity)).one()
    assert (o.status, o.type, o.places, o.payment) == ("draft", "working_together", 8, "paid")
    assert o.starts_at.hour == 10  # 10:00 in London in December is 10:00 UTC
    assert "Help design the new ward" in admin.get("/admin/opportunities/").get_data(as_text=True)


def test_an_opportunity_form_explains_every_problem(admin, runtime):
    response = post(admin, "/admin/opportunities/new", opportunity_form(
        title="", summary="Too long " * 40, type="nope", payment="", starts_at="tomorrow", places="0",
        closes_on="31/11/2026"))
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "nhsuk-error-summary" in page
    for field in ("title", "summary", "type", "payment", "starts_at", "places", "closes_on"):
        assert f'href="#{field}"' in page, field
    assert "must fit 2 text messages" in page
    emoji = post(admin, "/admin/opportunities/new", opportunity_form(summary="Come along \U0001F600"))
    assert emoji.status_code == 400 and "plain characters" in emoji.get_data(as_text=True)
    with runtime.factory() as db:
        assert db.scalars(select(Opportunity)).first() is None


def test_publishing_queues_alerts_through_the_participation_dispatch(admin, runtime):
    oid = make.opportunity(runtime)
    make.participant(runtime, name="Instant", address="+447700900001", alerts="instant")
    make.participant(runtime, name="Weekly", address="+447700900002", alerts="weekly")
    make.participant(runtime, name="Off", address="+447700900003", alerts="off")
    response = post(admin, f"/admin/opportunities/{oid}/publish")
    assert response.status_code == 302
    with runtime.factory() as db:
        assert db.get(Opportunity, oid).status == "published"
    alerts = outbox(runtime, "alert")
    assert len(alerts) == 1 and "Join the Working Together group" in alerts[0].body
    page = admin.get(f"/admin/opportunities/{oid}").get_data(as_text=True)
    assert "Published. 1 alert queued, and 1 person will hear in the weekly digest." in page
    assert "Publish and send alerts" not in page
    # publishing again is refused, and queues nothing more
    post(admin, f"/admin/opportunities/{oid}/publish")
    assert "Not published" in admin.get(f"/admin/opportunities/{oid}").get_data(as_text=True)
    assert len(outbox(runtime, "alert")) == 1


def test_a_closed_or_past_opportunity_cannot_be_published(admin, runtime):
    past = make.opportunity(runtime, closes_on=date(2020, 1, 1))
    post(admin, f"/admin/opportunities/{past}/publish")
    with runtime.factory() as db:
        assert db.get(Opportunity, past).status == "draft"
    oid = make.opportunity(runtime, status="published")
    post(admin, f"/admin/opportunities/{oid}/close")
    with runtime.factory() as db:
        assert db.get(Opportunity, oid).status == "closed"
        assert "opportunity_close" in set(db.scalars(select(AuditEntry.action)))


def test_editing_an_opportunity(admin, runtime):
    oid = make.opportunity(runtime)
    page = admin.get(f"/admin/opportunities/{oid}/edit").get_data(as_text=True)
    assert 'value="Join the Working Together group"' in page
    post(admin, f"/admin/opportunities/{oid}/edit", opportunity_form(title="Renamed", places=""))
    with runtime.factory() as db:
        o = db.get(Opportunity, oid)
    assert (o.title, o.places) == ("Renamed", None)


def test_sign_ups_are_listed_and_their_status_updated(admin, runtime):
    oid = make.opportunity(runtime, status="published")
    person = make.participant(runtime, name="Sam Taylor")
    signup = make.signup(runtime, person, oid)
    page = admin.get(f"/admin/opportunities/{oid}").get_data(as_text=True)
    assert "Sam Taylor" in page and "Step-free access" in page and 'value="interested" selected' in page
    for status in ("confirmed", "waiting", "attended", "withdrawn"):
        post(admin, f"/admin/opportunities/{oid}/signups/{signup}", {"status": status})
        with runtime.factory() as db:
            assert db.get(SignUp, signup).status == status
    post(admin, f"/admin/opportunities/{oid}/signups/{signup}", {"status": "vip"})
    with runtime.factory() as db:
        assert db.get(SignUp, signup).status == "withdrawn"
        details = list(db.scalars(select(AuditEntry.detail).where(AuditEntry.action == "signup_status")))
    assert details[0] == "interested -> confirmed" and len(details) == 4
    other = make.opportunity(runtime, title="Other")
    assert post(admin, f"/admin/opportunities/{other}/signups/{signup}", {"status": "confirmed"}).status_code == 404


# Participation News --------------------------------------------------------------------------------------

def test_a_broadcast_is_previewed_with_its_segments_then_queued_on_confirmation(admin, runtime):
    make.participant(runtime, name="On", address="+447700900001", alerts="instant")
    make.participant(runtime, name="Paused", address="+447700900002", alerts="weekly", paused=True)
    body = "Participation News: our summer event is on 3 July. Text JOIN to find out more."
    preview = post(admin, "/admin/broadcast/preview", {"body": body, "audience": "subscribers"},
                   token_from="/admin/broadcast/")
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert body in page and f"{len(body)} characters: 1 text message (segments) each" in page
    assert "Send to 1 person" in page
    assert outbox(runtime, "broadcast") == []  # nothing yet

    without = post(admin, "/admin/broadcast/send", {"body": body, "audience": "subscribers"},
                   token_from="/admin/broadcast/")
    assert without.status_code == 200 and outbox(runtime, "broadcast") == []  # not confirmed: back to the form

    sent = post(admin, "/admin/broadcast/send", {"body": body, "audience": "subscribers", "confirm": "yes"},
                token_from="/admin/broadcast/")
    assert sent.status_code == 302
    queued = outbox(runtime, "broadcast")
    assert len(queued) == 1 and queued[0].body == body
    with runtime.factory() as db:
        assert db.scalars(select(Broadcast.queued)).one() == 1
    assert "queued to 1 person" in admin.get("/admin/broadcast/").get_data(as_text=True)


def test_everyone_who_agreed_to_be_contacted_can_be_the_audience(admin, runtime):
    make.participant(runtime, address="+447700900001", alerts="off")
    make.participant(runtime, address="+447700900002", alerts="weekly", paused=True)
    body = "Participation News for everyone."
    page = post(admin, "/admin/broadcast/preview", {"body": body, "audience": "participants"},
                token_from="/admin/broadcast/").get_data(as_text=True)
    assert "Send to 2 people" in page
    post(admin, "/admin/broadcast/send", {"body": body, "audience": "participants", "confirm": "yes"},
         token_from="/admin/broadcast/")
    assert len(outbox(runtime, "broadcast")) == 2


def test_a_broadcast_over_two_segments_or_with_emoji_is_refused(admin, runtime):
    make.participant(runtime)
    long = post(admin, "/admin/broadcast/preview", {"body": "x" * 307, "audience": "subscribers"},
                token_from="/admin/broadcast/")
    assert long.status_code == 400 and "too long" in long.get_data(as_text=True)
    assert 'href="#body"' in long.get_data(as_text=True)
    fits = post(admin, "/admin/broadcast/preview", {"body": "x" * 306, "audience": "subscribers"},
                token_from="/admin/broadcast/")
    assert fits.status_code == 200 and "2 text messages (segments) each" in fits.get_data(as_text=True)
    emoji = post(admin, "/admin/broadcast/send", {"body": "Hello \U0001F600", "audience": "subscribers",
                                                   "confirm": "yes"}, token_from="/admin/broadcast/")
    assert emoji.status_code == 400 and outbox(runtime, "broadcast") == []
    nobody = post(admin, "/admin/broadcast/preview", {"body": "Hi", "audience": "everyone"},
                  token_from="/admin/broadcast/")
    assert nobody.status_code == 400 and 'href="#audience"' in nobody.get_data(as_text=True)


# Staff notices -------------------------------------------------------------------------------------------

def test_staff_notices_are_listed_newest_first_and_can_be_marked_read(as_role, runtime, staff):
    older = make.notice(runtime, subject="Withdrawal: Working Together", kind="withdrawal", ago=timedelta(days=1))
    newer = make.notice(runtime, subject="New sign-up: <b>Committee</b>")
    reviewer = as_role("reviewer")
    assert 'href="/admin/notices/"' in reviewer.get("/admin/").get_data(as_text=True)  # linked from home
    page = reviewer.get("/admin/notices/").get_data(as_text=True)
    assert page.index("New sign-up") < page.index("Withdrawal: Working Together")
    assert "<b>Committee</b>" not in page and "2 unread" in page
    post(reviewer, "/admin/notices/read", {"notice_id": str(newer)})
    with runtime.factory() as db:
        assert db.get(StaffNotice, newer).read_at is not None and db.get(StaffNotice, older).read_at is None
    post(reviewer, "/admin/notices/read")
    with runtime.factory() as db:
        assert db.get(StaffNotice, older).read_at is not None
