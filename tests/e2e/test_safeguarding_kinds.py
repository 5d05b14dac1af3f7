"""Every kind of risk, at every point of a conversation, through the real SMS and Telegram webhooks.

The real risk check (nlp.risk) reads each message; what comes back is what the person would see,
and the flags are read back from the database. The words here are not in the risk check's
evaluation files: they stand for messages it has never seen.
"""
from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import select

from storage.models import Outbox, SafeguardingFlag
from tests.e2e.test_participation import add_opportunity
from tests.e2e.test_sms import Phone
from tests.e2e.test_telegram import say

# kind: (a message of that kind, the flag's category, its priority)
KINDS = {
    "suicide": ("ive put all my tablets in one pot and im taking the lot tonight", "suicide", "urgent"),
    "self-harm": ("been slicing my arms again, its the only thing that helps", "self-harm", "high"),
    "harm-to-others": ("if he comes near me again im going to stab him", "harm-to-others", "high"),
    "unsafe": ("my ex is outside my door shouting that he'll kill me", "unsafe", "urgent"),
    "abuse": ("the night carer slaps my mum and takes money out of her purse", "abuse", "high"),
    "someone-else": ("my daughter says she wants to kill herself, shes locked in her room", "someone-else", "high"),
    "distress": ("honestly everyone would be better off without me", "distress", "low"),
    "other-language": ("Chcę się zabić, nie mam już siły", "suicide", "urgent"),
}
# Words that only the right reply for each kind has.
OWN_WORDS = {"suicide": "If your life is at risk", "self-harm": "hurt yourself", "harm-to-others": "might hurt someone",
             "unsafe": "press 55", "abuse": "safeguarding team", "someone-else": "worried about someone",
             "distress": "sorry things feel so hard", "other-language": "free interpreters"}


class Person:
    """Someone messaging the trust on one channel; sends() returns what comes back to them."""

    def __init__(self, channel, client, runtime, fake=None):
        self.channel, self.client, self.runtime, self.fake = channel, client, runtime, fake
        self.phone = Phone(client, "+447911654321")
        self.update_id = 100

    def sends(self, text: str) -> list[str]:
        if self.channel == "sms":
            return self.phone.sends(text)
        before = self._queued()
        self.update_id += 1
        say(self.client, self.update_id, text)
        replies = self._queued()[len(before):]
        if replies:  # sent by the real python-telegram-bot to the fake Bot API
            self.fake.wait_for("sendMessage", count=len(self._queued()))
        return replies

    def _queued(self) -> list[str]:
        with self.runtime.factory() as session:
            return list(session.scalars(select(Outbox.body).where(Outbox.channel == "telegram")
                                        .order_by(Outbox.id)))


@pytest.fixture
def settings(settings, fake, fake_twilio):
    return replace(settings, telegram_api_base_url=fake.base_url.removesuffix("/bot"),
                   twilio_api_base_url=fake_twilio.base_url)


@pytest.fixture(params=["sms", "telegram"])
def person(request, client, runtime, fake, services):
    if request.param == "telegram":
        request.getfixturevalue("channel")  # the Telegram channel, started as a server starts it
        return Person("telegram", client, runtime, fake)
    return Person("sms", client, runtime)


def flags(runtime) -> list[SafeguardingFlag]:
    with runtime.factory() as session:
        return list(session.scalars(select(SafeguardingFlag).order_by(SafeguardingFlag.id)))


def answered_as(replies: list[str], kind: str) -> bool:
    return bool(replies) and OWN_WORDS[kind] in replies[0]


def into_sign_up(runtime, person) -> None:
    add_opportunity(runtime, "Expert by Experience training")
    person.sends("JOIN"), person.sends("1")
    assert "YES" in person.sends("SIGN UP")[-1]  # the consent question: mid sign-up


SITUATIONS = {
    "cold": lambda runtime, person: None,
    "mid-survey": lambda runtime, person: (person.sends("FEEDBACK OAKLANDS"), person.sends("2")),
    "sign-up": into_sign_up,
    "after-stop": lambda runtime, person: person.sends("STOP"),
}


