"""Surveys on a real database: equality answers kept apart, reminders, and invitations to any survey."""
from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Date, DateTime, Time, inspect, select

from service.conversations import receive
from outbox.delivery import drain
from service.invitations import InviteRules, queue
from service.jobs import remind_unfinished
from bot.surveys import shipped
from sms.sender import TwilioTransport
from storage import contacts
from storage.models import (Answer, Contact, EqualityAnswer, EqualityResponse, Message, Outbox, PendingResponse, Response,
                            ResponseOwner)
from yoursay.config import parse_quiet_hours

NOW = datetime(2026, 11, 26, 14, 37, tzinfo=timezone.utc)
LONDON = ZoneInfo("Europe/London")
PHONE = "+447700900123"
PHONE_FORMS = (PHONE, PHONE.lstrip("+"), "07700900123", "7700900123")
INVITED = "+447911123456"
EQUALITY_TABLES = ("equality_responses", "equality_answers")


@pytest.fixture
def settings(settings, fake_twilio):
    return replace(settings, twilio_api_base_url=fake_twilio.base_url)


def say(rt, text, now, address=PHONE, channel="sms") -> list[str]:
    received = rt.write(lambda conn: receive(conn, rt.bot, channel=channel, address=address, text=text,
                                             provider_id=None, now=now))
    return [r.text for r in received.replies]


def rows(rt, model) -> list:
    with rt.factory() as session:
        return list(session.scalars(select(model).order_by(*model.__table__.primary_key.columns)))


def held(rt, address=PHONE) -> dict:
    """The answers of the person's open survey, waiting encrypted (as only the app can read them)."""
    with rt.factory() as session:
        row = session.get(PendingResponse, rt.bot.stored_ref(person(rt, address).state["ref"]))
    return rt.bot.holding.unlock(row.payload)["answers"]


def person(rt, address=PHONE, channel="sms") -> Contact:
    with rt.factory() as session:
        return session.scalar(select(Contact).where(Contact.channel == channel, Contact.address == address))


def remind(rt, now) -> int:
    return remind_unfinished(rt.factory, rt.bot.surveys, rt.bot.texts, now)


def reminders(rt) -> list[Outbox]:
    return [row for row in rows(rt, Outbox) if row.kind == "reminder"]


def send_sms(rt, now) -> int:
    """One run of the SMS outbox through the real twilio client, at a given time."""
    return drain(rt.factory, TwilioTransport(rt.settings), rt.policy("sms"), "test-worker",
                 clock=lambda: now, sleep=lambda seconds: None)


# --- 1. equality answers cannot be joined to anyone or to their feedback ---------------------

def test_the_equality_tables_have_nothing_that_could_join_them_to_a_person_or_to_feedback(runtime):
    inspector = inspect(runtime.engine)
    tables = set(inspector.get_table_names())
    assert set(EQUALITY_TABLES) <= tables
    columns = {t: {c["name"]: c for c in inspector.get_columns(t)} for t in EQUALITY_TABLES}
    assert set(columns["equality_responses"]) == {"id", "batch", "survey_id", "survey_version", "month"}
    assert set(columns["equality_answers"]) == {"id", "response_id", "question_id", "value"}

    for table in EQUALITY_TABLES:
        for fk in inspector.get_foreign_keys(table):
            assert fk["referred_table"] == "equality_responses", f"{table} refers to {fk['referred_table']}"
        for name, column in columns[table].items():
            for word in ("contact", "service", "mode", "phone", "chat", "address", "channel", "message", "owner",
                         "user", "name", "created", "updated", "sent", "time", "outbox"):
                assert word not in name, f"{table}.{name}"
            if isinstance(column["type"], (Date, DateTime, Time)):
                assert (table, name) == ("equality_responses", "month"), f"{table}.{name} is a time"
                assert not isinstance(column["type"], DateTime), "the month is a date, not a moment"
    [answers_fk] = inspector.get_foreign_keys("equality_answers")
    assert (answers_fk["constrained_columns"], answers_fk["referred_columns"]) == (["response_id"], ["id"])

    for table in tables - set(EQUALITY_TABLES):
        for fk in inspector.get_foreign_keys(table):
            assert fk["referred_table"] not in EQUALITY_TABLES, f"{table} points at {fk['referred_table']}"
        assert not {c["name"] for c in inspector.get_columns(table)} & {"equality_response_id", "equality_ref"}


