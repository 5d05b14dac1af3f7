"""Nothing a person writes is lost, on Telegram (issue 14): the real python-telegram-bot and webhook,
against the local fake Bot API. Stories are held open for the join window (2 minutes, as a server
has it), then sealed and written by the batch job, run here by hand at the clock's time.
"""
from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import select

from service.jobs import write_answer_batches
from storage.models import Outbox
from tests.conftest import kept
from tests.e2e.test_stories_sms import KEPT, split_at_spaces, story_of
from tests.e2e.test_telegram import CHAT, FOLLOW_UP, press, reply_to, say

JOIN = timedelta(minutes=2)


@pytest.fixture
def settings(settings, fake):
    return replace(settings, telegram_api_base_url=fake.base_url.removesuffix("/bot"), story_join=JOIN,
                   recent_service=timedelta(hours=24))



def after_the_window(runtime, clock) -> None:
    clock.advance(seconds=JOIN.total_seconds() + 5)
    write_answer_batches(runtime.factory, runtime.bot, clock())


def replies_queued(runtime) -> list[str]:
    """Every reply the bot queued for the chat, in order (each goes out through the outbox)."""
    with runtime.factory() as session:
        return list(session.scalars(select(Outbox.body).where(Outbox.kind == "reply").order_by(Outbox.id)))


def test_a_4096_character_telegram_message_is_kept_whole_and_the_reply_says_so(client, fake, channel, services,
                                                                               runtime, clock):
    story = story_of(4096)
    say(client, 1, story)
    assert KEPT in reply_to(fake, 1)["text"]
    after_the_window(runtime, clock)
    [response] = kept(runtime)
    assert (response["survey_id"], response["mode"], response["answers"]) == ("story", "Online", {"story": story})
    assert response["written"]


def test_a_story_in_three_messages_seconds_apart_is_one_why_with_one_reply(client, fake, channel, services,
                                                                          runtime, clock):
    story = story_of(1698)
    say(client, 1, "/start OAKLANDS")
    reply_to(fake, 1)
    clock.advance(seconds=20)
    press(client, 2, "4", fake=fake)
    assert FOLLOW_UP in reply_to(fake, 2)["text"]
    clock.advance(seconds=60)
    for n, part in enumerate(split_at_spaces(story, 3), start=3):
        say(client, n, part)
        clock.advance(seconds=3)
    assert reply_to(fake, 3)["text"].startswith("Thank you for your feedback")
    assert len(replies_queued(runtime)) == 3, replies_queued(runtime)
    after_the_window(runtime, clock)
    [response] = kept(runtime)
    assert response["answers"] == {"fft": "4", "why": story} and response["service"] == "OAKLANDS"


@pytest.mark.parametrize("text", ["hello", "Who is this?", "\U0001F44D"])
def test_a_greeting_is_not_stored(client, fake, channel, services, runtime, clock, text):
    say(client, 1, text)
    assert reply_to(fake, 1)["text"].startswith(("Hello, this is YourSay", "This is YourSay"))
    after_the_window(runtime, clock)
    assert kept(runtime) == []
    assert reply_to(fake, 1)["chat_id"] == CHAT and len(replies_queued(runtime)) == 1
