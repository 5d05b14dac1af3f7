"""How people write their answers: words with where they start, everyday spellings, hedges and emoji.

A reply is read as tokens (each a normalised word and its place in what was sent), so that an
answer can be found at the start or the end of a message and the rest kept in the person's own
words. Nothing here knows a survey: bot/answers.py matches the tokens with a question's options.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass


@dataclass(frozen=True)
class Token:
    word: str  # lower case, accents and apostrophes dropped, everyday spellings made standard
    start: int  # where it begins in the text as sent
    end: int


# Emoji, as the words a survey file can use for them (e.g. `maybe: [thumbs up]`).
EMOJI = {
    "\U0001F44D": "thumbs up", "\U0001F44C": "thumbs up", "\u270C": "thumbs up", "\U0001F64C": "thumbs up",
    "\U0001F44F": "thumbs up",
    "\U0001F44E": "thumbs down",
    "\u2764": "heart", "\u2665": "heart", "\U0001F496": "heart", "\U0001F495": "heart", "\U0001F497": "heart",
    "\U0001F49C": "heart", "\U0001F499": "heart", "\U0001F49A": "heart", "\U0001F49B": "heart", "\U0001F9E1": "heart",
    "\U0001F60D": "heart", "\U0001F970": "heart", "\U0001F618": "heart", "\U0001F929": "heart",
    "\U0001F60A": "smile", "\U0001F642": "smile", "\U0001F600": "smile", "\U0001F603": "smile", "\U0001F604": "smile",
    "\U0001F601": "smile", "\u263A": "smile", "\U0001F917": "smile", "\U0001F60C": "smile",
    "\u2B50": "star", "\U0001F31F": "star",
    "\U0001F610": "straight face", "\U0001F611": "straight face", "\U0001F636": "straight face",
    "\U0001F937": "shrug",
    "\U0001F641": "frown", "\u2639": "frown", "\U0001F615": "frown", "\U0001F61F": "frown", "\U0001F612": "frown",
    "\U0001F621": "angry face", "\U0001F620": "angry face", "\U0001F92C": "angry face", "\U0001F624": "angry face",
    "\U0001F622": "crying face", "\U0001F62D": "crying face", "\U0001F61E": "crying face", "\U0001F614": "crying face",
    "\U0001F629": "crying face", "\U0001F62B": "crying face",
    "\U0001F4A9": "poo", "\U0001F92E": "sick face", "\U0001F922": "sick face",
}

# Everyday spellings, made standard before anything is matched (both sides: replies and survey words).
SPELLINGS = {
    "gud": "good", "gd": "good", "goood": "good", "gooood": "good", "v": "very", "vv": "very", "vry": "very",
    "vgood": "very good", "vgud": "very good", "vgd": "very good", "verygood": "very good", "vpoor": "very poor",
    "vbad": "very bad", "verypoor": "very poor", "pr": "poor", "poorly": "poor", "bd": "bad",
    "yh": "yes", "yeh": "yes", "ye": "yes", "ya": "yes", "yea": "yes", "yeah": "yes", "yep": "yes", "yup": "yes",
    "yess": "yes", "nah": "no", "nope": "no", "naw": "no", "noo": "no",
    "def": "definitely", "defo": "definitely", "deffo": "definitely", "definately": "definitely",
    "definatly": "definitely", "defently": "definitely",
    "sumtimes": "sometimes", "sometime": "sometimes", "somtimes": "sometimes", "alwys": "always", "allways": "always",
    "wasnt": "not", "isnt": "not", "werent": "not", "wernt": "not", "aint": "not", "twasnt": "not",
    "dunno": "dont know", "idk": "dont know", "dnt": "dont", "abit": "a bit", "sorta": "sort of",
    "brill": "brilliant", "fab": "fabulous", "okay": "ok", "okey": "ok", "oki": "ok", "okk": "ok", "gr8": "great",
}

# Words around an answer that change nothing: dropped from the front, or from the end.
FILLERS = tuple(tuple(p.split()) for p in (
    "i think", "i guess", "i suppose", "i reckon", "i would say", "i d say", "id say", "probably", "prob", "maybe",
    "erm", "um", "umm", "hmm", "well", "oh", "so", "its", "it s", "it was", "it is", "it", "was", "that was", "thats",
    "overall", "honestly", "tbh", "to be honest", "my answer is", "answer", "option", "number", "the service was",
    "service was", "my experience was", "experience was", "on the whole", "all in all", "in general",
    "sorry", "soz", "sry", "apologies", "oops", "hi", "hello", "hiya", "hey", "ok so"))
BEFORE_NUMBER = (("no",), ("a",), ("its", "a"))  # "no 4", "a 4": dropped only when a number follows
HEDGES = tuple(tuple(p.split()) for p in (
    "tbh", "to be honest", "honestly", "i guess", "i suppose", "i think", "i reckon", "ish", "really", "overall",
    "lol", "x", "xx", "xxx", "thanks", "thank you", "thx", "ty", "cheers", "please", "mate", "at all", "definitely",
    "i would say", "id say", "i d say", "tho", "though", "on the whole", "all in all", "in general", "i think so",
    "sorry", "soz"))
CONNECTORS = frozenset({"and", "because", "cos", "coz", "cause", "cuz", "as", "since", "bc", "coss"})
APOLOGIES = frozenset({"sorry", "soz", "sry", "apologies", "apologise", "apologize", "oops"})
GREETINGS = frozenset({"hi", "hello", "hiya", "hey"})
RATING = frozenset({"give", "gave", "rate", "rating", "score", "say", "would"})
UNITS = frozenset({"weeks", "week", "days", "day", "hours", "hour", "hrs", "hr", "mins", "min", "minutes", "minute",
                   "months", "month", "years", "year", "yrs", "times", "time", "people", "nurses", "doctors", "am",
                   "pm", "oclock", "percent", "out", "stars", "star", "x", "of", "th", "st", "nd", "rd", "or", "to"})
NOT_ANSWERS = tuple(tuple(p.split()) for p in (
    "no one", "no body", "no idea", "no clue", "good morning", "good afternoon", "good evening", "good night",
    "good day", "no problem", "no worries", "no comment"))
# Whether words are for or against: an option's own (from its label, so no survey is named here), and the strong
# words people put beside an answer ("5 - they were excellent"). A negator flips the next few words ("not good").
LABEL_FOR = frozenset("""good better best satisfied likely definitely yes agree always easy helpful excellent
    positive happy""".split())
LABEL_AGAINST = frozenset("""poor bad worse worst dissatisfied unsatisfied unlikely no disagree never difficult
    unhelpful negative unhappy""".split())
STRONG_FOR = frozenset("""excellent brilliant amazing fantastic wonderful lovely superb outstanding perfect fabulous
    marvellous great best helpful kind caring supportive happy pleased grateful heart smile star""".split())
STRONG_AGAINST = frozenset("""terrible awful appalling dreadful horrible horrendous atrocious rubbish useless worst
    shocking rude disgusting disgraceful unhelpful uncaring unhappy disappointing disappointed angry frown crying poo
    sick""".split())
NEGATORS = frozenset("""not no never nothing nobody none without hardly dont didnt doesnt couldnt cant cannot
    wouldnt neither nor""".split())
CONTRASTS = frozenset({"but", "although", "though", "except", "apart", "however", "yet", "still", "just", "only"})
# Words that say an answer just given was a slip ("wait no I meant 4", "pressed the wrong one, 2", "should be 3").
SLIPS = tuple(tuple(p.split()) for p in (
    "meant", "mean", "mistake", "mistakenly", "accidentally", "accident", "typo", "correction", "wrong",
    "should be", "should have been", "shouldve been", "should of been", "supposed to be", "should say",
    "should have said", "shouldve said"))
# What may follow those words before the answer ("meant to say 4", "wrong one, 2").
SLIP_TAIL = frozenset("""one number button answer option choice key thing to say put press pressed type tap click
    hit pick choose it is was be been i""".split())
# A reply that is only thanks or an acknowledgement: at a free-text question, not an answer.
THANKS = tuple(tuple(p.split()) for p in (
    "thanks", "thank you", "thankyou", "thank u", "thx", "ty", "ta", "cheers", "ok", "k", "kk", "alright", "cool",
    "great", "lovely", "nice one", "many thanks", "thanks again", "much appreciated", "appreciated", "bye", "x", "xx",
    "xxx", "thats all", "thats it", "done", "no thanks", "nothing", "nothing else", "nope", "no", "n a"))
BREAKS = re.compile(r"[.!?,:;\n]|\s-\s")
_PIECE = re.compile(r"[^\W_]+(?:['\u2019][^\W_]+)*|\S", re.UNICODE)
_SPLIT = re.compile(r"(\d+)([a-z]+)$|([a-z]+)(\d+)$")
# Letters English never uses but the languages the risk check names do (nlp/risk/language.py has the same idea).
FOREIGN_LETTERS = frozenset("ąćęłńśźżăâîșțşţŵŷãõñ¿¡ğıőűųūėįšžčřůěďťľĺŕßøåæ")


def fold(word: str) -> str:
    """A word as it is compared: lower case, accents and apostrophes dropped."""
    word = unicodedata.normalize("NFKD", word.lower().replace("'", "").replace("\u2019", ""))
    return "".join(ch for ch in word if not unicodedata.combining(ch))


def _collapse(word: str) -> str:
    """Letters typed three or more times in a row ("goooood", "yesss") made two, then looked up."""
    return re.sub(r"([a-z])\1{2,}", r"\1\1", word)


def tokens(text: str, known: frozenset[str] = frozenset()) -> list[Token]:
    """The words of a reply, normalised, each with where it is in the text; emoji become their words."""
    out: list[Token] = []
    for match in _PIECE.finditer(text):
        piece, start, end = match.group(), match.start(), match.end()
        if piece in EMOJI:
            out += [Token(w, start, end) for w in EMOJI[piece].split()]
            continue
        if not piece[0].isalnum():
            continue
        word = fold(piece)
        if word.isdecimal() and start > 0 and text[start - 1] == "-" and (start == 1 or text[start - 2].isspace()):
            word = "-" + word  # "-2" on a scale below zero, but "5-very poor" is 5
        split = _SPLIT.match(word)
        if split and word not in SPELLINGS and word not in known:
            parts = [p for p in split.groups() if p]
            out += [Token(p, start, end) for p in parts]
            continue
        for w in _standard(word, known):
            out.append(Token(w, start, end))
    return out


def _standard(word: str, known: frozenset[str]) -> list[str]:
    if word in known:
        return [word]
    word = _collapse(word)
    if word in SPELLINGS:
        return SPELLINGS[word].split()
    if word.endswith("ish") and word[:-3] in known:  # "goodish"
        return [word[:-3], "ish"]
    if len(word) >= 4 and re.search(r"([a-z])\1$", word) and (word[:-1] in known or word[:-1] in SPELLINGS):
        return _standard(word[:-1], known)  # "yess", "nooo"
    return [word]


def words(text: str, known: frozenset[str] = frozenset()) -> tuple[str, ...]:
    return tuple(t.word for t in tokens(text, known))


def is_number(word: str) -> bool:
    return word.lstrip("-").isdecimal()


def starts_with(words_: tuple[str, ...], phrase: tuple[str, ...]) -> bool:
    return words_[:len(phrase)] == phrase


def fronts(toks: list[Token]) -> list[list[Token]]:
    """The reply with ever more of the words before an answer taken off ("I think", "its", "sorry", "number")."""
    found, current = [toks], toks
    while current:
        ws = tuple(t.word for t in current)
        cut = next((len(p) for p in FILLERS if starts_with(ws, p) and len(ws) > len(p)), 0)
        if not cut:
            cut = next((len(p) for p in BEFORE_NUMBER if starts_with(ws, p) and len(ws) > len(p)
                        and is_number(ws[len(p)])), 0)
        if not cut:
            break
        current = current[cut:]
        found.append(current)
    return found


def front(toks: list[Token]) -> list[Token]:
    """The reply without the words before an answer."""
    return fronts(toks)[-1]


def hedged(toks: list[Token]) -> list[list[Token]]:
    """The reply with ever more of the hedges after an answer taken off ("poor tbh", "good I guess x")."""
    found, current = [], toks
    while current:
        ws = tuple(t.word for t in current)
        cut = next((len(p) for p in HEDGES if len(ws) > len(p) and ws[-len(p):] == p), 0)
        if not cut:
            break
        current = current[:-cut]
        found.append(current)
    return found


def only_chatter(toks: list[Token]) -> bool:
    """True when the words are only hedges, thanks and kisses: nothing worth keeping as a story."""
    ws = tuple(t.word for t in toks)
    while ws:
        cut = next((len(p) for p in HEDGES + FILLERS if starts_with(ws, p)), 0)
        if not cut:
            return False
        ws = ws[cut:]
    return True


def rest_from(text: str, toks: list[Token]) -> str:
    """The person's own words from the first of these tokens on, without a leading "and" or "because"."""
    if not toks or only_chatter(toks):
        return ""
    if toks[0].word in CONNECTORS:
        toks = toks[1:]
        if not toks or only_chatter(toks):
            return ""
    return text[toks[0].start:].strip()


