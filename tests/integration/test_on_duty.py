"""The on-duty contact hears of every safeguarding flag once: by e-mail and by webhook."""
from __future__ import annotations

import json
import threading
from dataclasses import replace
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select

from storage import safeguarding
from storage.models import SafeguardingFlag
from tests.integration.test_staff_mail import smtp_server  # noqa: F401 (a fixture)
from yoursay.on_duty import notify_on_duty

NOW = datetime(2030, 12, 2, 23, 40, tzinfo=timezone.utc)
WORDS = "i took all my tablets tonight"


class Hook(BaseHTTPRequestHandler):
    received: list = []
    status = 200

    def do_POST(self):  # noqa: N802
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append(json.loads(body))
        self.send_response(type(self).status)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def hook():
    Hook.received, Hook.status = [], 200
    server = ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/page-on-duty", Hook
    server.shutdown()
    server.server_close()


def raise_one(runtime) -> int:
    with runtime.factory.begin() as session:
        return safeguarding.raise_flag(session, contact_id=None, channel="sms", text=WORDS, category="self-harm",
                                       priority="urgent", reason="matched: 'took all my tablets'", now=NOW)


def test_each_flag_is_told_once_by_email_and_webhook_without_the_persons_words(runtime, smtp_server, hook):
    controller, inbox = smtp_server
    url, received = hook
    settings = replace(runtime.settings, smtp_host="127.0.0.1", smtp_port=controller.port, smtp_starttls=False,
                       on_duty_email="duty@example.nhs.uk", on_duty_webhook_url=url,
                       public_url="https://yoursay.example.nhs.uk")
    flag_id = raise_one(runtime)
    assert notify_on_duty(runtime.factory, settings, NOW) == 1
    assert notify_on_duty(runtime.factory, settings, NOW) == 0  # never twice
    [(_, to, message)] = inbox.messages
    assert to == ["duty@example.nhs.uk"] and "URGENT" in message["Subject"]
    body = message.get_payload()
    assert f"https://yoursay.example.nhs.uk/admin/flags/{flag_id}" in body and WORDS not in body
    [posted] = received.received
    assert (posted["id"], posted["priority"], posted["category"]) == (flag_id, "urgent", "self-harm")
    assert WORDS not in json.dumps(posted)
    with runtime.factory() as session:
        assert session.scalar(select(SafeguardingFlag.notified_at)) is not None


def test_a_webhook_that_fails_is_tried_again_next_time(runtime, hook):
    url, received = hook
    settings = replace(runtime.settings, on_duty_webhook_url=url)
    raise_one(runtime)
    received.status = 503
    assert notify_on_duty(runtime.factory, settings, NOW) == 0
    received.status = 200
    assert notify_on_duty(runtime.factory, settings, NOW) == 1
    assert len(received.received) == 2


def test_when_one_route_fails_the_other_still_goes_and_only_the_failed_one_is_tried_again(runtime, smtp_server,
                                                                                         hook):
    controller, inbox = smtp_server
    url, received = hook
    settings = replace(runtime.settings, smtp_host="127.0.0.1", smtp_port=controller.port, smtp_starttls=False,
                       on_duty_email="duty@example.nhs.uk", on_duty_webhook_url=url)
    raise_one(runtime)
    received.status = 503  # the pager's webhook is down: the e-mail goes, once, however many ticks
    assert [notify_on_duty(runtime.factory, settings, NOW) for _ in range(3)] == [0, 0, 0]
    assert len(inbox.messages) == 1 and len(received.received) == 3
    received.status = 200
    assert notify_on_duty(runtime.factory, settings, NOW) == 1
    assert len(inbox.messages) == 1 and len(received.received) == 4
    # and a mail server that refuses never stops the webhook
    flag_two = raise_one(runtime)
    inbox.refuse = True
    assert notify_on_duty(runtime.factory, settings, NOW) == 0
    assert received.received[-1]["id"] == flag_two


def test_nothing_configured_means_the_flag_waits_in_the_admin(runtime):
    raise_one(runtime)
    assert notify_on_duty(runtime.factory, runtime.settings, NOW) == 0
    with runtime.factory() as session:
        assert session.scalar(select(SafeguardingFlag.status)) == "open"


def test_a_low_priority_flag_waits_for_review_and_does_not_page_anyone(runtime, hook):
    url, received = hook
    settings = replace(runtime.settings, on_duty_webhook_url=url)
    with runtime.factory.begin() as session:
        safeguarding.raise_flag(session, contact_id=None, channel="sms", text="nobody would miss me",
                                category="distress", priority="low", reason="possible distress", now=NOW)
    priorities = runtime.bot.texts.safeguarding_settings.alert_priorities()
    assert priorities == ("urgent", "high")  # as bot/safeguarding.yaml's tiers say
    assert notify_on_duty(runtime.factory, settings, NOW, priorities) == 0
    assert received.received == []
    raise_one(runtime)
    assert notify_on_duty(runtime.factory, settings, NOW, priorities) == 1
