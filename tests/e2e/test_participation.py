"""Signing up to take part, end to end: signed Twilio webhooks, and the real python-telegram-bot
against the fake Bot API, on a real database. What is stored is read back from the tables.
"""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from storage.models import Answer, Opportunity, Participant, Response, SignUp, StaffNotice
from tests.e2e.test_sms import Phone
from tests.e2e.test_telegram import say, sent

NOW = datetime.now(timezone.utc)


def add_opportunity(runtime, title: str, places: int | None = 10, **more) -> int:
    values = dict(title=title, summary=f"{title}: help shape our services. Paid at the involvement rate.",
                  type="working_together", area="North", venue="Oak House", payment="paid", places=places,
                  starts_at=NOW + timedelta(days=10), status="published", created_at=NOW, published_at=NOW)
    with runtime.factory.begin() as session:
        opportunity = Opportunity(**{**values, **more})
        session.add(opportunity)
        session.flush()
        return opportunity.id


def rows(runtime, model, *where):
    with runtime.factory() as session:
        return list(session.scalars(select(model).where(*where)))


def count(runtime, model) -> int:
    with runtime.factory() as session:
        return session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def phone(client):
    return Phone(client, "+447911123456")


def test_signing_up_by_sms_stores_the_consent_wording_and_tells_ppt(runtime, phone):
    add_opportunity(runtime, "Working Together group: crisis care")
    assert "1 Working Together group: crisis care" in phone.sends("JOIN")[0]
    assert "SIGN UP" in phone.sends("1")[-1]
    [consent] = phone.sends("SIGN UP")
    phone.sends("YES")
    phone.sends("Sam")
    done = phone.sends("Step-free access please")
    assert "Thank you Sam. You're signed up for Working Together group: crisis care" in done[0]
    [person] = rows(runtime, Participant)
    assert person.consent_text == consent  # the exact words they agreed to
    assert (person.name, person.access_needs) == ("Sam", "Step-free access please")
    [signup] = rows(runtime, SignUp)
    assert (signup.participant_id, signup.status) == (person.id, "confirmed")
    notices = {n.kind: n for n in rows(runtime, StaffNotice)}
    assert "Sam signed up for Working Together group: crisis care" in notices["signup"].body
    assert "Step-free access please" in notices["signup"].body
    assert "+447911123456" not in notices["signup"].body  # contact details stay in the admin
    assert "new_participant" in notices


def test_the_last_place_goes_to_the_first_and_the_next_person_gets_the_waiting_list(runtime, client):
    add_opportunity(runtime, "Board seat", places=1, type="committee")
    first, second = Phone(client, "+447911000001"), Phone(client, "+447911000002")
    for person in (first, second):
        person.sends("JOIN"), person.sends("1")
    for person in (first, second):  # both say SIGN UP while a place still shows as free
        person.sends("SIGN UP"), person.sends("yes"), person.sends("Alex")
    assert "You're signed up for Board seat" in first.sends("none")[0]
    assert "last place on Board seat was just taken" in second.sends("none")[0]
    assert sorted(s.status for s in rows(runtime, SignUp)) == ["confirmed", "waiting"]
    assert "(waiting list)" in "\n".join(second.sends("MY DATA"))


def test_my_data_and_delete_my_data_leave_anonymous_feedback_alone(runtime, phone, services):
    add_opportunity(runtime, "QI project: calmer waiting room", type="qi_project")
    phone.sends("FEEDBACK OAKLANDS"), phone.sends("1"), phone.sends("Kind staff")
    phone.sends("JOIN"), phone.sends("1"), phone.sends("SIGN UP"), phone.sends("yes"), phone.sends("Sam")
    phone.sends("none")
    mine = "\n".join(phone.sends("MY DATA"))
    assert "name Sam" in mine and "QI project: calmer waiting room (place confirmed)" in mine
    assert "+447911123456" in mine
    assert "1 sign-up" in phone.sends("DELETE MY DATA")[0]
    assert "deleted" in phone.sends("DELETE")[0]
    assert count(runtime, Participant) == 0 and count(runtime, SignUp) == 0
    assert count(runtime, Response) == 1 and count(runtime, Answer) == 2  # feedback is not touched
    [erasure] = rows(runtime, StaffNotice, StaffNotice.kind == "erasure")
    assert "QI project: calmer waiting room" in erasure.body and "Sam" not in erasure.body
    assert "no participant record" in phone.sends("MY DATA")[0]


def test_withdrawing_by_sms(runtime, phone):
    add_opportunity(runtime, "Peer support training", type="peer_role")
    phone.sends("JOIN"), phone.sends("1"), phone.sends("SIGN UP"), phone.sends("yes"), phone.sends("Jo")
    phone.sends("none")
    assert "Withdraw from Peer support training?" in phone.sends("WITHDRAW")[0]
    phone.sends("YES")
    [signup] = rows(runtime, SignUp)
    assert signup.status == "withdrawn"
    assert rows(runtime, StaffNotice, StaffNotice.kind == "withdrawal")


def test_alerts_settings_by_sms_are_stored(runtime, phone):
    add_opportunity(runtime, "Research advisory group", type="research", area="South")
    assert "To send you alerts" in phone.sends("ALERTS")[0]
    phone.sends("yes")
    assert "alerts are on" in phone.sends("Priya")[0]
    phone.sends("ALERTS"), phone.sends("2")
    phone.sends("ALERTS"), phone.sends("4"), phone.sends("8")
    phone.sends("ALERTS"), phone.sends("5"), phone.sends("1")
    phone.sends("ALERTS"), phone.sends("3")
    [person] = rows(runtime, Participant)
    assert (person.alerts, person.alerts_paused, person.interests, person.areas) == (
        "weekly", True, ["research"], ["South"])


def test_signing_up_on_telegram(runtime, client, fake, channel):
    add_opportunity(runtime, "Working Together group: crisis care")
    say(client, 1, "/join")
    listing = fake.wait_for("sendMessage", count=1)[0][1]
    assert "1 Working Together group: crisis care" in listing["text"]
    assert {"text": "1", "callback_data": "1"} in listing["reply_markup"]["inline_keyboard"][0]
    for n, text in enumerate(["1", "SIGN UP", "yes", "Sam", "none"], start=2):
        say(client, n, text)
    fake.wait_for("sendMessage", count=8)
    texts = [m["text"] for m in sent(fake)]
    assert any("this Telegram chat" in t for t in texts)
    assert any("You're signed up for Working Together group: crisis care" in t for t in texts)
    [person] = rows(runtime, Participant)
    assert "this Telegram chat" in person.consent_text
    assert [s.status for s in rows(runtime, SignUp)] == ["confirmed"]


@pytest.fixture
def settings(settings, fake, fake_twilio):
    return replace(settings, telegram_api_base_url=fake.base_url.removesuffix("/bot"),
                   twilio_api_base_url=fake_twilio.base_url)
