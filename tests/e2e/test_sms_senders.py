"""Who a text is from: only real numbers are answered, nothing is coerced into a UK number.

Signed webhooks as Twilio posts them, the real twilio client out to the local fake Twilio.
"""
from __future__ import annotations

import logging

import pytest

from storage.models import Contact, Message, Outbox
from tests.e2e.test_sms import (QUESTION, all_rows, contact, count, inbound_form, new_sid,  # noqa: F401
                                post_signed, send_due, settings, status_callback, twiml_texts)


def text_from(client, sender, body="FEEDBACK OAKLANDS", sid=None):
    return post_signed(client, "/sms/inbound", inbound_form(sender, body, sid or new_sid()))


@pytest.mark.parametrize("sender", ["12345", "60006", "NHSTrust", "Trust 2026", "0800FLOWERS"])
def test_a_short_code_or_sender_name_is_logged_as_given_and_never_answered(runtime, services, clock, client,
                                                                           fake_twilio, caplog, sender):
    sid = new_sid()
    with caplog.at_level(logging.INFO, logger="sms.webhook"):
        first = text_from(client, sender, sid=sid)
        retried = text_from(client, sender, sid=sid)

    assert twiml_texts(first) == [] and twiml_texts(retried) == []  # Twilio gets a clean, empty answer
    assert [m.provider_id for m in all_rows(runtime, Message)] == [sid]  # received once, kept in the log
    assert any(repr(sender) in r.getMessage() and "not answered" in r.getMessage() for r in caplog.records)
    assert count(runtime, Contact) == 0 and count(runtime, Outbox) == 0  # no one to message, ever
    clock.advance(days=3)
    assert send_due(runtime, clock) == 0 and fake_twilio.attempts() == []


def test_a_short_code_is_not_turned_into_a_fake_uk_number(runtime, services, clock, client):
    text_from(client, "12345")
    text_from(client, "12345", body="1")
    assert contact(runtime, "+4412345") is None and count(runtime, Contact) == 0


@pytest.mark.parametrize("sender", ["whatsapp:+447911123456", "whatsapp:07911123456", "WhatsApp:+447911123456"])
def test_a_whatsapp_message_is_refused_clearly_and_never_taken_for_an_sms(runtime, services, clock, client, caplog,
                                                                          sender):
    with caplog.at_level(logging.WARNING, logger="sms.webhook"):
        response = text_from(client, sender)

    assert response.status_code == 422
    assert "whatsapp messages are not supported here" in response.get_data(as_text=True)
    assert any("whatsapp" in r.getMessage() for r in caplog.records)
    assert count(runtime, Contact) == 0 and count(runtime, Message) == 0
    # The same number by SMS is a person starting afresh: the WhatsApp text began nothing.
    assert QUESTION in twiml_texts(text_from(client, "+447911123456"))[0]


@pytest.mark.parametrize("sender", ["07911 123456", "07911123456", "+44 7911 123456"])
def test_a_uk_number_written_nationally_is_answered_and_kept_in_e164(runtime, services, clock, client, sender):
    assert QUESTION in twiml_texts(text_from(client, sender))[0]
    assert contact(runtime, "+447911123456") is not None and count(runtime, Contact) == 1


@pytest.mark.parametrize("sender", ["+12345", "0791112345", "ABCDEFGHIJKL", "12 34", "07911 12345x", "-12345",
                                    "whatsapp:", "+44 7911 123456 ext 2"])
def test_a_sender_that_is_neither_a_number_nor_a_sender_id_is_refused_and_logged(runtime, services, clock, client,
                                                                                 caplog, sender):
    with caplog.at_level(logging.WARNING, logger="sms.webhook"):
        response = text_from(client, sender)

    assert response.status_code == 400 and "From" in response.get_data(as_text=True)
    assert any("refused" in r.getMessage() for r in caplog.records)
    assert count(runtime, Contact) == 0 and count(runtime, Message) == 0


@pytest.mark.parametrize("to", ["12345", "whatsapp:+447911123456"])
def test_an_unsubscribed_error_for_a_short_code_or_whatsapp_opts_no_sms_number_out(runtime, clock, client, to):
    text_from(client, "+447911123456")
    assert status_callback(client, "SMunknown", "undelivered", to=to, error="21610").status_code == 200
    assert not contact(runtime, "+447911123456").opted_out
    assert contact(runtime, "+4412345") is None
