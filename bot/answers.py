"""Question types: how each one is asked, and how a reply to it is read (the wording is in bot/texts.py).

A reply is read the way people write it (bot/reading.py): the number beside an option, its words,
its synonyms from the survey file, everyday spellings ("gud", "v gd"), hedges ("tbh", "I guess"),
an answer with words after it ("2 and the staff were lovely": the rest is kept as the why) or
before it ("sorry was at work. 4"). A reading that may be wrong (a survey file's `maybe` words,
"not bad", an emoji, "I'd give it a 4") is not sure: the engine asks "Did you mean ...?" first.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from bot import reading, texts
from bot.flow import Option, Question
from bot.keywords import normalise
from bot.reading import Token, is_number, starts_with

YES = ("yes", "y", "yeah", "yep", "yes please", "ok", "okay", "sure")
NO = ("no", "n", "nope", "no thanks", "not really")
PREFER_NOT = ("prefer not to say", "prefer not", "rather not say", "id rather not say")
# At "Did you mean ...?": what confirms it, and what asks for the question again. "iawn" and "na"
# are Welsh yes and no as HMRC words them (github.com/hmrc/feedback-frontend, conf/messages.cy:
# site.yes = Iawn, site.no = Na).
CONFIRM_YES = YES + ("correct", "yes correct", "thats right", "yes thats right", "right", "thats it", "aye",
                     "yes it was", "thumbs up", "iawn")
CONFIRM_NO = NO + ("wrong", "thats wrong", "no thats wrong", "no its not", "thumbs down", "na")
looks_foreign = reading.looks_foreign  # a reply that could not be read at all: another script or alphabet


@dataclass(frozen=True)
class Reading:
    """What a reply says: an option's value, the person's words after it, and whether to ask first."""

    value: str
    rest: str = ""  # words that came with the answer, kept as the why (bot/engine.py)
    sure: bool = True  # False: "Did you mean ...?" before it is recorded


@dataclass(frozen=True)
class _Sense:
    value: str
    sure: bool
    rank: int  # 0 the label, 1 a synonym, 2 a `maybe` word: the first wins where two give the same words


def _vocabulary(phrases) -> frozenset[str]:
    return frozenset(reading.fold(m.group()) for p in phrases for m in re.finditer(r"[^\W_]+(?:['\u2019][^\W_]+)*", p))


@functools.lru_cache(maxsize=256)
def _table(options) -> tuple[dict[tuple[str, ...], _Sense], frozenset[str], tuple[str, ...]]:
    """Each option's words (label, synonyms, maybe) as tokens, to what they mean; built once per question.

    Also the words the question knows (never respelled), and where two options claim the same words."""
    known = _vocabulary(p for o in options for p in (o.label, *o.synonyms, *o.maybe))
    table: dict[tuple[str, ...], _Sense] = {}
    ambiguous: set[tuple[str, ...]] = set()
    clashing: list[str] = []
    for option in options:
        for rank, phrases in enumerate(((option.label,), option.synonyms, option.maybe)):
            for phrase in phrases:
                ws = reading.words(phrase, known)
                if not ws:
                    continue
                sense, before = _Sense(option.value, rank < 2, rank), table.get(ws)
                if before is None or before.rank > rank:
                    table[ws] = sense
                    ambiguous.discard(ws)
                elif before.rank == rank and before.value != option.value:
                    ambiguous.add(ws)
                    clashing.append(f"{phrase!r} is given for both {before.value!r} and {option.value!r}")
    for ws in ambiguous:
        table.pop(ws, None)
    for ws, sense in _parts(options, known).items():
        table.setdefault(ws, sense)
    return table, known, tuple(clashing)


# Words too common to pick out one option on their own ("to some extent" does; "to" does not).
_COMMON = frozenset("""a an and any as be been but by did does for have i in it its me my no not of on or other
say the them they this to was were with would yes you your""".split())


def _parts(options, known: frozenset[str]) -> dict[tuple[str, ...], _Sense]:
    """Words from the middle or end of one option's label that no other label has: "to some extent" is
    "Yes, to some extent". Two words or more are sure; one word is asked about first ("definitely")."""
    owners: dict[tuple[str, ...], set[str]] = {}
    for option in options:
        ws = reading.words(option.label, known)
        for start in range(len(ws)):
            for end in range(start + 1, len(ws) + 1):
                if (start, end) != (0, len(ws)):
                    owners.setdefault(ws[start:end], set()).add(option.value)
    return {part: _Sense(next(iter(values)), len(part) > 1, 3) for part, values in owners.items()
            if len(values) == 1 and not any(is_number(w) for w in part) and not all(w in _COMMON for w in part)
            and (len(part) > 1 or len(part[0]) >= 4)}


def clashes(options) -> list[str]:
    """Words two options of one question both claim, and synonyms that are only a number (for the survey check)."""
    found = list(_table(tuple(options))[2])
    for option in options:
        for phrase in (*option.synonyms, *option.maybe):
            ws = reading.words(phrase)
            if len(ws) == 1 and is_number(ws[0]):
                found.append(f"{phrase!r} (of {option.label!r}) is a number, which means the option with that number")
    return found


def _by_number(question: Question, word: str) -> str | None:
    """The option a number means: its value on a numeric scale, else its place in the list."""
    options = question.options
    if _numeric_scale(options):
        return word if word in {o.value for o in options} else None
    number = int(word.lstrip("-"))
    return options[number - 1].value if 1 <= number <= len(options) else None


def _whole(question: Question, table, ws: tuple[str, ...]) -> _Sense | None:
    """What the words mean when they are all of the answer (said once, or repeated: "good good", two emoji)."""
    if len(ws) == 1 and is_number(ws[0]):
        value = _by_number(question, ws[0])
        return _Sense(value, True, 0) if value is not None else None
    for size in range(1, len(ws) + 1):
        if len(ws) % size == 0 and ws == ws[:size] * (len(ws) // size) and ws[:size] in table:
            return table[ws[:size]]
    return None


def _longest(table, ws: tuple[str, ...]) -> tuple[str, ...] | None:
    found = [p for p in table if len(p) < len(ws) and starts_with(ws, p) and len("".join(p)) > 1]
    return max(found, key=len) if found else None


def _echo(table, question: Question, rest: list[Token]) -> _Sense | None:
    """What the words after an answer mean, when they are themselves an answer ("yes and no", "no not really")."""
    ws = tuple(t.word for t in rest)
    if ws and ws[0] in reading.CONNECTORS:
        ws = ws[1:]
    return _whole(question, table, ws) if ws else None


def _kept(table, question: Question, text: str, after: list[Token], value: str) -> str | None:
    """The words after an answer, kept as the why; None if they are another answer, "" if the same one again."""
    echo = _echo(table, question, after)
    if echo is not None:
        return None if echo.value != value else ""
    return reading.rest_from(text, after)


def _after_number(question: Question, table, text: str, front: list[Token]) -> Reading | None:
    """An answer that starts with its number: "4.", "5 - very poor", "2 and the staff were lovely"."""
    value = _by_number(question, front[0].word)
    if value is None:
        return None
    after = front[1:]
    options = question.options
    if after and _numeric_scale(options):
        top = options[-1].value
        ws = tuple(t.word for t in after)
        cut = 3 if starts_with(ws, ("out", "of", top)) else 1 if ws[0] == top else 0
        after = after[cut:]
    if after and after[0].word in reading.UNITS:
        return None  # "2 weeks waiting": a story, not an answer
    if after and is_number(after[0].word):
        if after[0].word != front[0].word:
            return None
        after = after[1:]  # sent twice: "5 5"
    after, against = _emoji_after(question, text, after, value)
    ws = tuple(t.word for t in after)
    phrase = _longest(table, ws) if ws else None
    if ws in table or phrase:
        sense = table[ws] if ws in table else table[phrase]
        after = after[len(ws) if ws in table else len(phrase):]
        if sense.value != value:  # "1 - very poor": a number that contradicts its words is asked about, never guessed
            rest = reading.rest_from(text, after)
            return Reading(sense.value if sense.rank < 2 else value, rest, sure=False)
    rest = _kept(table, question, text, after, value)
    if rest is None:
        return None
    said = against or _contradicted(question, table, after, value)
    return Reading(said, rest, sure=False) if said else Reading(value, rest)


def _after_words(question: Question, table, text: str, front: list[Token]) -> Reading | None:
    """An answer that starts with its words: "good, the staff were lovely", "not bad but slow"."""
    ws = tuple(t.word for t in front)
    if any(starts_with(ws, p) for p in reading.NOT_ANSWERS):
        return None
    phrase = _longest(table, ws)
    if phrase is None:
        return None
    sense, after = table[phrase], front[len(phrase):]
    if is_number(after[0].word):
        if _by_number(question, after[0].word) != sense.value:
            return None
        after = after[1:]
    after, against = _emoji_after(question, text, after, sense.value)
    rest = _kept(table, question, text, after, sense.value)
    return Reading(sense.value, rest, sense.sure and not against) if rest is not None else None


def _leaning(question: Question, value: str) -> int:
    """Whether an option is for (+1) or against (-1), from its label's words ("Very good", "Dissatisfied", "No")."""
    label = next((o.label for o in question.options if o.value == value), "")
    return reading.label_leaning(reading.words(label))


