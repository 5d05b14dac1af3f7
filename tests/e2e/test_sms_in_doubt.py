"""An SMS in doubt after a crash is sent again only if Twilio does not have it.

A sender in a process of its own, with the real twilio client against the local fake of Twilio's
REST API, is SIGKILLed in the middle of a request: just before Twilio got it, or just after Twilio
accepted it (before the answer was noted anywhere). A restarted sender asks Twilio's Messages list,
filtered by To and DateSent and matched on the body, before sending that row again.
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import insert, select, update

from outbox.delivery import Policy, drain
from sms.sender import TwilioTransport
from storage import outbox as outbox_store
from outbox.journal import Journal
from storage.models import Contact, Message, Outbox
from tests.conftest import TWILIO_SID, TWILIO_TOKEN

ROOT = Path(__file__).resolve().parents[2]
BODY = "Thank you for your feedback. Text FEEDBACK any time to tell us more."

SENDER = """
import os, signal, sys
from types import SimpleNamespace
from outbox import delivery
from outbox.delivery import Policy, drain
from sms.sender import TwilioTransport
from storage.db import make_engine, make_sessionmaker
from outbox.journal import Journal
from outbox import journal as journals

url, folder, base, sid, token, at, when = sys.argv[1:8]
at = int(at)
settings = SimpleNamespace(twilio_account_sid=sid, twilio_auth_token=token, twilio_api_base_url=base,
                           twilio_from_number="+447700900000", twilio_messaging_service_sid=None, public_url=None)
count = [0]

class Killed(TwilioTransport):
    def send(self, item):
        count[0] += 1
        if count[0] == at and when == "before-twilio":
            os.kill(os.getpid(), signal.SIGKILL)  # the request had started; Twilio never got it
        result = super().send(item)
        if count[0] == at and when == "after-twilio":
            os.kill(os.getpid(), signal.SIGKILL)  # Twilio accepted it; no one heard the answer
        return result

delivery.FLUSH_EVERY = 60  # nothing reaches the database before the kill
delivery.FLUSH_AT = 10_000
worker = f"{os.uname().nodename}:{os.getpid()}"
drain(make_sessionmaker(make_engine(url)), Killed(settings), Policy(rate=0, concurrency=1), worker,
      journal=Journal.open(journals.Path(folder), worker))
"""


@pytest.fixture
def settings(settings, fake_twilio):
    return replace(settings, twilio_api_base_url=fake_twilio.base_url)


def people(runtime, count: int, body: str = BODY) -> list[str]:
    """Contacts with one reply each waiting in the outbox; their numbers."""
    now = datetime.now(timezone.utc)
    numbers = [f"+4477009{n:05d}" for n in range(count)]
    with runtime.engine.begin() as conn:
        conn.execute(insert(Contact.__table__), [{"channel": "sms", "address": number, "opted_out": False,
                                                  "state": {}, "created_at": now} for number in numbers])
        ids = conn.execute(select(Contact.id).order_by(Contact.id)).scalars().all()
        for contact_id in ids:
            outbox_store.enqueue(conn, "sms", contact_id, "reply", body, now, now)
    return numbers


def kill_sender(database_url, folder: Path, fake_twilio, at: int, when: str) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, "-c", SENDER, database_url, str(folder), fake_twilio.base_url,
                             TWILIO_SID, TWILIO_TOKEN, str(at), when], env=env, timeout=120,
                            capture_output=True, text=True)
    assert result.returncode == -9, result.stderr


def restart(runtime, folder: Path) -> int:
    """A sender started again on this machine: it folds the killed one's journal first."""
    me = f"{socket.gethostname()}:{os.getpid()}"
    return drain(runtime.factory, TwilioTransport(runtime.settings), Policy(rate=0), me,
                 journal=Journal(folder, me))


def received(fake_twilio) -> dict[str, int]:
    got: dict[str, int] = {}
    for m in fake_twilio.messages():
        got[m["To"]] = got.get(m["To"], 0) + 1
    return got


