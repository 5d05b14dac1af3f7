"""Self-test: the real python-telegram-bot Bot talking to FakeTelegramAPI."""

import asyncio
from datetime import timedelta

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import Forbidden, NetworkError, RetryAfter

from tests.fakes.telegram_api import FakeTelegramAPI, callback_update, message_update

TOKEN = "123456:TEST-TOKEN"


@pytest.fixture
def fake():
    """A started fake server, stopped after the test."""
    with FakeTelegramAPI() as api:
        yield api


def run(fake, scenario):
    """Run ``scenario(bot)`` against the fake inside an initialised PTB Bot."""

    async def main():
        async with Bot(TOKEN, base_url=fake.base_url) as bot:
            return await scenario(bot)

    return asyncio.run(main())


def test_get_me(fake):
    me = run(fake, lambda bot: bot.get_me())
    assert me.is_bot and me.username == "yoursay_test_bot" and me.first_name == "YourSay"
    assert fake.calls("getMe")


def test_send_message_with_six_button_keyboard(fake):
    keyboard = InlineKeyboardMarkup(
        [[InlineKeyboardButton(f"Option {i}", callback_data=f"opt:{i}")] for i in range(6)]
    )
    message = run(fake, lambda bot: bot.send_message(42, "Pick one", reply_markup=keyboard))
    assert message.chat.id == 42 and message.text == "Pick one"
    assert message.reply_markup == keyboard

    [(_, params)] = fake.wait_for("sendMessage")
    assert params["chat_id"] == 42 and params["text"] == "Pick one"
    buttons = [b for row in params["reply_markup"]["inline_keyboard"] for b in row]
    assert [b["callback_data"] for b in buttons] == [f"opt:{i}" for i in range(6)]


def test_message_ids_increment(fake):
    async def scenario(bot):
        return [(await bot.send_message(1, "x")).message_id for _ in range(3)]

    ids = run(fake, scenario)
    assert ids == sorted(ids) and len(set(ids)) == 3


def test_forbidden_on_403(fake):
    fake.fail_next("sendMessage", 403, "Forbidden: bot was blocked by the user")
    with pytest.raises(Forbidden, match="blocked"):
        run(fake, lambda bot: bot.send_message(42, "hi"))
    assert run(fake, lambda bot: bot.send_message(42, "hi again")).text == "hi again"


def test_retry_after_on_429(fake, monkeypatch):
    # Without PTB_TIMEDELTA, PTB 22 emits a deprecation warning (an error under our pytest config).
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    fake.fail_next("sendMessage", 429, "Too Many Requests: retry after 7", retry_after=7)
    with pytest.raises(RetryAfter) as info:
        run(fake, lambda bot: bot.send_message(42, "hi"))
    assert info.value.retry_after == timedelta(seconds=7)


def test_network_error_on_500_for_n_times(fake):
    fake.fail_next("sendMessage", 500, "Internal Server Error", times=2)
    for _ in range(2):
        with pytest.raises(NetworkError):
            run(fake, lambda bot: bot.send_message(42, "hi"))
    assert run(fake, lambda bot: bot.send_message(42, "ok")).text == "ok"


def test_get_updates_honours_offset(fake):
    fake.push_update(message_update(100, 7, "/start"))
    fake.push_update(callback_update(101, 7, "opt:3", message_id=5))

    async def scenario(bot):
        first = await bot.get_updates(timeout=1)
        again = await bot.get_updates(offset=first[-1].update_id, timeout=1)
        after = await bot.get_updates(offset=first[-1].update_id + 1, timeout=0)
        return first, again, after

    first, again, after = run(fake, scenario)
    assert [u.update_id for u in first] == [100, 101]
    assert first[0].message.text == "/start" and first[0].effective_chat.id == 7
    assert first[0].message.entities[0].type == "bot_command"
    assert first[1].callback_query.data == "opt:3" and first[1].effective_chat.id == 7
    assert [u.update_id for u in again] == [101]
    assert after == ()


def test_update_helpers_parse_without_network():
    bot = Bot(TOKEN)
    update = Update.de_json(message_update(1, 99, "/vote@yoursay_test_bot now"), bot)
    assert update.effective_chat.id == 99 and update.message.text.startswith("/vote")
    assert update.message.entities[0].length == len("/vote@yoursay_test_bot")
    update = Update.de_json(callback_update(2, 99, "opt:1", message_id=3), bot)
    assert update.callback_query.data == "opt:1"
    assert update.callback_query.message.message_id == 3


def test_wait_for_times_out_with_clear_message(fake):
    with pytest.raises(AssertionError, match="sendMessage"):
        fake.wait_for("sendMessage", timeout=0.1)
