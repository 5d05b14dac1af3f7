"""People's own words: which messages are stories, and which are later parts of one still open.

Pure, like the engine: no I/O and no clock (the caller passes the time). A story is kept as any
free-text answer is (held encrypted, then written in a shuffled batch: storage/pending.py). What
this module keeps is a small note in the contact's state, so that later parts can join it:

    state["story"]  = {"ref": the held response's reference, "q": the question it answers,
                       "service": its service or None, "at": when its last part came,
                       "until": when it closes, "chars": its length so far}
    state["recent"] = {"service": code, "until": when it is forgotten}

A story stays open (its response is not sealed) until the join window has passed since its last
part; a recent service is remembered for a while after a conversation about it ends, so that a
story sent later is filed with it. Neither links the story to any earlier answers.
"""
from __future__ import annotations

import re
from datetime import datetime, timedelta

SURVEY = "story"  # bot/survey_files/story.yaml: where words sent outside a survey are filed
SPLIT_GAP = timedelta(seconds=15)  # the parts of one long SMS, split by the phone, come seconds apart
LIMIT = 10_000  # characters in one story, all its parts joined; a part that would pass it starts a new one
JOINER = " "  # between two parts

MIN_WORDS, MIN_LETTERS = 4, 15  # less than this, after greetings and thanks, is not a story
QUESTION_WORDS = 8  # a question to the bot is short: "who is this?", "is this the mental health team?"

_WORD = re.compile(r"[^\W\d_]+(?:['\u2019][^\W\d_]+)*")  # a run of letters, in any alphabet
# Words that open or close a message without telling anything: greetings, thanks, yes and no, sign-offs.
_COURTESY = frozenset({
    "hi", "hello", "hey", "hiya", "heya", "hallo", "yo", "morning", "afternoon", "evening", "dear",
    "thanks", "thank", "thankyou", "thanx", "thx", "ty", "tq", "cheers", "ta", "appreciated",
    "ok", "okay", "okey", "k", "kk", "yes", "yeah", "yea", "yep", "yup", "no", "nope", "nah", "sure", "alright",
    "please", "pls", "plz", "sorry", "soz", "bye", "goodbye", "cya", "x", "xx", "xxx", "lol", "haha"})
# Words that go with those ("thank you so much for your help", "hi there all"), dropped only beside them.
_WITH_COURTESY = frozenset({"you", "u", "ya", "so", "very", "much", "lot", "loads", "for", "your", "ur",
                            "help", "there", "all", "everyone", "team", "again", "a", "good", "kind", "regards"})
_ASKING = frozenset({"who", "whos", "what", "whats", "why", "how", "where", "when", "which", "is", "are", "r",
                     "can", "could", "do", "does", "did", "will", "would", "may"})
# What a question to the bot is about: the bot, this number, someone to talk to.
_THE_BOT = frozenset({"you", "u", "ya", "ur", "your", "this", "that", "it", "yoursay", "bot", "number",
                      "someone", "anyone", "somebody", "anybody", "person", "human", "real"})


def words(text: str) -> list[str]:
    """The words of a message, lower case, in any alphabet; numbers and emoji are not words."""
    return [w.lower().replace("\u2019", "'") for w in _WORD.findall(text)]


def _trim(said: list[str]) -> list[str]:
    """The words without a run of greetings or thanks at either end (a run needs one courtesy word)."""
    def run(ws: list[str]) -> int:
        n = 0
        while n < len(ws) and (ws[n] in _COURTESY or ws[n] in _WITH_COURTESY):
            n += 1
        return n if any(w in _COURTESY for w in ws[:n]) else 0
    said = said[run(said):]
    return said[:len(said) - run(said[::-1])]


def asks_the_bot(text: str) -> bool:
    """A short question about the bot or this number ("who is this?", "can I talk to someone?")."""
    said = _trim(words(text))
    asking = text.rstrip().endswith("?") or bool(said) and said[0].replace("'", "") in _ASKING
    return asking and 0 < len(said) <= QUESTION_WORDS and any(w in _THE_BOT for w in said)


# What a message that is not an answer asks of us, by its kind (kind_of): some we cannot act on.
WRONG_NUMBER, WHO, INVOLVED, REQUEST = "wrong number", "who", "involved", "request"
ASKS_WORDS = 12  # "how can I get involved?": short, or they are telling us something
WRONG_WORDS = 6  # "sorry, you have the wrong number"; "they had the wrong number for my GP" tells us something
_WRONG = re.compile(r"\bwrong (?:number|no|person|phone|mobile)\b|\bnot (?:the right|my) (?:number|person)\b")
_INVOLVED = re.compile(r"\b(?:get|getting|be|become|being|got) involved\b|\bvolunteer(?:ing)?\b")
# A request: asking someone to do something, or how to, rather than telling us ("I want to say ..." tells us).
_REQUEST = re.compile(
    r"(?:^| )(?:(?:can|could|would|will|cn) (?:you|u|someone|somebody|anyone|i|we|my)"
    r"|please (?:can|could|would)|pls (?:can|could)"
    r"|(?:i|we|id|wed) (?:really |just )?(?:want|need|would like|like|wanna|wish|have) to"
    r" (?!say|tell|thank|share|let|give|praise|add|mention|express|leave|feed|point|report back)"
    r"|(?:how|where|who|when) (?:do|can|should|would|could) (?:i|we|my)"
    r"|i (?:dont|do not|don t) (?:understand|know what|get what))")


def _asking(text: str, said: list[str]) -> bool:
    return text.rstrip().endswith("?") or bool(said) and said[0].replace("'", "") in _ASKING