def test_fft_then_about_you_by_sms_are_stored_apart_with_nothing_to_link_them(runtime, services):
    t = NOW
    say(runtime, "FEEDBACK OAKLANDS", t)
    say(runtime, "2", t + timedelta(minutes=1))
    [thanks] = say(runtime, "The staff were kind", t + timedelta(minutes=2))
    assert thanks.startswith("Thank you for your feedback")
    [feedback] = rows(runtime, Response)
    assert person(runtime).state == {}, "the feedback ref is forgotten when the FFT ends"

    intro, first = say(runtime, "ABOUT YOU", t + timedelta(minutes=3))
    assert "kept apart from your feedback" in intro and "What is your age?" in first
    replies = ["3", "female", "yes", "SKIP", "asian", "Chinese", "prefer not to say", "no"]
    for n, reply in enumerate(replies, 4):
        say(runtime, reply, t + timedelta(minutes=n))
        state = person(runtime).state
        assert str(feedback.id) not in json.dumps(state), "the person's state never holds the feedback"
    [closing] = say(runtime, "yes", t + timedelta(minutes=12))
    assert closing == shipped().latest("about-you").closing

    [equality] = rows(runtime, EqualityResponse)
    answers = {a.question_id: a.value for a in rows(runtime, EqualityAnswer)}
    assert answers == {"age_band": "25_34", "sex": "female", "gender_identity": "yes", "ethnic_group": "asian",
                       "ethnicity_asian": "R", "religion": "prefer_not_to_say", "long_term_condition": "no",
                       "carer": "yes"}
    assert (equality.survey_id, equality.survey_version) == ("about-you", 1)
    assert equality.month == date(2026, 11, 1) and type(equality.month) is date

    # Feedback went to the feedback tables only, and equality answers only to theirs.
    assert [r.id for r in rows(runtime, Response)] == [feedback.id]
    assert {a.question_id for a in rows(runtime, Answer)} == {"fft", "why"}
    assert rows(runtime, ResponseOwner) == []

    contact = person(runtime)
    for row in rows(runtime, EqualityResponse) + rows(runtime, EqualityAnswer):
        for column in row.__table__.columns:
            value = str(getattr(row, column.key))
            assert not any(form in value for form in PHONE_FORMS), f"{row.__tablename__}.{column.key}"
            if column.key not in ("id", "response_id", "survey_version", "batch"):
                assert value != str(contact.id), f"{row.__tablename__}.{column.key} is the contact's id"
    for row_id in (equality.id, feedback.id):  # random, not counters (one in 2**30 would be this small)
        assert row_id > 2 ** 32, row_id

    # Nothing else the database keeps mentions the equality response, and the contact holds neither.
    assert contact.state == {}
    for model in (Message, Outbox, Response, Answer, Contact, PendingResponse):
        for row in rows(runtime, model):
            assert str(equality.id) not in json.dumps([str(getattr(row, c.key)) for c in row.__table__.columns])
    assert all(m.body is None for m in rows(runtime, Message) if m.direction == "in")


def test_leaving_about_you_half_way_keeps_what_was_given_and_the_expiry_forgets_the_ref(runtime, services):
    from service.jobs import expire_conversations

    say(runtime, "ABOUT ME", NOW)
    say(runtime, "1", NOW + timedelta(minutes=1))
    assert rows(runtime, EqualityResponse) == [], "written only when the survey ends"
    held = person(runtime).state["ref"]  # only while the survey is under way, and only as the app can read it
    [waiting] = rows(runtime, PendingResponse)
    assert held != waiting.id and runtime.bot.stored_ref(held) == waiting.id
    assert expire_conversations(runtime.factory, runtime.bot, NOW + timedelta(hours=73)) == 1
    assert person(runtime).state == {} and rows(runtime, PendingResponse) == []
    [equality] = rows(runtime, EqualityResponse)
    assert equality.month == date(2026, 11, 1)
    assert {a.question_id: a.value for a in rows(runtime, EqualityAnswer)} == {"age_band": "under_18"}