def polarity(ws: tuple[str, ...] | list[str], for_: frozenset[str], against: frozenset[str]) -> tuple[int, int]:
    """How many words are for and against, a negator flipping the words just after it ("not good": against)."""
    pro = con = 0
    flip = 0
    for i, w in enumerate(ws):
        if w == "thumbs" and i + 1 < len(ws) and ws[i + 1] in ("up", "down"):
            w = "heart" if ws[i + 1] == "up" else "frown"
        if w in for_ or w in against:
            if (w in for_) != bool(flip):
                pro += 1
            else:
                con += 1
            flip = 0
        if w in NEGATORS and w not in for_ and w not in against:
            flip = 3
        elif flip:
            flip -= 1
    return pro, con


def leaning(ws) -> int:
    """+1 when the words are plainly for, -1 plainly against, 0 when they are neither or both."""
    pro, con = polarity(ws, STRONG_FOR, STRONG_AGAINST)
    return (pro > 0) - (con > 0) if not (pro and con) else 0


def label_leaning(ws) -> int:
    """+1 an option whose label is for ("Very good", "Likely"), -1 against ("Poor", "No"), 0 in between."""
    pro, con = polarity(ws, LABEL_FOR | STRONG_FOR, LABEL_AGAINST | STRONG_AGAINST)
    return (pro > 0) - (con > 0) if not (pro and con) else 0


