"""Staff notices are e-mailed to PPT once each, through a local SMTP server (aiosmtpd)."""
from __future__ import annotations

import socket
import threading
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from email import message_from_bytes

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from storage.models import StaffNotice
from yoursay.mail import email_staff_notices

NOW = datetime(2030, 12, 2, 11, 0, tzinfo=timezone.utc)


class Inbox:
    """An aiosmtpd handler that keeps every message it is given."""

    def __init__(self):
        self.messages, self.lock = [], threading.Lock()
        self.refuse, self.refused = False, 0

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        if self.refuse:
            self.refused += 1
            return "451 Try again later"
        with self.lock:
            self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), message_from_bytes(envelope.content)))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_server():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, inbox
    controller.stop()


@pytest.fixture
def mail_settings(runtime, smtp_server):
    controller, _ = smtp_server
    return replace(runtime.settings, smtp_host="127.0.0.1", smtp_port=controller.port, smtp_starttls=False,
                   ppt_email="ppt@example.nhs.uk", mail_from="yoursay@example.nhs.uk")


def notice(rt, subject: str, body: str = "Sam has signed up.") -> int:
    with rt.factory.begin() as session:
        n = StaffNotice(kind="signup", subject=subject, body=body, created_at=NOW)
        session.add(n)
        session.flush()
        return n.id


def emailed(rt) -> dict[str, datetime | None]:
    with rt.factory() as session:
        return dict(session.execute(select(StaffNotice.subject, StaffNotice.emailed_at)).all())


def test_new_staff_notices_are_emailed_to_ppt_once_each(runtime, smtp_server, mail_settings):
    _, inbox = smtp_server
    notice(runtime, "New sign-up: Working Together group", "Sam signed up for Working Together group - North.")
    notice(runtime, "Withdrawal: QI project")

    assert email_staff_notices(runtime.factory, mail_settings, NOW) == 2
    assert email_staff_notices(runtime.factory, mail_settings, NOW + timedelta(minutes=1)) == 0

    assert [(sender, to) for sender, to, _ in inbox.messages] == [
        ("yoursay@example.nhs.uk", ["ppt@example.nhs.uk"])] * 2
    first = inbox.messages[0][2]
    assert first["Subject"] == "[YourSay] New sign-up: Working Together group"
    assert "Sam signed up for Working Together group - North." in first.get_payload()
    assert set(emailed(runtime).values()) == {NOW}

    notice(runtime, "Erasure request")
    assert email_staff_notices(runtime.factory, mail_settings, NOW + timedelta(hours=1)) == 1
    assert len(inbox.messages) == 3 and inbox.messages[2][2]["Subject"] == "[YourSay] Erasure request"


def test_without_smtp_settings_notices_stay_listed_for_the_admin(runtime):
    notice(runtime, "New sign-up")
    assert email_staff_notices(runtime.factory, runtime.settings, NOW) == 0
    assert emailed(runtime) == {"New sign-up": None}


def test_a_mail_server_that_refuses_leaves_the_notice_for_next_time(runtime, smtp_server, mail_settings):
    _, inbox = smtp_server
    notice(runtime, "New sign-up")
    inbox.refuse = True
    with pytest.raises(Exception, match="451"):
        email_staff_notices(runtime.factory, mail_settings, NOW)
    assert emailed(runtime) == {"New sign-up": None}
    inbox.refuse = False
    assert email_staff_notices(runtime.factory, mail_settings, NOW) == 1
    assert len(inbox.messages) == 1


def test_the_scheduler_tick_emails_new_notices(runtime, smtp_server, mail_settings):
    from yoursay.scheduler import tick

    _, inbox = smtp_server
    runtime.settings = mail_settings
    notice(runtime, "New sign-up")
    assert tick(runtime)
    assert len(inbox.messages) == 1 and emailed(runtime)["New sign-up"] is not None
