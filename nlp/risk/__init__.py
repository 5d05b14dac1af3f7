"""Safeguarding: read every inbound message for risk, however it is said, by whoever says it.

This is a screening aid that brings messages to a person's attention. It is NOT a clinical
assessment, and its priority is not a risk score: a member of staff reads every flag and
decides what to do under the trust's safeguarding procedures.

Categories (a contract; see nlp/MODEL_CARD.md):
- suicide, self-harm, harm-to-others, unsafe (danger from others), abuse (and neglect);
- distress: hopelessness, being a burden, passive wishes not to be alive;
- someone-else: a carer, parent, partner or friend reports another person's risk;
- other-language: not English, and no published crisis phrase matched: a human must read it;
- help-seeking: asks for help now, or whether this is a crisis line.
Priorities: urgent, high (a flag, the on-duty alert, the survey pauses) and low (a flag for
review, a gentle reply; none when only the model was unsure: `quiet`). A negated ("not suicidal, just fed up") or long-past mention is low,
never urgent. When a message is unclear we flag it: a missed disclosure is far worse than a
false alarm.

Layers, all on the reply path, each fast: first-person phrase rules (phrases), warning signs
said without the obvious words (signs), the same two on a copy with a third person written as
"i" (text.reported), language ID (language) and published crisis phrases in other languages
(foreign).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from nlp.risk import foreign, language, model, phrases, signs
from nlp.risk.text import long_past, negated_before, normalise, reported, reported_subject

CATEGORIES = ("suicide", "self-harm", "harm-to-others", "unsafe", "abuse", "someone-else", "distress",
              "other-language", "help-seeking")
PRIORITIES = ("urgent", "high", "low")
DISCLAIMER = "Screening flag for review by staff; not a clinical risk assessment."
_RANK = {"urgent": 0, "high": 1, "low": 2}
_OWN = ("suicide", "self-harm", "distress")  # harm to oneself: said of another person, it is a carer's report
# Kinds that speak of the person's own harm: what a third person's report is checked for.
_HARM = ("suicide", "self-harm", "distress", "harm-to-others", "unsafe", "abuse")

__all__ = ["CATEGORIES", "PRIORITIES", "RiskResult", "detect", "normalise", "preload"]


@dataclass(frozen=True)
class RiskResult:
    """Why a message was flagged for a person to review. Not a clinical assessment."""

    category: str          # one of CATEGORIES
    priority: str          # urgent, high or low
    phrase: str            # the words that raised the flag
    reason: str            # a sentence for the reviewer
    negated: bool = False  # a negated or long-past mention: low priority, still shown
    categories: tuple[str, ...] = field(default=())  # every category found at urgent or high
    concern: str | None = None   # someone-else: the kind of risk reported (e.g. suicide)
    language: str | None = None  # the message's language, when it is not English
    quiet: bool = False  # only the model was unsure: a flag for a human to read, no crisis reply to the person

    @property
    def alert(self) -> bool:
        """True when the flag should be raised to staff now (urgent or high)."""
        return self.priority in ("urgent", "high")


@dataclass(frozen=True)
class _Found:
    category: str
    priority: str
    phrase: str
    reason: str
    negated: bool = False
    concern: str | None = None
    start: int = -1  # where in the normalised text it was found
    quiet: bool = False  # the model's unsure finding alone: flagged, not answered

    @property
    def order(self):
        return (_RANK[self.priority], CATEGORIES.index(self.category), CATEGORIES.index(self.concern or self.category),
                -len(self.phrase))


def _english(norm: str) -> list[_Found]:
    """Every finding of the English layers, with negation and long-past mentions made low."""
    found, past = [], None
    idioms = signs.idioms(norm)
    for category, priority, negatable, reason, start, end, words in phrases.find(norm):
        if any(s <= start < e or s < end <= e for s, e in idioms):
            continue  # e.g. "suicide prevention training", "a ligature audit"
        found.append(_Found(category, priority, words, reason, negatable and negated_before(norm, start), start=start))
    for sign, start, end, words in signs.find(norm, idioms):
        negated = sign.negatable and negated_before(norm, start)
        found.append(_Found(sign.category, sign.priority, words, sign.reason, negated, start=start))
    out = []
    for f in found:
        if f.negated:
            f = _Found(f.category, "low", f.phrase, f.reason + " (negated: lower priority, still shown for review)", True,
                       start=f.start)
        elif f.priority != "low" and f.category in _HARM:
            past = long_past(norm) if past is None else past
            if past:
                f = _Found(f.category, "low", f.phrase, f.reason + " (in the past: lower priority, still shown)", True,
                           start=f.start)
        if not f.negated and f.category in _OWN and f.start >= 0 and reported_subject(norm, f.start, f.phrase):
            f = _Found("someone-else", "urgent" if f.priority == "urgent" else "high", f.phrase,
                       f"reported about someone else: {f.reason} ({f.category})", concern=f.category, start=f.start)
        out.append(f)
    return out


def _about_someone_else(norm: str, own: list[_Found]) -> list[_Found]:
    """A third person's risk, found on the message rewritten in the first person."""
    rewritten = reported(norm)
    if rewritten is None:
        return []
    seen = {(f.category, f.phrase) for f in own}
    out = []
    for f in _english(rewritten):
        if f.category not in _HARM or (f.category, f.phrase) in seen or f.negated:
            continue
        priority = "urgent" if f.priority == "urgent" else "high"  # a carer's worry always reaches a human
        out.append(_Found("someone-else", priority, f.phrase,
                          f"reported about someone else: {f.reason} ({f.category})", concern=f.category))
    return out


