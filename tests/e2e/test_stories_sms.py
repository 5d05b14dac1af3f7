"""Nothing a person writes is lost, by SMS (issue 14): stories through the real, signed Twilio webhook.

Answers are written in batches, so what is kept is read with conftest's kept(); a story is held
open for its later parts for the join window (2 minutes here, as a server has it), then sealed
and written by the scheduled batch job, which these tests run by hand at the clock's time.
"""
from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bot import gsm7
from service.jobs import expire_conversations, write_answer_batches
from storage.models import Contact, Message, PendingResponse, Response, ResponseOwner, SafeguardingFlag
from tests.conftest import kept

ALICE = "+447911123456"
JOIN = timedelta(minutes=2)
KEPT = "We have passed your words on to the team anonymously"
SENTENCES = [
    "I was admitted to Oaklands in the spring.",
    "The night staff were friendly and the ward was clean and quiet.",
    "My tablets were changed twice without a word from the doctor.",
    "My mum rang the ward every day and was told different things by different people.",
    "The ward round felt rushed and I never knew who my named nurse was from one week to the next.",
    "The activities coordinator was brilliant and the art group was the best part of my week.",
    "The food was cold most evenings and there was nothing for me to eat that fitted my religion.",
    "When I was discharged I had no follow-up call for three weeks, and I had to chase the team myself.",
]