def _emoji_after(question: Question, text: str, after: list[Token], value: str) -> tuple[list[Token], str]:
    """Emoji at the end of an answer ("Very good 😀") go with it; if they say the opposite ("Very good 😡"),
    the answer is asked about (its value is returned as what to ask)."""
    end = len(after)
    while end and reading.is_emoji(text, after[end - 1]):
        end -= 1
    if end == len(after) or (end and after[end - 1].end == after[-1].end):
        return after, ""
    mood, leans = reading.leaning(tuple(t.word for t in after[end:])), _leaning(question, value)
    return after[:end], value if mood and leans and mood != leans else ""


def _contradicted(question: Question, table, after: list[Token], value: str) -> str:
    """The answer to ask about when the words with a number clearly say otherwise: another option's label
    ("1 being very poor": that option), or strong words the other way ("5 - they were excellent": the number's).
    Words after "but" are a contrast, not a contradiction ("2 but the food was awful")."""
    ws = tuple(t.word for t in after)
    cut = next((i for i, w in enumerate(ws) if w in reading.CONTRASTS), len(ws))
    ws, leans = ws[:cut], _leaning(question, value)
    labels = {reading.words(o.label, _table(question.options)[1]): o.value for o in question.options}
    i, named = 0, set()
    while i < len(ws):
        phrase = max((p for p in table if ws[i:i + len(p)] == p), key=len, default=None)
        if phrase is None:
            i += 1
            continue
        negated = i and ws[i - 1] in reading.NEGATORS
        if phrase in labels and not negated:
            named.add(labels[phrase])
        i += len(phrase)
    if value in named:
        return ""
    others = [v for v in named if v != value]
    if len(others) == 1:
        return others[0]
    mood = reading.leaning(ws)
    return value if mood and leans and mood != leans else ""


