"""Every reserved word, in one place: they mean the same on every channel and in every survey.

A survey file cannot take any of them as its keyword (`yoursay surveys check` refuses it).
A message is compared with them, and with a question's options, as normalise() makes it.
"""
from __future__ import annotations

import re


def normalise(text: str) -> str:
    """Lower case, apostrophes dropped, punctuation to spaces, spaces folded."""
    text = text.lower().replace("'", "").replace("\u2019", "")
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


STOP_WORDS = frozenset({"stop", "stopall", "unsubscribe", "cancel", "end", "quit", "/stop",
                        "stop texting me", "stop messaging me", "stop all", "unsubscribe me", "please stop",
                        "stop please", "stop it", "stop now"})
START_WORDS = frozenset({"start", "yes", "unstop", "/start"})
HELP_WORDS = frozenset({"help", "info", "/help"})
SKIP_WORDS = frozenset({"skip", "pass", "no comment", "rather not say", "prefer not to say", "next"})
BACK_WORDS = frozenset({"back", "go back", "previous"})
CARRY_ON_WORDS = frozenset({"carry on", "continue", "resume", "go on", "carryon"})

# Getting involved (bot/participation.py): these start or steer it from anywhere.
LIST_WORDS = frozenset({"join", "opportunities", "opportunity", "get involved", "/join", "/opportunities"})
ALERT_WORDS = frozenset({"alerts", "alert", "/alerts"})
MY_DATA_WORDS = frozenset({"my data", "/mydata"})
DELETE_WORDS = frozenset({"delete my data", "/deletemydata", "delete me", "erase my data"})
WITHDRAW_WORDS = frozenset({"withdraw", "/withdraw"})
SIGNUP_WORDS = frozenset({"sign up", "signup", "sign me up", "/signup"})
MORE_WORDS = frozenset({"more", "more please", "/more"})
LIST_PREFIXES = frozenset({"join", "opportunities", "/join"})  # "JOIN LEEDS": opportunities in an area
PARTICIPATION_WORDS = (LIST_WORDS | ALERT_WORDS | MY_DATA_WORDS | DELETE_WORDS | WITHDRAW_WORDS | SIGNUP_WORDS
                       | MORE_WORDS)

RESERVED = (PARTICIPATION_WORDS | STOP_WORDS | START_WORDS | HELP_WORDS | SKIP_WORDS | BACK_WORDS | CARRY_ON_WORDS
            | {"no"})

# STOP said in a person's own words: short, and about the messages themselves ("please stop
# texting me", "don't text me again", "take me off your list"); never a sentence that only mentions stopping.
_STOP_SAID = re.compile(
    r"(?:please |pls |plz )?(?:"
    r"(?:stop|quit|end) (?:texting|messaging|contacting|sending|txting|msging|text|message|messaging)(?: me| us)?"
    r"(?: (?:texts|messages))?(?: now| please| pls| plz| thanks| thank you| again| any ?more)*"
    r"|(?:don t|dont|do not|never) (?:text|message|contact|msg|txt) (?:me|us)(?: (?:again|any ?more|ever))*"
    r"|no more (?:texts|messages|msgs)(?: please| thanks| thank you)?"
    r"|(?:take|remove) (?:me|my number) (?:off|from) (?:your|the|this) (?:list|system|database|texts)"
    r"|remove my number|unsubscribe me|opt me out|opt out)"
    r"(?: please| pls| plz| thanks| thank you)?")


STOP_SAID_WORDS = 10  # a request to stop is short; a longer message that mentions stopping is about something else
_STOP_VERBS = frozenset({"stop", "stopp", "stopit", "unsubscribe", "unsub", "quit", "optout", "opt out", "opt me out",
                         "leave me alone", "go away"})
# Words that may come before the stop verb without changing what it means ("pls", "no", "enough,", "wrong number,").
_LEAD = re.compile(r"(?:(?:please|pls|plz|no|ok|okay|oh|just|enough|so|now|right|yes|yeah|sorry|hi|hello|oi|god"
                   r"|can you|could you|will you|would you|i said|i want to|i wanna|i would like to|id like to"
                   r"|wrong (?:number|person|no))(?: |$))*")
