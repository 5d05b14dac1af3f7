"""Senders as carriers give them: phone numbers in E.164, everything else kept as given or refused."""
from __future__ import annotations

import pytest

from bot.phones import Sender, parse_sender


@pytest.mark.parametrize("raw, sender", [
    ("+447911123456", Sender("sms", "+447911123456", True)),
    ("07911 123456", Sender("sms", "+447911123456", True)),
    (" 07911123456 ", Sender("sms", "+447911123456", True)),
    ("+12025550123", Sender("sms", "+12025550123", True)),
    ("whatsapp:+447911123456", Sender("whatsapp", "+447911123456", True)),
    ("WhatsApp:07911123456", Sender("whatsapp", "+447911123456", True)),
    ("12345", Sender("sms", "12345", False)),
    ("60006", Sender("sms", "60006", False)),
    ("NHSTrust", Sender("sms", "NHSTrust", False)),
    ("Trust 2026", Sender("sms", "Trust 2026", False)),
    ("0800FLOWERS", Sender("sms", "0800FLOWERS", False)),  # a name, never dialled as 0800 356 9377
])
def test_a_sender_is_parsed_without_being_coerced(raw, sender):
    assert parse_sender(raw) == sender


@pytest.mark.parametrize("raw", [None, "", "   ", "not a number", "+12345", "0791112345", "ABCDEFGHIJKL",
                                 "12 34", "12", "123456789", "whatsapp:", "Trust!", "+44 7911 123456 x"])
def test_anything_else_is_not_a_sender(raw):
    assert parse_sender(raw) is None
