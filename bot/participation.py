"""Getting involved: finding opportunities, signing up, alerts, and a person's own data.

Like the engine, this does no I/O. The caller loads a Snapshot (what is open, and what we
hold about this person) and carries out the effects. A reply is read by the handler of the
person's step (STEPS, at the end); every word said is in bot/texts.py. Every SMS fits 2 segments.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot import gsm7
from bot.answers import YES
from bot.keywords import (ALERT_WORDS, DELETE_WORDS, LIST_PREFIXES, LIST_WORDS, MORE_WORDS, MY_DATA_WORDS,
                          SIGNUP_WORDS, SKIP_WORDS, WITHDRAW_WORDS, normalise)
from bot.opportunities import TYPES
from bot.replies import Reply, Result
from bot.texts import (AGREE, ERASE_BUTTONS, MORE_BUTTON, SIGN_UP_BUTTON, WITHDRAW_BUTTONS, YES_NO, Texts,
                       alert_buttons)

PAGE = 3
MAX_LISTED = 60
ACTIVE = ("interested", "confirmed", "waiting")

KEYWORDS = LIST_WORDS | ALERT_WORDS | MY_DATA_WORDS | DELETE_WORDS | WITHDRAW_WORDS
EQUALITY_SURVEY = "about-you-participants"  # kept apart, month only: never linked to the participant
NONE_WORDS = frozenset({"none", "no", "n", "nothing", "na", "n a", "no thanks", "not really", "nope"}) | SKIP_WORDS
ERASE_WORDS = frozenset({"delete", "yes delete", "delete it", "delete them", "delete my data", "deletemydata"})

# A question at consent is known by its kind: a question mark, a question word first ("why do you need my name"),
# or a verb first that asks about one of the topics ("can I delete it later"). What it is about is told by the
# words it uses (the first topic that matches); a question about anything else gets "".
QUESTION_WORDS = frozenset({"what", "whats", "wat", "wot", "who", "whos", "why", "y", "how", "hows", "where",
                            "when", "which"})
ASKING_WORDS = frozenset({"can", "could", "do", "does", "did", "will", "would", "is", "are", "should", "may",
                          "shall", "have", "has"})
QUESTION_TOPICS = (
    ("delete", frozenset({"delete", "deleted", "deleting", "remove", "removed", "erase", "erased", "forget",
                          "later", "withdraw", "undo", "unsubscribe", "leave", "cancel", "mind", "rid", "wipe"})),
    ("see", frozenset({"see", "sees", "seen", "seeing", "share", "shared", "sharing", "shares", "access", "read",
                       "reads", "look", "looks", "view", "views", "who", "whos", "pass", "passed", "sell", "sold",
                       "show", "shown", "send", "sent", "anyone", "else", "private", "confidential", "safe"})),
    ("why", frozenset({"why", "y", "need", "needs", "needed", "want", "wants", "use", "used", "using", "purpose",
                       "reason", "point"})),
    ("keep", frozenset({"keep", "kept", "keeps", "keeping", "hold", "held", "holds", "store", "stored", "storing",
                        "save", "saved", "collect", "collected", "record", "recorded", "data", "info",
                        "information", "details"})),
)

# Yes and no in a person's own words, known by their kind: a word that says yes (or no) first, and nothing after it
# but words that go with it ("yes that's fine", "yeah go on", "ok yes"; "no thanks", "no actually not now"). A
# word outside these ("no, what is it for") makes it something else, such as a question.
AGREEING = frozenset({"yes", "y", "yeah", "yea", "yep", "yup", "ok", "okay", "okey", "sure", "fine", "agree", "agreed", "alright", "aye", "absolutely", "definitely", "certainly",
                      "course", "happy", "go on", "go ahead", "why not", "iawn"})
WITH_AGREEING = frozenset({"thats", "that", "is", "its", "i", "please", "of", "to", "by", "all", "means", "me",
                           "sounds", "good", "great", "cool", "thanks", "thank", "you", "ta", "then", "with", "it",
                           "do", "am", "im", "happy", "totally", "yes", "ok", "okay", "fine", "go", "on", "ahead",
                           "x", "xx", "lovely", "perfect", "no", "problem", "worries"})
DECLINING = frozenset({"no", "n", "nope", "nah", "not"})
LEADING = frozenset({"actually", "sorry", "oh", "erm", "um", "umm", "hmm", "ah", "well", "i", "think", "maybe"})
WITH_DECLINING = frozenset({"no", "not", "thanks", "thank", "you", "now", "right", "today", "at", "the", "moment",
                            "really", "interested", "sorry", "actually", "ta", "thx", "cheers", "maybe", "later",
                            "another", "time", "this", "for", "just", "yet", "its", "ok", "im", "good", "fine",
                            "thats", "x", "xx", "changed", "my", "mind", "never", "rather", "not", "id", "i", "dont",
                            "want", "to", "bother", "all", "kind", "of", "free", "busy", "got", "enough", "on"})
# WITHDRAW asked "withdraw?": words about keeping the place ("keep my place", "actually no keep me on it") say no.
KEEPING = frozenset({"keep", "keeping", "stay", "staying", "remain", "hold"})
LEAVING = frozenset({"withdraw", "cancel", "remove", "drop", "leave", "off", "out", "delete", "dont", "not",
                     "take", "yes", "y", "yeah", "yep", "ok", "okay", "sure"})
# The rights to one's data, asked in one's own words, known by their kind: a word for deleting and a word for what
# we hold ("please delete everything you have on me", "remove my data"); what + have/hold/keep + me ("what do you
# have about me", "what data do you hold on me"). A phone number is STOP's ("remove my number"), never this.
_DELETE_SAID = re.compile(
    r"(?<!dont )(?<!do not )(?<!not )(?<!never )\b(?:delete|remove|erase|wipe|destroy|scrub|forget|get rid of)\b"
    r" (?:(?:\w+ ){0,3}?(?:data|details|info|information|records?|profile|account)\b|me\b|(?:everything|all|it all|"
    r"all of it)(?: \w+){0,3}? (?:on|about|of|for) me\b|(?:everything|all)(?: that)? (?:you|u|ya|the trust) (?:\w+ )?"
    r"(?:have|hold|keep|got|know)\b)")
_MY_DATA_SAID = re.compile(
    r"\b(?:what|whats|wat|which)\b(?: \w+){0,5}? (?:have|hold|keep|store|know|got|holding|keeping|storing|stored|"
    r"held|kept|has)\b(?: \w+){0,3}? (?:on|about|of|for|from) (?:me|my|myself)\b|\b(?:what|whats|wat|which) (?:\w+ )?"
    r"(?:data|details|info|information|records?) (?:do |have |does )?(?:you|yous|u|ya|the trust|they) (?:\w+ )?"
    r"(?:have|hold|keep|store|got)\b|\b(?:show|send|give|tell) me (?:my|the|what) (?:data|details|info|information|"
    r"records?|you (?:have|hold|keep))\b")
_SAID_AT_MOST = 16  # words: a request, not a story that mentions deleting


# --- what the caller tells us ------------------------------------------------------------

@dataclass(frozen=True)
class Opening:
    """A published, open opportunity as a person sees it."""

    id: int
    title: str
    summary: str
    type: str
    area: str
    venue: str
    payment: str
    starts_at: datetime | None = None
    places_left: int | None = None  # None: no limit
    closes_on: date | None = None
    accessibility: str = ""
    description: str = ""


@dataclass(frozen=True)
class Place:
    """One of the person's sign-ups."""

    id: int
    opportunity_id: int
    title: str
    status: str


