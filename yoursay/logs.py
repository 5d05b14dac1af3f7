"""Logging for the command line and the servers: no secret reaches a log line.

httpx logs every Bot API URL, and Telegram puts the bot token in the URL
(.../bot<token>/sendMessage). A filter on every handler of the root logger masks it, in
every logger's records (ours, httpx, telegram, werkzeug, waitress) and their tracebacks.
"""
from __future__ import annotations

import logging
import re

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
OURS = ("yoursay", "bot", "sms", "storage", "admin", "waitress")
MASK = "***"
_IN_URL = re.compile(r"(?<=/bot)[0-9]+:[A-Za-z0-9_-]+")  # /bot<token>/...
_TOKEN = re.compile(r"\b[0-9]{5,}:[A-Za-z0-9_-]{30,}")   # a token on its own, as Telegram issues them
_SHORTEST = 8  # shorter "secrets" would mask ordinary words


class HideSecrets(logging.Filter):
    """Masks bot tokens, and the secrets it is given, in a record's message and traceback."""

    def __init__(self):
        super().__init__()
        self.secrets: list[str] = []

    def add(self, *secrets: str | None) -> None:
        known = set(self.secrets) | {s for s in secrets if s and len(s) >= _SHORTEST}
        self.secrets = sorted(known, key=len, reverse=True)

    def mask(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, MASK)
        return _TOKEN.sub(MASK, _IN_URL.sub(MASK, text))

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad logging call: logging itself reports it
            return True
        masked = self.mask(message)
        if masked != message:
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.mask(record.exc_text)
        if record.stack_info:
            record.stack_info = self.mask(record.stack_info)
        return True


def configure(level: int, ours_level: int, fmt: str = FORMAT, ours: tuple[str, ...] = OURS) -> None:
    """Log to stderr at level, our own loggers at ours_level, with bot tokens masked."""
    logging.basicConfig(level=level, format=fmt)
    for name in ours:
        logging.getLogger(name).setLevel(ours_level)
    logging.getLogger("twilio").setLevel(max(level, logging.WARNING))  # its debug lines hold numbers and bodies
    hide()


def hide(*secrets: str | None) -> None:
    """Mask these secrets too, and bot tokens, on every handler of the root logger."""
    for handler in logging.getLogger().handlers:
        found = [f for f in handler.filters if isinstance(f, HideSecrets)]
        if not found:
            found = [HideSecrets()]
            handler.addFilter(found[0])
        found[0].add(*secrets)


def secrets_of(settings) -> tuple[str | None, ...]:
    return (settings.telegram_bot_token, settings.telegram_webhook_secret, settings.twilio_auth_token,
            settings.secret_key)
