"""Getting involved: finding opportunities, signing up, alerts, and a person's own data.

Like the engine, this does no I/O. The caller loads a Snapshot (what is open, and what we
hold about this person) and carries out the effects. Every SMS fits 2 segments.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot import gsm7
from bot.answers import NO, YES, normalise
from bot.keywords import (ALERT_WORDS, DELETE_WORDS, LIST_WORDS, MORE_WORDS, MY_DATA_WORDS, SIGNUP_WORDS,
                          SKIP_WORDS, WITHDRAW_WORDS)
from bot.opportunities import TYPES, type_label
from bot.replies import Reply, Result

PAGE = 3
MAX_LISTED = 60
ACTIVE = ("interested", "confirmed", "waiting")
STATUS_WORDS = {"interested": "interested", "confirmed": "place confirmed", "waiting": "waiting list",
                "withdrawn": "withdrawn", "attended": "attended"}
PAYMENT_WORDS = {"paid": "Paid", "expenses": "Expenses paid", "voluntary": "Voluntary"}
ALERT_WORDS_SHOWN = {"instant": "on, as they are published", "weekly": "on, a weekly digest", "off": "off"}

KEYWORDS = LIST_WORDS | ALERT_WORDS | MY_DATA_WORDS | DELETE_WORDS | WITHDRAW_WORDS
STEPS = frozenset({"opps", "waitlist", "consent", "name", "needs", "alerts", "interests", "areas",
                   "withdraw", "erase", "equality_offer"})
EQUALITY_SURVEY = "about-you-participants"  # kept apart, month only: never linked to the participant
NONE_WORDS = frozenset({"none", "no", "n", "nothing", "na", "n a", "no thanks", "not really", "nope"}) | SKIP_WORDS


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
    return word in KEYWORDS or word.split(" ", 1)[0] in {"join", "opportunities", "/join"}


def concerns(state: dict, word: str) -> bool:
    """True if this message is for this module, so the caller should load a Snapshot."""
    return is_keyword(word) or state.get("step") in STEPS


def handle(state: dict, word: str, text: str, snap: Snapshot, sms: bool, now: datetime, trust: str) -> Result:
    talk = _Talk(state, word, text, snap, sms, now, trust)
    return talk.run()


@dataclass
class _Talk:
    state: dict
    word: str
    text: str
    snap: Snapshot
    sms: bool
    now: datetime
    trust: str

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
        return getattr(self, f"on_{step}")()

    # --- helpers
    def at(self, step: str, **values) -> dict:
        return {"step": step, **values, "updated_at": self.now.isoformat()}

    def keep(self, **changes) -> dict:
        return {**self.state, **changes, "updated_at": self.now.isoformat()}

    def fit(self, *parts: str) -> str:
        """Join parts, dropping the later optional ones until an SMS fits."""
        parts = [p for p in parts if p]
        while self.sms and len(parts) > 1 and not gsm7.fits(" ".join(parts)):
            parts.pop(-2)  # keep the last part: it says what to reply
        return " ".join(parts)

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
            return Result({}, [Reply("There are no opportunities open just now. Text ALERTS to hear as soon as "
                                     "new ones are published.")])
        ids = [o.id for o in openings[:MAX_LISTED]]
        note = "" if matched else "None match what you asked for just now, so here is everything. "
        return self.page(self.at("opps", ids=ids, shown=0), 0, note)

    def page(self, state: dict, start: int, note: str = "") -> Result:
        ids = state["ids"]
        chunk = [self.opening(i) for i in ids[start:start + PAGE]]
        chunk = [o for o in chunk if o]
        more = start + PAGE < len(ids)
        footer = "Reply a number for details" + (", or MORE for more." if more else ".")
        lines = [self.line(start + n, o) for n, o in enumerate(chunk, 1)]
        while True:
            head = f"{note}Ways to get involved ({start + 1}-{start + len(lines)} of {len(ids)}):"
            body = "\n".join([head, *lines, footer])
            if not self.sms or gsm7.fits(body) or len(lines) == 1:
                break
            lines.pop()
        shown = start + len(lines)
        buttons = tuple((f"{start + n}", f"{start + n}") for n in range(1, len(lines) + 1))
        buttons += (("More", "MORE"),) if shown < len(ids) else ()
        return Result({**state, "shown": shown, "updated_at": self.now.isoformat()}, [Reply(body, buttons)])

    def line(self, number: int, o: Opening) -> str:
        title = o.title if len(o.title) <= 42 or not self.sms else o.title[:40].rstrip() + ".."
        bits = [o.area if normalise(o.venue) != "online" else "online", self.day(o.starts_at),
                PAYMENT_WORDS.get(o.payment, o.payment).lower()]
        return f"{number} {title} - {', '.join(b for b in bits if b)}"

    def on_opps(self) -> Result:
        word, ids = self.word, self.state.get("ids", [])
        if word in MORE_WORDS:
            shown = self.state.get("shown", 0)
            if shown >= len(ids):
                return self.page(self.state, 0, "That's all. From the start: ")
            return self.page(self.state, shown)
        if word in SIGNUP_WORDS or word.startswith("sign up "):
            number = word.removeprefix("sign up ").strip()
            if number.isdigit():
                return self.details(int(number), signing=True)
            if self.state.get("selected"):
                return self.sign_up(self.state["selected"])
            return Result(self.keep(), [Reply("Which one? Reply with its number first.")])
        found = self.numbers()
        if found and len(found) == 1:
            return self.details(found[0])
        more = " MORE for more," if self.state.get("shown", 0) < len(ids) else ""
        tail = " or SIGN UP for this one." if self.state.get("selected") else ""
        return Result(self.keep(), [Reply(f"Please reply with a number for details,{more}{tail or ' or STOP to stop.'}")])

    def details(self, number: int, signing: bool = False) -> Result:
        ids = self.state.get("ids", [])
        shown = max(self.state.get("shown", 0), PAGE)
        if not 1 <= number <= min(len(ids), shown):
            return Result(self.keep(), [Reply(f"Please reply with a number from 1 to {min(len(ids), shown)}.")])
        o = self.opening(ids[number - 1])
        if o is None:
            return Result(self.keep(), [Reply("Sorry, that one has just closed. Text JOIN to see what is open.")])
        if signing:
            return self.sign_up(o.id)
        first = f"{o.title}\n{o.summary}" if not self.sms or gsm7.fits(f"{o.title}\n{o.summary}") else o.summary
        if not self.sms and o.description:
            first = f"{o.title}\n{o.description}"
        when = self.day(o.starts_at)
        places = ("Full: you can join the waiting list" if o.places_left == 0
                  else f"{o.places_left} places left" if o.places_left is not None else "")
        facts = [f"{type_label(o.type)}.", f"{when}." if when else "", f"{o.venue}, {o.area}." if normalise(o.venue) !=
                 "online" else "Online.", f"{PAYMENT_WORDS.get(o.payment, o.payment)}.", f"{places}." if places else "",
                 f"Closes {o.closes_on.day} {o.closes_on:%b}." if o.closes_on else "",
                 f"Access: {o.accessibility}" if o.accessibility else ""]
        ask = "Reply SIGN UP to take part, or another number."
        second = " ".join(f for f in facts if f) + f"\n{ask}"
        while self.sms and not gsm7.fits(second):
            facts.pop()
            second = " ".join(f for f in facts if f) + f"\n{ask}"
        buttons = (("Sign up", "SIGN UP"),) + ((("More", "MORE"),) if self.state.get("shown", 0) < len(ids) else ())
        return Result(self.keep(selected=o.id), [Reply(first), Reply(second, buttons)])

    # --- signing up
    def sign_up(self, opportunity_id: int) -> Result:
        o = self.opening(opportunity_id)
        if o is None:
            return Result({}, [Reply("Sorry, that opportunity has closed. Text JOIN to see what is open.")])
        member = self.snap.member
        held = next((p for p in (member.places if member else ()) if p.opportunity_id == o.id and p.status in ACTIVE),
                    None)
        if held:
            return Result({}, [Reply(f"You're already signed up for {o.title} ({STATUS_WORDS[held.status]}). "
                                     "Text WITHDRAW if you can't make it.")])
        if o.places_left == 0 and self.state.get("step") != "waitlist":
            return Result(self.at("waitlist", opp=o.id), [Reply(self.fit(
                f"{o.title} is full.", "Reply YES to join the waiting list, or NO.", ), (("Yes", "YES"), ("No", "NO")))])
        waiting = o.places_left == 0
        if member:
            return Result({}, [Reply(self.booked(o, member.name, waiting))], [SignUpFor(o.id, waiting)])
        return self.ask_consent(then="signup", opp=o.id, waiting=waiting)

    def on_waitlist(self) -> Result:
        norm = normalise(self.text)
        if norm in YES:
            return self.sign_up(self.state["opp"])
        if norm in NO:
            return Result({}, [Reply("OK, we haven't added you. Text JOIN to see other opportunities.")])
        return Result(self.keep(), [Reply("Please reply YES to join the waiting list, or NO.")])

    def booked(self, o: Opening, name: str, waiting: bool) -> str:
        hello = f"Thank you {name}." if name else "Thank you."
        if waiting:
            return self.fit(hello, f"{o.title} is full, so you're on the waiting list. We'll tell you if a place "
                            "comes up.", "Text WITHDRAW to come off it.")
        when = f" on {self.day(o.starts_at)}" if o.starts_at else ""
        return self.fit(hello, f"You're signed up for {o.title}{when}.",
                        "The People Participation Team will be in touch with the details.",
                        "Text WITHDRAW if you can't make it.")

    def consent_wording(self, then: str) -> str:
        where = "this phone number" if self.sms else "this Telegram chat"
        purpose = "send you alerts" if then == "alerts" else "sign you up"
        for who in (self.trust, "we"):  # a long trust name gives way to "we" on SMS
            wording = (f"To {purpose}, {who} will keep your name, {where}, what you'd like to hear about and any "
                       "access needs. Only the People Participation Team see them. Text DELETE MY DATA any time to "
                       "remove them. Your feedback stays anonymous. Reply YES to agree, or NO.")
            if not self.sms or gsm7.fits(wording):
                break
        return wording

    def ask_consent(self, then: str, **more) -> Result:
        wording = self.consent_wording(then)
        return Result(self.at("consent", then=then, wording=wording, **more),
                      [Reply(wording, (("Yes, I agree", "YES"), ("No", "NO")))])

    def on_consent(self) -> Result:
        norm = normalise(self.text)
        if norm in YES or norm in {"i agree", "agree", "yes i agree"}:
            return Result(self.keep(step="name", agreed_at=self.now.isoformat()),
                          [Reply("Thank you. What would you like us to call you? (Or SKIP.)")])
        if norm in NO:
            return Result({}, [Reply("No problem, we haven't kept anything. Text JOIN any time if you change "
                                     "your mind.")])
        return Result(self.keep(), [Reply("Please reply YES to agree, or NO.", (("Yes, I agree", "YES"), ("No", "NO")))])

    def on_name(self) -> Result:
        name = " ".join(self.text.split())[:80]
        if normalise(name) in SKIP_WORDS:
            name = ""
        if not name.strip(" .!?"):
            return Result(self.keep(), [Reply("What would you like us to call you? Reply with a name, or SKIP.")])
        if self.state.get("then") == "alerts":
            consent = Consent(self.state["wording"], name, alerts="instant")
            member = Member(name=name, consent_at=self.now, alerts="instant")
            return self.menu(member, f"Thank you{' ' + name if name else ''}, alerts are on.", [consent])
        return Result(self.keep(step="needs", name=name), [Reply(
            "Do you have any access needs we should know about (e.g. step-free access, BSL, a quiet room)? "
            "Reply NONE if not.")])

    def on_needs(self) -> Result:
        needs = " ".join(self.text.split())[:1000]
        if normalise(needs) in NONE_WORDS or not needs.strip(" .!?"):
            needs = ""
        o = self.opening(self.state.get("opp"))
        consent = Consent(self.state["wording"], self.state.get("name", ""), needs)
        if o is None:
            return Result({}, [Reply("Thank you, you're now a participant. Sorry, that opportunity has just "
                                     "closed. Text JOIN to see what is open.")], [consent])
        waiting = bool(self.state.get("waiting"))
        booked = self.booked(o, self.state.get("name", ""), waiting)
        offer = ("Would you answer a few optional questions about you (age, ethnicity and so on)? They help us "
                 "check that taking part is open to everyone, and are kept apart from your name. Reply YES or NO.")
        return Result(self.at("equality_offer"), [Reply(booked), Reply(offer, (("Yes", "YES"), ("No", "NO")))],
                      [consent, SignUpFor(o.id, waiting)])

    def on_equality_offer(self) -> Result:
        norm = normalise(self.text)
        if norm in YES:
            return Result({"start_survey": EQUALITY_SURVEY})  # the engine starts it
        if norm in NO:
            return Result({}, [Reply("No problem. Text ALERTS to hear about new opportunities, or MY DATA to see "
                                     "what we hold.")])
        return Result(self.keep(), [Reply("Please reply YES or NO.", (("Yes", "YES"), ("No", "NO")))])

    # --- alerts
    def settings_line(self, member: Member) -> str:
        state = "paused" if member.paused and member.alerts != "off" else ALERT_WORDS_SHOWN.get(member.alerts, "off")
        kinds = ", ".join(type_label(t) for t in member.interests) if member.interests else "all kinds"
        areas = ", ".join(member.areas) if member.areas else "all areas"
        return f"Alerts: {state}. About: {kinds}. Where: {areas}."

    def menu(self, member: Member, opening: str = "", effects: list | None = None) -> Result:
        pause = "Resume" if member.paused else "Pause"
        options = f"Reply 1 Instant 2 Weekly digest 3 {pause} 4 Choose kinds 5 Choose areas 6 Turn off"
        text = self.fit(opening, self.settings_line(member), options)
        if self.sms and not gsm7.fits(text):
            text = f"{opening} {options}".strip()
        buttons = (("Instant", "1"), ("Weekly", "2"), (pause, "3"), ("Kinds", "4"), ("Areas", "5"), ("Off", "6"))
        return Result(self.at("alerts", paused=member.paused), [Reply(text, buttons)], effects or [])

    def alerts_menu(self) -> Result:
        if self.snap.member is None:
            return self.ask_consent(then="alerts")
        return self.menu(self.snap.member)

    def on_alerts(self) -> Result:
        choice = normalise(self.text)
        done = "Text ALERTS to change them, or STOP to stop all messages."
        if choice in {"1", "instant"}:
            return Result({}, [Reply(f"Done: you'll get alerts as opportunities are published. {done}")],
                          [SetAlerts(alerts="instant", paused=False)])
        if choice in {"2", "weekly", "weekly digest", "digest"}:
            return Result({}, [Reply(f"Done: you'll get one weekly digest of new opportunities. {done}")],
                          [SetAlerts(alerts="weekly", paused=False)])
        if choice in {"3", "pause", "resume"}:
            paused = not self.state.get("paused", False)
            said = "paused" if paused else "back on"
            return Result({}, [Reply(f"Done: your alerts are {said}. {done}")], [SetAlerts(paused=paused)])
        if choice in {"4", "kinds", "choose kinds"}:
            lines = "\n".join(f"{n} {label}" for n, (_, label, _) in enumerate(TYPES, 1))
            return Result(self.keep(step="interests"), [Reply(
                f"Which kinds? Reply with numbers, e.g. 1 3, or ALL:\n{lines}")])
        if choice in {"5", "areas", "choose areas"}:
            if not self.snap.areas:
                return Result({}, [Reply(f"We don't have areas to choose from yet, so you'll hear about "
                                         f"opportunities everywhere. {done}")])
            lines = [f"{n} {area}" for n, area in enumerate(self.snap.areas, 1)]
            while self.sms and not gsm7.fits("Which areas? Reply with numbers, e.g. 1 2, or ALL:\n" + "\n".join(lines)):
                lines.pop()
            return Result(self.keep(step="areas", area_count=len(lines)), [Reply(
                "Which areas? Reply with numbers, e.g. 1 2, or ALL:\n" + "\n".join(lines))])
        if choice in {"6", "off", "turn off"}:
            return Result({}, [Reply("Done: alerts are off. You're still a participant: text ALERTS to turn them "
                                     "back on, or DELETE MY DATA to leave.")], [SetAlerts(alerts="off")])
        return Result(self.keep(), [Reply("Please reply with a number from 1 to 6.")])

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
            return Result(self.keep(), [Reply(f"Please reply with numbers from 1 to {len(TYPES)}, e.g. 1 3, or ALL.")])
        kinds = tuple(TYPES[n - 1][0] for n in found)
        said = ", ".join(type_label(k) for k in kinds) or "all kinds"
        return Result({}, [Reply(self.fit(f"Done: you'll hear about {said}.", "Text ALERTS to change this."))],
                      [SetAlerts(interests=kinds)])

    def on_areas(self) -> Result:
        count = self.state.get("area_count", len(self.snap.areas))
        found = self.chosen(count)
        if found is None:
            return Result(self.keep(), [Reply(f"Please reply with numbers from 1 to {count}, e.g. 1 2, or ALL.")])
        areas = tuple(self.snap.areas[n - 1] for n in found if n <= len(self.snap.areas))
        said = ", ".join(areas) or "all areas"
        return Result({}, [Reply(self.fit(f"Done: you'll hear about opportunities in {said}, and online ones.",
                                          "Text ALERTS to change this."))], [SetAlerts(areas=areas)])

    # --- withdrawing
    def active_places(self) -> list[Place]:
        member = self.snap.member
        return [p for p in (member.places if member else ()) if p.status in ACTIVE]

    def withdraw_list(self) -> Result:
        places = self.active_places()
        if not places:
            return Result({}, [Reply("You're not signed up for anything just now. Text JOIN to see opportunities.")])
        if len(places) == 1:
            return Result(self.at("withdraw", options=[places[0].id]), [Reply(self.fit(
                f"Withdraw from {places[0].title}?", "Reply YES to withdraw, or NO to keep your place."),
                (("Yes, withdraw", "YES"), ("No", "NO")))])
        lines = [f"{n} {p.title} ({STATUS_WORDS[p.status]})" for n, p in enumerate(places, 1)]
        while self.sms and not gsm7.fits("Which one? Reply with its number:\n" + "\n".join(lines)):
            lines.pop()
        return Result(self.at("withdraw", options=[p.id for p in places[:len(lines)]]),
                      [Reply("Which one? Reply with its number:\n" + "\n".join(lines),
                             tuple((str(n), str(n)) for n in range(1, len(lines) + 1)))])

    def on_withdraw(self) -> Result:
        options, norm = self.state.get("options", []), normalise(self.text)
        pick = None
        if len(options) == 1 and norm in YES:
            pick = options[0]
        elif norm.isdigit() and 1 <= int(norm) <= len(options):
            pick = options[int(norm) - 1]
        elif norm in NO:
            return Result({}, [Reply("OK, nothing has changed.")])
        if pick is None:
            ask = "Please reply YES or NO." if len(options) == 1 else f"Please reply with a number from 1 to {len(options)}."
            return Result(self.keep(), [Reply(ask)])
        place = next((p for p in self.active_places() if p.id == pick), None)
        if place is None:
            return Result({}, [Reply("You've already withdrawn from that one.")])
        return Result({}, [Reply(self.fit(f"You've withdrawn from {place.title}.", "We've let the team know.",
                                          "Thank you for telling us."))], [Withdraw(place.id)])

    # --- your data
    def my_data(self) -> Result:
        member = self.snap.member
        channel = f"this phone number ({self.snap.address})" if self.sms and self.snap.address else (
            "this phone number" if self.sms else "this Telegram chat")
        if member is None:
            return Result({}, [Reply(f"We hold no participant record for you. We keep {channel} only to message "
                                     "you and honour STOP. Your feedback is anonymous and not linked to you.")])
        when = member.consent_at.astimezone(ZoneInfo(self.snap.timezone))
        needs = member.access_needs or "none given"
        first = (f"We hold: name {member.name or 'not given'}; {channel}; consent given {when.day} {when:%b %Y}. "
                 f"{self.settings_line(member)} Access needs: {needs}")
        while self.sms and not gsm7.fits(first):  # long access needs are cut; the admin has them whole
            first = first[:-10].rstrip() + "..."
        places = [f"{p.title} ({STATUS_WORDS.get(p.status, p.status)})" for p in member.places]
        tail = "Your feedback is anonymous and not linked to this. Text DELETE MY DATA to erase it."
        shown = places[:]
        while True:
            listed = "; ".join(shown) + (f"; and {len(places) - len(shown)} more" if len(shown) < len(places) else "")
            second = f"Sign-ups: {listed}. {tail}" if places else f"No sign-ups. {tail}"
            if not self.sms or gsm7.fits(second) or not shown:
                break
            shown.pop()
        return Result({}, [Reply(first), Reply(second)])

    def ask_erase(self) -> Result:
        member = self.snap.member
        if member is None:
            return Result({}, [Reply("We hold no participant record for you, so there is nothing to delete. Your "
                                     "feedback is anonymous and not linked to you.")])
        count = len(member.places)
        what = f"and {count} sign-up{'s' if count != 1 else ''}" if count else "(you have no sign-ups)"
        return Result(self.at("erase"), [Reply(
            f"This deletes your name, access needs, alert settings {what}. Your anonymous feedback is not "
            "affected. Reply DELETE to confirm, or NO to keep them.", (("Delete", "DELETE"), ("Keep", "NO")))])

    def on_erase(self) -> Result:
        norm = normalise(self.text)
        if norm in {"delete", "yes", "delete my data", "confirm", "yes delete"}:
            return Result({}, [Reply("Done. We've deleted your participant record and sign-ups, and told the People "
                                     "Participation Team. Text JOIN if you'd like to take part again.")], [Erase()])
        return Result({}, [Reply("OK, we've kept your details. Text MY DATA to see them.")])
