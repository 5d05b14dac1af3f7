"""Replace personal details before a story is shown outside restricted review.

[NAME] for people's names (nlp.redact_names: after a title, listed first names, and names in any
case after a cue such as "my name is" or "my son"), [PHONE] for UK phone numbers (the
phonenumbers library; 9+ digits, or 6+ after "call", "ring", "mobile"...), [NHS_NUMBER] for NHS
numbers however they are spaced that pass the modulus-11 check, [EMAIL], [POSTCODE], [ADDRESS]
for a house number and street ("12 Acacia Road"), [DATE_OF_BIRTH] (nlp.redact_dates), and
[NUMBER] for any other long run of digits or a reference number (a mistyped NHS number is still
personal). Rules on a blank spaCy pipeline: no model downloads.
"""
from __future__ import annotations

import re

import phonenumbers

from nlp.redact_dates import birth_spans
from nlp.redact_names import name_spans, stop_words

_EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(\.[\w-]+)+", re.UNICODE)
# Ten digits, grouped any way with spaces, dashes or dots between them: 943 476 5919, 943-476-5919, 9434 765 919.
_NHS = re.compile(r"(?<![\d+()])\d(?:[ \t.\-–—]{0,3}\d){9}(?!\d)")
_LONG_NUMBER = re.compile(r"(?<!\w)\+?\(?\d[\d ()-]{7,}\d(?!\w)")
_REFERENCE = re.compile(r"\b(?:ref(?:erence)?|incident|case|crime|claim|account|patient|hospital|id|no|number)\.?"
                        r"\s*(?:no\.?|number|#)?\s*[:#]?\s*(\d[\d ]{3,}\d)\b", re.I)
_PHONE_CUE = re.compile(r"\b(?:call|ring|phone|tel|telephone|mobile|landline|number|text|contact|whatsapp|mob)\b"
                        r"[\w\s:.]{0,20}$", re.I)
_POSTCODE = re.compile(r"\b(GIR ?0AA|[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]? ?\d[ABD-HJLNP-UW-Z]{2})\b", re.IGNORECASE)
_STREETS = ("road|rd|street|st|lane|ln|avenue|ave|drive|close|crescent|cres|way|grove|gardens|gdns|place|terrace|"
            "court|walk|hill|row|square|sq|mews|rise|view|green|parade|boulevard|vale|park|gate|croft|fold|"
            "meadows?|chase|brow|wynd|grange")
# A house number, one to three words of street name, and a street word: "12 Acacia Road", "flat 2, 14a high st".
_ADDRESS = re.compile(r"\b(?:(?:flat|apartment|apt)\s*\d+[a-z]?,?\s+)?\d{1,4}[a-z]?,?\s+"
                      r"((?:[A-Za-z][\w'’.-]*\s+){1,3}?)(?:" + _STREETS + r")\b\.?", re.I)
_UNITS = {"hour", "hours", "hr", "hrs", "minute", "minutes", "min", "mins", "second", "seconds", "day", "days",
          "week", "weeks", "month", "months", "year", "years", "mile", "miles", "time", "times", "people",
          "pm", "am", "o'clock", "yards", "metres", "meters", "feet", "stars", "star", "out", "x"}


def nhs_number_valid(digits: str) -> bool:
    """The NHS number modulus-11 check digit."""
    digits = re.sub(r"\D", "", digits)
    if len(digits) != 10:
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1)))
    check = 11 - total % 11
    check = 0 if check == 11 else check
    return check != 10 and check == int(digits[9])


def _address_spans(text: str) -> list[tuple[int, int]]:
    """A house number and street; not "3 hours on the road" (a unit or a small word in the name)."""
    spans = []
    for m in _ADDRESS.finditer(text):
        words = [w.lower().strip(".,'’") for w in m.group(1).split()]
        if not any(w in stop_words() or w in _UNITS or w.isdigit() for w in words):
            spans.append((m.start(), m.end()))
    return spans


def _phone_spans(text: str) -> list[tuple[int, int]]:
    """Phone numbers of 9+ digits (UK numbers have 10 or 11), or 6+ digits after a word like "call"."""
    spans = []
    for m in phonenumbers.PhoneNumberMatcher(text, "GB", leniency=phonenumbers.Leniency.POSSIBLE):
        digits = len(re.sub(r"\D", "", m.raw_string))
        if digits >= 9 or (digits >= 6 and _PHONE_CUE.search(text[max(0, m.start - 30):m.start])):
            spans.append((m.start, m.end))
    return spans


def _spans(text: str) -> list[tuple[int, int, str]]:
    spans = [(m.start(), m.end(), "[EMAIL]") for m in _EMAIL.finditer(text)]
    spans += [(m.start(), m.end(), "[NHS_NUMBER]") for m in _NHS.finditer(text) if nhs_number_valid(m.group(0))]
    spans += [(s, e, "[PHONE]") for s, e in _phone_spans(text)]
    spans += [(m.start(), m.end(), "[NUMBER]") for m in _LONG_NUMBER.finditer(text)
              if len(re.sub(r"\D", "", m.group(0))) >= 9]
    spans += [(m.start(1), m.end(1), "[NUMBER]") for m in _REFERENCE.finditer(text)
              if len(re.sub(r"\D", "", m.group(1))) >= 5]
    spans += [(m.start(), m.end(), "[POSTCODE]") for m in _POSTCODE.finditer(text)]
    spans += [(s, e, "[ADDRESS]") for s, e in _address_spans(text)]
    spans += [(s, e, "[DATE_OF_BIRTH]") for s, e in birth_spans(text)]
    spans += [(s, e, "[NAME]") for s, e in name_spans(text)]
    return spans


_RANK = {"[EMAIL]": 0, "[NHS_NUMBER]": 1, "[PHONE]": 2, "[DATE_OF_BIRTH]": 3, "[NUMBER]": 4, "[POSTCODE]": 5,
         "[ADDRESS]": 6, "[NAME]": 7}


def redact(text: str | None) -> str:
    """The text with names, phone and NHS numbers, e-mail and street addresses, postcodes, dates of birth replaced."""
    if not text:
        return text or ""
    chosen: list[tuple[int, int, str]] = []
    for start, end, label in sorted(_spans(text), key=lambda s: (_RANK[s[2]], -(s[1] - s[0]))):
        if all(end <= s or start >= e for s, e, _ in chosen):
            chosen.append((start, end, label))
    out, pos = [], 0
    for start, end, label in sorted(chosen):
        out.append(text[pos:start])
        out.append(label)
        pos = end
    out.append(text[pos:])
    return "".join(out)
