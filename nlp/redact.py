"""Replace personal details before a story is shown outside restricted review.

[NAME] for people's names after a title ("Dr [NAME]") or as first name + surname, [PHONE] for
UK phone numbers (the phonenumbers library), [NHS_NUMBER] for NHS numbers that pass the
modulus-11 check, [EMAIL], [POSTCODE], and [NUMBER] for any other long run of digits (a
mistyped NHS number is still personal). Rules on a blank spaCy pipeline: no model downloads.
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import phonenumbers

_EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(\.[\w-]+)+", re.UNICODE)
_NHS = re.compile(r"(?<![\d+])(\d{3})[ -]?(\d{3})[ -]?(\d{4})(?!\d)")
_LONG_NUMBER = re.compile(r"(?<!\w)\+?\(?\d[\d ()-]{7,}\d(?!\w)")
_POSTCODE = re.compile(r"\b(GIR ?0AA|[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]? ?\d[ABD-HJLNP-UW-Z]{2})\b", re.IGNORECASE)
_ABBREV_TITLES = ["dr", "mr", "mrs", "ms", "mx", "prof", "dr.", "mr.", "mrs.", "ms.", "prof."]
_WORD_TITLES = ["Doctor", "Nurse", "Sister", "Matron", "Professor", "Miss", "Nurse.", "Consultant", "Dr", "Mr",
                "Mrs", "Ms", "Mx", "Prof", "Reverend", "Rev", "Father", "Councillor", "Cllr"]
_PLACES = ["ward", "unit", "house", "centre", "center", "hospital", "road", "street", "lane", "lodge", "court",
           "clinic", "suite", "building", "team", "hub", "practice", "surgery", "close", "avenue", "way",
           "drive", "park", "place", "hall", "villa", "villas", "wing", "service", "services"]


def nhs_number_valid(digits: str) -> bool:
    """The NHS number modulus-11 check digit."""
    digits = re.sub(r"\D", "", digits)
    if len(digits) != 10:
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1)))
    check = 11 - total % 11
    check = 0 if check == 11 else check
    return check != 10 and check == int(digits[9])


@lru_cache(maxsize=1)
def first_names() -> frozenset[str]:
    text = (Path(__file__).parent / "resources" / "first_names.txt").read_text(encoding="utf-8")
    return frozenset(w for line in text.splitlines() if not line.startswith("#") for w in line.split())


@lru_cache(maxsize=1)
def _name_matcher():
    import spacy
    from spacy.lang.en.stop_words import STOP_WORDS
    from spacy.matcher import Matcher

    nlp = spacy.blank("en")
    stop = sorted(STOP_WORDS | set(_PLACES) | {"team", "nurse", "nurses", "doctor", "staff", "and", "the"})
    names = sorted(first_names())
    capital = {"IS_TITLE": True, "IS_ALPHA": True, "LOWER": {"NOT_IN": stop}}
    any_word = {"IS_ALPHA": True, "LOWER": {"NOT_IN": stop}}
    matcher = Matcher(nlp.vocab)
    # "Dr Okafor", "dr okafor", "Mr J Smith": keep the title, replace the name.
    matcher.add("TITLED", [
        [{"LOWER": {"IN": _ABBREV_TITLES}}, {"ORTH": ".", "OP": "?"}, any_word, capital | {"OP": "?"}],
        [{"ORTH": {"IN": _WORD_TITLES}}, {"ORTH": ".", "OP": "?"}, capital, capital | {"OP": "?"}],
        [{"LOWER": {"IN": _ABBREV_TITLES}}, {"IS_UPPER": True, "LENGTH": 1}, {"ORTH": ".", "OP": "?"}, capital],
        [{"ORTH": {"IN": [t.upper() for t in _WORD_TITLES + _ABBREV_TITLES]}}, {"IS_UPPER": True, "IS_ALPHA": True}],
    ])
    # "Mary Smith", "Mary", "Mary O'Neill": first name from the list, optionally a surname.
    matcher.add("NAME", [
        [{"LOWER": {"IN": names}, "IS_TITLE": True}, capital, capital],
        [{"LOWER": {"IN": names}, "IS_TITLE": True}, capital],
        [{"LOWER": {"IN": names}, "IS_TITLE": True}],
    ])
    return nlp, matcher


def _name_spans(text: str) -> list[tuple[int, int, str]]:
    nlp, matcher = _name_matcher()
    doc = nlp.make_doc(text)
    spans = []
    for match_id, start, end in matcher(doc):
        label = nlp.vocab.strings[match_id]
        span = doc[start:end]
        if label == "TITLED":
            first = start + 1
            while first < end and (doc[first].lower_.rstrip(".") in {t.lower().rstrip(".") for t in _WORD_TITLES + _ABBREV_TITLES}
                                   or doc[first].text == "."):
                first += 1
            span = doc[first:end]
        else:
            # drop a trailing ward/place word or non-name token
            while len(span) > 1 and (span[-1].lower_ in _PLACES or not span[-1].is_title):
                span = span[:-1]
            nxt = doc[span.end] if span.end < len(doc) else None
            if nxt is not None and nxt.lower_ in _PLACES:
                continue  # "Rose Ward", "Florence House"
        if len(span):
            spans.append((span.start_char, span.end_char, "[NAME]"))
    return spans


def _spans(text: str) -> list[tuple[int, int, str]]:
    spans = [(m.start(), m.end(), "[EMAIL]") for m in _EMAIL.finditer(text)]
    for m in _NHS.finditer(text):
        if nhs_number_valid(m.group(0)):
            spans.append((m.start(), m.end(), "[NHS_NUMBER]"))
    for m in phonenumbers.PhoneNumberMatcher(text, "GB", leniency=phonenumbers.Leniency.POSSIBLE):
        spans.append((m.start, m.end, "[PHONE]"))
    for m in _LONG_NUMBER.finditer(text):
        if len(re.sub(r"\D", "", m.group(0))) >= 9:
            spans.append((m.start(), m.end(), "[NUMBER]"))
    spans += [(m.start(), m.end(), "[POSTCODE]") for m in _POSTCODE.finditer(text)]
    spans += _name_spans(text)
    return spans


_RANK = {"[EMAIL]": 0, "[NHS_NUMBER]": 1, "[PHONE]": 2, "[NUMBER]": 3, "[POSTCODE]": 4, "[NAME]": 5}


def redact(text: str | None) -> str:
    """The text with names, phone numbers, NHS numbers, e-mail addresses and postcodes replaced."""
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
