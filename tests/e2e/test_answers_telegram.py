"""Answers written the way people write them, end to end on Telegram: the real python-telegram-bot and
webhook against the local fake Bot API, the real risk check on, and what was kept read back with kept()."""
from __future__ import annotations

from dataclasses import replace

import pytest

from tests.conftest import kept
from tests.e2e.test_telegram import FFT_BUTTONS, FFT_QUESTION, FOLLOW_UP, buttons, press, reply_to, say

YES_NO = [("Yes", "YES"), ("No", "NO")]


@pytest.fixture
def settings(settings, fake):
    """The test settings, with the bot pointed at the fake (make_bot appends "/bot")."""
    return replace(settings, telegram_api_base_url=fake.base_url.removesuffix("/bot"))


def responses(runtime) -> list[dict]:
    return [{"service": r["service"], "answers": r["answers"]} for r in kept(runtime)]


def test_2_and_the_staff_were_lovely_keeps_good_and_the_why(client, fake, channel, services, runtime):
    say(client, 1, "/start OAKLANDS")
    assert FFT_QUESTION in reply_to(fake, 1)["text"]
    say(client, 2, "2 and the staff were lovely")
    assert reply_to(fake, 2)["text"].startswith("Thank you for your feedback")
    assert responses(runtime) == [{"service": "OAKLANDS", "answers": {"fft": "2", "why": "the staff were lovely"}}]


def test_not_great_is_confirmed_with_one_tap(client, fake, channel, services, runtime):
    say(client, 1, "/start OAKLANDS")
    reply_to(fake, 1)
    say(client, 2, "not great")
    asked = reply_to(fake, 2)
    assert asked["text"] == "Did you mean Poor? Reply YES or a number."
    assert buttons(asked) == YES_NO
    assert responses(runtime) == []
    press(client, 3, "YES", fake=fake)
    assert FOLLOW_UP in reply_to(fake, 3)["text"]
    assert responses(runtime) == [{"service": "OAKLANDS", "answers": {"fft": "4"}}]


def test_an_emoji_is_confirmed_with_a_button_and_no_shows_the_answers_again(client, fake, channel, services, runtime):
    say(client, 1, "/start OAKLANDS")
    reply_to(fake, 1)
    say(client, 2, "\U0001F621")
    asked = reply_to(fake, 2)
    assert asked["text"] == "Did you mean Very poor? Reply YES or a number."
    assert buttons(asked) == YES_NO
    press(client, 3, "NO", fake=fake)
    again = reply_to(fake, 3)
    assert again["text"].startswith("OK, please choose again.") and buttons(again) == FFT_BUTTONS
    press(client, 4, "4", fake=fake)
    assert FOLLOW_UP in reply_to(fake, 4)["text"]
    say(client, 5, "\U0001F44D")  # at the free-text question an emoji is what they said
    reply_to(fake, 5)
    assert responses(runtime) == [{"service": "OAKLANDS", "answers": {"fft": "4", "why": "\U0001F44D"}}]


def test_a_thumbs_up_confirmed_with_a_button(client, fake, channel, services, runtime):
    say(client, 1, "/start OAKLANDS")
    reply_to(fake, 1)
    say(client, 2, "\U0001F44D\U0001F3FD")
    asked = reply_to(fake, 2)
    assert asked["text"] == "Did you mean Good? Reply YES or a number." and buttons(asked) == YES_NO
    press(client, 3, "YES", fake=fake)
    assert FOLLOW_UP in reply_to(fake, 3)["text"]
    assert responses(runtime) == [{"service": "OAKLANDS", "answers": {"fft": "2"}}]


def test_sorry_was_at_work_then_4_is_poor(client, fake, channel, services, runtime):
    say(client, 1, "/start OAKLANDS")
    reply_to(fake, 1)
    say(client, 2, "sorry was at work. 4")
    assert FOLLOW_UP in reply_to(fake, 2)["text"]
    assert responses(runtime) == [{"service": "OAKLANDS", "answers": {"fft": "4"}}]


def test_adborth_starts_the_fft(client, fake, channel, services, runtime):
    say(client, 1, "ADBORTH OAKLANDS")
    question = reply_to(fake, 1)
    assert FFT_QUESTION in question["text"] and "Oaklands Ward" in question["text"]
    assert buttons(question) == FFT_BUTTONS


def test_a_double_sent_5_is_one_answer(client, fake, channel, services, runtime):
    say(client, 1, "/start OAKLANDS")
    reply_to(fake, 1)
    say(client, 2, "5")
    say(client, 3, "5")
    assert FOLLOW_UP in reply_to(fake, 2)["text"] and FOLLOW_UP in reply_to(fake, 3)["text"]
    say(client, 4, "They lost my referral")
    assert reply_to(fake, 4)["text"].startswith("Thank you for your feedback")
    assert responses(runtime) == [{"service": "OAKLANDS", "answers": {"fft": "5", "why": "They lost my referral"}}]


def test_a_second_miss_at_the_service_question_says_so_plainly(client, fake, channel, services, runtime):
    say(client, 1, "/start")
    assert "Which service is your feedback about?" in reply_to(fake, 1)["text"]
    say(client, 2, "the one by the park")
    assert "Sorry, please reply with one number" in reply_to(fake, 2)["text"]
    say(client, 3, "the big building")
    question = reply_to(fake, 3)
    assert question["text"].startswith("We couldn't match that to a service, so we'll record your feedback")
    assert buttons(question) == FFT_BUTTONS
    press(client, 4, "1", fake=fake)
    reply_to(fake, 4)
    assert responses(runtime) == [{"service": None, "answers": {"fft": "1"}}]
