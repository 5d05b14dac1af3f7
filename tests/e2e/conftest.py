"""Fixtures for tests that drive the real python-telegram-bot against a local fake Bot API.

A module using them points its settings at the fake, e.g.
replace(settings, telegram_api_base_url=fake.base_url.removesuffix("/bot")).
"""
import pytest

from tests.fakes.telegram_api import FakeTelegramAPI


@pytest.fixture
def fake():
    """The local fake Telegram Bot API server."""
    with FakeTelegramAPI() as api:
        yield api


@pytest.fixture
def channel(app, fake):
    """The app's Telegram channel, started as a serving process starts it."""
    transport = app.extensions["yoursay"].transports["telegram"]
    transport.start()
    fake.wait_for("getMe")  # the bot was initialised against the fake, not api.telegram.org
    yield transport
    transport.stop()
