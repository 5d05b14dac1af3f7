"""`yoursay --verbose` never logs the Telegram bot token, though httpx logs every Bot API URL.

The real command, python-telegram-bot and httpx, against the local fake Bot API.
"""
from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fakes.telegram_api import FakeTelegramAPI, message_update
from yoursay.logs import HideSecrets

BIN = Path(sys.executable).parent
TOKEN = "7000000001:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw8"  # the shape Telegram issues


@pytest.mark.slow
def test_verbose_polling_logs_each_bot_api_call_with_the_token_masked(runtime, services, tmp_path):
    env = {**os.environ, "YOURSAY_MODE": "dev", "DATABASE_URL": runtime.settings.database_url,
           "YOURSAY_SCHEDULER": "off", "TELEGRAM_BOT_TOKEN": TOKEN}
    with FakeTelegramAPI() as fake:
        env["TELEGRAM_API_BASE_URL"] = fake.base_url.removesuffix("/bot")
        fake.push_update(message_update(1, 555000111, "/start OAKLANDS"))
        process = subprocess.Popen([str(BIN / "yoursay"), "--verbose", "telegram-poll"], cwd=tmp_path, env=env,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        try:
            fake.wait_for("sendMessage", timeout=60)  # the reply went out, through httpx
        finally:
            process.terminate()
            log = process.communicate(timeout=30)[1]

    port = env["TELEGRAM_API_BASE_URL"].rsplit(":", 1)[1]
    assert TOKEN not in log and TOKEN.split(":")[1] not in log
    for method in ("getMe", "getUpdates", "sendMessage"):
        assert f"httpx: HTTP Request: POST http://127.0.0.1:{port}/bot***/{method}" in log, method
    assert "DEBUG telegram.ext" in log  # python-telegram-bot's own lines are there too


class Lines(logging.Handler):
    """The formatted lines, as a stream handler would write them."""

    def __init__(self):
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record):
        self.lines.append(self.format(record))


@pytest.mark.parametrize("logger", ["yoursay", "telegram_channel.channel", "httpx", "telegram.ext.ExtBot", "werkzeug",
                                    "waitress", "apscheduler"])
def test_every_logger_has_the_token_masked_in_its_message_and_traceback(logger):
    handler = Lines()
    handler.addFilter(HideSecrets())
    logging.getLogger(logger).addHandler(handler)
    try:
        try:
            raise ConnectionError(f"could not reach https://api.telegram.org/bot{TOKEN}/getMe")
        except ConnectionError:
            logging.getLogger(logger).error("POST %s failed, token %s", f"/bot{TOKEN}/sendMessage", TOKEN,
                                            exc_info=True)
    finally:
        logging.getLogger(logger).removeHandler(handler)

    [line] = handler.lines
    assert "POST /bot***/sendMessage failed, token ***" in line
    assert "https://api.telegram.org/bot***/getMe" in line  # the traceback, masked too
    assert TOKEN.split(":")[1] not in line


def test_a_short_test_token_is_masked_once_it_is_known():
    hide = HideSecrets()
    hide.add("123456:TEST-token")
    assert hide.mask("sent with 123456:TEST-token to /bot123456:TEST-token/getMe") == "sent with *** to /bot***/getMe"
