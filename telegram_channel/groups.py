"""A Telegram group, supergroup or channel: the bot works only in private chats, so it says so and leaves."""
from __future__ import annotations

from typing import Callable

from bot.engine import Risk, reply_kind
from bot.texts import Texts


def goodbye(text: str, texts: Texts, risk_check: Callable[[str], Risk | None] | None,
            bot_username: str | None) -> list[str]:
    """What to say before leaving: signposting first if the message reads as risk, then where to find us.

    Nothing of the message is kept: a group is not a person, and what is said there is not feedback.
    """
    risk = risk_check(text) if risk_check and text.strip() else None
    help_first = [texts.risk_reply(reply_kind(risk), risk.language)] if risk else []
    return [*help_first, texts.private_only(bot_username)]