@dataclass(frozen=True)
class Member:
    """What we hold about a participant."""

    name: str
    consent_at: datetime
    interests: tuple[str, ...] = ()
    areas: tuple[str, ...] = ()
    access_needs: str = ""
    alerts: str = "off"
    paused: bool = False
    places: tuple[Place, ...] = ()


@dataclass(frozen=True)
class Snapshot:
    openings: tuple[Opening, ...] = ()
    member: Member | None = None
    areas: tuple[str, ...] = ()  # the areas people can choose for alerts
    address: str = ""  # the phone number (SMS) or nothing (Telegram), for MY DATA
    timezone: str = "Europe/London"


# --- effects -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Consent:
    """Create (or refresh) the participant record with the words they agreed to."""

    wording: str
    name: str
    access_needs: str = ""
    alerts: str | None = None  # set alerts on joining (ALERTS), or leave as they are


@dataclass(frozen=True)
class SignUpFor:
    """Take a place, or a waiting-list place; the store re-checks places when it writes."""

    opportunity_id: int
    waiting: bool


@dataclass(frozen=True)
class Withdraw:
    signup_id: int


@dataclass(frozen=True)
class SetAlerts:
    alerts: str | None = None
    paused: bool | None = None
    interests: tuple[str, ...] | None = None
    areas: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Erase:
    """Delete the participant record and sign-ups. Anonymous feedback is untouched."""