def _heard_by_model(norm: str, found: list[_Found], idioms: bool) -> list[_Found]:
    """What the linear model hears where the rules found nothing serious, nothing negated or past,
    and no figure of speech that explains an alarming word."""
    if idioms or any(f.priority != "low" or f.negated for f in found) or len(norm.split()) < model.MIN_WORDS:
        return []
    trained = model.load()
    hit = trained.predict(norm) if trained else None
    if hit is None:
        return []
    kind, p, alert = hit
    words = " ".join(norm.split()[:8])
    if not alert:  # unsure: a human reads it quietly (a complaint often reads like this), the survey goes on
        if found:  # the rules already flagged it for a human, with words that fit better
            return []
        return [_Found("distress", "low", words, f"the risk model is unsure ({p:.0%}, most like {kind}): please read",
                       quiet=True)]
    return [_Found(kind, "low" if kind == "distress" else "high", words,
                   f"the risk model hears possible {kind} ({p:.0%}) in wording the rules do not know")]


def detect(text: str | None, use_model: bool = True) -> RiskResult | None:
    """Flag possible risk in a message for a person to review; None when nothing was found."""
    if not text or not text.strip():
        return None
    norm = normalise(text)
    found = _english(norm)
    if not any(f.priority != "low" and f.category != "help-seeking" for f in found):
        found += _about_someone_else(norm, found)
    lang = language.identify(text)
    if use_model and lang is None:
        found += _heard_by_model(norm, found, bool(signs.idioms(norm)))
    if lang is not None:
        hit = foreign.screen(text)
        if hit is not None:
            found.append(_Found(hit.category, "urgent", hit.text,
                                f"{hit.language} crisis phrase ({hit.category}); message in {lang}"))
        else:
            found.append(_Found("other-language", "high", text.strip()[:40],
                                f"written in {lang}: have it read by someone who knows the language"))
    if not found:
        return None
    found.sort(key=lambda f: f.order)
    best = found[0]
    categories = tuple(sorted({f.category for f in found if f.priority != "low"} or {best.category},
                              key=CATEGORIES.index))
    return RiskResult(category=best.category, priority=best.priority, phrase=best.phrase,
                      reason=f"{best.reason}. {DISCLAIMER}", negated=best.negated, categories=categories,
                      concern=best.concern, language=lang, quiet=best.quiet)


def preload(language_models: bool = True) -> None:
    """Build the matchers (and load the language models) now, once per process, not on a message."""
    phrases._matcher()
    foreign.phrases()
    model.load()
    if language_models:
        language.preload()