def is_emoji(text: str, token: Token) -> bool:
    return text[token.start:token.end] in EMOJI


def slips(toks: list[Token]) -> list[tuple[int, int]]:
    """Where a reply says its answer was a slip: (start, end) of each such phrase, with what follows it
    ("meant to say", "wrong one"); "not 5" is one too."""
    ws, found, i = tuple(t.word for t in toks), [], 0
    while i < len(ws):
        phrase = next((p for p in sorted(SLIPS, key=len, reverse=True) if ws[i:i + len(p)] == p), None)
        if phrase:
            end = i + len(phrase)
            while end < len(ws) and ws[end] in SLIP_TAIL:
                end += 1
            found.append((i, end))
            i = end
        elif ws[i] == "not" and i + 1 < len(ws) and is_number(ws[i + 1]):
            found.append((i, i + 2))
            i += 2
        else:
            i += 1
    return found


def only_thanks(toks: list[Token]) -> bool:
    """True when the words are only thanks, an OK or a goodbye (with hedges and kisses): no answer in them."""
    ws = tuple(t.word for t in toks)
    if not ws:
        return False
    while ws:
        cut = next((len(p) for p in sorted(THANKS + HEDGES + FILLERS, key=len, reverse=True) if starts_with(ws, p)), 0)
        if not cut:
            return False
        ws = ws[cut:]
    return True


def broken_before(text: str, toks: list[Token], index: int) -> bool:
    """True if a full stop, comma, dash or new line comes just before the token at index."""
    before = toks[index - 1].end if index else 0
    return bool(BREAKS.search(text[before:toks[index].start]))


def looks_foreign(text: str) -> bool:
    """True when a reply is plainly not English: mostly another script, or letters English never uses."""
    letters = [ch for ch in text if ch.isalpha()]
    if not letters:
        return False
    if sum(1 for ch in letters if not ch.isascii()) * 2 > len(letters):
        return True
    return any(ch in FOREIGN_LETTERS for ch in text.lower())
