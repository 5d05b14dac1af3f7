"""Safeguarding end to end: a message that may show risk, by SMS and on Telegram, with the real
risk rules (nlp.risk), the real webhook and a real database.
"""
from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import select

from storage.models import Answer, Contact, SafeguardingFlag
from tests.e2e.test_sms import Phone
from tests.e2e.test_telegram import CHAT, say, sent

CRISIS = ("999", "111", "116 123", "SHOUT", "85258")


def flags(runtime) -> list[SafeguardingFlag]:
    with runtime.factory() as session:
        return list(session.scalars(select(SafeguardingFlag).order_by(SafeguardingFlag.id)))


@pytest.fixture
def phone(client):
    return Phone(client, "+447911123456")


def test_by_sms_a_disclosure_gets_help_at_once_a_flag_and_no_more_questions(runtime, phone, services):
    phone.sends("FEEDBACK OAKLANDS")
    phone.sends("5")
    replies = phone.sends("honestly i just wanna die, nobody on the ward listens")
    assert all(part in replies[0] for part in CRISIS)
    assert "A member of our team will read your message" in replies[1]
    assert not any("?" in r for r in replies)  # no survey question follows
    [flag] = flags(runtime)
    assert (flag.category, flag.priority, flag.status, flag.channel) == ("suicide", "urgent", "open", "sms")
    assert "wanna die" in flag.text and flag.reason
    with runtime.factory() as session:
        contact = session.scalar(select(Contact).where(Contact.address == "+447911123456"))
        assert flag.contact_id == contact.id  # a risk to life overrides anonymity
        assert session.scalar(select(Answer.value).where(Answer.question_id == "why")).startswith("honestly")


def test_idioms_are_not_flagged(runtime, phone, services):
    phone.sends("FEEDBACK OAKLANDS")
    phone.sends("2")
    replies = phone.sends("The wait was killing me but the food was to die for")
    assert not any("116 123" in r for r in replies)
    assert flags(runtime) == []


def test_after_stop_a_person_at_risk_is_still_signposted(runtime, phone):
    phone.sends("STOP")
    replies = phone.sends("i'm not safe at home tonight")
    assert replies and all(part in replies[0] for part in CRISIS)
    assert [f.category for f in flags(runtime)] == ["unsafe"]
    assert phone.sends("hello") == []


def test_on_telegram_the_same(runtime, client, fake, channel):
    say(client, 1, "/start")
    say(client, 2, "I have been cutting myself again")
    fake.wait_for("sendMessage", count=3)
    texts = [m["text"] for m in sent(fake, CHAT)]
    assert any(all(part in t for part in CRISIS) for t in texts)
    assert [f.category for f in flags(runtime)] == ["self-harm"]


@pytest.fixture
def settings(settings, fake, fake_twilio):
    return replace(settings, telegram_api_base_url=fake.base_url.removesuffix("/bot"),
                   twilio_api_base_url=fake_twilio.base_url)


def test_a_negated_mention_is_flagged_low_and_the_survey_goes_on(runtime, phone, services):
    phone.sends("FEEDBACK OAKLANDS")
    phone.sends("3")
    replies = phone.sends("I'm not suicidal, just want my appointment moved")
    assert "116 123" in replies[0] and "Thank you for your feedback" in replies[-1]  # gentle words, then the survey ends
    [flag] = flags(runtime)
    assert (flag.category, flag.priority) == ("suicide", "low")
