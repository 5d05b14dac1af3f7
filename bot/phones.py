"""Phone numbers in E.164, the one form we store."""
from __future__ import annotations

import phonenumbers


def to_e164(raw: str, region: str = "GB") -> str | None:
    """The E.164 form of a phone number, or None if it is not a valid number."""
    try:
        number = phonenumbers.parse(str(raw).strip(), region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
