"""Phone numbers in E.164, the one form we store."""
from __future__ import annotations

import phonenumbers


def to_e164(raw: str, region: str = "GB", strict: bool = True) -> str | None:
    """The E.164 form of a phone number, or None if it is not one.

    strict checks the number against the numbering plan (for numbers people type in);
    without it, any number of a possible length passes (for numbers a carrier gives us).
    """
    try:
        number = phonenumbers.parse(str(raw).strip(), region)
    except phonenumbers.NumberParseException:
        return None
    ok = phonenumbers.is_valid_number(number) if strict else phonenumbers.is_possible_number(number)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164) if ok else None
