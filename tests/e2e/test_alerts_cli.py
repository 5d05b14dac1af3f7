"""`yoursay opportunities publish` alerts subscribers and `yoursay broadcast` queues Participation News;
both then reach phones through the real twilio client and a local fake of Twilio."""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from outbox.delivery import drain
from sms.sender import TwilioTransport
from storage.models import Broadcast, Contact, Opportunity, Outbox, Participant
from tests.conftest import TWILIO_SID, TWILIO_TOKEN
from yoursay.cli import main

NOW = datetime.now(timezone.utc)


@pytest.fixture
def settings(settings, fake_twilio):
    return replace(settings, twilio_api_base_url=fake_twilio.base_url)


def run(runtime, *args):
    s = runtime.settings
    env = {"DATABASE_URL": s.database_url, "YOURSAY_MODE": "dev", "YOURSAY_TRUST_NAME": s.trust_name,
           "TWILIO_ACCOUNT_SID": TWILIO_SID, "TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
           "TWILIO_FROM_NUMBER": s.twilio_from_number, "TWILIO_API_BASE_URL": s.twilio_api_base_url,
           "YOURSAY_QUIET_HOURS": "off", "YOURSAY_SMS_RATE": "50"}
    return CliRunner().invoke(main, list(args), env=env)


def person(rt, address: str, alerts: str = "instant", paused: bool = False, opted_out: bool = False) -> None:
    with rt.factory.begin() as session:
        contact = Contact(channel="sms", address=address, opted_out=opted_out, state={}, created_at=NOW)
        session.add(contact)
        session.flush()
        session.add(Participant(contact_id=contact.id, name="", consent_at=NOW, consent_text="I agree",
                                interests=[], areas=[], access_needs="", alerts=alerts, alerts_paused=paused,
                                created_at=NOW, updated_at=NOW))


@pytest.fixture
def people(runtime):
    person(runtime, "+447700900001")
    person(runtime, "+447700900002", alerts="weekly")
    person(runtime, "+447700900003", alerts="off")
    person(runtime, "+447700900004", paused=True)
    person(runtime, "+447700900005", opted_out=True)


def send_all(runtime) -> int:
    return drain(runtime.factory, TwilioTransport(runtime.settings), runtime.policy("sms"), "test-worker",
                 clock=lambda: datetime.now(timezone.utc) + timedelta(seconds=1), sleep=lambda s: None)


def texts_to(fake_twilio) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for message in fake_twilio.messages():
        out.setdefault(message["To"], []).append(message["Body"])
    return out


def test_publishing_an_opportunity_texts_its_alert_to_instant_subscribers_only(runtime, people, fake_twilio):
    with runtime.factory.begin() as session:
        session.add(Opportunity(title="Peer role - Oaklands", summary="Paid peer support role, 2 days a week.",
                                type="peer_role", area="North", venue="Oaklands", payment="paid", status="draft",
                                created_at=NOW))
    with runtime.factory() as session:
        opportunity_id = session.scalar(select(Opportunity.id))

    result = run(runtime, "opportunities", "publish", str(opportunity_id))

    assert result.exit_code == 0, result.output
    assert "alerts queued 1, added to weekly digests 1" in result.output
    assert send_all(runtime) == 1
    [(number, [body])] = texts_to(fake_twilio).items()
    assert number == "+447700900001"
    assert body.startswith("New from Riverside NHS Foundation Trust: Peer role - Oaklands (Peer role, North, paid).")
    assert body.endswith("Text JOIN to see it, ALERTS to change alerts, STOP to stop.")


@pytest.mark.parametrize("audience,numbers", [
    ("subscribers", ["+447700900001", "+447700900002"]),
    ("participants", ["+447700900001", "+447700900002", "+447700900003", "+447700900004"]),
])
def test_a_broadcast_from_a_file_reaches_its_audience_once(runtime, people, fake_twilio, tmp_path, audience,
                                                           numbers):
    message = tmp_path / "message.txt"
    message.write_text("Participation News: 3 new peer roles and our next Working Together group.\n",
                       encoding="utf-8")

    result = run(runtime, "broadcast", "--file", str(message), "--audience", audience)

    assert result.exit_code == 0, result.output
    assert f"queued to {len(numbers)} {audience}" in result.output
    assert send_all(runtime) == len(numbers)
    assert send_all(runtime) == 0
    assert texts_to(fake_twilio) == {n: ["Participation News: 3 new peer roles and our next Working Together group."]
                                     for n in numbers}


@pytest.mark.parametrize("content,problem", [
    ("", "the message is empty"),
    ("\n  \n", "the message is empty"),
    ("x" * 400, "too long: 400 characters, 3 text messages; at most 306 characters"),
    ("Don\u2019t miss our news \U0001F600", "characters a plain text message cannot carry"),
    (b"\xff\xfe\x00bad", "not UTF-8 text"),
])
def test_a_bad_broadcast_file_is_refused_clearly_and_queues_nothing(runtime, people, tmp_path, content, problem):
    message = tmp_path / "message.txt"
    if isinstance(content, bytes):
        message.write_bytes(content)
    else:
        message.write_text(content, encoding="utf-8")

    result = run(runtime, "broadcast", "--file", str(message), "--audience", "subscribers")

    assert result.exit_code == 1 and problem in result.output, result.output
    assert "message.txt" in result.output
    with runtime.factory() as session:
        assert session.scalar(select(func.count()).select_from(Outbox)) == 0
        assert session.scalar(select(func.count()).select_from(Broadcast)) == 0


def test_a_missing_broadcast_file_is_named(runtime, tmp_path):
    result = run(runtime, "broadcast", "--file", str(tmp_path / "nowhere.txt"), "--audience", "subscribers")
    assert result.exit_code == 1 and "nowhere.txt: cannot read the file" in result.output, result.output


def test_an_unknown_audience_is_refused_with_the_ones_there_are(runtime, people, tmp_path):
    message = tmp_path / "message.txt"
    message.write_text("News", encoding="utf-8")
    result = run(runtime, "broadcast", "--file", str(message), "--audience", "everyone")
    assert result.exit_code == 2
    assert "'everyone' is not an audience: use subscribers" in result.output and "participants" in result.output