# Stopping what, if the words after the verb say: these ask to stop the messages ("stop sending me these").
_ABOUT_MESSAGES = frozenset({"texting", "messaging", "sending", "contacting", "txting", "msging", "texing", "calling",
                             "ringing", "emailing", "asking", "bothering", "pestering", "spamming", "harassing"})
_MESSAGES = re.compile(r"\b(?:texts?|txts?|messages?|msgs?|sms|surveys?|questions|reminders|notifications|number"
                       r"|texting|messaging|sending|contacting)\b")
_OBJECT = frozenset({"my", "the", "his", "her", "their", "them", "him", "people", "staff", "a", "an", "your", "ur",
                     "these", "this", "that", "those", "all", "everyone", "us", "being"})
# Anywhere in a short message: not wanting the texts at all.
_NOT_WANTED = re.compile(
    r"\b(?:(?:i )?(?:dont|do not|don t|dnt) (?:want|need)(?: to (?:get|receive|be sent|have))?"
    r"(?: (?:these|your|ur|any|more|any ?more|the|them|this|those|such))*(?: (?:stupid|bloody))?"
    r" (?:texts|txts|messages|msgs|surveys)"
    r"|no more (?:texts|txts|messages|msgs|surveys))\b")


def _asks_to_stop(word: str) -> bool:
    """The message's main verb is a stop verb: first after the lead words, or last ("enough, stop")."""
    rest = word[_LEAD.match(word).end():]
    verb = next((v for v in sorted(_STOP_VERBS, key=len, reverse=True) if rest == v or rest.startswith(v + " ")),
                None)
    if verb is None:
        return False
    after = rest[len(verb):].split()
    if not after:
        return True
    if after[0].endswith("ing") and len(after[0]) > 4:  # "stop changing my meds": stopping something else
        return after[0] in _ABOUT_MESSAGES
    if after[0] in _OBJECT and len(after) > 1:  # "stop my meds" is not about us; "stop the texts" is
        return _MESSAGES.search(" ".join(after)) is not None
    return True


def is_stop(word: str) -> bool:
    """STOP, or a short request in plain words to stop the messages (word: the normalised text).

    By the message's kind, not a list: a stop verb as its main verb ("pls stop", "stop I've changed my mind",
    "leave me alone"), or not wanting the texts ("I don't want these texts"). A sentence that only mentions
    stopping ("I had to stop", "stop changing my meds", "they never stop messaging me") is not STOP.
    """
    if word in STOP_WORDS:
        return True
    if not word or len(word.split()) > STOP_SAID_WORDS:
        return False
    return (_STOP_SAID.fullmatch(word) is not None or _asks_to_stop(word)
            or _NOT_WANTED.search(word) is not None)


# --- one typo: "Feedbak", "Oaklnds" --------------------------------------------------------------

TYPO_MIN = 6  # a word this long may carry one typo and still be known; a shorter one must be exact


def one_typo(typed: str, meant: str) -> bool:
    """Whether `typed` is `meant` with one letter added, dropped, changed, or two side by side swapped
    (Damerau-Levenshtein distance 1); only for words of TYPO_MIN letters or more, and never exact."""
    if typed == meant or min(len(typed), len(meant)) < TYPO_MIN - 1 or len(meant) < TYPO_MIN \
            or abs(len(typed) - len(meant)) > 1:
        return False
    start = next((i for i, (a, b) in enumerate(zip(typed, meant)) if a != b), min(len(typed), len(meant)))
    a, b = typed[start:], meant[start:]
    if len(a) == len(b):
        return a[1:] == b[1:] or (len(a) >= 2 and a[0] == b[1] and a[1] == b[0] and a[2:] == b[2:])
    return a[1:] == b if len(a) > len(b) else a == b[1:]


def near_reserved(typed: str) -> bool:
    """Whether a word is, or is one typo from, a reserved word: then it may not be read as a typo of anything else."""
    return typed in RESERVED or is_stop(typed) or any(one_typo(typed, w) for w in RESERVED)
