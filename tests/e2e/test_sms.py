"""End to end by SMS: Twilio-signed webhooks in, the real twilio client out to a local fake Twilio.

Inbound texts are posted to /sms/inbound as Twilio would post them (form fields, signed with
X-Twilio-Signature for the public URL) and the TwiML that comes back is read as the person's
phone would show it. Outbound messages go through the outbox, outbox.delivery.drain and the real
twilio Client, redirected to FakeTwilioAPI, which records what "the phone network" received.
"""
from __future__ import annotations

import json
import logging
import threading
import uuid
import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select
from twilio.request_validator import RequestValidator

from bot import gsm7
from outbox.delivery import drain
from service.invitations import InviteRules, queue, read_rows
from bot.phones import to_e164
from sms.sender import TwilioTransport
from sms.webhook import signature_is_valid
from storage.models import Answer, Contact, Message, Outbox, Response
from storage.outbox import MAX_ATTEMPTS
from tests.conftest import PUBLIC_URL, TWILIO_SID, TWILIO_TOKEN, kept
from yoursay import cli
from yoursay.config import parse_quiet_hours

LONDON = ZoneInfo("Europe/London")
QUESTION = "Overall, how was your experience of our service?"
ANSWERS = ["1 Very good", "2 Good", "3 Neither good nor poor", "4 Poor", "5 Very poor", "6 Don't know"]
FOLLOWUP = "Please can you tell us why you gave your answer?"
THANKS = "Thank you for your feedback"

ALICE, BOB, CAROL, DAN = "+447911123456", "+447400123456", "+447412345678", "+447523456781"
UNSUBSCRIBED = "Attempt to send to unsubscribed recipient"


# --- the world around the app ---------------------------------------------------------------

class Clock:
    """A clock the test moves by hand; the app, the webhooks and the drains all read it."""

    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta) -> None:
        self.now += timedelta(**delta)

    def set_local(self, text: str) -> None:
        self.now = datetime.fromisoformat(text).replace(tzinfo=LONDON).astimezone(timezone.utc)


@pytest.fixture
def settings(settings, fake_twilio):
    """The test server's settings, with the twilio client pointed at the fake Twilio."""
    return replace(settings, twilio_api_base_url=fake_twilio.base_url)


def sign(url: str, params: dict) -> str:
    return RequestValidator(TWILIO_TOKEN).compute_signature(url, params)


def post_signed(client, path: str, params: dict, signature: str | None = None):
    """POST form fields as Twilio does, signed for our public URL unless told otherwise."""
    signature = sign(PUBLIC_URL + path, params) if signature is None else signature
    return client.post(path, data=params, headers={"X-Twilio-Signature": signature})


def twiml_texts(response) -> list[str]:
    """The texts a TwiML reply sends back to the person, in order."""
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/xml"
    root = ET.fromstring(response.data)
    assert root.tag == "Response"
    return [m.text or "" for m in root.iter("Message")]


def inbound_form(number: str, body: str | None, sid: str, **extra) -> dict:
    """The fields Twilio posts for one inbound SMS."""
    form = {"ToCountry": "GB", "ToState": "", "SmsMessageSid": sid, "NumMedia": "0", "ToCity": "",
            "FromZip": "", "SmsSid": sid, "FromState": "", "SmsStatus": "received", "FromCity": "",
            "Body": body, "FromCountry": "GB", "To": "+447700900000", "ToZip": "", "NumSegments": "1",
            "MessageSid": sid, "AccountSid": TWILIO_SID, "From": number, "ApiVersion": "2010-04-01", **extra}
    return {k: v for k, v in form.items() if v is not None}


def new_sid() -> str:
    return "SM" + uuid.uuid4().hex


class Phone:
    """Someone texting the trust's number; Twilio signs each text and forwards it to us."""

    def __init__(self, client, number: str):
        self.client, self.number = client, number

    def post(self, body: str, sid: str | None = None, **extra):
        return post_signed(self.client, "/sms/inbound", inbound_form(self.number, body, sid or new_sid(), **extra))

    def sends(self, body: str, sid: str | None = None, **extra) -> list[str]:
        """Send a text; return what comes back to this phone."""
        return twiml_texts(self.post(body, sid, **extra))


@pytest.fixture
def bob(client):
    return Phone(client, BOB)


def status_callback(client, sid: str, status: str, to: str = ALICE, error: str | None = None, **kw):
    params = {"MessageSid": sid, "SmsSid": sid, "MessageStatus": status, "SmsStatus": status,
              "AccountSid": TWILIO_SID, "From": "+447700900000", "To": to, "ApiVersion": "2010-04-01"}
    if error:
        params["ErrorCode"] = error
    return post_signed(client, "/sms/status", params, **kw)


# --- the database, as the trust would look at it --------------------------------------------

def all_rows(runtime, model) -> list:
    with runtime.factory() as session:
        return list(session.scalars(select(model).order_by(model.id)))