# --- 2. one reminder for an unfinished survey ------------------------------------------------

def start_experience(rt, t, address=PHONE, channel="sms") -> datetime:
    """Start the experience survey and answer two questions; returns the time of the last answer."""
    say(rt, "SURVEY OAKLANDS", t, address, channel)
    say(rt, "2", t + timedelta(minutes=1), address, channel)
    [question] = say(rt, "The staff were kind", t + timedelta(minutes=2), address, channel)
    assert "Did the person or people you saw listen carefully to you?" in question
    return t + timedelta(minutes=2)


def test_an_unfinished_survey_gets_one_reminder_with_the_question_it_stopped_at(runtime, services):
    last = start_experience(runtime, NOW)
    assert remind(runtime, last + timedelta(hours=23)) == 0, "not before the survey's 24 hours"
    assert remind(runtime, last + timedelta(hours=25)) == 1

    [row] = reminders(runtime)
    assert (row.channel, row.status, row.due_at) == ("sms", "pending", last + timedelta(hours=25))
    assert row.body.startswith("A reminder: you started our survey (Your experience of our services).")
    lines = row.body.splitlines()
    assert "Did the person or people you saw listen carefully to you?" in lines
    assert lines[-4:] == ["1 Yes, definitely", "2 Yes, to some extent", "3 No", "(Or reply SKIP.)"]
    state = person(runtime).state
    assert state["q"] == "listened_to" and state["reminded"]
    assert state["updated_at"] == last.isoformat(), "a reminder does not keep the survey open longer"

    assert remind(runtime, last + timedelta(hours=25, minutes=5)) == 0
    assert remind(runtime, last + timedelta(hours=40)) == 0
    assert len(reminders(runtime)) == 1


def test_the_reminder_on_telegram_carries_the_buttons(runtime, services):
    last = start_experience(runtime, NOW, address="555000111", channel="telegram")
    assert remind(runtime, last + timedelta(hours=25)) == 1
    [row] = reminders(runtime)
    assert row.channel == "telegram"
    assert row.extra["buttons"] == [["1 Yes, definitely", "1"], ["2 Yes, to some extent", "2"], ["3 No", "3"]]


def test_a_survey_without_reminders_gets_none(runtime, services):
    assert shipped().latest("fft").reminder_after is None
    say(runtime, "FEEDBACK OAKLANDS", NOW)
    say(runtime, "2", NOW + timedelta(minutes=1))
    assert person(runtime).state["q"] == "why"
    for hours in (2, 12, 23, 25, 30):
        assert remind(runtime, NOW + timedelta(hours=hours)) == 0
    assert reminders(runtime) == []


def test_someone_who_said_stop_gets_no_reminder(runtime, services):
    last = start_experience(runtime, NOW)
    [confirmation] = say(runtime, "STOP", last + timedelta(minutes=1))
    assert "opted out" in confirmation
    assert remind(runtime, last + timedelta(hours=25)) == 0
    assert reminders(runtime) == []


def test_after_answering_the_reminder_there_is_no_other(runtime, services):
    last = start_experience(runtime, NOW)
    assert remind(runtime, last + timedelta(hours=25)) == 1
    [question] = say(runtime, "1", last + timedelta(hours=26))
    assert "take your views into account" in question
    assert remind(runtime, last + timedelta(hours=51)) == 0
    assert remind(runtime, last + timedelta(hours=60)) == 0
    assert len(reminders(runtime)) == 1


