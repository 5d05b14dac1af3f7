"""Answers written the way people write them, end to end by SMS: Twilio-signed webhooks in, TwiML out,
the real risk check on, and what was kept read back as only the app can (tests/conftest.py's kept())."""
from __future__ import annotations

from dataclasses import replace

import pytest

from bot import gsm7
from tests.conftest import kept
from tests.e2e.test_sms import FOLLOWUP, QUESTION, THANKS, Phone

SERVICE_LIST = "Which service is your feedback about?"


@pytest.fixture
def settings(settings, fake_twilio):
    return replace(settings, twilio_api_base_url=fake_twilio.base_url)




def responses(runtime) -> list[dict]:
    return [{"service": r["service"], "answers": r["answers"]} for r in kept(runtime)]


def test_2_and_the_staff_were_lovely_keeps_good_and_the_why_and_says_thank_you(runtime, services, clock, alice):
    [question] = alice.sends("FEEDBACK OAKLANDS")
    assert QUESTION in question
    clock.advance(minutes=1)
    [thanks] = alice.sends("2 and the staff were lovely")
    assert thanks.startswith(THANKS)
    assert responses(runtime) == [{"service": "OAKLANDS", "answers": {"fft": "2", "why": "the staff were lovely"}}]


def test_not_great_is_asked_about_and_yes_records_poor(runtime, services, clock, alice):
    alice.sends("FEEDBACK OAKLANDS")
    clock.advance(minutes=1)
    [asked] = alice.sends("not great")
    assert asked == "Did you mean Poor? Reply YES or a number."
    assert responses(runtime) == []
    clock.advance(seconds=30)
    [followup] = alice.sends("YES")
    assert FOLLOWUP in followup
    clock.advance(minutes=1)
    alice.sends("skip")
    assert responses(runtime) == [{"service": "OAKLANDS", "answers": {"fft": "4"}}]


def test_a_thumbs_up_is_asked_about_and_a_number_answers_instead(runtime, services, clock, alice):
    alice.sends("FEEDBACK OAKLANDS")
    [asked] = alice.sends("\U0001F44D")
    assert asked == "Did you mean Good? Reply YES or a number."
    assert gsm7.fits(asked)
    [followup] = alice.sends("1")
    assert FOLLOWUP in followup
    alice.sends("The ward was calm and clean")
    kept_ = {"fft": "1", "why": "The ward was calm and clean"}
    assert responses(runtime) == [{"service": "OAKLANDS", "answers": kept_}]


def test_sorry_was_at_work_then_4_is_poor(runtime, services, clock, alice):
    alice.sends("FEEDBACK OAKLANDS")
    clock.advance(hours=3)
    [followup] = alice.sends("sorry was at work. 4")
    assert FOLLOWUP in followup
    alice.sends("Nobody rang me back")
    assert responses(runtime) == [{"service": "OAKLANDS", "answers": {"fft": "4", "why": "Nobody rang me back"}}]


def test_adborth_starts_the_fft(runtime, services, clock, alice):
    [which] = alice.sends("ADBORTH")
    assert SERVICE_LIST in which
    [question] = alice.sends("Oaklands Ward")
    assert QUESTION in question and "Oaklands Ward" in question
    [question] = Phone(alice.client, "+447700900123").sends("adborth crisis")
    assert QUESTION in question and "Crisis Team" in question


def test_a_double_sent_5_is_one_answer_and_the_story_is_what_comes_next(runtime, services, clock, alice):
    alice.sends("FEEDBACK OAKLANDS")
    clock.advance(minutes=1)
    [first] = alice.sends("5")
    clock.advance(seconds=2)
    [second] = alice.sends("5")  # the phone sent it again
    assert FOLLOWUP in first and FOLLOWUP in second
    story = "I waited six weeks for a call back and nobody came"
    clock.advance(minutes=2)
    [thanks] = alice.sends(story)
    assert thanks.startswith(THANKS)
    assert responses(runtime) == [{"service": "OAKLANDS", "answers": {"fft": "5", "why": story}}]


def test_a_second_miss_at_the_service_question_says_so_plainly_and_goes_on_without_a_service(runtime, services,
                                                                                                 clock, alice):
    [which] = alice.sends("FEEDBACK")
    assert SERVICE_LIST in which
    [retry] = alice.sends("the one by the park")
    assert "Sorry, please reply with one number" in retry
    [question] = alice.sends("the big building on the hill")
    assert question.startswith("We couldn't match that to a service, so we'll record your feedback without one.")
    assert QUESTION in question and gsm7.fits(question)
    alice.sends("2")
    alice.sends("skip")
    assert responses(runtime) == [{"service": None, "answers": {"fft": "2"}}]