def count(runtime, model, *where) -> int:
    with runtime.factory() as session:
        return session.scalar(select(func.count()).select_from(model).where(*where))


def contact(runtime, number: str) -> Contact | None:
    with runtime.factory() as session:
        return session.scalar(select(Contact).where(Contact.channel == "sms", Contact.address == number))


def outbox_for(runtime, number: str) -> list[Outbox]:
    with runtime.factory() as session:
        return list(session.scalars(select(Outbox).join(Contact, Contact.id == Outbox.contact_id)
                                    .where(Contact.address == number).order_by(Outbox.id)))


def answers(runtime) -> dict[str, str]:
    """Every answer kept, written or waiting for its survey to end."""
    return {q: v for response in kept(runtime) for q, v in response["answers"].items()}


def invite(runtime, clock, csv_text: str):
    """Queue invitations from a CSV, as `yoursay invite` does, at the clock's time."""
    rows, problem = read_rows(csv_text)
    assert problem is None, problem
    s = runtime.settings
    rules = InviteRules(runtime.bot.texts, s.invite_interval, s.default_region, s.timezone)
    with runtime.factory.begin() as session:
        return queue(session, rows, rules, clock())


def send_due(runtime, clock, worker: str = "test-worker", sleep=lambda seconds: None, **kw) -> int:
    """One run of the SMS outbox, through the real twilio client."""
    return drain(runtime.factory, TwilioTransport(runtime.settings), runtime.policy("sms"), worker,
                 clock=clock, sleep=sleep, **kw)


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def to_number(fake_twilio, number: str) -> list[dict]:
    return [m for m in fake_twilio.messages() if m["To"] == number]


# --- 1. signatures ---------------------------------------------------------------------------

TWILIO_EXAMPLE_URL = "https://mycompany.com/myapp.php?foo=1&bar=2"
TWILIO_EXAMPLE_PARAMS = {"CallSid": "CA1234567890ABCDE", "Caller": "+12349013030", "Digits": "1234",
                         "From": "+12349013030", "To": "+18005551212"}
TWILIO_EXAMPLE_SIGNATURE = "0/KCTR6DLpKmkAf8muzZqo1nDgQ="


def test_twilios_published_signature_example_validates():
    validator = RequestValidator("12345")
    assert validator.compute_signature(TWILIO_EXAMPLE_URL, TWILIO_EXAMPLE_PARAMS) == TWILIO_EXAMPLE_SIGNATURE
    assert validator.validate(TWILIO_EXAMPLE_URL, TWILIO_EXAMPLE_PARAMS, TWILIO_EXAMPLE_SIGNATURE)


def test_twilios_published_signature_fails_once_a_parameter_is_tampered_with():
    tampered = {**TWILIO_EXAMPLE_PARAMS, "Digits": "1235"}
    assert not RequestValidator("12345").validate(TWILIO_EXAMPLE_URL, tampered, TWILIO_EXAMPLE_SIGNATURE)
    assert not RequestValidator("54321").validate(TWILIO_EXAMPLE_URL, TWILIO_EXAMPLE_PARAMS,
                                                  TWILIO_EXAMPLE_SIGNATURE)


def test_our_webhook_rebuilds_the_url_twilio_signed_from_the_public_url_path_and_query(app):
    """The published example, checked by our own signature check behind a proxy on another host."""
    with app.test_request_context("/myapp.php?foo=1&bar=2", method="POST", data=TWILIO_EXAMPLE_PARAMS,
                                  base_url="http://10.0.0.5:8000",
                                  headers={"X-Twilio-Signature": TWILIO_EXAMPLE_SIGNATURE}):
        assert signature_is_valid("12345", "https://mycompany.com")
        assert not signature_is_valid("12345", "https://othercompany.com")
        assert not signature_is_valid("54321", "https://mycompany.com")


# --- 2. a whole conversation -----------------------------------------------------------------

def test_a_patient_gives_feedback_about_oaklands_by_text_from_start_to_finish(runtime, services, clock, alice):
    [question] = alice.sends("FEEDBACK OAKLANDS")
    lines = question.splitlines()
    assert QUESTION in lines
    assert lines[-6:] == ANSWERS
    assert "Oaklands Ward" in question
    assert gsm7.fits(question)

    clock.advance(minutes=2)
    [followup] = alice.sends("5 - very poor")
    assert FOLLOWUP in followup

    why = "Nobody called me back after I was discharged, and I waited three weeks."
    clock.advance(minutes=3)
    [thanks] = alice.sends(why)
    assert thanks.startswith(THANKS)

    [response] = all_rows(runtime, Response)
    assert (response.service_code, response.mode) == ("OAKLANDS", "SMS/text message")
    assert answers(runtime) == {"fft": "5", "why": why}

    [person] = all_rows(runtime, Contact)
    assert (person.channel, person.address) == ("sms", ALICE)


