"""The experience survey, end to end through the real webhooks, by SMS and on Telegram.

SMS: Twilio-signed form posts to /sms/inbound, answered with TwiML. Telegram: updates posted
to /telegram/webhook, replies sent through the real python-telegram-bot to a local fake Bot
API; choice questions are answered by pressing their buttons, free text by typing.
"""
from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import select

from bot.flow import Question
from bot.surveys import shipped
from storage.models import Answer, Contact, Response
from tests.e2e import test_telegram as tg
from tests.e2e.test_sms import ALICE, Phone

SURVEY = shipped().latest("experience")
CHAT = 555000333


@pytest.fixture
def settings(settings, fake):
    return replace(settings, telegram_api_base_url=fake.base_url.removesuffix("/bot"))


def plan(takes_medication: str, participation: str) -> list[tuple[Question, str]]:
    """Each question the survey will ask, in order, and the answer to give (an option value or text)."""
    path, given = [], {}
    for question in SURVEY.questions:
        when = question.when
        if when and given.get(when.question) not in when.any_of:
            continue
        if question.id in ("takes_medication", "participation"):
            answer = {"takes_medication": takes_medication, "participation": participation}[question.id]
        elif question.options:
            answer = question.options[len(path) % len(question.options)].value
        else:
            answer = f"In my own words about {question.id.replace('_', ' ')}."
        given[question.id] = answer
        path.append((question, answer))
    return path


def position(question: Question, value: str) -> str:
    return str(next(n for n, o in enumerate(question.options, 1) if o.value == value))


def stored(runtime) -> tuple[Response, dict[str, str]]:
    with runtime.factory() as session:
        [response] = session.scalars(select(Response)).all()
        answers = dict(session.execute(select(Answer.question_id, Answer.value)
                                       .where(Answer.response_id == response.id)).all())
    return response, answers


def expected_answers(path) -> dict[str, str]:
    return {q.id: a for q, a in path if q.effect is None}


def contact(runtime, channel, address) -> Contact:
    with runtime.factory() as session:
        return session.scalar(select(Contact).where(Contact.channel == channel, Contact.address == address))


def test_the_experience_survey_by_text_message_from_start_to_finish(runtime, services, client):
    phone = Phone(client, ALICE)
    path = plan(takes_medication="no", participation="yes")
    assert "medication_purpose" not in [q.id for q, _ in path]

    intro, question = phone.sends("SURVEY OAKLANDS")
    assert intro.startswith("About: Oaklands Ward\n") and SURVEY.intro in intro
    for asked, answer in path:
        assert (asked.sms_text or asked.text) in question, f"expected {asked.id}, got {question!r}"
        if asked.sms_text:
            assert asked.text not in question
        if asked.options:
            assert f"{position(asked, answer)} {asked.options[int(position(asked, answer)) - 1].label}" in question
        [question] = phone.sends(position(asked, answer) if asked.options else answer)
    assert question == SURVEY.closing_sms

    response, answers = stored(runtime)
    assert (response.survey_id, response.survey_version) == ("experience", 1)
    assert (response.service_code, response.mode) == ("OAKLANDS", "SMS/text message")
    assert answers == expected_answers(path)
    assert "participation" not in answers
    person = contact(runtime, "sms", ALICE)
    assert person.state == {}
    assert person.participation_interest_at is not None, "they said yes to hearing about getting involved"


def test_the_experience_survey_on_telegram_with_buttons_from_start_to_finish(runtime, services, client, fake,
                                                                              channel):
    path = plan(takes_medication="yes", participation="no")
    assert {"medication_purpose", "medication_side_effects"} <= {q.id for q, _ in path}
    update, sent = 1, 0

    def next_reply():
        nonlocal sent
        sent += 1
        return tg.reply_to(fake, sent)

    tg.say(client, update, "SURVEY", chat=CHAT)
    which = next_reply()
    assert "Which service" in which["text"]
    [oaklands] = [data for label, data in tg.buttons(which) if label.endswith("Oaklands Ward")]
    update += 1
    tg.press(client, update, oaklands, chat=CHAT, fake=fake)
    intro, question = next_reply(), next_reply()
    assert intro["text"] == "About: Oaklands Ward\n" + SURVEY.intro and tg.buttons(intro) == []

    presses = 0
    for asked, answer in path:
        assert question["chat_id"] == CHAT
        assert question["text"].startswith(asked.text), f"expected {asked.id}, got {question['text']!r}"
        update += 1
        if asked.options:
            labels = dict((data, label) for label, data in tg.buttons(question))
            data = position(asked, answer)
            assert labels[data] == f"{data} {asked.options[int(data) - 1].label}"
            tg.press(client, update, data, chat=CHAT, fake=fake)
            presses += 1
        else:
            assert tg.buttons(question) == []
            tg.say(client, update, answer, chat=CHAT)
        question = next_reply()
    assert question["text"] == SURVEY.closing and tg.buttons(question) == []
    assert len(fake.wait_for("answerCallbackQuery", count=presses + 1)) == presses + 1, "every button stops spinning"

    response, answers = stored(runtime)
    assert (response.survey_id, response.survey_version) == ("experience", 1)
    assert (response.service_code, response.mode) == ("OAKLANDS", "Online")
    assert answers == expected_answers(path)
    person = contact(runtime, "telegram", str(CHAT))
    assert person.state == {}
    assert person.participation_interest_at is None, "they said no to hearing about getting involved"
