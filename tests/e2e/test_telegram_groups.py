"""Telegram groups, supergroups and channels: the bot works only in private chats.

It says so (with help first, if the message reads as risk), leaves, and stores nothing. The real
webhook and python-telegram-bot, the real risk rules, against the local fake Bot API.
"""
from __future__ import annotations

import pytest

from storage.models import Answer, Contact, Message, Outbox, Response, SafeguardingFlag
from tests.e2e.test_safeguarding import CRISIS
from tests.e2e.test_telegram import CHAT, count, deliver, polling, reply_to, say, settings  # noqa: F401
from tests.fakes.telegram_api import added_to_group_update, group_update

GROUP = -100123456
GOODBYE = "Sorry, I only work in private chats, so I am leaving this group."
LINK = "https://t.me/yoursay_test_bot"
AT_RISK = "honestly i just wanna die, nobody on the ward listens"


def calls_to(fake, chat: int) -> list[tuple[str, str]]:
    """(method, text) of every call about one chat, in the order the fake received them."""
    return [(method, params.get("text", "")) for method, params in fake.calls()
            if method in ("sendMessage", "leaveChat") and params.get("chat_id") == chat]


def nothing_stored(runtime) -> None:
    for model in (Contact, Message, Outbox, Response, Answer, SafeguardingFlag):
        assert count(runtime, model) == 0, model.__name__


@pytest.mark.parametrize("chat_type", ["group", "supergroup", "channel"])
def test_in_a_group_the_bot_says_it_works_only_in_private_chats_and_leaves(client, fake, channel, services, runtime,
                                                                          chat_type):
    assert deliver(client, group_update(1, GROUP, "/start OAKLANDS", chat_type=chat_type)).status_code == 200

    fake.wait_for("leaveChat")
    [(send, goodbye), leave] = calls_to(fake, GROUP)
    assert send == "sendMessage" and goodbye.startswith(GOODBYE) and goodbye.endswith(LINK)
    assert leave == ("leaveChat", "")
    nothing_stored(runtime)


def test_a_risk_message_in_a_group_gets_the_same_help_as_in_private_first_then_the_bot_leaves(
        client, fake, channel, services, runtime):
    assert deliver(client, group_update(1, GROUP, AT_RISK, chat_type="supergroup")).status_code == 200

    fake.wait_for("leaveChat")
    [(_, help_text), (_, goodbye), (left, _)] = calls_to(fake, GROUP)
    assert all(part in help_text for part in CRISIS)
    assert goodbye.startswith(GOODBYE) and left == "leaveChat"
    nothing_stored(runtime)  # not feedback, and no flag: a group is not a person we can follow up

    say(client, 2, AT_RISK, chat=CHAT)  # the same words in a private chat
    assert reply_to(fake, 3)["text"] == help_text


def test_an_ordinary_figure_of_speech_in_a_group_gets_no_crisis_numbers(client, fake, channel, services, runtime):
    deliver(client, group_update(1, GROUP, "The wait was killing me but the food was to die for"))

    fake.wait_for("leaveChat")
    assert [text for method, text in calls_to(fake, GROUP) if method == "sendMessage"] == [
        f"{GOODBYE} To give feedback or get help, start a private chat with me: {LINK}"]


def test_being_added_to_a_group_the_bot_says_so_and_leaves_at_once(client, fake, channel, services, runtime):
    assert deliver(client, added_to_group_update(1, GROUP)).status_code == 200

    fake.wait_for("leaveChat")
    assert [method for method, _ in calls_to(fake, GROUP)] == ["sendMessage", "leaveChat"]
    nothing_stored(runtime)


def test_private_chats_carry_on_as_before_beside_a_group(client, fake, channel, services, runtime):
    deliver(client, group_update(1, GROUP, "/start OAKLANDS"))
    say(client, 2, "/start OAKLANDS", chat=CHAT)

    fake.wait_for("leaveChat")
    question = [params for method, params in fake.wait_for("sendMessage", count=2) if params["chat_id"] == CHAT]
    assert "Oaklands Ward" in question[0]["text"]
    assert count(runtime, Contact) == 1


def test_polling_leaves_a_group_as_the_webhook_does(polling, fake, services, runtime):
    fake.push_update(group_update(1, GROUP, AT_RISK))

    fake.wait_for("leaveChat")
    [(_, help_text), (_, goodbye), _] = calls_to(fake, GROUP)
    assert all(part in help_text for part in CRISIS) and goodbye.startswith(GOODBYE)
    nothing_stored(runtime)