def test_feedback_by_text_cannot_be_traced_back_to_the_phone_number(runtime, services, clock, alice):
    why = "The night staff on the ward were kind to me."
    alice.sends("FEEDBACK OAKLANDS")
    clock.advance(minutes=7)
    alice.sends("1")
    clock.advance(minutes=1, seconds=13)
    alice.sends(why)

    number_forms = (ALICE, ALICE.lstrip("+"), "07911123456", "7911123456")
    for row in all_rows(runtime, Response) + all_rows(runtime, Answer):
        for column in row.__table__.columns:
            value = str(getattr(row, column.key))
            assert not any(n in value for n in number_forms), f"{row.__tablename__}.{column.key} holds the number"
    [response] = all_rows(runtime, Response)
    local = response.created_at.astimezone(ZoneInfo("Europe/London"))
    assert (local.hour, local.minute, local.second) == (0, 0, 0), "kept to the day only"

    inbound = all_rows(runtime, Message)
    assert len([m for m in inbound if m.direction == "in"]) == 3
    assert all(m.body is None for m in inbound if m.direction == "in")
    for row in inbound:
        assert why not in json.dumps([str(getattr(row, c.key)) for c in row.__table__.columns])


# --- 3. signatures on the webhook ------------------------------------------------------------

def _bad_signatures(params: dict) -> dict[str, str]:
    return {
        "missing": "",
        "garbage": "not-a-signature",
        "signed with another auth token": RequestValidator("someone-elses-token").compute_signature(
            PUBLIC_URL + "/sms/inbound", params),
        "signed for the internal host": sign("http://localhost/sms/inbound", params),
        "signed for the internal host and port": sign("http://127.0.0.1:8000/sms/inbound", params),
        "signed for the status path": sign(PUBLIC_URL + "/sms/status", params),
        "signed for other fields": sign(PUBLIC_URL + "/sms/inbound", {**params, "Body": "FEEDBACK"}),
    }


@pytest.mark.parametrize("how", list(_bad_signatures({})))
def test_a_text_not_signed_by_twilio_for_our_public_url_is_refused_and_nothing_is_stored(
        runtime, services, clock, client, how):
    params = inbound_form(ALICE, "STOP", new_sid())
    signature = _bad_signatures(params)[how]
    headers = {"X-Twilio-Signature": signature} if how != "missing" else {}
    response = client.post("/sms/inbound", data=params, headers=headers)
    assert response.status_code == 403
    assert "signature" in response.get_data(as_text=True)
    assert count(runtime, Message) == 0 and count(runtime, Contact) == 0

    # The same text, signed as Twilio signs it, is accepted: the refusal was for the signature.
    assert post_signed(client, "/sms/inbound", params).status_code == 200
    assert contact(runtime, ALICE).opted_out


# --- 4. Twilio retries -----------------------------------------------------------------------

def test_a_retried_text_gets_the_same_reply_and_changes_nothing(runtime, services, clock, alice):
    first = alice.post("FEEDBACK OAKLANDS", sid="SMfeedback")
    clock.advance(minutes=1)
    answer = alice.post("2", sid="SManswer")
    [followup] = twiml_texts(answer)
    assert FOLLOWUP in followup
    state = contact(runtime, ALICE).state

    clock.advance(seconds=15)
    retried_answer = alice.post("2", sid="SManswer")
    retried_start = alice.post("FEEDBACK OAKLANDS", sid="SMfeedback")  # a late retry must not restart
    assert retried_answer.data == answer.data
    assert retried_start.data == first.data
    assert contact(runtime, ALICE).state == state
    assert answers(runtime) == {"fft": "2"}

    clock.advance(minutes=1)
    story = "Helpful and quick."
    thanks = alice.post(story, sid="SMstory")
    assert alice.post(story, sid="SMstory").data == thanks.data
    assert twiml_texts(thanks)[0].startswith(THANKS)
    assert count(runtime, Response) == 1
    assert answers(runtime) == {"fft": "2", "why": story}
    assert count(runtime, Message, Message.direction == "in") == 3


# --- 5. awkward requests ---------------------------------------------------------------------

def test_a_json_body_is_refused_without_a_crash_and_nothing_is_stored(runtime, services, clock, client):
    body = json.dumps(inbound_form(ALICE, "FEEDBACK", new_sid()))
    unsigned = client.post("/sms/inbound", data=body, content_type="application/json")
    assert unsigned.status_code == 403
    signed_for_no_fields = client.post("/sms/inbound", data=body, content_type="application/json",
                                       headers={"X-Twilio-Signature": sign(PUBLIC_URL + "/sms/inbound", {})})
    assert signed_for_no_fields.status_code == 400
    assert "MessageSid" in signed_for_no_fields.get_data(as_text=True)
    assert count(runtime, Message) == 0 and count(runtime, Contact) == 0


