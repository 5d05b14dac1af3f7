"""A flag still open after the review time (the admin's "waiting more than N hours") is reminded to the on-duty
contact once, through a local SMTP server and webhook, without the person's words or contact details."""
from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from storage import safeguarding
from storage.models import SafeguardingFlag
from tests.admin.factories import Seed
from tests.integration.test_on_duty import hook  # noqa: F401 (a fixture)
from tests.integration.test_staff_mail import smtp_server  # noqa: F401 (a fixture)
from yoursay.on_duty import remind_on_duty

RAISED = datetime(2030, 12, 2, 23, 40, tzinfo=timezone.utc)
WORDS = "i took all my tablets tonight"
ADDRESS = "+447700900123"


@pytest.fixture
def duty(runtime, smtp_server):
    controller, _ = smtp_server
    return replace(runtime.settings, smtp_host="127.0.0.1", smtp_port=controller.port, smtp_starttls=False,
                   on_duty_email="duty@example.nhs.uk", public_url="https://yoursay.example.nhs.uk")


def flag(runtime, priority="urgent", status="open") -> int:
    seed = Seed(runtime)
    return seed.flag(WORDS, contact_id=seed.contact(ADDRESS), category="self-harm", priority=priority,
                     created_at=RAISED, status=status)


def text(message) -> str:
    """An e-mail's text as the reader sees it (long lines come quoted-printable)."""
    return message.get_payload(decode=True).decode()


def reminded(runtime, flag_id: int):
    with runtime.factory() as session:
        return session.scalar(select(SafeguardingFlag.reminded_at).where(SafeguardingFlag.id == flag_id))


def test_a_flag_open_past_24_hours_is_reminded_once_and_not_before(runtime, smtp_server, duty):
    _, inbox = smtp_server
    flag_id = flag(runtime)

    assert remind_on_duty(runtime.factory, duty, RAISED + timedelta(hours=23, minutes=59)) == 0
    assert inbox.messages == []
    later = RAISED + timedelta(hours=26, minutes=10)
    assert remind_on_duty(runtime.factory, duty, later) == 1
    assert remind_on_duty(runtime.factory, duty, later + timedelta(hours=5)) == 0  # never twice

    [(_, to, message)] = inbox.messages
    assert to == ["duty@example.nhs.uk"]
    subject = " ".join(message["Subject"].split())
    assert subject == f"[YourSay] Reminder: safeguarding flag #{flag_id} waiting 26 hours (urgent)"
    body = text(message)
    assert "has waited 26 hours and is still open (urgent priority, self-harm)" in body
    assert "Nobody has taken it yet." in body
    assert f"https://yoursay.example.nhs.uk/admin/flags/{flag_id}" in body
    assert WORDS not in body and ADDRESS not in body and "447700900123" not in body
    assert reminded(runtime, flag_id) == later


def test_the_review_hours_setting_decides_when(runtime, smtp_server, duty):
    _, inbox = smtp_server
    flag(runtime, priority="high")
    four = replace(duty, safeguarding_review="within 4 hours")  # YOURSAY_SAFEGUARDING_REVIEW_HOURS=4
    assert remind_on_duty(runtime.factory, four, RAISED + timedelta(hours=3, minutes=59)) == 0
    assert remind_on_duty(runtime.factory, four, RAISED + timedelta(hours=4, minutes=1)) == 1
    assert "has waited 4 hours" in text(inbox.messages[0][2])


def test_a_low_flag_waits_in_the_admin_queue_and_is_not_sent_to_the_on_duty_contact(runtime, smtp_server, duty):
    _, inbox = smtp_server
    flag_id = flag(runtime, priority="low")  # e.g. "not suicidal, just fed up": the admin's warning covers it
    assert remind_on_duty(runtime.factory, duty, RAISED + timedelta(days=3)) == 0
    assert inbox.messages == [] and reminded(runtime, flag_id) is None


def test_a_closed_flag_is_never_reminded(runtime, smtp_server, duty):
    _, inbox = smtp_server
    flag_id = flag(runtime, status="closed")
    assert remind_on_duty(runtime.factory, duty, RAISED + timedelta(days=3)) == 0
    assert inbox.messages == [] and reminded(runtime, flag_id) is None


def test_a_flag_in_progress_is_still_reminded_saying_who_has_it(runtime, smtp_server, duty):
    _, inbox = smtp_server
    flag_id = flag(runtime, priority="high")
    with runtime.factory.begin() as session:
        safeguarding.assign(session, flag_id, "priya", RAISED + timedelta(hours=2))
        safeguarding.start(session, flag_id, RAISED + timedelta(hours=2, minutes=5))
    assert remind_on_duty(runtime.factory, duty, RAISED + timedelta(hours=30)) == 1
    body = text(inbox.messages[0][2])
    assert "(high priority, self-harm)" in body
    assert "It is marked in progress by priya since 03 Dec 2030 01:45 UTC." in body


def test_a_mail_server_that_refuses_leaves_the_reminder_for_next_time(runtime, smtp_server, duty):
    _, inbox = smtp_server
    flag_id = flag(runtime)
    inbox.refuse = True
    assert remind_on_duty(runtime.factory, duty, RAISED + timedelta(hours=25)) == 0
    assert reminded(runtime, flag_id) is None
    inbox.refuse = False
    assert remind_on_duty(runtime.factory, duty, RAISED + timedelta(hours=25, minutes=1)) == 1
    assert remind_on_duty(runtime.factory, duty, RAISED + timedelta(hours=25, minutes=2)) == 0
    assert len(inbox.messages) == 1


def test_the_webhook_is_reminded_too_without_the_persons_words(runtime, hook):
    url, received = hook
    settings = replace(runtime.settings, on_duty_webhook_url=url)
    flag_id = flag(runtime)
    with runtime.factory.begin() as session:
        safeguarding.assign(session, flag_id, "priya", RAISED)
    assert remind_on_duty(runtime.factory, settings, RAISED + timedelta(hours=48)) == 1
    [posted] = received.received
    assert (posted["id"], posted["priority"], posted["category"], posted["reminder"]) == (
        flag_id, "urgent", "self-harm", True)
    assert (posted["waiting_hours"], posted["assigned_to"], posted["in_progress"]) == (48, "priya", False)
    assert "assigned to priya but not yet marked in progress" in posted["text"]
    assert WORDS not in json.dumps(posted) and ADDRESS not in json.dumps(posted)


def test_with_no_on_duty_route_nothing_is_sent_or_recorded(runtime):
    flag_id = flag(runtime)
    assert remind_on_duty(runtime.factory, runtime.settings, RAISED + timedelta(days=2)) == 0
    assert reminded(runtime, flag_id) is None


def test_the_scheduler_tick_sends_the_reminder(runtime, smtp_server, duty):
    from yoursay.scheduler import tick

    _, inbox = smtp_server
    flag_id = flag(runtime)
    runtime.settings = duty
    runtime.now = lambda: RAISED + timedelta(hours=25)
    assert tick(runtime)
    assert tick(runtime)
    reminders = [m for _, _, m in inbox.messages if "Reminder" in m["Subject"]]
    assert len(reminders) == 1 and reminded(runtime, flag_id) is not None
