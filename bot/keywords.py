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


def is_stop(word: str) -> bool:
    """STOP, or a short request in plain words to stop the messages (word: the normalised text)."""
    return word in STOP_WORDS or (len(word.split()) <= 9 and _STOP_SAID.fullmatch(word) is not None)