def test_garbage_bytes_are_refused_without_a_crash_and_nothing_is_stored(runtime, services, clock, client):
    garbage = b"\x00\xff\xfe%zz&&==;\x81Body=%E2%28&From=%%%"
    for signature in ("", "x", sign(PUBLIC_URL + "/sms/inbound", {})):
        response = client.post("/sms/inbound", data=garbage, content_type="application/x-www-form-urlencoded",
                               headers={"X-Twilio-Signature": signature})
        assert response.status_code in (400, 403)
    assert count(runtime, Message) == 0 and count(runtime, Contact) == 0


@pytest.mark.parametrize("sender", [None, "", "not a number"])
def test_a_text_without_a_usable_from_number_is_refused_clearly(runtime, services, clock, client, sender):
    response = post_signed(client, "/sms/inbound", inbound_form(sender, "FEEDBACK", new_sid()))
    assert response.status_code == 400
    assert "From" in response.get_data(as_text=True)
    assert count(runtime, Message) == 0 and count(runtime, Contact) == 0


@pytest.mark.parametrize("body", ["", "   ", None])
def test_an_empty_text_gets_a_clear_answer_and_the_survey_carries_on(runtime, services, clock, alice, body):
    alice.sends("FEEDBACK OAKLANDS")
    [reply] = twiml_texts(post_signed(alice.client, "/sms/inbound", inbound_form(ALICE, body, new_sid())))
    assert "empty" in reply.lower()
    [followup] = alice.sends("1")
    assert FOLLOWUP in followup
    assert answers(runtime) == {"fft": "1"}


def test_a_2000_character_story_is_stored_whole_and_the_thanks_fits_one_text(runtime, services, clock, alice):
    alice.sends("FEEDBACK OAKLANDS")
    alice.sends("4")
    sentence = "The care coordinator changed four times and I had to tell my story again each time. "
    story = (sentence * 30)[:1999] + "."
    assert len(story) == 2000
    [thanks] = alice.sends(story)
    assert thanks.startswith(THANKS)
    assert gsm7.segments(thanks) == 1
    assert answers(runtime) == {"fft": "4", "why": story}


# --- 6. STOP and START ------------------------------------------------------------------------

def test_stop_is_confirmed_once_then_silence_until_start(runtime, services, clock, alice):
    [confirmation] = alice.sends("STOP")
    assert "opted out" in confirmation and "START" in confirmation
    assert contact(runtime, ALICE).opted_out

    for text in ("FEEDBACK", "hello?", "STOP", "1", "HELP"):
        clock.advance(minutes=5)
        response = alice.post(text)
        assert twiml_texts(response) == []
        assert ET.fromstring(response.data).tag == "Response" and len(ET.fromstring(response.data)) == 0

    [welcome] = alice.sends("START")
    assert "opted back in" in welcome
    assert not contact(runtime, ALICE).opted_out
    [question] = alice.sends("FEEDBACK OAKLANDS")
    assert QUESTION in question


def test_a_stop_twilio_has_already_confirmed_is_recorded_but_not_confirmed_again(runtime, services, clock, alice):
    alice.sends("FEEDBACK OAKLANDS")
    assert alice.sends("STOP", OptOutType="STOP") == []
    person = contact(runtime, ALICE)
    assert person.opted_out and person.opted_out_at == clock()
    assert alice.sends("Sorry, I meant to say it was good") == []


@pytest.mark.parametrize("keyword", ["START", "HELP"])
def test_start_and_help_that_twilio_has_answered_are_not_answered_again(runtime, services, clock, alice, keyword):
    alice.sends("STOP", OptOutType="STOP")
    assert alice.sends(keyword, OptOutType=keyword) == []
    if keyword == "START":
        assert not contact(runtime, ALICE).opted_out


# --- 7. invitations from a CSV ----------------------------------------------------------------

def cli_env(settings) -> dict:
    """The environment `yoursay` would run with on the test server."""
    return {"DATABASE_URL": settings.database_url, "YOURSAY_MODE": "dev", "YOURSAY_PUBLIC_URL": settings.public_url,
            "YOURSAY_TRUST_NAME": settings.trust_name, "YOURSAY_TIMEZONE": settings.timezone,
            "YOURSAY_QUIET_HOURS": "off", "YOURSAY_SCHEDULER": "off", "YOURSAY_INVITE_INTERVAL_DAYS": "30",
            "TWILIO_ACCOUNT_SID": settings.twilio_account_sid, "TWILIO_AUTH_TOKEN": settings.twilio_auth_token,
            "TWILIO_FROM_NUMBER": settings.twilio_from_number, "TWILIO_API_BASE_URL": settings.twilio_api_base_url,
            "TWILIO_MESSAGING_SERVICE_SID": None, "YOURSAY_FEEDBACK_KEYWORD": None, "TELEGRAM_BOT_TOKEN": None,
            "SECRET_KEY": None}