@pytest.mark.parametrize("situation", SITUATIONS)
@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_gets_its_own_words_and_a_flag(runtime, person, kind, situation):
    text, category, priority = KINDS[kind]
    SITUATIONS[situation](runtime, person)
    replies = person.sends(text)
    [flag] = flags(runtime)
    assert (flag.category, flag.channel) == (category, person.channel)
    assert flag.priority == priority or {flag.priority, priority} == {"urgent", "high"}
    assert flag.text == text and flag.contact_id is not None  # a risk to life overrides anonymity
    if situation == "after-stop" and priority == "low":
        assert replies == []  # STOP is honoured for a low-priority mention; the flag still reaches a human
        return
    assert answered_as(replies, kind), replies
    assert "999" in replies[0]
    if priority != "low" and situation != "after-stop":
        assert "A member of our team will read your message" in replies[1]
        assert "not a crisis service" in replies[1]


@pytest.mark.parametrize("kind", [k for k, (_, _, p) in KINDS.items() if p != "low"])
def test_mid_survey_an_urgent_or_high_risk_pauses_the_survey(runtime, person, kind):
    person.sends("SURVEY OAKLANDS"), person.sends("2")  # the experience survey: more questions to come
    replies = person.sends(KINDS[kind][0])
    assert "paused the survey" in replies[-1]
    assert "CARRY ON" in person.sends("3")[0]  # not taken as an answer
    assert "Carrying on" in person.sends("CARRY ON")[0]


def test_mid_survey_possible_distress_gets_a_gentle_reply_and_the_survey_goes_on(runtime, person):
    person.sends("SURVEY OAKLANDS"), person.sends("2")
    replies = person.sends(KINDS["distress"][0])
    assert not any("paused" in r for r in replies)
    assert answered_as(replies, "distress") and "?" in replies[1]  # the gentle words, then the next question
    [flag] = flags(runtime)
    assert flag.priority == "low"


def test_a_message_that_is_not_english_gets_interpreter_words_and_a_flag_naming_the_language(runtime, person):
    replies = person.sends("Dzień dobry, personel na oddziale był bardzo miły i pomocny")
    assert "interpreters" in replies[0] and '"Polish"' in replies[0] and "999" in replies[0] and "111" in replies[0]
    [flag] = flags(runtime)
    assert flag.category == "other-language" and "Polish" in flag.reason


def test_is_this_the_crisis_line_gets_a_clear_answer(runtime, person):
    replies = person.sends("is this the crisis line? i need to talk to someone")
    assert "not a crisis line" in replies[0] and "116 123" in replies[0]


def test_after_a_crisis_reply_thank_you_and_carry_on_get_a_warm_answer(runtime, person):
    person.sends(KINDS["unsafe"][0])
    for said in ("thank you", "ok", "CARRY ON"):
        [reply] = person.sends(said)
        assert "look after yourself" in reply and "Hello, this is YourSay" not in reply


def test_the_same_kind_again_within_minutes_is_not_answered_with_the_numbers_again(runtime, person):
    first = person.sends(KINDS["suicide"][0])
    again = person.sends("i mean it, i am going to end my life tonight")
    assert answered_as(first, "suicide")
    assert again and not answered_as(again, "suicide") and "999" in again[0]  # short, still points to 999
    assert len(flags(runtime)) == 2  # every message still reaches a human


@pytest.mark.parametrize("hours,words", [("24", "within 24 hours"), ("1 working day", "within 1 working day")])
def test_the_reply_says_honestly_when_a_person_will_read_it(runtime, hours, words):
    from yoursay import config
    from yoursay.app import create_app
    from yoursay.runtime import build

    settings = replace(runtime.settings, safeguarding_review=config._review_time(hours))
    rt = build(settings)
    try:
        phone = Phone(create_app(settings, rt).test_client(), "+447911000111")
        replies = phone.sends(KINDS["unsafe"][0])
        assert f"A member of our team will read your message {words}." in replies[1]
    finally:
        rt.close()