# --- entry points ------------------------------------------------------------------------

def is_keyword(word: str) -> bool:
    """A word that starts a participation conversation from anywhere."""
    return word in KEYWORDS or word.split(" ", 1)[0] in LIST_PREFIXES


def concerns(state: dict, word: str) -> bool:
    """True if this message is for this module, so the caller should load a Snapshot."""
    return is_keyword(word) or state.get("step") in STEPS


def handle(state: dict, word: str, text: str, snap: Snapshot, sms: bool, now: datetime, trust: str) -> Result:
    """One message: a keyword from anywhere, or a reply to the step the person is at."""
    return _Talk(state, word, text, snap, sms, now, Texts(trust_name=trust)).run()


@dataclass
class _Talk:
    state: dict
    word: str
    text: str
    snap: Snapshot
    sms: bool
    now: datetime
    texts: Texts

    def run(self) -> Result:
        word, step = self.word, self.state.get("step")
        if word in DELETE_WORDS and step != "erase":
            return self.ask_erase()
        if word in MY_DATA_WORDS:
            return self.my_data()
        if word in ALERT_WORDS:
            return self.alerts_menu()
        if word in WITHDRAW_WORDS:
            return self.withdraw_list()
        if is_keyword(word) and word not in DELETE_WORDS:
            return self.listing(area=word.partition(" ")[2])
        if step != "erase" and not (step == "consent" and question_topic(self.text) is not None):
            if asks_to_delete(self.text):  # at consent, a question is answered there ("can I delete it later?")
                return self.ask_erase()
            if asks_for_data(self.text):
                return self.my_data()
        return STEPS[step](self)

    # --- helpers
    def at(self, step: str, **values) -> dict:
        return {"step": step, **values, "updated_at": self.now.isoformat()}

    def keep(self, **changes) -> dict:
        return {**self.state, **changes, "updated_at": self.now.isoformat()}

    def day(self, when: datetime | None) -> str:
        if when is None:
            return ""
        local = when.astimezone(ZoneInfo(self.snap.timezone))
        clock = f" {local:%H:%M}" if (local.hour, local.minute) != (0, 0) else ""
        return f"{local:%a} {local.day} {local:%b}{clock}"

    def opening(self, opportunity_id: int | None) -> Opening | None:
        return next((o for o in self.snap.openings if o.id == opportunity_id), None)

    def numbers(self) -> list[int] | None:
        """The numbers in a reply like "1 3", "1,3" or "1 and 3"; None if anything else is there."""
        norm = normalise(self.text).replace(" and ", " ")
        parts = norm.split()
        if not parts or not all(p.isdigit() for p in parts):
            return None
        return [int(p) for p in parts]

    # --- finding opportunities
    def matching(self, area: str) -> tuple[list[Opening], bool]:
        openings = list(self.snap.openings)
        if area:
            wanted = normalise(area)
            chosen = [o for o in openings if wanted in normalise(o.area) or wanted in normalise(o.venue)]
            return (chosen, True) if chosen else (openings, False)
        member = self.snap.member
        if member and (member.interests or member.areas):
            areas = {normalise(a) for a in member.areas}
            chosen = [o for o in openings if (not member.interests or o.type in member.interests)
                      and (not areas or normalise(o.area) in areas or normalise(o.venue) == "online")]
            return (chosen, True) if chosen else (openings, False)
        return openings, True

    def listing(self, area: str = "") -> Result:
        openings, matched = self.matching(area)
        if not openings:
            return Result({}, [Reply(self.texts.no_openings())])
        ids = [o.id for o in openings[:MAX_LISTED]]
        return self.page(self.at("opps", ids=ids, shown=0), 0, unmatched=not matched)

    def page(self, state: dict, start: int, unmatched: bool = False, wrapped: bool = False) -> Result:
        ids = state["ids"]
        chunk = [self.opening(i) for i in ids[start:start + PAGE]]
        chunk = [o for o in chunk if o]
        more = start + PAGE < len(ids)
        lines = [self.texts.opening_line(start + n, o, self.day(o.starts_at), self.sms) for n, o in enumerate(chunk, 1)]
        while True:
            body = self.texts.listing(lines, start, len(ids), more, unmatched, wrapped)
            if not self.sms or gsm7.fits(body) or len(lines) == 1:
                break
            lines.pop()
        shown = start + len(lines)
        buttons = tuple((f"{start + n}", f"{start + n}") for n in range(1, len(lines) + 1))
        buttons += (MORE_BUTTON,) if shown < len(ids) else ()
        return Result({**state, "shown": shown, "updated_at": self.now.isoformat()}, [Reply(body, buttons)])

    def on_opps(self) -> Result:
        word, ids = self.word, self.state.get("ids", [])
        if word in MORE_WORDS:
            shown = self.state.get("shown", 0)
            if shown >= len(ids):
                return self.page(self.state, 0, wrapped=True)
            return self.page(self.state, shown)
        if word in SIGNUP_WORDS or word.startswith("sign up "):
            number = word.removeprefix("sign up ").strip()
            if number.isdigit():
                return self.details(int(number), signing=True)
            if self.state.get("selected"):
                return self.sign_up(self.state["selected"])
            return Result(self.keep(), [Reply(self.texts.number_first())])
        found = self.numbers()
        if found and len(found) == 1:
            return self.details(found[0])
        if declines(self.text):  # "not now thanks": nothing more is asked
            return Result({}, [Reply(self.texts.listing_closed())])
        more, selected = self.state.get("shown", 0) < len(ids), bool(self.state.get("selected"))
        return Result(self.keep(), [Reply(self.texts.opps_retry(more, selected))])

    def details(self, number: int, signing: bool = False) -> Result:
        ids = self.state.get("ids", [])
        shown = max(self.state.get("shown", 0), PAGE)
        if not 1 <= number <= min(len(ids), shown):
            return Result(self.keep(), [Reply(self.texts.number_from(min(len(ids), shown)))])
        o = self.opening(ids[number - 1])
        if o is None:
            return Result(self.keep(), [Reply(self.texts.just_closed())])
        if signing:
            return self.sign_up(o.id)
        first, second = self.texts.details(o, self.day(o.starts_at), o.places_left, self.sms)
        buttons = (SIGN_UP_BUTTON,) + ((MORE_BUTTON,) if self.state.get("shown", 0) < len(ids) else ())
        return Result(self.keep(selected=o.id), [Reply(first), Reply(second, buttons)])

    # --- signing up
    def sign_up(self, opportunity_id: int) -> Result:
        o = self.opening(opportunity_id)
        if o is None:
            return Result({}, [Reply(self.texts.opportunity_closed())])
        member = self.snap.member
        held = next((p for p in (member.places if member else ()) if p.opportunity_id == o.id and p.status in ACTIVE),
                    None)
        if held:
            return Result({}, [Reply(self.texts.already_signed_up(o.title, held.status, self.sms))])
        if o.places_left == 0 and self.state.get("step") != "waitlist":
            return Result(self.at("waitlist", opp=o.id), [Reply(self.texts.full(o.title, self.sms), YES_NO)])
        waiting = o.places_left == 0
        if member:
            return Result({}, [Reply(self.booked(o, member.name, waiting))], [SignUpFor(o.id, waiting)])
        return self.ask_consent(then="signup", opp=o.id, waiting=waiting)

    def on_waitlist(self) -> Result:
        if agrees(self.text):
            return self.sign_up(self.state["opp"])
        if declines(self.text):
            return Result({}, [Reply(self.texts.not_added())])
        return Result(self.keep(), [Reply(self.texts.waitlist_retry())])

    def booked(self, o: Opening, name: str, waiting: bool) -> str:
        return self.texts.booked(o.title, name, self.day(o.starts_at), waiting, self.sms)

    def ask_consent(self, then: str, **more) -> Result:
        wording = self.texts.consent(then == "alerts", self.sms)
        return Result(self.at("consent", then=then, wording=wording, **more),
                      [Reply(wording, AGREE)])

    def on_consent(self) -> Result:
        if agrees(self.text):
            return Result(self.keep(step="name", agreed_at=self.now.isoformat()),
                          [Reply(self.texts.ask_name())])
        if declines(self.text):
            return Result({}, [Reply(self.texts.consent_declined())])
        topic = question_topic(self.text)
        if topic is not None:  # answered plainly, then asked again
            return Result(self.keep(), [Reply(self.texts.consent_answer(topic, self.sms), AGREE)])
        return Result(self.keep(), [Reply(self.texts.consent_retry(), AGREE)])

    def on_name(self) -> Result:
        name = given_name(self.text)[:80]
        if normalise(name) in SKIP_WORDS:
            name = ""
        if not name.strip(" .!?"):
            return Result(self.keep(), [Reply(self.texts.name_retry())])
        if self.state.get("then") == "alerts":
            consent = Consent(self.state["wording"], name, alerts="instant")
            member = Member(name=name, consent_at=self.now, alerts="instant")
            return self.menu(member, joined=True, effects=[consent])
        return Result(self.keep(step="needs", name=name), [Reply(self.texts.ask_needs())])

    def on_needs(self) -> Result:
        needs = " ".join(self.text.split())[:1000]
        if normalise(needs) in NONE_WORDS or not needs.strip(" .!?"):
            needs = ""
        o = self.opening(self.state.get("opp"))
        consent = Consent(self.state["wording"], self.state.get("name", ""), needs)
        if o is None:
            return Result({}, [Reply(self.texts.joined_but_closed())], [consent])
        waiting = bool(self.state.get("waiting"))
        booked = self.booked(o, self.state.get("name", ""), waiting)
        offer = Reply(self.texts.equality_offer(), YES_NO)
        return Result(self.at("equality_offer"), [Reply(booked), offer],
                      [consent, SignUpFor(o.id, waiting)])

    def on_equality_offer(self) -> Result:
        if agrees(self.text):
            return Result({"start_survey": EQUALITY_SURVEY})  # the engine starts it
        if declines(self.text):
            return Result({}, [Reply(self.texts.equality_declined())])
        return Result(self.keep(), [Reply(self.texts.yes_or_no(), YES_NO)])

    # --- alerts
    def menu(self, member: Member, joined: bool = False, effects: list | None = None) -> Result:
        text = self.texts.alerts_menu(member, self.sms, joined)
        return Result(self.at("alerts", paused=member.paused), [Reply(text, alert_buttons(member.paused))],
                      effects or [])

    def alerts_menu(self) -> Result:
        if self.snap.member is None:
            return self.ask_consent(then="alerts")
        return self.menu(self.snap.member)

    def on_alerts(self) -> Result:
        choice = normalise(self.text)
        if choice in {"1", "instant"}:
            return Result({}, [Reply(self.texts.alerts_instant())], [SetAlerts(alerts="instant", paused=False)])
        if choice in {"2", "weekly", "weekly digest", "digest"}:
            return Result({}, [Reply(self.texts.alerts_weekly())], [SetAlerts(alerts="weekly", paused=False)])
        if choice in {"3", "pause", "resume"}:
            paused = not self.state.get("paused", False)
            return Result({}, [Reply(self.texts.alerts_paused(paused))], [SetAlerts(paused=paused)])
        if choice in {"4", "kinds", "choose kinds"}:
            return Result(self.keep(step="interests"), [Reply(self.texts.choose_kinds())])
        if choice in {"5", "areas", "choose areas"}:
            if not self.snap.areas:
                return Result({}, [Reply(self.texts.no_areas())])
            areas = list(self.snap.areas)
            while self.sms and not gsm7.fits(self.texts.choose_areas(areas, self.sms)):
                areas.pop()
            return Result(self.keep(step="areas", area_count=len(areas)),
                          [Reply(self.texts.choose_areas(areas, self.sms))])
        if choice in {"6", "off", "turn off"}:
            return Result({}, [Reply(self.texts.alerts_off())], [SetAlerts(alerts="off")])
        return Result(self.keep(), [Reply(self.texts.alerts_retry())])

    def chosen(self, count: int) -> list[int] | None:
        if normalise(self.text) in {"all", "any", "everything", "all of them"}:
            return []
        found = self.numbers()
        if found is None or not found or any(not 1 <= n <= count for n in found):
            return None
        return sorted(set(found))

    def on_interests(self) -> Result:
        found = self.chosen(len(TYPES))
        if found is None:
            return Result(self.keep(), [Reply(self.texts.kinds_retry())])
        kinds = tuple(TYPES[n - 1][0] for n in found)
        return Result({}, [Reply(self.texts.kinds_chosen(kinds, self.sms))], [SetAlerts(interests=kinds)])

    def on_areas(self) -> Result:
        count = self.state.get("area_count", len(self.snap.areas))
        found = self.chosen(count)
        if found is None:
            return Result(self.keep(), [Reply(self.texts.areas_retry(count))])
        areas = tuple(self.snap.areas[n - 1] for n in found if n <= len(self.snap.areas))
        return Result({}, [Reply(self.texts.areas_chosen(areas, self.sms))], [SetAlerts(areas=areas)])

    # --- withdrawing
    def active_places(self) -> list[Place]:
        member = self.snap.member
        return [p for p in (member.places if member else ()) if p.status in ACTIVE]

    def withdraw_list(self) -> Result:
        places = self.active_places()
        if not places:
            return Result({}, [Reply(self.texts.nothing_to_withdraw())])
        if len(places) == 1:
            return Result(self.at("withdraw", options=[places[0].id]), [Reply(
                self.texts.withdraw_one(places[0].title, self.sms), WITHDRAW_BUTTONS)])
        while self.sms and not gsm7.fits(self.texts.withdraw_which(places, self.sms)):
            places.pop()
        return Result(self.at("withdraw", options=[p.id for p in places]),
                      [Reply(self.texts.withdraw_which(places, self.sms),
                             tuple((str(n), str(n)) for n in range(1, len(places) + 1)))])

    def on_withdraw(self) -> Result:
        options, norm = self.state.get("options", []), normalise(self.text)
        pick = None
        if len(options) == 1 and norm in YES:  # one place: the bot asked YES or NO, so "1" is not yes
            pick = options[0]
        elif len(options) > 1 and norm.isdigit() and 1 <= int(norm) <= len(options):
            pick = options[int(norm) - 1]
        elif declines(self.text) or keeps(self.text):
            return Result({}, [Reply(self.texts.nothing_changed())])
        if pick is None:
            if len(options) == 1:
                return Result(self.keep(), [Reply(self.texts.yes_or_no(), WITHDRAW_BUTTONS)])
            return Result(self.keep(), [Reply(self.texts.number_from(len(options)))])
        place = next((p for p in self.active_places() if p.id == pick), None)
        if place is None:
            return Result({}, [Reply(self.texts.already_withdrawn())])
        return Result({}, [Reply(self.texts.withdrawn(place.title, self.sms))], [Withdraw(place.id)])

    # --- your data
    def my_data(self) -> Result:
        member, address = self.snap.member, self.snap.address
        if member is None:
            return Result({}, [Reply(self.texts.no_record(address, self.sms))])
        return Result({}, [Reply(t) for t in self.texts.my_data(member, address, self.sms, self.snap.timezone)])

    def ask_erase(self) -> Result:
        member = self.snap.member
        if member is None:
            return Result({}, [Reply(self.texts.nothing_to_delete())])
        return Result(self.at("erase"), [Reply(self.texts.ask_erase(len(member.places)), ERASE_BUTTONS)])

    def on_erase(self) -> Result:
        norm = normalise(self.text)
        if norm in ERASE_WORDS:  # only the word the bot asked for
            return Result({}, [Reply(self.texts.erased())], [Erase()])
        if norm in YES or norm in {"confirm", "ok", "okay", "sure", "go ahead", "do it", "please"}:
            return Result(self.keep(), [Reply(self.texts.erase_retry(), ERASE_BUTTONS)])
        return Result({}, [Reply(self.texts.kept())])