def rows(runtime) -> list[Outbox]:
    with runtime.factory() as session:
        return list(session.scalars(select(Outbox).order_by(Outbox.id)))


def test_an_sms_twilio_accepted_before_the_crash_is_not_sent_again(runtime, database_url, fake_twilio, tmp_path):
    numbers = people(runtime, 4)
    kill_sender(database_url, tmp_path, fake_twilio, 2, "after-twilio")
    doubtful = numbers[1]
    [at_twilio] = [m["sid"] for m in fake_twilio.messages() if m["To"] == doubtful]

    assert restart(runtime, tmp_path) == 3  # two left, and the one found at Twilio
    assert received(fake_twilio) == {number: 1 for number in numbers}, "everyone got their reply once"
    assert [(r.status, r.attempts) for r in rows(runtime)] == [("sent", 1)] * 4
    with runtime.factory() as session:
        sid = session.scalar(select(Message.provider_id).join(Outbox, Outbox.id == Message.outbox_id)
                             .join(Contact, Contact.id == Outbox.contact_id).where(Contact.address == doubtful))
    assert sid == at_twilio, "recorded with the id Twilio gave the request cut off by the crash"


def test_an_sms_twilio_never_got_is_sent_again(runtime, database_url, fake_twilio, tmp_path):
    numbers = people(runtime, 4)
    kill_sender(database_url, tmp_path, fake_twilio, 2, "before-twilio")
    assert numbers[1] not in received(fake_twilio)

    assert restart(runtime, tmp_path) == 3
    assert received(fake_twilio) == {number: 1 for number in numbers}
    assert "in doubt" in rows(runtime)[1].last_error


def test_if_twilio_cannot_be_asked_the_sms_in_doubt_goes_again(runtime, database_url, fake_twilio, tmp_path):
    """At least once, as before: a repeat beats a lost reply."""
    numbers = people(runtime, 3)
    kill_sender(database_url, tmp_path, fake_twilio, 1, "after-twilio")
    fake_twilio.fail_next_list(503, 20503, "Service Unavailable")

    assert restart(runtime, tmp_path) == 3
    assert received(fake_twilio) == {numbers[0]: 2, numbers[1]: 1, numbers[2]: 1}
    assert [r.status for r in rows(runtime)] == ["sent"] * 3


def test_the_same_words_sent_earlier_on_purpose_are_not_taken_for_the_one_in_doubt(
        runtime, database_url, fake_twilio, tmp_path):
    [number] = people(runtime, 1)
    assert restart(runtime, tmp_path / "earlier") == 1  # the same reply, sent and recorded a moment ago
    with runtime.engine.begin() as conn:
        contact_id = conn.execute(select(Contact.id)).scalar_one()
        now = datetime.now(timezone.utc)
        outbox_store.enqueue(conn, "sms", contact_id, "reply", BODY, now, now)
    kill_sender(database_url, tmp_path, fake_twilio, 1, "before-twilio")

    assert restart(runtime, tmp_path) == 1
    assert received(fake_twilio) == {number: 2}, "the second reply went: Twilio's only copy was the first one's"
    assert len({r.provider_id for r in rows(runtime)}) == 2


def test_an_sms_whose_sender_stopped_on_another_machine_is_checked_when_its_claim_lapses(
        runtime, fake_twilio, tmp_path):
    numbers = people(runtime, 2)
    with runtime.factory() as session:
        first = outbox_store.load(session, [rows(runtime)[0].id])[0]
    sid, _ = TwilioTransport(runtime.settings).send(first)  # its sender got this far, then stopped
    with runtime.factory.begin() as session:  # claimed by a sender elsewhere, which stopped 2 minutes ago
        session.execute(update(Outbox).values(status="sending", claimed_by="elsewhere:1",
                                              claimed_at=datetime.now(timezone.utc) - timedelta(minutes=2)))

    assert restart(runtime, tmp_path) == 2
    assert received(fake_twilio) == {numbers[0]: 1, numbers[1]: 1}
    assert [r.provider_id for r in rows(runtime)][0] == sid
