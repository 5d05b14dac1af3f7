"""People's names for redaction, however they are written.

- after a title: "Dr Okafor", "dr okafor", "Mr J Smith" (the title is kept);
- a first name from the list, capitalised ("Mary", "Mary Smith"), or in lower case where the
  name is not also a common word ("sarah was kind");
- after a cue, in any case: "my name is sarah jones", "my son tom", "a nurse called jo",
  "im dave". What follows a cue is a name only if it reads as one: after "my name is" any word
  that is not a common small word; after "my son" a listed first name or a word that is not
  English; after "im" a listed first name only.
A surname after the first name is taken when it is capitalised, a common surname, or not English.
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

RESOURCES = Path(__file__).parent / "resources"
_ABBREV_TITLES = ["dr", "mr", "mrs", "ms", "mx", "prof", "dr.", "mr.", "mrs.", "ms.", "prof."]
_WORD_TITLES = ["Doctor", "Nurse", "Sister", "Matron", "Professor", "Miss", "Nurse.", "Consultant", "Dr", "Mr",
                "Mrs", "Ms", "Mx", "Prof", "Reverend", "Rev", "Father", "Councillor", "Cllr"]
_UPPER_TITLES = ["DR", "MR", "MRS", "MISS", "PROF", "DOCTOR", "NURSE", "SISTER", "MATRON"]  # not MS: Microsoft, MS
PLACES = ["ward", "unit", "house", "centre", "center", "hospital", "infirmary", "road", "street", "lane", "lodge",
          "court", "clinic", "suite", "building", "team", "hub", "practice", "surgery", "close", "avenue", "way",
          "drive", "park", "place", "hall", "villa", "villas", "wing", "service", "services"]
# Listed first names that are also words or common typos in lower case ("has ben", "rob", "luke warm").
_NOT_LOWER = {"ben", "rob", "nick", "robin", "justin", "carol", "jack", "dean", "sue", "jo", "lee", "lloyd",
              "jordan", "jean", "luke", "matt", "victoria", "florence", "norman", "sally"}
_RELATIONS = ("son|daughter|husband|wife|partner|mum|mom|mam|mother|dad|father|brother|sister|nan|nana|gran|granny|"
              "grandma|grandmother|grandad|granddad|grandfather|grandson|granddaughter|friend|boyfriend|girlfriend|"
              "fiance|fiancee|fiancé|fiancée|child|kid|baby|uncle|aunt|auntie|niece|nephew|cousin|stepson|"
              "stepdaughter|carer|nurse|doctor|gp|consultant|psychiatrist|psychologist|therapist|counsellor|"
              "keyworker|key worker|care coordinator|social worker|support worker|cpn|midwife|health visitor")
_PEOPLE = set(("nurse doctor lady man woman guy gentleman girl boy chap bloke fella someone somebody person worker "
                "receptionist paramedic therapist psychiatrist psychologist consultant gp carer student manager "
                "counsellor officer assistant cpn midwife am im i'm i’m " + _RELATIONS.replace("|", " ")).split())
_WORD = r"([A-Za-z][A-Za-z'’-]*)"
_LEAD = r"\s*[:,(]?\s*" + _WORD
# A cue, what must come just before it (None: nothing), and how sure it makes us of the word after it:
# "any" (not a small word), "likely" (listed or not English), "listed" (a listed first name only).
_CUES = [
    (re.compile(r"\b(?:sur)?name(?:s|\s+is|\s+was|\s*'s|’s)" + _LEAD, re.I),
     re.compile(r"\b(?:my|his|her|their|your|whose|the|first|full|real|\w['’]s)\s*$", re.I), "any"),
    (re.compile(r"\b(?:called|named|by\s+the\s+name\s+of)" + _LEAD, re.I),
     re.compile(r"\b(?:" + "|".join(sorted(_PEOPLE, key=len, reverse=True)) + r")\s*,?\s*$", re.I), "any"),
    (re.compile(r"\bcall\s+me" + _LEAD, re.I), None, "any"),
    (re.compile(r"\b(?:my|our|his|her|their)\s+(?:(?:little|eldest|oldest|youngest|younger|older|late|new|old|"
                r"lovely|step)\s+)?(?:" + _RELATIONS + r")(?:[\s-]+in[\s-]+law)?\b\s*[,(]?\s*" + _WORD, re.I), None,
     "likely"),
    (re.compile(r"\b(?:i\s+am|i'?m|i’m|this\s+is|it'?s|it’s)\s+" + _WORD, re.I), None, "listed"),
]
# Words right after a strong cue that are not names ("my name is wrong on the letter").
_NOT_NAMES = {"wrong", "spelt", "spelled", "misspelt", "misspelled", "incorrect", "missing", "correct", "listed",
              "security", "police", "ambulance", "ambulances", "reception", "staff", "team", "crisis", "paramedics",
              "thank", "thanks", "cheers", "hello", "hi", "x", "xx", "xxx", "asd", "adhd", "ocd", "ptsd", "bpd",
              "eupd", "pd", "ld", "mh", "ot", "sw", "ae"}


def _words(name: str) -> frozenset[str]:
    text = (RESOURCES / name).read_text(encoding="utf-8")
    return frozenset(w for line in text.splitlines() if not line.startswith("#") for w in line.split())


@lru_cache(maxsize=1)
def first_names() -> frozenset[str]:
    return _words("first_names.txt")


@lru_cache(maxsize=1)
def surnames() -> frozenset[str]:
    return _words("surnames.txt")


@lru_cache(maxsize=1)
def _english() -> frozenset[str]:
    return _words("english_words.txt")


@lru_cache(maxsize=1)
def stop_words() -> frozenset[str]:
    from spacy.lang.en.stop_words import STOP_WORDS
    return frozenset(STOP_WORDS | {"im", "ive", "id", "dont", "didnt", "cant", "wont", "isnt", "wasnt"})


def _small(word: str) -> bool:
    """A word that cannot be a name: a stop word or a known non-name."""
    w = word.lower().strip("'’-")
    if re.search(r"['’](?:t|s|ll|re|ve|d|m)$", w):  # "wasn't", "he's": a contraction, not a name
        return True
    return not w or w in stop_words() or w in _NOT_NAMES or w in PLACES


@lru_cache(maxsize=1)
def _txt() -> frozenset[str]:
    """How people text ("wiv", "coz", "gud"): not English words, not names either."""
    from nlp.risk.language import TXT_WORDS
    from nlp.risk.text import WORDS
    return TXT_WORDS | frozenset(WORDS)


def _unusual(word: str) -> bool:
    """A listed first name, or a word that is neither English nor txt (a rarer name: "jayden", "okafor")."""
    w = word.lower().strip("'’-")
    return w in first_names() or (len(w) > 2 and w not in _english() and w not in _txt() and not _small(w))


def _surname_after(text: str, end: int) -> int:
    """Where a name ends if a surname follows at `end` ("sarah| jones"), else `end`."""
    m = re.match(r"[ \t]+" + _WORD, text[end:])
    if not m or _small(m.group(1)):
        return end
    word = m.group(1)
    w = word.lower().strip("'’-")
    if word[0].isupper() or w in surnames() or (w not in _english() and w not in _txt() and len(w) > 2):
        return end + m.end()
    return end


def cue_spans(text: str) -> list[tuple[int, int]]:
    """Names after a cue phrase, in any case."""
    spans = []
    for pattern, before, certainty in _CUES:
        for m in pattern.finditer(text):
            word = m.group(1)
            if before is not None and not before.search(text, max(0, m.start() - 40), m.start()):
                continue
            if _small(word):
                continue
            if certainty == "likely" and not _unusual(word):
                continue
            if certainty == "listed" and word.lower() not in first_names():
                continue
            spans.append((m.start(1), _surname_after(text, m.end(1))))
    return spans


@lru_cache(maxsize=1)
def _lower_names() -> frozenset[str]:
    return first_names() - _NOT_LOWER


def lower_case_spans(text: str) -> list[tuple[int, int]]:
    """Listed first names written in lower case, where the name is not also a common word."""
    names = _lower_names()
    return [(m.start(), _surname_after(text, m.end())) for m in re.finditer(r"\b[a-z]+\b", text)
            if m.group(0) in names]


@lru_cache(maxsize=1)
def _name_matcher():
    import spacy
    from spacy.matcher import Matcher

    nlp = spacy.blank("en")
    stop = sorted(stop_words() | set(PLACES) | {"team", "nurse", "nurses", "doctor", "staff", "and", "the"})
    names = sorted(first_names())
    capital = {"IS_TITLE": True, "IS_ALPHA": True, "LOWER": {"NOT_IN": stop}}
    any_word = {"IS_ALPHA": True, "LOWER": {"NOT_IN": stop}}
    abbrev = {"ORTH": {"IN": _ABBREV_TITLES + [t.capitalize() for t in _ABBREV_TITLES]}}
    matcher = Matcher(nlp.vocab)
    # "Dr Okafor", "dr okafor", "Mr J Smith": keep the title, replace the name.
    matcher.add("TITLED", [
        [abbrev, {"ORTH": ".", "OP": "?"}, any_word, capital | {"OP": "?"}],
        [{"ORTH": {"IN": _WORD_TITLES}}, {"ORTH": ".", "OP": "?"}, capital, capital | {"OP": "?"}],
        [abbrev, {"IS_UPPER": True, "LENGTH": 1}, {"ORTH": ".", "OP": "?"}, capital],
        [{"ORTH": {"IN": _UPPER_TITLES}}, {"IS_UPPER": True, "IS_ALPHA": True}],
    ])
    # "Mary Smith", "Mary", "Mary O'Neill": first name from the list, optionally a surname.
    matcher.add("NAME", [
        [{"LOWER": {"IN": names}, "IS_TITLE": True}, capital, capital],
        [{"LOWER": {"IN": names}, "IS_TITLE": True}, capital],
        [{"LOWER": {"IN": names}, "IS_TITLE": True}],
    ])
    return nlp, matcher


@lru_cache(maxsize=1)
def _titles() -> frozenset[str]:
    return frozenset(t.lower().rstrip(".") for t in _WORD_TITLES + _ABBREV_TITLES)


def matcher_spans(text: str) -> list[tuple[int, int]]:
    """Names after a title, and capitalised listed first names (not "Rose Ward", "James Cook Hospital")."""
    nlp, matcher = _name_matcher()
    doc = nlp.make_doc(text)
    titles = _titles()
    spans = []
    for match_id, start, end in matcher(doc):
        span = doc[start:end]
        if nlp.vocab.strings[match_id] == "TITLED":
            first = start + 1
            while first < end and (doc[first].lower_.rstrip(".") in titles or doc[first].text == "."):
                first += 1
            span = doc[first:end]
            if len(span) and span[0].is_lower and not _unusual(span[0].text) and span[0].lower_ not in surnames():
                continue  # "Dr needs to listen", "ms teams": a word, not a name
        else:
            while len(span) > 1 and (span[-1].lower_ in PLACES or not span[-1].is_title):
                span = span[:-1]
            after = span.end
            while after < len(doc) and doc[after].is_title and doc[after].lower_ not in PLACES:
                after += 1  # "Royal Victoria Infirmary", "James Cook Hospital": the run of capitals, then a place
            if after < len(doc) and doc[after].lower_ in PLACES:
                continue
        if len(span):
            spans.append((span.start_char, span.end_char))
    return spans


def name_spans(text: str) -> list[tuple[int, int]]:
    """Every stretch of the text that is a person's name."""
    return matcher_spans(text) + cue_spans(text) + lower_case_spans(text)
