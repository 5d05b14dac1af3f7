"""Fixtures for tests that drive the real python-telegram-bot against a local fake Bot API.

A module using them points its settings at the fake, e.g.
replace(settings, telegram_api_base_url=fake.base_url.removesuffix("/bot")).
"""
from datetime import datetime, timezone

import pytest

from tests.e2e.test_sms import ALICE, Clock, Phone
from tests.fakes.telegram_api import FakeTelegramAPI


@pytest.fixture
def clock(runtime):
    """A Tuesday morning in March; the runtime (and so every webhook) tells the time by it."""
    c = Clock(datetime(2026, 3, 10, 10, 0, tzinfo=timezone.utc))
    runtime.now = c
    return c


@pytest.fixture
def alice(client):
    """Someone texting the trust's number (tests/e2e/test_sms.py's Phone)."""
    return Phone(client, ALICE)


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
