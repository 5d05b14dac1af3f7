"""The receiver process that `yoursay serve` runs: the same conversation, stored once, nothing lost."""
from __future__ import annotations

import threading
import urllib.parse
from datetime import datetime, timezone

import pytest
from sqlalchemy import func, select, text
from twilio.request_validator import RequestValidator

from storage.models import Answer, Message, PendingResponse, Response, SafeguardingFlag
from tests.conftest import PUBLIC_URL, TWILIO_TOKEN
from yoursay.app import create_app
from yoursay.receiver import ReceiverProcess, ReceiverUnavailable

QUESTION = "Overall, how was your experience of our service?"
FOLLOWUP = "Please can you tell us why you gave your answer?"
THANKS = "Thank you for your feedback"


@pytest.fixture
def receiver(runtime, services):
    process = ReceiverProcess(runtime.settings).start()
    yield process
    process.stop()


def now() -> datetime:
    return datetime.now(timezone.utc)


def say(receiver, address: str, text: str, sid: str):
    received = receiver.receive(channel="sms", address=address, text=text, provider_id=sid, now=now())
    return "\n".join(r.text for r in received.replies), received


def waiting(rt) -> list[dict]:
    """The answers of open surveys, waiting encrypted (as only the app can read them)."""
    with rt.factory() as session:
        return [rt.bot.holding.unlock(p)["answers"] for p in session.scalars(select(PendingResponse.payload))]


def count(rt, model, *where) -> int:
    with rt.engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(model).where(*where))


def test_a_conversation_is_answered_and_stored_as_in_the_web_process(runtime, receiver):
    first, _ = say(receiver, "+447700900101", "FEEDBACK OAKLANDS", "SMr1")
    second, _ = say(receiver, "+447700900101", "v good", "SMr2")
    third, received = say(receiver, "+447700900101", "The nurses listened to me", "SMr3")
    assert QUESTION in first and "Oaklands Ward" in first
    assert FOLLOWUP in second and THANKS in third and not received.duplicate
    again, repeat = say(receiver, "+447700900101", "The nurses listened to me", "SMr3")  # Twilio retries
    assert repeat.duplicate and again == third
    with runtime.factory() as session:
        [response] = session.scalars(select(Response)).all()
        answers = dict(session.execute(select(Answer.question_id, Answer.value)).all())
    assert (response.service_code, response.mode) == ("OAKLANDS", "SMS/text message")
    assert answers == {"fft": "1", "why": "The nurses listened to me"}
    assert count(runtime, Message, Message.direction == "in") == 3


def test_safeguarding_words_get_crisis_help_and_a_flag_from_the_process_too(runtime, receiver):
    reply, _ = say(receiver, "+447700900102", "I want to end my life tonight", "SMr4")
    assert "116 123" in reply and "999" in reply
    assert count(runtime, SafeguardingFlag) == 1


def test_many_people_at_once_each_get_their_own_answers(runtime, receiver):
    people = [f"+4477009002{n:02d}" for n in range(16)]
    outcomes: dict[str, list[str]] = {}

    def converse(address: str) -> None:
        outcomes[address] = [say(receiver, address, text, f"SM{address}-{n}")[0]
                             for n, text in enumerate(["FEEDBACK OAKLANDS", "4", f"Waited too long ({address})"])]

    threads = [threading.Thread(target=converse, args=(p,)) for p in people]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(THANKS in outcomes[p][2] and FOLLOWUP in outcomes[p][1] for p in people)
    assert count(runtime, Response) == 16
    assert count(runtime, Answer, Answer.question_id == "why") == 16