def story_of(length: int) -> str:
    """A realistic story of exactly `length` characters, ending with a full stop."""
    text = " ".join(SENTENCES * (length // 300 + 2))
    cut = text[:length - 1].rstrip()
    return cut + "." * (length - len(cut))


def split_at_spaces(text: str, parts: int) -> list[str]:
    """Cut where a space falls, as a phone sends a long message it cannot join."""
    cuts = [text.index(" ", len(text) * n // parts) for n in range(1, parts)]
    return [text[a + 1 if a else 0:b] for a, b in zip([0, *cuts], [*cuts, len(text)])]


@pytest.fixture
def settings(settings, fake_twilio):
    return replace(settings, twilio_api_base_url=fake_twilio.base_url, story_join=JOIN,
                   recent_service=timedelta(hours=24))




def after_the_window(runtime, clock) -> None:
    """The join window passes and the scheduler's batch job runs."""
    clock.advance(seconds=JOIN.total_seconds() + 5)
    write_answer_batches(runtime.factory, runtime.bot, clock())


def count(runtime, model, *where) -> int:
    with runtime.factory() as session:
        return session.scalar(select(func.count()).select_from(model).where(*where))


def test_a_1698_character_story_in_three_parts_3_seconds_apart_is_kept_whole_as_one_story(
        runtime, services, clock, alice):
    story = story_of(1698)
    parts = split_at_spaces(story, 3)
    assert len(story) == 1698 and " ".join(parts) == story and all(len(p) < 1600 for p in parts)
    alice.sends("FEEDBACK OAKLANDS")
    clock.advance(seconds=30)
    alice.sends("4")
    clock.advance(seconds=90)
    [thanks] = alice.sends(parts[0])
    assert thanks.startswith("Thank you for your feedback")
    for part in parts[1:]:
        clock.advance(seconds=3)
        assert alice.sends(part) == [], "the parts that follow within seconds get no wall of replies"
    assert count(runtime, Response) == 0, "held open, encrypted, while more may come"

    after_the_window(runtime, clock)
    [response] = kept(runtime)
    assert response["written"] and response["service"] == "OAKLANDS"
    assert response["answers"] == {"fft": "4", "why": story}, "whole, in order, as one story"
    assert count(runtime, PendingResponse) == 0


def test_an_unsolicited_story_outside_a_conversation_is_kept_and_the_reply_says_so(runtime, services, clock, alice):
    words = "The crisis team came out at 2am when my son was in a bad way and they were calm and kind with him."
    [reply] = alice.sends(words)
    assert KEPT in reply and "text FEEDBACK" in reply and gsm7.fits(reply)
    after_the_window(runtime, clock)
    [story] = kept(runtime)
    assert (story["survey_id"], story["answers"], story["service"], story["mode"]) == (
        "story", {"story": words}, None, "SMS/text message")
    assert count(runtime, ResponseOwner) == 0, "anonymous, like any answer"


@pytest.mark.parametrize("text", ["Hi", "Hello, who is this?", "thanks x", "12345", "ok"])
def test_a_greeting_a_question_to_the_bot_or_a_number_is_not_stored(runtime, services, clock, alice, text):
    [reply] = alice.sends(text)
    assert reply.startswith(("Hello, this is YourSay", "This is YourSay"))  # "who is this?": who we are
    after_the_window(runtime, clock)
    assert kept(runtime) == [] and count(runtime, PendingResponse) == 0
    with runtime.factory() as session:
        assert session.scalar(select(Contact.state)) == {}


def test_a_late_story_after_a_timeout_is_kept_with_the_service_and_not_linked(runtime, services, clock, alice):
    alice.sends("FEEDBACK OAKLANDS")
    clock.advance(minutes=1)
    alice.sends("2")
    clock.advance(hours=25)
    assert expire_conversations(runtime.factory, runtime.bot, clock()) == 1, "the FFT has timed out"
    late = "Sorry for the late reply, I was in hospital. The staff on the ward were lovely to me."
    clock.advance(hours=2)
    [reply] = alice.sends(late)
    assert KEPT in reply
    after_the_window(runtime, clock)
    responses = sorted(kept(runtime), key=lambda r: r["survey_id"])
    assert [(r["survey_id"], r["service"], r["answers"]) for r in responses] == [
        ("fft", "OAKLANDS", {"fft": "2"}), ("story", "OAKLANDS", {"story": late})]
    assert all(r["written"] for r in responses)
    with runtime.factory() as session:
        ids = list(session.scalars(select(Response.id)))
        state = session.scalar(select(Contact.state))
    assert len(set(ids)) == 2 and count(runtime, ResponseOwner) == 0
    assert set(state) == {"recent"}, "no reference to either response; only the service, for a while"


def test_a_1600_character_sms_is_kept_whole(runtime, services, clock, alice):
    """Twilio joins a long SMS into one webhook of up to 1,600 characters: kept as it came."""
    story = story_of(1600)
    alice.sends("FEEDBACK CRISIS")
    clock.advance(seconds=30)
    alice.sends("5")
    clock.advance(seconds=60)
    [thanks] = alice.sends(story, NumSegments="11")
    assert thanks.startswith("Thank you for your feedback")
    after_the_window(runtime, clock)
    [response] = kept(runtime)
    assert response["answers"] == {"fft": "5", "why": story} and len(story) == 1600


def test_risk_in_a_second_part_is_still_flagged_and_the_story_kept_whole(runtime, services, clock, alice):
    one = "My care coordinator left in January and it was months before a new one was named."
    two = "Some nights I felt so low that I wanted to end my life and did not know where to turn."
    three = "Please make sure the next person is not left like that."
    assert KEPT in alice.sends(one)[0]
    clock.advance(seconds=3)
    replies = alice.sends(two)
    assert any("999" in r for r in replies) and all(gsm7.fits(r) for r in replies), replies
    with runtime.factory() as session:
        [flag] = session.scalars(select(SafeguardingFlag)).all()
    assert (flag.category, flag.priority) == ("suicide", "urgent")
    clock.advance(seconds=3)
    assert alice.sends(three) == []
    after_the_window(runtime, clock)
    [story] = kept(runtime)
    assert story["answers"] == {"story": f"{one} {two} {three}"}


def test_stop_in_the_middle_of_a_story_still_works_and_keeps_what_was_sent(runtime, services, clock, alice):
    one = "The waiting room at the clinic was packed and we waited two hours past our time."
    alice.sends(one)
    clock.advance(seconds=3)
    [stopped] = alice.sends("STOP")
    assert "opted out" in stopped
    clock.advance(seconds=3)
    assert alice.sends("and nobody said sorry") == []
    write_answer_batches(runtime.factory, runtime.bot, clock())
    assert [r["answers"] for r in kept(runtime)] == [{"story": one}]
    assert count(runtime, Message, Message.direction == "out") == 2