def only_a_name(state: dict, text: str) -> bool:
    """Short enough to be a name, typed where we asked for one."""
    return state.get("step") == "name" and len(text.split()) <= 4 and len(text.strip()) <= 80


def _words(text: str) -> list[str]:
    """The normalised words, with "go on", "go ahead" and "why not" as one word each."""
    norm = normalise(text)
    for pair in ("go on", "go ahead", "why not"):
        norm = re.sub(rf"\b{pair}\b", pair.replace(" ", "_"), norm)
    return [w.replace("_", " ") for w in norm.split()]


def agrees(text: str) -> bool:
    """Yes in a person's own words: a yes first ("yes ok", "ok yes", "yes that's fine", "yeah go on", "I agree")."""
    words = _words(text)
    while words and words[0] in LEADING and words[0] not in AGREEING:
        words = words[1:]
    if len(words) > 1 and words[0] == "y":  # likewise a lone "y" is yes, "y y" is not
        return False
    return (bool(words) and (words[0] in AGREEING or words[:2] == ["i", "agree"]) and "?" not in text
            and all(w in AGREEING or w in WITH_AGREEING for w in words)
            and not {"no", "not"} & set(words[:1]))


def declines(text: str) -> bool:
    """No in a person's own words: a no first ("no thanks", "not now", "no actually not now", "nah I'm good")."""
    words = _words(text)
    while words and words[0] in LEADING:
        words = words[1:]
    if words[:2] in (["dont", "want"], ["rather", "not"]) or words[:1] == ["id"] and words[1:3] == ["rather", "not"]:
        words = ["no"] + words[2:]
    if len(words) > 1 and words[0] == "n":  # a lone "n" is no; "n n" or "N:N" is not a sentence of refusal
        return False
    return (bool(words) and words[0] in DECLINING and "?" not in text
            and all(w in DECLINING or w in WITH_DECLINING for w in words))


