"""The GSM-7 alphabet and SMS segment counting, so every message fits its budget."""
from __future__ import annotations

import unicodedata

from anyascii import anyascii

BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
EXTENDED = "^{}\\[~]|€\f"
MAX_SEGMENTS = 2

_ALPHABET = frozenset(BASIC + EXTENDED)


def is_gsm7(text: str) -> bool:
    """True if every character can be sent in the GSM-7 alphabet."""
    return _ALPHABET.issuperset(text)


def transliterate(text: str) -> str:
    """text spelt in GSM-7, for SMS: GSM-7's own letters stay ("é", "ß", "Ø"), others are spelt in
    ASCII ("Łukasz" -> "Lukasz", "Siân" -> "Sian", "张伟" -> "ZhangWei"), a stray accent or
    invisible mark goes, and a character with no spelling becomes "?" so nothing vanishes unseen."""
    out = []
    for ch in unicodedata.normalize("NFC", text):
        if ch.isspace() and ch not in "\n\r":
            out.append(" ")
        elif ch in _ALPHABET:
            out.append(ch)
        elif unicodedata.category(ch) in ("Mn", "Me", "Cf", "Cc"):  # accents, joiners, controls
            continue
        else:
            spelt = "".join(c for c in anyascii(ch).replace("`", "'") if c in _ALPHABET and c not in "\f")
            out.append(spelt or "?")
    return "".join(out)


def septets(text: str) -> int:
    """Length in GSM-7 septets: extension characters count twice."""
    return len(text) + sum(text.count(ch) for ch in EXTENDED)


def segments(text: str) -> int:
    """How many SMS segments text takes (UCS-2 if it leaves GSM-7)."""
    if is_gsm7(text):
        n, single, multi = septets(text), 160, 153
    else:
        n, single, multi = len(text.encode("utf-16-le")) // 2, 70, 67
    if n <= single:
        return 1
    return -(-n // multi)


def fits(text: str, max_segments: int = MAX_SEGMENTS) -> bool:
    """True if text is pure GSM-7 and within the segment budget."""
    return is_gsm7(text) and segments(text) <= max_segments

