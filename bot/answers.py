"""Question types: how each one is asked, and how a reply to it is read (the wording is in bot/texts.py)."""
from __future__ import annotations

import functools
import re

from bot import texts
from bot.flow import Option, Question
from bot.keywords import normalise

YES = ("yes", "y", "yeah", "yep", "yes please", "ok", "okay", "sure")
NO = ("no", "n", "nope", "no thanks", "not really")
PREFER_NOT = ("prefer not to say", "prefer not", "rather not say", "id rather not say")


@functools.lru_cache(maxsize=256)
def _by_words(options) -> dict[str, str]:
    """Each option's words, normalised, to its value; built once per question (options are immutable)."""
    return {normalise(words): o.value for o in options for words in (o.label, *o.synonyms)}


def parse_choice(options, text: str) -> str | None:
    """The value of one option: its number, its words, or both ("5 - very poor")."""
    norm = normalise(text)
    if not norm:
        return None
    words = _by_words(options)
    match = re.fullmatch(r"(\d+)(?: (.*))?", norm)
    if match:
        number, rest = int(match.group(1)), match.group(2)
        if not 1 <= number <= len(options):
            return None
        value = options[number - 1].value
        return value if rest is None or words.get(rest) == value else None
    return words.get(norm)


def parse_multi(options, text: str) -> str | None:
    """Several options by number ("1,3" or "1 3" or "1 and 3"), or one by its words."""
    norm = normalise(text)
    parts = [p for p in re.split(r"\s+(?:and\s+)?", norm) if p]
    if parts and all(p.isdigit() for p in parts):
        numbers = sorted({int(p) for p in parts})
        if all(1 <= n <= len(options) for n in numbers):
            return ",".join(options[n - 1].value for n in numbers)
        return None
    return parse_choice(options, text)


class Choice:
    """One of a numbered list of options."""

    hint = texts.CHOICE_HINT

    @staticmethod
    def options(raw, where, errors, parse_options):
        return parse_options(raw.get("options"), where, errors)

    @staticmethod
    def parse(question: Question, text: str) -> str | None:
        norm = normalise(text)
        if _numeric_scale(question.options) and norm.isdigit():  # asked as "a number from 0 to 10": the value
            value = f"-{norm}" if text.strip().startswith("-") else norm  # normalise() drops the minus sign
            return value if value in {o.value for o in question.options} else None
        return parse_choice(question.options, text)  # listed: the number beside an option, or its words


class Scale(Choice):
    """A scale: labelled options, or numbers from min to max."""

    @staticmethod
    def options(raw, where, errors, parse_options):
        if "options" in raw:
            return parse_options(raw["options"], where, errors)
        low, high = raw.get("min"), raw.get("max")
        if not all(isinstance(v, int) and not isinstance(v, bool) for v in (low, high)) or low >= high:
            errors.append(f"{where}: a scale needs options, or whole numbers min < max (got {low!r}, {high!r})")
            return ()
        labels = {low: raw.get("min_label"), high: raw.get("max_label")}
        return tuple(Option(str(n), f"{n} ({labels[n]})" if labels.get(n) else str(n)) for n in range(low, high + 1))


class YesNo(Choice):
    """Yes or no, with "prefer not to say" where asked for."""

    @staticmethod
    def options(raw, where, errors, parse_options):
        options = [Option("yes", texts.YES_LABEL, YES), Option("no", texts.NO_LABEL, NO)]
        if raw.get("prefer_not_to_say"):
            options.append(Option("prefer_not_to_say", texts.PREFER_NOT_LABEL, PREFER_NOT))
        return tuple(options)


class Multi(Choice):
    """Any number of options."""

    hint = texts.MULTI_HINT

    @staticmethod
    def parse(question: Question, text: str) -> str | None:
        return parse_multi(question.options, text)


class Text:
    """Free text, up to a maximum length."""

    hint = ""

    @staticmethod
    def options(raw, where, errors, parse_options):
        if raw.get("options"):
            errors.append(f"{where}: a text question has no options")
        return ()

    @staticmethod
    def parse(question: Question, text: str) -> str | None:
        text = text.strip()
        return text[:question.max_length] if text else None


QUESTION_TYPES = {"choice": Choice, "scale": Scale, "yesno": YesNo, "multi": Multi, "text": Text}


def _numeric_scale(options) -> bool:
    """Options that are a run of whole numbers are asked as "a number from X to Y".

    A short run from 1 is listed instead: there, the number beside an option is its value anyway.
    """
    if not options or not all(o.value.lstrip("-").isdigit() for o in options):
        return False
    values = [int(o.value) for o in options]
    run = values == list(range(values[0], values[0] + len(values)))
    return run and (len(values) > 6 or values[0] != 1)


def prompt_text(question: Question, sms: bool) -> str:
    """How the question is put: its words, its numbered options, and whether it can be skipped."""
    text = question.sms_text if sms and question.sms_text else question.text
    options = question.options
    if _numeric_scale(options):
        lines = [texts.scale_hint(options[0].label, options[-1].label)]
    elif options:
        lines = [QUESTION_TYPES[question.type].hint] + [f"{n} {o.label}" for n, o in enumerate(options, 1)]
    else:
        lines = []
    if question.optional:
        lines.append(texts.SKIP_HINT)
    return "\n".join([text, *lines]) if lines else text


def retry_text(question: Question) -> str:
    """What to reply with when a reply could not be read."""
    options = question.options
    if _numeric_scale(options):
        return texts.scale_retry(options[0].value, options[-1].value)
    if question.type == "multi":
        body = [texts.MULTI_RETRY]
    elif options:
        body = [texts.choice_retry(len(options))]
    else:
        return texts.TEXT_RETRY
    return "\n".join(body + [f"{n} {o.label}" for n, o in enumerate(options, 1)])


def buttons(question: Question) -> tuple[tuple[str, str], ...]:
    """Telegram buttons: (label, the reply they send)."""
    if question.type == "multi" or not question.options:
        return ()
    if _numeric_scale(question.options):
        return tuple((o.value, o.value) for o in question.options)
    return tuple((f"{n} {o.label}", str(n)) for n, o in enumerate(question.options, 1))