def keeps(text: str) -> bool:
    """At WITHDRAW's question: asked to keep the place ("keep my place", "no keep it", "actually no keep me on it")."""
    words = set(_words(text))
    return bool(words & KEEPING) and not words & LEAVING and question_topic(text) is None and len(words) <= 10


def asks_to_delete(text: str) -> bool:
    """A request, in the person's own words, to delete what we hold about them."""
    norm = normalise(text)
    return len(norm.split()) <= _SAID_AT_MOST and _DELETE_SAID.search(norm) is not None


def asks_for_data(text: str) -> bool:
    """A request, in the person's own words, to see what we hold about them (MY DATA)."""
    norm = normalise(text)
    return len(norm.split()) <= _SAID_AT_MOST and _MY_DATA_SAID.search(norm) is not None


# At the name question: words around a name ("my name is Chidi", "it's Sam thanks", "call me Jo x"), not the name.
_NAME_LEAD = re.compile(
    r"^(?:(?:hi|hello|hey|hiya|ok|okay|sure|yes|yeah|thanks|thank you|cheers)\b[\s,.!:-]*)*"
    r"(?:(?:my name is|my names|my name\W?s|my name|name is|name|i am called|i m called|im called|i'm called|"
    r"i am|i'm|i\u2019m|im|it is|it's|it\u2019s|its|this is|you can call me|you can just call me|please call me|"
    r"just call me|call me|i go by|i prefer|id like to be called|i'd like to be called|i'd like|id like)"
    r"(?=[\s,.:;!-])[\s,.:;!-]*)?", re.IGNORECASE)