def test_invitations_from_a_csv_reach_the_right_phones_and_start_the_survey(
        tmp_path, runtime, settings, services, fake_twilio, client):
    real_now = datetime.now(timezone.utc)
    # Dan was invited ten days ago; Carol has opted out by texting STOP.
    with runtime.factory.begin() as session:
        session.add(Contact(channel="sms", address=DAN, opted_out=False, state={}, created_at=real_now,
                            last_invited_at=real_now - timedelta(days=10)))
    Phone(client, CAROL).sends("STOP")
    yesterday = (real_now - timedelta(days=1)).astimezone(LONDON).strftime("%Y-%m-%d %H:%M")

    path = tmp_path / "invitations.csv"
    path.write_text(
        "phone,service,send_after\n"
        "07911 123456,OAKLANDS,\n"                     # line 2: Alice, national format
        f"+447400123456,crisis,{yesterday}\n"           # line 3: Bob, code in lower case
        "01234,OAKLANDS,\n"                             # line 4: not a phone number
        "+447412345679,NOWHERE,\n"                      # line 5: no such service
        "+447523456782,OAKLANDS,next tuesday\n"         # line 6: not a date
        f"{CAROL},OAKLANDS,\n"                          # line 7: opted out
        f"{DAN},CMHTNORTH,\n",                          # line 8: invited ten days ago
        encoding="utf-8")
    result = CliRunner().invoke(cli.main, ["invite", "--csv", str(path)], env=cli_env(settings))

    assert result.exit_code == 1, result.output  # errors make the command fail, after queueing the good rows
    assert "queued 2, skipped 2, errors 3" in result.stdout
    assert "line 4: phone '01234' is not a valid phone number" in result.stderr
    assert "line 5: unknown service 'NOWHERE'" in result.stderr
    assert "line 6: send_after 'next tuesday' is not a date" in result.stderr
    assert "skipped line 7:" in result.stdout and "opted out" in result.stdout
    assert "skipped line 8:" in result.stdout and "less than 30 days ago" in result.stdout
    assert CAROL not in result.output and DAN not in result.output, "numbers are masked in the output"

    # Uploading the same file again invites nobody twice.
    again = CliRunner().invoke(cli.main, ["invite", "--csv", str(path)], env=cli_env(settings))
    assert "queued 0, skipped 4, errors 3" in again.stdout

    assert send_due(runtime, utcnow) == 2
    assert sorted(m["To"] for m in fake_twilio.messages()) == sorted([ALICE, BOB])
    [invitation] = to_number(fake_twilio, ALICE)
    assert invitation["From"] == settings.twilio_from_number
    assert invitation["StatusCallback"] == PUBLIC_URL + "/sms/status"
    assert invitation["Body"].startswith(
        "Riverside NHS Foundation Trust would like your anonymous feedback about Oaklands Ward.")
    lines = invitation["Body"].splitlines()
    assert QUESTION in lines and lines[lines.index(QUESTION) + 1:][:7] == ["Reply with a number:", *ANSWERS]
    assert "STOP" in lines[-1]
    assert gsm7.fits(invitation["Body"])
    [bobs] = to_number(fake_twilio, BOB)
    assert "about Crisis Team." in bobs["Body"]

    # Alice answers the invitation with just a number: the survey is already about Oaklands.
    [followup] = Phone(client, ALICE).sends("1")
    assert FOLLOWUP in followup
    [response] = kept(runtime)
    assert (response["service"], response["mode"]) == ("OAKLANDS", "SMS/text message")
    assert answers(runtime) == {"fft": "1"}


def test_invitations_queued_by_code_skip_opted_out_and_recently_invited_people(runtime, services, clock, bob):
    bob.sends("STOP")
    first = invite(runtime, clock, f"phone,service\n{ALICE},OAKLANDS\n{BOB},OAKLANDS\n")
    assert first.queued == 1 and first.errors == []
    assert [line.split(":")[0] for line in first.skipped] == ["line 3"]

    clock.advance(days=29)
    assert invite(runtime, clock, f"phone,service\n{ALICE},CRISIS\n").queued == 0
    clock.advance(days=2)
    assert invite(runtime, clock, f"phone,service\n{ALICE},CRISIS\n").queued == 1


