"""Phone numbers in E.164, the one form we store."""
from __future__ import annotations

import re

import phonenumbers

E164 = re.compile(r"\+[1-9][0-9]{6,14}")


def to_e164(raw: str, region: str = "GB", strict: bool = True) -> str | None:
    """The E.164 form of a phone number, or None if it is not one.

    strict checks the number against the numbering plan (for numbers people type in);
    without it, any number of a possible length passes (for numbers a carrier gives us).
    """
    if not strict and E164.fullmatch(raw):
        return raw  # already E.164, as carriers send it: no need to parse
    try:
        number = phonenumbers.parse(str(raw).strip(), region)
    except phonenumbers.NumberParseException:
        return None
    ok = phonenumbers.is_valid_number(number) if strict else phonenumbers.is_possible_number(number)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164) if ok else None