_NAME_TAIL = re.compile(r"(?:[\s,.!;:-]+(?:thanks|thank you|thankyou|thx|ta|cheers|please|pls|x+)\b)+[\s.!]*$",
                        re.IGNORECASE)


def given_name(text: str) -> str:
    """The name in a reply to "what would you like us to call you?", without the words around it."""
    said = " ".join(text.split())
    bare = _NAME_TAIL.sub("", _NAME_LEAD.sub("", said, count=1))
    name = bare.strip(" ,.:;!-") if bare != said else said  # a name alone is kept just as it was typed
    return name or said


def question_topic(text: str) -> str | None:
    """What a question at consent is about ("keep", "see", "why", "delete", or "" for something else); None if
    the message is not a question."""
    words = normalise(text).split()
    topic = next((topic for topic, said in QUESTION_TOPICS if said.intersection(words)), "")
    if words and ("?" in text or words[0] in QUESTION_WORDS or (words[0] in ASKING_WORDS and topic)):
        return topic
    return None


# The conversation's steps: what a reply means depends on the step the person is at. Every step
# a handler can enter is here (tests/unit/test_participation_steps.py checks both ways).
STEPS = {
    "opps": _Talk.on_opps,  # a page of opportunities, or one's details
    "waitlist": _Talk.on_waitlist,  # join the waiting list of a full one?
    "consent": _Talk.on_consent,
    "name": _Talk.on_name,
    "needs": _Talk.on_needs,  # access needs; then signed up
    "equality_offer": _Talk.on_equality_offer,  # the optional questions about them, kept apart
    "alerts": _Talk.on_alerts,  # the alerts menu
    "interests": _Talk.on_interests,
    "areas": _Talk.on_areas,
    "withdraw": _Talk.on_withdraw,
    "erase": _Talk.on_erase,
}
