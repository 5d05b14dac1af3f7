"""Telegram's command menu (bot/texts.py TELEGRAM_COMMANDS): within Telegram's limits, and words the bot knows."""
from __future__ import annotations

import asyncio
import re

import pytest
from telegram import BotCommand
from telegram.constants import BotCommandLimit

from bot.keywords import RESERVED
from bot.texts import TELEGRAM_COMMANDS
from telegram_channel.channel import register_commands

# Telegram's limits for a BotCommand: the description 3-256 characters (the Bot API once asked for at
# least 3 and now 1; 3 suits both), the command 1-32 lowercase English letters, digits and underscores.
MIN_DESCRIPTION, MAX_DESCRIPTION = 3, BotCommand.MAX_DESCRIPTION
COMMAND = re.compile(rf"[a-z0-9_]{{{BotCommand.MIN_COMMAND},{BotCommand.MAX_COMMAND}}}")


def problems(commands) -> list[str]:
    found = []
    for command, description in commands:
        if not COMMAND.fullmatch(command):
            found.append(f"/{command}: a command is 1-32 lowercase letters, digits or underscores")
        if not MIN_DESCRIPTION <= len(description) <= MAX_DESCRIPTION:
            found.append(f"/{command}: the description has {len(description)} characters, not 3-256")
    if len({c for c, _ in commands}) != len(commands):
        found.append("a command is in the menu twice")
    if len(commands) > BotCommandLimit.MAX_COMMAND_NUMBER:
        found.append(f"{len(commands)} commands: Telegram takes at most {BotCommandLimit.MAX_COMMAND_NUMBER}")
    return found


def test_every_command_and_description_is_within_telegrams_limits():
    assert MAX_DESCRIPTION == 256
    assert TELEGRAM_COMMANDS and not problems(TELEGRAM_COMMANDS)


def test_the_limits_are_checked_at_both_ends():
    assert problems([("ok", "Abc"), ("ok2", "A" * 256)]) == []
    assert problems([("ok", "Ab"), ("ok2", "A" * 257), ("Bad-Name", "Fine text"), ("ok", "Abc")]) == [
        "/ok: the description has 2 characters, not 3-256", "/ok2: the description has 257 characters, not 3-256",
        "/Bad-Name: a command is 1-32 lowercase letters, digits or underscores", "a command is in the menu twice"]


@pytest.mark.parametrize("command", [c for c, _ in TELEGRAM_COMMANDS])
def test_every_command_in_the_menu_is_a_word_the_bot_knows(command):
    assert f"/{command}" in RESERVED


def test_the_menu_registered_is_the_one_in_texts():
    class FakeBot:
        async def set_my_commands(self, commands):
            self.commands = commands

    bot = FakeBot()
    asyncio.run(register_commands(bot))
    assert bot.commands == list(TELEGRAM_COMMANDS)