def test_an_invitation_for_later_does_not_change_what_the_bot_says_before_it_is_sent(
        runtime, services, clock, alice, fake_twilio):
    # Alice is telling her story when the PPT team queues next week's invitations.
    alice.sends("FEEDBACK CRISIS")
    alice.sends("2")
    next_week = (clock() + timedelta(days=7)).astimezone(LONDON).strftime("%Y-%m-%d %H:%M")
    assert invite(runtime, clock, f"phone,service,send_after\n{ALICE},OAKLANDS,{next_week}\n").queued == 1
    clock.advance(minutes=4)
    [thanks] = alice.sends("They came out at 2am and stayed with me.")
    assert thanks.startswith(THANKS)
    assert answers(runtime) == {"fft": "2", "why": "They came out at 2am and stayed with me."}

    # Before the invitation goes, a stray number is not taken as an answer about Oaklands.
    clock.advance(days=1)
    [reply] = alice.sends("5")
    assert "Text FEEDBACK" in reply
    assert len(kept(runtime)) == 1
    assert send_due(runtime, clock) == 0

    # It goes two days late (the server was down); the survey runs from when it was sent.
    clock.advance(days=8)
    assert send_due(runtime, clock) == 1
    clock.advance(hours=20)
    [followup] = alice.sends("5")
    assert FOLLOWUP in followup
    assert sorted(r["service"] for r in kept(runtime)) == ["CRISIS", "OAKLANDS"]


# --- 8. delivery when Twilio or the person says no ------------------------------------------

@pytest.mark.parametrize("status, code, message", [(429, 20429, "Too Many Requests"),
                                                   (500, 20500, "Internal Server Error")])
def test_a_busy_or_broken_twilio_delays_an_invitation_but_it_still_arrives_once(
        runtime, services, clock, fake_twilio, status, code, message):
    invite(runtime, clock, f"phone,service\n{ALICE},OAKLANDS\n")
    fake_twilio.fail_next(status, code, message)

    assert send_due(runtime, clock) == 0
    [row] = outbox_for(runtime, ALICE)
    assert (row.status, row.attempts) == ("pending", 1)
    assert str(status) in row.last_error
    assert send_due(runtime, clock) == 0, "not retried before the backoff"
    assert len(fake_twilio.attempts()) == 1

    clock.advance(seconds=31)
    assert send_due(runtime, clock) == 1
    [row] = outbox_for(runtime, ALICE)
    assert (row.status, row.attempts) == ("sent", 2)
    assert len(to_number(fake_twilio, ALICE)) == 1
    clock.advance(days=1)
    assert send_due(runtime, clock) == 0
    assert len(to_number(fake_twilio, ALICE)) == 1


def test_an_invitation_twilio_keeps_refusing_fails_for_good_with_the_reason_kept(
        runtime, services, clock, fake_twilio):
    invite(runtime, clock, f"phone,service\n{ALICE},OAKLANDS\n")
    fake_twilio.fail_next(503, 20503, "Service Unavailable", times=MAX_ATTEMPTS + 1)
    for _ in range(MAX_ATTEMPTS):
        assert send_due(runtime, clock) == 0
        clock.advance(hours=2)
    [row] = outbox_for(runtime, ALICE)
    assert (row.status, row.attempts) == ("failed", MAX_ATTEMPTS)
    assert "503" in row.last_error and "Service Unavailable" in row.last_error

    clock.advance(days=2)
    assert send_due(runtime, clock) == 0
    assert len(fake_twilio.attempts()) == MAX_ATTEMPTS
    assert fake_twilio.messages() == []


def test_a_number_twilio_says_has_unsubscribed_is_opted_out_and_never_tried_again(
        runtime, services, clock, fake_twilio, client):
    fake_twilio.fail_for_number(ALICE, 400, 21610, UNSUBSCRIBED)
    invite(runtime, clock, f"phone,service\n{ALICE},OAKLANDS\n{BOB},OAKLANDS\n")

    assert send_due(runtime, clock) == 1
    assert [m["To"] for m in fake_twilio.messages()] == [BOB]
    [row] = outbox_for(runtime, ALICE)
    assert row.status == "cancelled" and "opted out" in row.last_error
    assert contact(runtime, ALICE).opted_out

    clock.advance(days=1)
    assert send_due(runtime, clock) == 0
    assert [a["To"] for a in fake_twilio.attempts()].count(ALICE) == 1
    clock.advance(days=40)
    report = invite(runtime, clock, f"phone,service\n{ALICE},OAKLANDS\n")
    assert report.queued == 0 and "opted out" in report.skipped[0]


def test_stop_after_an_invitation_is_queued_means_it_is_never_sent(runtime, services, clock, fake_twilio, alice):
    invite(runtime, clock, f"phone,service\n{ALICE},OAKLANDS\n")
    clock.advance(minutes=1)
    [confirmation] = alice.sends("STOP")
    assert "opted out" in confirmation
    assert send_due(runtime, clock) == 0
    assert fake_twilio.attempts() == []
    assert outbox_for(runtime, ALICE)[0].status == "cancelled"


def test_stop_is_honoured_up_to_the_moment_of_sending(runtime, services, clock, fake_twilio, bob):
    invite(runtime, clock, f"phone,service\n{ALICE},OAKLANDS\n{BOB},OAKLANDS\n")

    def bob_texts_stop_while_alices_invitation_goes(seconds):
        if not contact(runtime, BOB).opted_out:
            bob.sends("STOP")

    assert send_due(runtime, clock, sleep=bob_texts_stop_while_alices_invitation_goes) == 1
    assert [a["To"] for a in fake_twilio.attempts()] == [ALICE]
    [bobs] = outbox_for(runtime, BOB)
    assert bobs.status == "cancelled"