def test_a_message_that_fails_fails_alone(runtime, receiver):
    errors, good = [], []

    def broken() -> None:  # a clock with no time zone is refused by the database layer
        try:
            receiver.receive(channel="sms", address="+447700900301", text="FEEDBACK", provider_id="SMbad",
                             now=datetime(2026, 11, 26, 12, 0))
        except ValueError as exc:
            errors.append(exc)

    def fine(n: int) -> None:
        good.append(say(receiver, f"+4477009003{n:02d}", "FEEDBACK OAKLANDS", f"SMok{n}")[0])

    threads = [threading.Thread(target=broken)] + [threading.Thread(target=fine, args=(n,)) for n in range(2, 8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(errors) == 1 and "naive datetime" in str(errors[0])
    assert len(good) == 6 and all(QUESTION in g for g in good)
    assert count(runtime, Message, Message.provider_id == "SMbad") == 0


def test_if_the_process_dies_the_sender_is_told_and_the_next_message_starts_a_new_one(runtime, receiver):
    say(receiver, "+447700900401", "FEEDBACK OAKLANDS", "SMd1")
    receiver._process.kill()
    receiver._process.join(timeout=10)
    with pytest.raises(ReceiverUnavailable):
        say(receiver, "+447700900401", "2", "SMd2")
    reply, received = say(receiver, "+447700900401", "2", "SMd2")  # Twilio's retry reaches a new process
    assert FOLLOWUP in reply and not received.duplicate
    assert waiting(runtime) == [{"fft": "2"}], "the answer is kept once"


def test_the_sms_webhook_answers_through_the_process(runtime, receiver):
    runtime.receiver = receiver
    client = create_app(runtime.settings, runtime).test_client()
    params = {"MessageSid": "SMweb1", "From": "+447700900501", "To": "+447700900000", "Body": "FEEDBACK OAKLANDS"}
    signature = RequestValidator(TWILIO_TOKEN).compute_signature(PUBLIC_URL + "/sms/inbound", params)
    response = client.post("/sms/inbound", data=urllib.parse.urlencode(params),
                           content_type="application/x-www-form-urlencoded", headers={"X-Twilio-Signature": signature})
    runtime.receiver = None  # the fixture stops it
    assert response.status_code == 200 and QUESTION in response.get_data(as_text=True)
    assert response.mimetype == "application/xml"


def test_the_runtime_handles_a_message_itself_when_its_receiver_cannot(runtime, receiver):
    runtime.receiver = receiver
    try:
        first = runtime.receive(channel="sms", address="+447700900701", text="FEEDBACK OAKLANDS", provider_id="SMf1",
                                now=now())
        receiver._process.kill()
        receiver._process.join(timeout=10)
        second = runtime.receive(channel="sms", address="+447700900701", text="3", provider_id="SMf2", now=now())
        again = runtime.receive(channel="sms", address="+447700900701", text="3", provider_id="SMf2", now=now())
    finally:
        runtime.receiver = None  # the fixture stops it
    assert QUESTION in first.replies[-1].text and FOLLOWUP in second.replies[-1].text
    assert again.duplicate and [r.text for r in again.replies] == [r.text for r in second.replies]
    assert waiting(runtime) == [{"fft": "3"}], "the answer is kept once"


def test_a_receiver_that_stops_answering_is_replaced_and_the_message_still_stored_once(runtime, services):
    slow = ReceiverProcess(runtime.settings, reply_timeout=1.0).start()
    runtime.receiver = slow
    first_process = slow._process
    outcome = {}

    def send():
        outcome["received"] = runtime.receive(channel="sms", address="+447700900801", text="FEEDBACK OAKLANDS",
                                              provider_id="SMslow", now=now())

    try:
        with runtime.engine.begin() as conn:  # another writer holds the database past the reply timeout
            if runtime.engine.dialect.name == "postgresql":
                conn.execute(text("LOCK TABLE contacts IN EXCLUSIVE MODE"))
            sender = threading.Thread(target=send)
            sender.start()
            first_process.join(timeout=10)  # the silent receiver is stopped...
            assert not first_process.is_alive()
        sender.join(timeout=60)  # ...and, once the database is free, the web process handles the message
        assert QUESTION in outcome["received"].replies[-1].text
        assert count(runtime, Message, Message.provider_id == "SMslow") == 1
        reply, _ = say(slow, "+447700900802", "FEEDBACK OAKLANDS", "SMslow2")  # a new receiver answers
        assert QUESTION in reply and slow._process is not first_process
    finally:
        runtime.receiver = None
        slow.stop()