def corrected(question: Question, text: str) -> str | None:
    """The part of a reply that answers this question again, when the reply says an answer was a slip
    ("wait no i meant 4 sorry", "sorry pressed wrong one, meant 2", "4 not 5"); None if it does not."""
    known = _table(question.options)[1]
    toks = reading.tokens(text, known)
    slips = reading.slips(toks)
    if not slips:
        return None
    blank = list(text)
    for start, end in slips:  # the slip words are not the answer: "i meant 4 not 5" is "4"
        for k in range(toks[start].start, toks[end - 1].end):
            blank[k] = " "
    cleaned = "".join(blank)
    pieces = [cleaned[toks[end].start:] for _, end in reversed(slips) if end < len(toks)]
    pieces.append(cleaned[:toks[slips[0][0]].start])
    for piece in pieces:
        found = QUESTION_TYPES[question.type].read(question, piece) if piece.strip(" .,!?-") else None
        if found is not None:
            return piece.strip()
    return None


def thanks_only(text: str) -> bool:
    """True when a reply is only thanks or an OK ("thanks", "thank you x", "ok"): at a free-text question, no answer."""
    return reading.only_thanks(reading.tokens(text))


def _at_the_end(question: Question, text: str, toks: list[Token]) -> Reading | None:
    """An answer after an apology or a greeting ("sorry was at work. 4"), or a rating ("I'd give it a 4")."""
    ws = [t.word for t in toks]
    excuse = bool(set(ws) & reading.APOLOGIES) or ws[0] in reading.GREETINGS
    breaks = [i for i in range(1, len(toks)) if reading.broken_before(text, toks, i)]
    before = toks[:breaks[-1]] if breaks else toks[:-1]
    kept = text[:toks[breaks[-1]].start].strip(" .,!?:;-\n") if breaks and len(before) > 6 else ""
    if excuse and breaks:
        last = _read(question, text[toks[breaks[-1]].start:], ends=False)
        if last is not None and not last.rest:
            return Reading(last.value, kept, last.sure)
    numbers = [w for w in ws if is_number(w)]
    if len(toks) < 2 or not is_number(ws[-1]) or len(numbers) > 1:
        return None
    value = _by_number(question, ws[-1])
    if value is None:
        return None
    if excuse:
        return Reading(value, kept)
    if set(ws) & reading.RATING:
        return Reading(value, "", sure=False)  # "I'd give it a 4": out of 5, or the 4th answer?
    return None


def _read(question: Question, text: str, ends: bool = True) -> Reading | None:
    table, known, _ = _table(question.options)
    toks = reading.tokens(text, known)
    if not toks:
        return None
    front = reading.front(toks)
    for core in _cores(toks):
        sense = _whole(question, table, tuple(t.word for t in core)) if core else None
        if sense is not None:
            return Reading(sense.value, "", sense.sure)
    if front and is_number(front[0].word):
        return _after_number(question, table, text, front)
    found = _after_words(question, table, text, front) if front else None
    if found is None and ends:
        found = _at_the_end(question, text, toks)
    return found


def _cores(toks: list[Token]) -> list[list[Token]]:
    """The reply, then ever less of it: the words before the answer taken off, then the hedges after it."""
    stages = reading.fronts(toks)
    return [*stages, *(core for stage in stages for core in reading.hedged(stage))]


