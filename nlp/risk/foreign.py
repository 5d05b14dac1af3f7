"""Crisis phrases in other languages, each from a published source (nlp/resources/crisis_phrases.yaml).

Every message is screened against every language (language ID may confuse Spanish with
Portuguese, say), on its lower-cased text and on a copy without accents, since many people
text without them. Where a language has no published phrase, the human-review flag for text
that is not English is what catches risk.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

PHRASES = Path(__file__).resolve().parent.parent / "resources" / "crisis_phrases.yaml"
CATEGORIES = ("suicide", "self-harm", "harm-to-others", "abuse", "unsafe")


@dataclass(frozen=True)
class Phrase:
    language: str  # the language's English name, e.g. "Polish"
    text: str
    category: str


def fold(text: str) -> str:
    """Lower case without accents (ł and đ too), NFC, for matching text typed without them."""
    t = unicodedata.normalize("NFKD", text.lower().replace("ł", "l").replace("đ", "d"))
    return unicodedata.normalize("NFC", "".join(c for c in t if not unicodedata.combining(c)))


@lru_cache(maxsize=1)
def phrases() -> tuple[Phrase, ...]:
    if not PHRASES.exists():
        return ()
    data = yaml.safe_load(PHRASES.read_text(encoding="utf-8")) or {}
    out = []
    for code, language in (data.get("languages") or {}).items():
        for entry in language.get("phrases") or ():
            if entry.get("category") in CATEGORIES and str(entry.get("text", "")).strip():
                out.append(Phrase(language.get("name", code), unicodedata.normalize("NFC", entry["text"].lower()),
                                  entry["category"]))
    return tuple(out)


@lru_cache(maxsize=1)
def _pattern() -> tuple[re.Pattern, dict[str, int]] | None:
    """One alternation over every phrase, as typed and folded; a phrase starts at a word's start."""
    forms = {}
    for n, phrase in enumerate(phrases()):
        for form in {phrase.text, fold(phrase.text)}:
            forms.setdefault(form, n)
    if not forms:
        return None
    ordered = sorted(forms, key=len, reverse=True)
    return re.compile("|".join(rf"(?<!\w){re.escape(f)}" for f in ordered)), {f: forms[f] for f in ordered}


def screen(text: str) -> Phrase | None:
    """The first published crisis phrase in the text, in any language; None if there is none."""
    compiled = _pattern()
    if compiled is None:
        return None
    pattern, index = compiled
    lowered = unicodedata.normalize("NFC", text.lower())
    for candidate in (lowered, fold(lowered)):
        m = pattern.search(candidate)
        if m:
            return phrases()[index[m.group()]]
    return None