def test_answering_before_the_reminder_is_due_puts_it_off(runtime, services):
    last = start_experience(runtime, NOW)
    say(runtime, "1", last + timedelta(hours=20))
    assert remind(runtime, last + timedelta(hours=25)) == 0
    assert remind(runtime, last + timedelta(hours=44, minutes=1)) == 1
    [row] = reminders(runtime)
    assert "take your views into account" in row.body


def test_a_survey_already_closed_gets_no_reminder(runtime, services):
    last = start_experience(runtime, NOW)
    assert remind(runtime, last + timedelta(hours=73)) == 0


def test_no_reminder_for_a_conversation_the_trusts_own_timeout_has_closed(runtime, services):
    """YOURSAY_CONVERSATION_TIMEOUT (here 12 hours) closes every survey sooner than its own expiry."""
    from yoursay.runtime import bot_config
    from yoursay.scheduler import tick

    runtime.settings = replace(runtime.settings, conversation_timeout=timedelta(hours=12))
    runtime.bot = bot_config(runtime.settings)
    last = start_experience(runtime, NOW)
    runtime.now = lambda: last + timedelta(hours=25)  # the scheduler was not running in between
    assert tick(runtime)
    assert reminders(runtime) == []
    assert person(runtime).state == {}
    say(runtime, "1", last + timedelta(hours=25, minutes=1))
    assert {a.question_id for a in rows(runtime, Answer)} == {"fft", "why"}, "the survey had closed"


def test_a_reminder_may_come_before_the_trusts_own_longer_timeout(runtime, services):
    from yoursay.runtime import bot_config
    from yoursay.scheduler import tick

    runtime.settings = replace(runtime.settings, conversation_timeout=timedelta(hours=48))
    runtime.bot = bot_config(runtime.settings)
    last = start_experience(runtime, NOW)
    runtime.now = lambda: last + timedelta(hours=25)
    assert tick(runtime)
    [row] = reminders(runtime)
    assert "listen carefully to you" in row.body


def test_a_reminder_always_fits_two_texts_and_always_carries_the_question(runtime, services):
    """Where the reminder and the question would not fit together, they go as two messages."""
    from bot import gsm7
    from bot.answers import prompt_text

    survey = shipped().latest("experience")
    t = NOW
    say(runtime, "SURVEY OAKLANDS", t)
    asked = []
    while person(runtime).state:
        current = survey.question(person(runtime).state["q"])
        asked.append(current.id)
        assert remind(runtime, t + timedelta(hours=25)) == 1
        sent = reminders(runtime)
        assert all(gsm7.fits(row.body) for row in sent), [row.body for row in sent]
        title, prompt = runtime.bot.texts.reminder(survey.title), prompt_text(current, sms=True)
        assert [row.body for row in sent] in ([f"{title}\n{prompt}"], [title, prompt]), current.id
        with runtime.factory.begin() as session:  # ready for the next question's reminder
            for row in sent:
                session.delete(session.get(Outbox, row.id))
            contact = session.scalar(select(Contact))
            contact.state = {k: v for k, v in contact.state.items() if k != "reminded"}
        t += timedelta(minutes=1)
        say(runtime, "1" if current.id in ("fft", "takes_medication") else "SKIP", t)
    assert asked[-1] == "participation" and "medication_purpose" in asked


@pytest.fixture
def quiet_nights(runtime):
    runtime.settings = replace(runtime.settings, quiet_hours=parse_quiet_hours("21:00-09:00"))
    return runtime.settings.quiet_hours


def london(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=LONDON).astimezone(timezone.utc)


def test_a_reminder_due_at_half_past_ten_at_night_is_sent_at_nine(runtime, services, fake_twilio, quiet_nights):
    start_experience(runtime, london("2026-01-14 21:28"))
    night = london("2026-01-15 22:30")
    assert remind(runtime, night) == 1
    assert send_sms(runtime, night) == 0
    assert fake_twilio.attempts() == []
    [row] = reminders(runtime)
    assert row.status == "pending" and row.due_at == london("2026-01-16 09:00")

    assert send_sms(runtime, london("2026-01-16 08:59")) == 0
    assert send_sms(runtime, london("2026-01-16 09:00")) == 1
    [sent] = fake_twilio.messages()
    assert sent["To"] == PHONE and sent["Body"] == row.body
    assert "Did the person or people you saw listen carefully to you?" in sent["Body"]

    [question] = say(runtime, "1", london("2026-01-16 09:05"))
    assert "take your views into account" in question
    assert held(runtime)["listened_to"] == "yes_definitely"