def test_someone_who_says_stop_while_their_invitation_is_on_its_way_hears_nothing_more(
        runtime, services, clock, fake_twilio, alice):
    invite(runtime, clock, f"phone,service\n{ALICE},OAKLANDS\n")

    class AliceTextsStopMeanwhile(TwilioTransport):
        def send(self, item):
            alice.sends("STOP")
            return super().send(item)

    sent = drain(runtime.factory, AliceTextsStopMeanwhile(runtime.settings), runtime.policy("sms"), "w",
                 clock=clock, sleep=lambda s: None)
    assert sent == 1 and len(to_number(fake_twilio, ALICE)) == 1  # it was already on its way
    assert contact(runtime, ALICE).opted_out
    clock.advance(minutes=2)
    assert alice.sends("1") == [], "answering the invitation after STOP gets silence"
    assert count(runtime, Response) == 0


def test_answers_of_a_survey_left_open_are_kept_when_an_invitation_takes_its_place(
        runtime, services, clock, fake_twilio, alice):
    alice.sends("FEEDBACK CRISIS")
    alice.sends("4")  # held until the survey ends; then she stops answering
    clock.advance(hours=3)
    assert invite(runtime, clock, f"phone,service\n{ALICE},OAKLANDS\n").queued == 1
    assert send_due(runtime, clock) == 1
    clock.advance(minutes=5)
    alice.sends("1")
    alice.sends("Lovely staff on the ward")
    by_service = {r["service"]: r for r in kept(runtime)}
    assert by_service["CRISIS"]["answers"] == {"fft": "4"} and by_service["CRISIS"]["written"]
    assert by_service["OAKLANDS"]["answers"] == {"fft": "1", "why": "Lovely staff on the ward"}


# --- 9. two senders at once ------------------------------------------------------------------

def test_two_drains_at_the_same_time_send_every_invitation_exactly_once(runtime, services, clock, fake_twilio):
    numbers = [f"+4479111234{n:02d}" for n in range(24)]
    assert all(to_e164(n) == n for n in numbers)
    report = invite(runtime, clock, "phone,service\n" + "".join(f"{n},OAKLANDS\n" for n in numbers))
    assert report.queued == len(numbers)

    start, sent, errors = threading.Barrier(2), [0, 0], []

    def worker(i: int) -> None:
        try:
            start.wait(timeout=10)
            while n := send_due(runtime, clock, worker=f"worker-{i}", limit=3):
                sent[i] += n
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == [] and not any(t.is_alive() for t in threads)

    assert sorted(m["To"] for m in fake_twilio.messages()) == sorted(numbers)
    assert len(fake_twilio.attempts()) == len(numbers)
    assert sum(sent) == len(numbers)
    assert {(r.status, r.attempts) for r in all_rows(runtime, Outbox)} == {("sent", 1)}
    assert count(runtime, Message, Message.direction == "out") == len(numbers)


# --- 10. delivery status callbacks -----------------------------------------------------------

@pytest.fixture
def sent_invitation(runtime, services, clock, fake_twilio) -> str:
    """Alice's invitation, sent; its Twilio message sid."""
    invite(runtime, clock, f"phone,service\n{ALICE},OAKLANDS\n")
    assert send_due(runtime, clock) == 1
    [message] = fake_twilio.messages()
    return message["sid"]


def sent_message(runtime, sid: str) -> Message:
    with runtime.factory() as session:
        return session.scalar(select(Message).where(Message.provider_id == sid, Message.direction == "out"))


def test_twilio_telling_us_an_invitation_was_delivered_is_recorded(runtime, clock, client, sent_invitation):
    assert sent_message(runtime, sent_invitation).status == "queued"
    clock.advance(seconds=4)
    assert status_callback(client, sent_invitation, "sent").status_code == 200
    assert sent_message(runtime, sent_invitation).status == "sent"
    clock.advance(seconds=3)
    assert status_callback(client, sent_invitation, "delivered").status_code == 200
    message = sent_message(runtime, sent_invitation)
    assert (message.status, message.updated_at) == ("delivered", clock())


def test_a_late_sent_callback_does_not_undo_delivered(runtime, clock, client, sent_invitation):
    status_callback(client, sent_invitation, "delivered")
    assert status_callback(client, sent_invitation, "sent").status_code == 200
    assert status_callback(client, sent_invitation, "queued").status_code == 200
    assert sent_message(runtime, sent_invitation).status == "delivered"


def test_a_status_for_a_message_we_do_not_know_is_acknowledged_and_changes_no_other(runtime, clock, client,
                                                                                     sent_invitation):
    response = status_callback(client, "SM" + "f" * 32, "delivered")
    assert response.status_code == 200
    assert sent_message(runtime, sent_invitation).status == "queued"


