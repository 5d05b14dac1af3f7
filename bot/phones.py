"""Phone numbers in E.164, the one form we store, and the senders a carrier gives us."""
from __future__ import annotations

import re
from dataclasses import dataclass

import phonenumbers

E164 = re.compile(r"\+[1-9][0-9]{6,14}")
SHORT_CODE = re.compile(r"[0-9]{3,8}")
# An alphanumeric sender ID: up to 11 letters, digits and spaces, with at least one letter.
SENDER_NAME = re.compile(r"(?=[A-Za-z0-9 ]*[A-Za-z])[A-Za-z0-9](?:[A-Za-z0-9 ]{0,9}[A-Za-z0-9])?")
CHANNEL_PREFIX = re.compile(r"([A-Za-z][A-Za-z0-9-]{0,19}):(.*)", re.DOTALL)


@dataclass(frozen=True)
class Sender:
    """Who a message came from: the channel its address was prefixed with, and the address as we keep it."""

    channel: str        # "sms" when unprefixed, else the prefix, e.g. "whatsapp"
    address: str        # E.164 for a phone number; a short code or sender name exactly as given
    can_reply: bool     # only a phone number can be answered


def to_e164(raw: str, region: str = "GB") -> str | None:
    """The E.164 form of a phone number valid in the numbering plan, or None if it is not one."""
    try:
        number = phonenumbers.parse(str(raw).strip(), region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def parse_sender(raw: str | None, region: str = "GB") -> Sender | None:
    """A carrier's From or To: E.164, a valid national number, or a short code or sender name; else None.

    Nothing is coerced: a prefix such as whatsapp: stays the channel, apart from the number,
    and a short code or sender name is kept as given, never made into a phone number.
    """
    raw = (raw or "").strip()
    prefixed = CHANNEL_PREFIX.fullmatch(raw)
    channel, value = (prefixed[1].lower(), prefixed[2].strip()) if prefixed else ("sms", raw)
    if E164.fullmatch(value):
        return Sender(channel, value, True)  # as carriers send it: no need to parse
    if any(c.isalpha() for c in value):  # a name, never a phone number (no 0800FLOWERS turned into digits)
        return Sender(channel, value, False) if SENDER_NAME.fullmatch(value) else None
    if (number := to_e164(value, region)) is not None:
        return Sender(channel, number, True)
    return Sender(channel, value, False) if SHORT_CODE.fullmatch(value) else None