def kind_of(text: str) -> str | None:
    """What a message asks of us, by its kind: WRONG_NUMBER ("sorry, wrong number"), WHO ("who is this?", "how did
    you get my number"), INVOLVED ("how can I get involved?"), REQUEST (a question or a request we cannot act on:
    "can you pass a message to my care coordinator", "I need to cancel my appointment"), or None."""
    said = _trim(words(text))
    plain = " ".join(w.replace("'", "") for w in said)
    asking, request = _asking(text, said), _REQUEST.search(plain) is not None
    if _WRONG.search(plain) and len(said) <= WRONG_WORDS:
        return WRONG_NUMBER
    if _INVOLVED.search(plain) and (asking or request) and len(said) <= ASKS_WORDS:
        return INVOLVED
    if asks_the_bot(text) and not request:
        return WHO
    return REQUEST if (asking or request) and len(said) >= 2 else None


def is_story(text: str) -> bool:
    """Whether a message tells us something, by its kind: enough words and letters once greetings and
    thanks are set aside, and not a short question to the bot. Bare numbers, emoji, "hi", "thanks so
    much", "ok will do", "who is this?" are not stories; "the staff were rude to me" is."""
    said = _trim(words(text))
    return (len(said) >= MIN_WORDS and sum(len(w) for w in said) >= MIN_LETTERS and not asks_the_bot(text))


# --- the state's notes -----------------------------------------------------------------------

def _due(note: dict | None, now: datetime) -> bool:
    return not note or datetime.fromisoformat(note["until"]) <= now


def open_story(state: dict, now: datetime) -> dict | None:
    """The story this person may still be adding to, if its window has not passed."""
    story = state.get("story")
    return None if _due(story, now) else story


def recent_service(state: dict, now: datetime) -> str | None:
    """The service of a conversation that ended recently, while it is remembered."""
    recent = state.get("recent")
    return None if _due(recent, now) else recent.get("service")


def opened(ref: str, question_id: str, service: str | None, chars: int, now: datetime, window: timedelta) -> dict:
    """A story just given (a free-text answer, or words sent outside a survey), open for its later parts."""
    return {"ref": ref, "q": question_id, "service": service, "at": now.isoformat(),
            "until": (now + window).isoformat(), "chars": chars}


def joined(story: dict, chars: int, now: datetime, window: timedelta) -> dict:
    """The story once a part of `chars` characters has joined it: open for the window again."""
    return {**story, "at": now.isoformat(), "until": (now + window).isoformat(),
            "chars": story["chars"] + len(JOINER) + chars}


def fits(story: dict, part: str) -> bool:
    return story["chars"] + len(JOINER) + len(part) <= LIMIT


def soon(story: dict, now: datetime) -> bool:
    """Whether a message comes so soon after the story's last part that it is one message split in parts."""
    return now - datetime.fromisoformat(story["at"]) <= SPLIT_GAP


def is_part(story: dict, text: str, now: datetime, expecting: bool) -> bool:
    """Whether a message is a later part of an open story.

    `expecting` says the bot is waiting for words that would answer something else (a free-text
    question, "Did you mean ...?", a step of signing up, a paused survey): there only a part that
    comes seconds after the last one joins. Elsewhere (nothing under way, or a choice question the message does not
    answer) a message that reads as a story joins too.
    """
    said = words(text)
    if not text.strip() or said and not _trim(said):  # a "thanks" or "ok" after it is not a part of it
        return False
    return soon(story, now) or not expecting and is_story(text)


def ended(state: dict, now: datetime, remember: timedelta) -> dict:
    """What stays of a state when its conversation ends: an open story, and the recent service."""
    kept = {}
    if open_story(state, now):
        kept["story"] = state["story"]
    service = state.get("service") if state.get("step") == "question" else None
    if service and remember > timedelta(0):
        kept["recent"] = {"service": service, "until": (now + remember).isoformat()}
    elif recent_service(state, now):
        kept["recent"] = state["recent"]
    return kept


def follow(before: dict, after: dict, answered: tuple[str, str, str | None, int] | None, now: datetime,
           window: timedelta, remember: timedelta) -> dict:
    """The state after a message, with its story and recent service carried over.

    `answered` is (ref, question, service, length) of a free-text answer just given: it opens a
    story for its later parts. An open story and a recent service outlive the end of a
    conversation; a new conversation, STOP, or their time passing ends them.
    """
    state = dict(after)
    idle = not state.get("step") and not state.get("opted_out")
    if answered and window > timedelta(0):
        state["story"] = opened(*answered, now, window)
    elif "story" not in state and idle and open_story(before, now):
        state["story"] = before["story"]
    if idle and "recent" not in state:
        state.update({k: v for k, v in ended(before, now, remember).items() if k == "recent"})
    for key in ("story", "recent"):
        if key in state and _due(state[key], now):
            del state[key]
    return state


def held(state: dict) -> set[str]:
    """The references whose answers this state still holds open: its survey's, its story's, and any an invitation
    sent meanwhile took the place of (outbox.delivery.record_sent), until they are sealed."""
    return {ref for ref in (state.get("ref"), (state.get("story") or {}).get("ref"), *state.get("superseded", ()))
            if ref}


def tidy(state: dict, now: datetime) -> dict:
    """The state without a story or recent service whose time has passed, or answers an invitation replaced."""
    return {k: v for k, v in state.items()
            if k != "superseded" and (k not in ("story", "recent") or not _due(v, now))}


def under_way(state: dict) -> bool:
    """Whether a state holds something the scheduled jobs must come back to."""
    return bool(state.get("step") or state.get("story") or state.get("recent"))