def test_a_status_that_arrives_before_the_send_is_recorded_is_kept(runtime, clock, client, services, caplog):
    from storage import outbox
    from storage.contacts import get_or_create

    with caplog.at_level(logging.INFO, logger="sms.webhook"):
        assert status_callback(client, "SMearly", "delivered").status_code == 200
    assert "status delivered for a message not recorded yet: SMearly" in caplog.text
    with runtime.factory.begin() as session:
        person = get_or_create(session, "sms", ALICE, clock())
        session.flush()
        outbox.enqueue(session, person.channel, person.id, "invite", "Hello", clock(), clock())
    with runtime.factory.begin() as session:
        [item] = outbox.claim(session, "sms", "w", clock())
        outbox.mark_sent(session, item, "SMearly", "queued", clock())
    message = sent_message(runtime, "SMearly")
    assert (message.status, message.body, message.outbox_id) == ("delivered", "Hello", item.id)


def test_an_unsubscribed_error_opts_the_number_out_even_for_a_message_we_do_not_know(runtime, clock, client):
    assert status_callback(client, "SMunknown", "undelivered", to=ALICE, error="21610").status_code == 200
    assert contact(runtime, ALICE).opted_out


def test_a_status_callback_with_a_bad_signature_is_refused(runtime, clock, client, sent_invitation):
    response = status_callback(client, sent_invitation, "failed", signature="forged")
    assert response.status_code == 403
    assert sent_message(runtime, sent_invitation).status == "queued"


def test_an_unsubscribed_error_in_a_status_callback_opts_the_number_out(
        runtime, clock, client, sent_invitation, fake_twilio):
    response = status_callback(client, sent_invitation, "undelivered", to=ALICE, error="21610")
    assert response.status_code == 200
    message = sent_message(runtime, sent_invitation)
    assert (message.status, message.error_code) == ("undelivered", "21610")
    assert contact(runtime, ALICE).opted_out

    clock.advance(days=40)
    assert invite(runtime, clock, f"phone,service\n{ALICE},CRISIS\n").queued == 0
    assert send_due(runtime, clock) == 0
    assert len(fake_twilio.attempts()) == 1


# --- 11. quiet hours -------------------------------------------------------------------------

@pytest.fixture
def quiet_nights(runtime):
    """The trust's quiet hours: no invitations from 21:00 to 09:00, London time."""
    runtime.settings = replace(runtime.settings, quiet_hours=parse_quiet_hours("21:00-09:00"))
    return runtime.settings.quiet_hours


@pytest.mark.parametrize("day", ["2026-01-15", "2026-07-15"], ids=["winter (GMT)", "summer (BST)"])
def test_an_invitation_at_half_past_ten_at_night_waits_until_nine_in_the_morning(
        runtime, services, clock, fake_twilio, quiet_nights, day):
    clock.set_local(f"{day} 22:30")
    invite(runtime, clock, f"phone,service\n{ALICE},OAKLANDS\n")
    assert send_due(runtime, clock) == 0
    assert fake_twilio.attempts() == []
    [row] = outbox_for(runtime, ALICE)
    next_morning = datetime.fromisoformat(day).date() + timedelta(days=1)
    assert row.status == "pending"
    assert row.due_at.astimezone(LONDON).replace(tzinfo=None) == datetime.combine(
        next_morning, datetime.min.time()).replace(hour=9)

    clock.set_local(f"{next_morning} 08:59")
    assert send_due(runtime, clock) == 0
    clock.set_local(f"{next_morning} 09:00")
    assert send_due(runtime, clock) == 1
    assert [m["To"] for m in fake_twilio.messages()] == [ALICE]


def test_replies_to_someone_who_texts_at_night_are_not_held_back(runtime, services, clock, quiet_nights, alice):
    clock.set_local("2026-01-15 22:30")
    [question] = alice.sends("FEEDBACK OAKLANDS")
    assert QUESTION in question
    [followup] = alice.sends("3")
    assert FOLLOWUP in followup


def test_an_invitation_waits_while_the_person_is_in_the_middle_of_a_conversation(runtime, services, clock,
                                                                              fake_twilio, alice):
    alice.sends("FEEDBACK OAKLANDS")
    alice.sends("2")  # the "why" is still to come
    assert invite(runtime, clock, f"phone,service\n{ALICE},CRISIS\n").queued == 1
    assert send_due(runtime, clock) == 0, "the invitation must not cut into the conversation"
    [thanks] = alice.sends("The staff were kind")
    assert "Thank you" in thanks
    clock.advance(hours=2, minutes=1)
    assert send_due(runtime, clock) == 1
    assert "Overall, how was your experience of our service?" in to_number(fake_twilio, ALICE)[0]["Body"]
