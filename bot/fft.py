"""The NHS Friends and Family Test (2020 wording) and how to read replies to it."""
from __future__ import annotations

import re

SURVEY_ID = "fft"
SURVEY_VERSION = 1
QUESTION = "Overall, how was your experience of our service?"

# (code, label, everyday variants after normalise())
ANSWERS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("1", "Very good", ("very good", "v good", "very gd", "v gd", "vgood", "verygood", "very good indeed",
                        "excellent", "brilliant")),
    ("2", "Good", ("good", "gd", "fairly good", "quite good")),
    ("3", "Neither good nor poor", ("neither good nor poor", "neither", "neither good or poor",
                                    "neither good nor bad", "neutral", "neither nor")),
    ("4", "Poor", ("poor", "bad", "fairly poor", "quite poor")),
    ("5", "Very poor", ("very poor", "v poor", "very pr", "verypoor", "very bad", "terrible", "awful")),
    ("6", "Don't know", ("dont know", "don t know", "do not know", "dunno", "dk", "not sure", "unsure",
                         "no idea", "idk")),
)
LABELS = {code: label for code, label, _ in ANSWERS}
RETURN_KEYS = {"1": "very_good", "2": "good", "3": "neither_good_nor_poor", "4": "poor",
               "5": "very_poor", "6": "dont_know"}

def normalise(text: str) -> str:
    """Lower case, apostrophes dropped, punctuation to spaces, spaces folded."""
    text = text.lower().replace("'", "").replace("’", "")
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


_BY_WORDS = {normalise(words): code for code, label, variants in ANSWERS for words in (label, *variants)}


def parse(text: str) -> str | None:
    """The answer code "1".."6" for a reply, or None if it is not clearly one answer."""
    norm = normalise(text)
    if not norm:
        return None
    match = re.fullmatch(r"([1-6])(?: (.*))?", norm)
    if match:
        number, words = match.groups()
        if words is None or _BY_WORDS.get(words) == number:
            return number
        return None
    return _BY_WORDS.get(norm)


def options_text(separator: str = "\n") -> str:
    """The six answers, numbered, in NHS England's order."""
    return separator.join(f"{code} {label}" for code, label, _ in ANSWERS)
