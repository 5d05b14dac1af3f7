"""Is a message in English? If not, which language: so a human can have it read.

Language ID is unreliable on a few letters ("gud" reads as Somali or Welsh), so a message
counts as not English only when the evidence is strong:
- most of its letters are in another script (Arabic, Bengali, Gurmukhi, ...), or
- it has at least two words, lingua's low-accuracy models (about 40 MB, loaded once per
  process) name another language with confidence, and fewer than half its words are English
  words (nlp/resources/english_words.txt, which txt spellings and typos mostly are).
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path

RESOURCES = Path(__file__).resolve().parent.parent / "resources"
# The ten most common main languages in England after English (Census 2021), Welsh, and others
# often heard in the NHS, so a message is named rather than mistaken for a neighbour.
LANGUAGES = ("ENGLISH", "POLISH", "ROMANIAN", "PUNJABI", "URDU", "PORTUGUESE", "SPANISH", "ARABIC", "BENGALI",
             "GUJARATI", "ITALIAN", "WELSH", "FRENCH", "LITHUANIAN", "TURKISH", "CHINESE", "PERSIAN", "SOMALI",
             "TAMIL", "HINDI", "RUSSIAN", "BULGARIAN", "HUNGARIAN", "GERMAN", "GREEK", "LATVIAN", "SLOVAK",
             "CZECH", "UKRAINIAN", "ALBANIAN", "TAGALOG", "YORUBA", "SHONA", "VIETNAMESE", "KURDISH")
# Scripts that English is never written in, and the language a script alone suggests.
SCRIPTS = {"ARABIC": "Arabic", "BENGALI": "Bengali", "GURMUKHI": "Punjabi", "GUJARATI": "Gujarati",
           "DEVANAGARI": "Hindi", "CJK": "Chinese", "CYRILLIC": "Russian", "GREEK": "Greek", "HANGUL": "Korean",
           "HIRAGANA": "Japanese", "KATAKANA": "Japanese", "TAMIL": "Tamil", "THAI": "Thai", "HEBREW": "Hebrew",
           "ETHIOPIC": "Amharic or Tigrinya", "MALAYALAM": "Malayalam", "SINHALA": "Sinhala", "TELUGU": "Telugu",
           "KANNADA": "Kannada", "GEORGIAN": "Georgian", "ARMENIAN": "Armenian", "MYANMAR": "Burmese",
           "KHMER": "Khmer"}
UNKNOWN = "a language we could not name"
# How people text in English, which the FFT comments rarely show.
TXT_WORDS = frozenset("""nah im ok okay ta thx tbh lol gud u ur pls plz cheers ya yeah yep nope luv x xx xxx gr8 gd v
bc cos coz idk omg wtf ffs dunno gonna wanna gotta innit init mate hiya ty thnx tho tht wat wot wen wiv nd n r y k
kk m8 l8r 2moro 2nite b4 sum1 ppl msg txt pic dont cant wont didnt isnt ive id youre theyre hes shes thats whats
sooo soo abt rly rlly tmrw tonite nite cuz sis bro hun babe pal lads lad aye wee bairn nowt summat owt ta-ra
ye yea yeh sm ws wz appt appts gd gr8 omg tbf ngl rn fr lmao lmk ikr smh imo btw jk dat dis nuffin lemme gimme cya
ttyl hru wbu wyd""".split())
_WORD = re.compile(r"[^\W\d_]+")
# Letters that English never uses but a language here does: one word with them is enough.
_NOT_ENGLISH_LETTERS = set("ąćęłńśźżăâîșțşţŵŷãõñ¿¡ğıőűųūėįšžčřůěďťľĺŕ")


def _script(ch: str) -> str | None:
    name = unicodedata.name(ch, "")
    first = name.split(" ", 1)[0]
    return first if first in SCRIPTS else ("CJK" if name.startswith("CJK") else None)


@lru_cache(maxsize=1)
def english_words() -> frozenset[str]:
    lines = (RESOURCES / "english_words.txt").read_text(encoding="utf-8").splitlines()
    return frozenset(w for w in lines if w and not w.startswith("#")) | TXT_WORDS


@lru_cache(maxsize=1)
def _detector():
    """lingua's detector, built once per process (low-accuracy mode: about 40 MB, not 450)."""
    from lingua import Language, LanguageDetectorBuilder

    languages = [getattr(Language, name) for name in LANGUAGES if hasattr(Language, name)]
    return (LanguageDetectorBuilder.from_languages(*languages).with_low_accuracy_mode()
            .with_preloaded_language_models().build())


def preload() -> None:
    """Load the language models now (in the process that reads messages), not on the first message."""
    _detector()
    english_words()


def _lingua(text: str) -> tuple[str, float]:
    values = _detector().compute_language_confidence_values(text)
    if not values:
        return "ENGLISH", 0.0
    return values[0].language.name, values[0].value


def identify(text: str) -> str | None:
    """The language a message is in, when it is confidently not English; None for English or unsure."""
    letters = [c for c in text if c.isalpha()]
    if len(letters) < 2:
        return None
    scripts = [] if text.isascii() else [s for s in map(_script, (c for c in letters if c > "\u024f")) if s]
    if len(scripts) >= 2 and len(scripts) >= 0.3 * len(letters):
        script = max(set(scripts), key=scripts.count)
        name, confidence = _lingua(text)
        if script == "ARABIC" and name in ("URDU", "PERSIAN", "ARABIC", "KURDISH"):
            return name.title()
        if script == "DEVANAGARI" and name in ("HINDI",):
            return "Hindi"
        return SCRIPTS[script]
    words = [w for w in _WORD.findall(text.lower())]
    known = english_words()
    english = sum(1 for w in words if w in known)
    if english > 0.5 * len(words):
        return None
    marked = any(c in _NOT_ENGLISH_LETTERS for c in text.lower())
    if len(words) < 2 and not marked:
        return None  # one unknown word is a typo as often as another language
    name, confidence = _lingua(text)
    if name != "ENGLISH" and confidence >= (0.5 if marked or len(words) >= 3 else 0.7):
        # Urdu or Punjabi typed in Latin letters has no model and is confidently misnamed: name only the sure.
        return name.title() if marked or confidence >= 0.9 else UNKNOWN
    if len(words) >= 5 and english <= len(words) // 5:
        return UNKNOWN  # e.g. Urdu or Punjabi typed in Latin letters, which lingua has no model for
    return None