def bare(question: Question, text: str) -> bool:
    """True when the reply is only an answer: its number or its words, with nothing said around them."""
    table, known, _ = _table(question.options)
    return any(core and _whole(question, table, tuple(t.word for t in core)) is not None
               for core in _cores(reading.tokens(text, known)))


def means(text: str, phrases) -> bool:
    """True when the reply is one of these phrases, however it is written ("Not sure sorry" is "not sure")."""
    wanted = {reading.words(p) for p in phrases}
    return any(tuple(t.word for t in core) in wanted for core in _cores(reading.tokens(text)))


def number_in(text: str) -> int | None:
    """The number a reply is, however it is written ("2", "2.", "number 2", "no 2 thanks"); None if it is not one."""
    for core in _cores(reading.tokens(text)):
        if len(core) == 1 and core[0].word.isdecimal():
            return int(core[0].word)
    return None


def read_choice(question: Question, text: str) -> Reading | None:
    """One option, however it is written; None if it cannot be read."""
    return _read(question, text)


def parse_choice(options, text: str) -> str | None:
    """The value of one option, when the whole reply is surely that option ("5 - very poor")."""
    found = read_choice(Question("q", "choice", "", options=tuple(options)), text)
    return found.value if found and found.sure and not found.rest else None


def parse_multi(options, text: str) -> str | None:
    """Several options by number ("1,3" or "1 3" or "1 and 3"), or one by its words."""
    norm = normalise(text)
    parts = [p for p in re.split(r"\s+(?:and\s+)?", norm) if p]
    if parts and all(p.isdigit() for p in parts):
        numbers = sorted({int(p) for p in parts})
        if all(1 <= n <= len(options) for n in numbers):
            return ",".join(options[n - 1].value for n in numbers)
        return None
    return None if re.search(r"\d", norm) else parse_choice(options, text)  # "1 and", "1,,x": not all read


def correction(question: Question, text: str) -> Reading | None:
    """At "Did you mean ...?": "no, 3" or "no it was very poor" is NO and another answer at once."""
    toks = reading.tokens(text, _table(question.options)[1])
    if len(toks) < 2 or confirmation(text[:toks[0].end]) is not False:
        return None
    found = QUESTION_TYPES[question.type].read(question, text[toks[1].start:])
    return found if found is not None and found.sure else None


def confirmation(text: str) -> bool | None:
    """At "Did you mean ...?": True for yes, False for no, None for anything else."""
    for core in _cores(reading.tokens(text)):
        ws = tuple(t.word for t in core)
        if ws in _confirm_words(True):
            return True
        if ws in _confirm_words(False):
            return False
    return None


@functools.cache
def _confirm_words(yes: bool) -> frozenset[tuple[str, ...]]:
    return frozenset(reading.words(w) for w in (CONFIRM_YES if yes else CONFIRM_NO))


class Choice:
    """One of a numbered list of options."""

    hint = texts.CHOICE_HINT

    @staticmethod
    def options(raw, where, errors, parse_options):
        return parse_options(raw.get("options"), where, errors)

    @staticmethod
    def read(question: Question, text: str) -> Reading | None:
        """A number from a numeric scale is the value itself; from a list, the number beside an option."""
        return read_choice(question, text)

    @classmethod
    def parse(cls, question: Question, text: str) -> str | None:
        """The value, when the reply is surely an answer (words after it or not)."""
        found = cls.read(question, text)
        return found.value if found and found.sure else None


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
        options = [Option("yes", texts.YES_LABEL, YES, ("thumbs up",)),
                   Option("no", texts.NO_LABEL, NO, ("thumbs down",))]
        if raw.get("prefer_not_to_say"):
            options.append(Option("prefer_not_to_say", texts.PREFER_NOT_LABEL, PREFER_NOT))
        return tuple(options)


class Multi(Choice):
    """Any number of options."""

    hint = texts.MULTI_HINT

    @staticmethod
    def read(question: Question, text: str) -> Reading | None:
        numbers = parse_multi(question.options, text)
        if numbers is not None:
            return Reading(numbers)
        found = None if re.search(r"\d", text) else read_choice(question, text)  # numbers are read as a list only
        return found if found is not None and not found.rest else None


class Text:
    """Free text, up to a maximum length."""

    hint = ""

    @staticmethod
    def options(raw, where, errors, parse_options):
        if raw.get("options"):
            errors.append(f"{where}: a text question has no options")
        return ()

    @staticmethod
    def read(question: Question, text: str) -> Reading | None:
        text = text.strip()
        return Reading(text[:question.max_length]) if text else None

    @staticmethod
    def parse(question: Question, text: str) -> str | None:
        found = Text.read(question, text)
        return found.value if found else None


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

