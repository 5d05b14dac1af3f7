"""Self-tests for the fake Twilio API, driven through the real twilio client."""

from datetime import datetime, timezone

import pytest
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.rest import Client

from sms.http import BaseUrlHttpClient
from tests.fakes.twilio_api import FakeTwilioAPI, num_segments

SID = "AC" + "1234567890abcdef" * 2
TOKEN = "secret-token"


@pytest.fixture
def fake():
    """A running fake server."""
    with FakeTwilioAPI(SID, TOKEN) as api:
        yield api


def make_client(fake, token=TOKEN):
    """A real twilio Client pointed at the fake."""
    return Client(SID, token, http_client=BaseUrlHttpClient(fake.base_url))


def send(client, to="+15550001111"):
    """Create a message with standard arguments."""
    return client.messages.create(to=to, from_="+15559998888", body="Hello!")


def test_create_success(fake):
    msg = send(make_client(fake))
    assert msg.sid.startswith("SM") and len(msg.sid) == 34
    assert msg.status == "queued" and msg.to == "+15550001111" and msg.date_created is not None
    [recorded] = fake.wait_for_messages(1)
    assert recorded["To"] == "+15550001111" and recorded["Body"] == "Hello!"
    assert recorded["sid"] == msg.sid


def test_sids_unique_and_messaging_service(fake):
    client = make_client(fake)
    a = send(client)
    b = client.messages.create(to="+15550002222", messaging_service_sid="MG" + "0" * 32, body="x")
    assert a.sid != b.sid and b.status == "accepted"
    assert fake.messages()[1]["MessagingServiceSid"] == "MG" + "0" * 32


def test_wrong_auth_token(fake):
    with pytest.raises(TwilioRestException) as exc:
        send(make_client(fake, token="wrong"))
    assert exc.value.status == 401 and exc.value.code == 20003
    assert fake.messages() == []


def test_unsubscribed_21610(fake):
    fake.fail_next(400, 21610, "Attempt to send to unsubscribed recipient")
    client = make_client(fake)
    with pytest.raises(TwilioRestException) as exc:
        send(client)
    assert exc.value.code == 21610 and exc.value.status == 400
    assert "unsubscribed" in exc.value.msg
    assert send(client).status == "queued"  # only the next create failed


def test_rate_limited_429(fake):
    fake.fail_next(429, 20429, "Too Many Requests", times=2)
    client = make_client(fake)
    for _ in range(2):
        with pytest.raises(TwilioRestException) as exc:
            send(client)
        assert exc.value.status == 429 and exc.value.code == 20429
    send(client)
    assert len(fake.attempts()) == 3 and len(fake.messages()) == 1


def test_fail_for_number(fake):
    fake.fail_for_number("+15550009999", 400, 21211, "Invalid 'To' Phone Number")
    client = make_client(fake)
    for _ in range(2):
        with pytest.raises(TwilioRestException) as exc:
            send(client, to="+15550009999")
        assert exc.value.code == 21211
    send(client)
    assert [m["To"] for m in fake.messages()] == ["+15550001111"]


def test_wait_for_messages_timeout(fake):
    with pytest.raises(AssertionError, match="expected at least 1"):
        fake.wait_for_messages(1, timeout=0.05)


def test_num_segments():
    assert num_segments("a" * 160) == 1 and num_segments("a" * 161) == 2
    assert num_segments("é" * 160) == 1 and num_segments("ł" * 71) == 2


def test_url_rewrite_only_for_api_twilio():
    client = BaseUrlHttpClient("http://127.0.0.1:1/")
    assert client.rewrite_url("https://api.twilio.com/2010-04-01/x") == "http://127.0.0.1:1/2010-04-01/x"
    assert client.rewrite_url("https://api.twilio.com.evil/x") == "https://api.twilio.com.evil/x"


def test_list_filters_by_to_and_date_sent_newest_first_across_pages(fake):
    client = make_client(fake)
    fake.clock = lambda: datetime(2030, 12, 1, 23, 0, tzinfo=timezone.utc)
    client.messages.create(to="+15550001111", from_="+15559998888", body="Yesterday")
    fake.clock = lambda: datetime(2030, 12, 2, 9, 0, tzinfo=timezone.utc)
    for n in range(5):
        client.messages.create(to="+15550001111", from_="+15559998888", body=f"Today {n}")
    client.messages.create(to="+15550002222", from_="+15559998888", body="Someone else")
    day = datetime(2030, 12, 2, tzinfo=timezone.utc)
    found = client.messages.list(to="+15550001111", date_sent_after=day, page_size=2)
    assert sorted(m.body for m in found) == [f"Today {n}" for n in range(5)], "three pages, one number, one day on"
    assert all(m.status == "sent" and m.date_sent >= day and m.direction == "outbound-api" for m in found)
    assert [m.body for m in client.messages.list(to="+15550001111", date_sent=datetime(2030, 12, 1))] == ["Yesterday"]
    assert len(client.messages.list(date_sent_before=datetime(2030, 12, 1))) == 1
    assert client.messages.list(to="+15550001111", date_sent_after=datetime(2030, 12, 3)) == []


def test_a_message_still_queued_has_no_date_sent_and_is_not_listed_by_date(fake):
    client = make_client(fake)
    fake.sending_delay = 60
    send(client)
    [queued] = client.messages.list(to="+15550001111")
    assert queued.status == "queued" and queued.date_sent is None
    assert client.messages.list(to="+15550001111", date_sent_after=datetime.now(timezone.utc)) == []


def test_a_list_can_fail(fake):
    fake.fail_next_list(503, 20503, "Service Unavailable")
    client = make_client(fake)
    with pytest.raises(TwilioException):
        client.messages.list(to="+15550001111")
    assert client.messages.list(to="+15550001111") == []