def test_a_reminder_is_not_sent_to_someone_who_says_stop_before_it_goes(runtime, services, fake_twilio):
    last = start_experience(runtime, NOW)
    assert remind(runtime, last + timedelta(hours=25)) == 1
    say(runtime, "STOP", last + timedelta(hours=25, minutes=1))
    assert send_sms(runtime, last + timedelta(hours=25, minutes=2)) == 0
    assert fake_twilio.attempts() == []
    assert [r.status for r in reminders(runtime)] == ["cancelled"]


def test_a_reminder_is_not_sent_to_a_number_opted_out_at_twilio_before_it_goes(runtime, services, fake_twilio):
    last = start_experience(runtime, NOW)
    assert remind(runtime, last + timedelta(hours=25)) == 1
    with runtime.factory.begin() as session:  # as a status callback with error 21610 does
        contacts.opt_out(session, "sms", PHONE, last + timedelta(hours=25, minutes=1))
    assert send_sms(runtime, last + timedelta(hours=25, minutes=2)) == 0
    assert fake_twilio.attempts() == []
    [row] = reminders(runtime)
    assert row.status == "cancelled" and "opted out" in row.last_error


# --- 3. invitations to any survey ------------------------------------------------------------

def test_an_invitation_to_about_you_starts_it_and_the_answer_goes_to_the_equality_tables(
        runtime, services, fake_twilio):
    rules = InviteRules(runtime.bot.texts, survey=shipped().latest("about-you"))
    with runtime.factory.begin() as session:
        report = queue(session, [{"phone": "07911 123456", "service": "OAKLANDS"}], rules, NOW)
    assert (report.queued, report.errors, report.skipped) == (1, [], [])
    assert send_sms(runtime, NOW) == 2, "why we ask, then the first question"

    [why, sent] = fake_twilio.messages()
    assert why["To"] == sent["To"] == INVITED
    assert "never linked to your name or number" in why["Body"] and "Oaklands" not in why["Body"]
    assert "What is your age?" in sent["Body"] and "9 Prefer not to say" in sent["Body"]
    state = person(runtime, INVITED).state
    assert (state["step"], state["survey"], state["version"], state["q"]) == ("question", "about-you", 1, "age_band")

    [question] = say(runtime, "3", NOW + timedelta(minutes=5), address=INVITED)
    assert "What is your sex?" in question
    waiting = rows(runtime, PendingResponse)
    assert held(runtime, INVITED) == {"age_band": "25_34"}
    assert runtime.bot.holding.unlock(waiting[0].payload)["store"] == "equality"
    assert rows(runtime, Response) == [] and rows(runtime, Answer) == []


def test_going_back_and_changing_a_branch_forgets_the_answers_that_no_longer_apply(runtime, services):
    t = start_experience(runtime, NOW)
    for _ in range(6):  # listened, views, care plan, crisis contact, dignity, felt safe
        t += timedelta(minutes=1)
        say(runtime, "skip", t)
    [purpose] = say(runtime, "yes", t + timedelta(minutes=1))
    assert "purpose" in purpose.lower()
    say(runtime, "1", t + timedelta(minutes=2))  # the purpose of the medicines was discussed
    say(runtime, "back", t + timedelta(minutes=3))
    [again] = say(runtime, "back", t + timedelta(minutes=4))
    assert "medicines" in again.lower()
    [next_question] = say(runtime, "no", t + timedelta(minutes=5))
    assert "purpose" not in next_question.lower()
    answered = held(runtime)
    assert answered["takes_medication"] == "no"
    assert "medication_purpose" not in answered, "an answer to a question that no longer applies is kept"
