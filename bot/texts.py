"""Everything the bot says, in one place, in plain GSM-7 English.

Every public method of Texts is a message (or the messages) the bot can send; the SMS budget
test calls each one with the longest arguments it can meet. Where an SMS could run over 2
segments, the method itself shortens it (fit() and the loops below), so the test sees that too.
The wording that needs no Texts (how a question is asked, button labels, Telegram's command
menu) is the module's constants and functions below; the test walks every one of them too.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Protocol
from zoneinfo import ZoneInfo

from bot import gsm7
from bot.keywords import normalise
from bot.opportunities import TYPES, type_label
from bot.safeguarding import Safeguarding, shipped

URGENT_HELP = "Urgent help: call 111 (mental health option), Samaritans 116 123, text SHOUT to 85258, or 999 if life is at risk."
STATUS_WORDS = {"interested": "interested", "confirmed": "place confirmed", "waiting": "waiting list",
                "withdrawn": "withdrawn", "attended": "attended"}
PAYMENT_WORDS = {"paid": "Paid", "expenses": "Expenses paid", "voluntary": "Voluntary"}
ALERT_PAYMENT_WORDS = {"paid": "paid", "expenses": "expenses", "voluntary": "voluntary"}
ALERT_WORDS_SHOWN = {"instant": "on, as they are published", "weekly": "on, a weekly digest", "off": "off"}
ALERT_TAIL = "Text JOIN to see it, ALERTS to change alerts, STOP to stop."
DIGEST_TAIL = "Text JOIN to see them, ALERTS to change alerts, STOP to stop."
TELEGRAM_LIMIT = 4096
# What a reviewer may send someone from a safeguarding flag's page, besides a message of their own.
FLAG_REPLIES = (
    "Thank you for your message. A member of our team has read it. " + URGENT_HELP,
    "Thank you for telling us. We have read your message and passed it to the right team, who may contact you.",
    "We have read your message and would like to check you are OK. Text back if you want us to call you.",
)
_CHANGE_ALERTS = "Text ALERTS to change them, or STOP to stop all messages."

# How a survey question is asked, and asked again (bot/answers.py): the question's own words
# and options come from its survey file.
CHOICE_HINT = "Reply with a number:"
MULTI_HINT = "Reply with the numbers of all that apply, e.g. 1,3:"
SKIP_HINT = "(Or reply SKIP.)"
MULTI_RETRY = "Please reply with the numbers of all that apply, e.g. 1,3:"
TEXT_RETRY = "Please reply with a few words."
YES_LABEL, NO_LABEL, PREFER_NOT_LABEL = "Yes", "No", "Prefer not to say"  # a yes/no question's options


def scale_hint(first: str, last: str) -> str:
    """A numeric scale, by its first and last options' labels."""
    return f"Reply with a number from {first} to {last}."


def scale_retry(first: str, last: str) -> str:
    """A numeric scale asked again, by its first and last options' values."""
    return f"Please reply with a number from {first} to {last}."


def choice_retry(count: int) -> str:
    """A numbered list asked again; the options follow."""
    return f"Please reply with a number from 1 to {count}:"


# Telegram buttons: (label, the reply they send).
YES_NO = (("Yes", "YES"), ("No", "NO"))
AGREE = (("Yes, I agree", "YES"), ("No", "NO"))
WITHDRAW_BUTTONS = (("Yes, withdraw", "YES"), ("No", "NO"))
ERASE_BUTTONS = (("Delete", "DELETE"), ("Keep", "NO"))
MORE_BUTTON = ("More", "MORE")
SIGN_UP_BUTTON = ("Sign up", "SIGN UP")
NOT_SURE_BUTTON = ("Not sure", "0")  # which service: not sure, or rather not say


def alert_buttons(paused: bool) -> tuple[tuple[str, str], ...]:
    """The alerts menu (Texts.alerts_menu) as buttons."""
    return (("Instant", "1"), ("Weekly", "2"), ("Resume" if paused else "Pause", "3"), ("Kinds", "4"),
            ("Areas", "5"), ("Off", "6"))


# Telegram's command menu: (command, description). Each is a word the bot knows (bot/keywords.py).
TELEGRAM_COMMANDS = (("start", "Give feedback"), ("join", "Ways to get involved"),
                     ("alerts", "Alerts about new opportunities"), ("mydata", "What we hold about you"),
                     ("help", "Who we are, and where to get urgent help"), ("stop", "Stop all messages from us"))


# What the wording reads from the core's records (bot.participation's Opening, Place and Member,
# or storage's Opportunity): named here, not imported, because the core imports this module.
class Opportunity(Protocol):
    title: str
    summary: str
    description: str
    type: str
    area: str
    venue: str
    payment: str
    starts_at: datetime | None
    closes_on: date | None
    accessibility: str


class SignUp(Protocol):
    title: str
    status: str


class Participant(Protocol):
    name: str
    consent_at: datetime
    interests: tuple[str, ...]
    areas: tuple[str, ...]
    access_needs: str
    alerts: str
    paused: bool
    places: Sequence[SignUp]


@dataclass(frozen=True)
class Texts:
    """The bot's wording, with the parts a trust can configure filled in."""

    trust_name: str = "the trust"
    keyword: str = "FEEDBACK"
    local_crisis_line: str | None = None
    safeguarding: Safeguarding | None = None  # the settings file (bot/safeguarding.yaml or the trust's copy)

    @property
    def urgent_help(self) -> str:
        if self.local_crisis_line:
            return f"Urgent help: {self.local_crisis_line}, call 111 (mental health option), Samaritans 116 123, or 999."
        return URGENT_HELP

    @property
    def safeguarding_settings(self) -> Safeguarding:
        base = self.safeguarding or shipped()
        if self.local_crisis_line and not base.local_crisis_line:
            return replace(base, local_crisis_line=self.local_crisis_line)
        return base

    def crisis(self) -> str:
        """Signposting for someone who may be at risk. It must never be cut, so it is kept short."""
        return self.risk_reply("suicide")

    def risk_reply(self, category: str, language: str | None = None) -> str:
        """The first reply to a message that may show risk: the right words for its kind."""
        return self.safeguarding_settings.reply(category, language)

    def private_only(self, bot_username: str | None) -> str:
        """Said in a Telegram group before the bot leaves it."""
        where = f": https://t.me/{bot_username}" if bot_username else "."
        return ("Sorry, I only work in private chats, so I am leaving this group. To give feedback or get help, "
                f"start a private chat with me{where}")

    def risk_repeat(self) -> str:
        """The same kind of risk again within minutes: no second copy of the numbers."""
        return self.safeguarding_settings.message("repeat")

    def after_crisis(self, paused: bool) -> str:
        """ "thank you", "ok" or CARRY ON after a crisis reply."""
        return self.safeguarding_settings.message("after_crisis_paused" if paused else "after_crisis")

    def survey_paused(self) -> str:
        return self.safeguarding_settings.review(paused=True)

    def flagged(self) -> str:
        return self.safeguarding_settings.review(paused=False)

    def still_paused(self) -> str:
        return (f"Thank you for your message. {self.urgent_help} Reply CARRY ON to go back to the survey, or "
                "STOP to stop messages.")

    def retry(self, how_to_answer: str) -> str:
        return f"Sorry, I didn't catch that. {how_to_answer}"

    def offer_to_leave(self, count: int, first: str, last: str, optional: bool) -> str:
        way_out = "SKIP to move on" if optional else "SKIP to leave the survey"
        text = (f"Sorry, I still didn't understand. Reply with a number from 1 ({first}) to {count} ({last}), "
                f"or {way_out}. Reply STOP to stop all messages.")
        if count and gsm7.fits(text):
            return text
        choose = f"Reply with a number from 1 to {count}, or" if count else "Reply with a few words, or"
        return f"Sorry, I still didn't understand. {choose} {way_out}. Reply STOP to stop all messages."

    def resumed(self) -> str:
        return "Welcome back. Carrying on where you left off:\n"

    def first_question(self) -> str:
        return "This is the first question.\n"

    def thanks(self) -> str:
        return ("Thank you for your feedback. It is anonymous and helps us improve our services. "
                f"Text {self.keyword} any time to tell us more.")

    def left_survey(self) -> str:
        return f"No problem, you've left the survey. Text {self.keyword} any time if you change your mind."

    def invitation(self, service_name: str | None, first_prompt: str, intro: str | None = None) -> list[str]:
        """One SMS with the first question where it fits, else an opening and then the question."""
        about = f" about {service_name}" if service_name else ""
        trust = self.trust_name[:1].upper() + self.trust_name[1:]  # not capitalize(): keep "NHS" upper case
        opening = f"{trust} would like your anonymous feedback{about}."
        if intro:  # the survey explains itself (e.g. why equality monitoring asks what it asks)
            opening = f"{trust}: {intro}" if gsm7.fits(f"{trust}: {intro} Reply STOP to opt out.") else intro
        whole = f"{opening}\n{first_prompt}\nReply STOP to opt out."
        if gsm7.fits(whole):
            return [whole]
        return [f"{opening} Reply STOP to opt out.", first_prompt]

    def reminder(self, survey_title: str) -> str:
        return (f"A reminder: you started our survey ({survey_title}). Reply to carry on where you left off, "
                "SKIP to move on, or STOP to opt out.")

    def service_prompt(self, numbered: str) -> str:
        return f"Which service is your feedback about? Reply with a number:\n{numbered}\n0 Not sure / rather not say"

    def service_retry(self, numbered: str) -> str:
        return f"Sorry, please reply with one number:\n{numbered}\n0 Not sure / rather not say"

    def expired(self) -> str:
        return f"Sorry, that survey has closed. Text {self.keyword} to give feedback, or HELP for help."

    def empty(self) -> str:
        return "Sorry, that message was empty. Please reply with text, or HELP for help."

    def media(self) -> str:
        """A photo, sticker, voice note or video with no words: a caption would have been read as text."""
        return ("Sorry, I can only read text, not photos, stickers, voice notes or videos. Please type your message, "
                "or reply HELP for help.")

    def idle(self) -> str:
        return (f"Hello, this is YourSay from {self.trust_name}. Text {self.keyword} to tell us about your care, "
                "HELP for help, or STOP to opt out.")

    def help(self) -> str:
        return (f"YourSay from {self.trust_name}: we ask about your care. Feedback is anonymous. "
                f"Text {self.keyword} to start, JOIN to get involved, STOP to opt out. {self.urgent_help}")

    def stopped(self) -> str:
        return "You've opted out and won't get any more messages from YourSay. Text START to opt back in."

    def restarted(self) -> str:
        return f"Welcome back, you've opted back in to YourSay. Text {self.keyword} to give feedback or STOP to opt out."

    def about(self, service_name: str) -> str:
        """Before a survey's first words, when it starts about one service."""
        return f"About: {service_name}\n"

    def stale_button(self) -> str:
        """A Telegram button pressed on an older message."""
        return "That button was for an earlier question. Please answer the latest one."

    # --- answers read the way people write them (bot/answers.py, bot/reading.py, bot/engine.py) ---

    def did_you_mean(self, label: str) -> str:
        """A reply that probably means one answer ("not great", an emoji): asked before anything is recorded."""
        return f"Did you mean {label}? Reply YES or a number."

    def did_you_mean_again(self, label: str) -> str:
        """Anything but YES, NO or an answer to "Did you mean ...?"."""
        return f"Sorry, I didn't catch that. Did you mean {label}? Reply YES, NO or a number."

    def choose_again(self) -> str:
        """NO to "Did you mean ...?": the question follows."""
        return "OK, please choose again.\n"

    def without_service(self) -> str:
        """A second reply to "which service?" that matches none: said plainly, and the survey goes on."""
        return "We couldn't match that to a service, so we'll record your feedback without one.\n"

    def not_read(self) -> str:
        """A reply in another language that we cannot read."""
        return ("Sorry, we could not read that: we can only read English here. If you need urgent help, call 999 or "
                "NHS 111. Both have free interpreters: say the name of your language in English.")

    # --- stories: words sent outside a survey, and later parts of one (bot/stories.py) ----------

    def story_kept(self) -> str:
        """Words that tell us something, sent outside a survey: kept as an anonymous story."""
        return ("Thank you for telling us. We have passed your words on to the team anonymously. "
                f"To give feedback on a service, text {self.keyword}, or {self.keyword} and the service's name.")

    def cannot_act(self) -> str:
        """A request or question sent outside a survey ("can you pass a message to my care coordinator"): kept, and
        said plainly that nobody will act on it here."""
        return ("We read these messages as anonymous feedback, so we cannot reply or pass messages to a care team. "
                "For appointments or your care, contact the service directly. For a complaint, contact PALS (Patient "
                f"Advice and Liaison Service). Text {self.keyword} to tell us about a service, HELP for help.")

    def who_we_are(self) -> str:
        """ "Who is this?", "how did you get my number?": who we are, and why they may have had a message."""
        return (f"This is YourSay, the feedback service of {self.trust_name}. You may have been sent an invitation "
                f"after using one of our services. Text {self.keyword} to tell us about your care, or STOP to opt out.")

    def wrong_number(self) -> str:
        """ "Wrong number": nothing kept."""
        return (f"Sorry about that. This is YourSay, the feedback service of {self.trust_name}. Text STOP and we "
                "will not message this number again.")

    def story_noted(self) -> str:
        """Their own words, sent where the bot asked for a choice: kept, and the question follows."""
        return "Thank you, we have kept what you wrote. Please also answer the question:"

    def story_added(self) -> str:
        """A later part of a story, a while after the last one: joined to it."""
        return "Thank you, we have added that to what you told us."

    # --- getting involved: finding opportunities (bot/participation.py) -------------------------

    def no_openings(self) -> str:
        return "There are no opportunities open just now. Text ALERTS to hear as soon as new ones are published."

    def listing(self, lines: list[str], start: int, total: int, more: bool, unmatched: bool = False,
                wrapped: bool = False) -> str:
        """A page of opportunities; the caller drops lines until an SMS fits, down to one."""
        note = ("None match what you asked for just now, so here is everything. " if unmatched
                else "That's all. From the start: " if wrapped else "")
        head = f"{note}Ways to get involved ({start + 1}-{start + len(lines)} of {total}):"
        footer = "Reply a number for details" + (", or MORE for more." if more else ".")
        return "\n".join([head, *lines, footer])

    def opening_line(self, number: int, opening: Opportunity, when: str, sms: bool) -> str:
        """One line of a page: a long title is cut on SMS."""
        o = opening
        title = given(o.title, sms, 120)
        title = title if len(title) <= 42 or not sms else title[:40].rstrip() + ".."
        bits = [given(o.area, sms, 80) if normalise(o.venue) != "online" else "online", when,
                PAYMENT_WORDS.get(o.payment, o.payment).lower()]
        return f"{number} {title} - {', '.join(b for b in bits if b)}"

    def opps_retry(self, more: bool, selected: bool) -> str:
        more_ = " MORE for more," if more else ""
        tail = " or SIGN UP for this one." if selected else " or STOP to stop."
        return f"Please reply with a number for details,{more_}{tail}"

    def listing_closed(self) -> str:
        """"Not now" to the list of opportunities: nothing more is asked."""
        return "No problem. Text JOIN any time to see ways to get involved."

    def number_first(self) -> str:
        return "Which one? Reply with its number first."

    def number_from(self, highest: int) -> str:
        return f"Please reply with a number from 1 to {highest}."

    def just_closed(self) -> str:
        return "Sorry, that one has just closed. Text JOIN to see what is open."

    def details(self, opening: Opportunity, when: str, places_left: int | None, sms: bool) -> list[str]:
        """An opportunity in two messages: what it is, then the facts (the last dropped to fit) and what to reply."""
        o = opening
        title, summary = given(o.title, sms, 120), given(o.summary, sms, 306)
        first = f"{title}\n{summary}" if not sms or gsm7.fits(f"{title}\n{summary}") else summary
        if not sms and o.description:
            first = f"{o.title}\n{o.description}"
        places = ("Full: you can join the waiting list" if places_left == 0
                  else f"{places_left} place{'' if places_left == 1 else 's'} left" if places_left is not None else "")
        where = f"{given(o.venue, sms, 200)}, {given(o.area, sms, 80)}."
        facts = [f"{type_label(o.type)}.", f"{when}." if when else "", where if normalise(o.venue) !=
                 "online" else "Online.", f"{PAYMENT_WORDS.get(o.payment, o.payment)}.", f"{places}." if places else "",
                 f"Closes {o.closes_on.day} {o.closes_on:%b}." if o.closes_on else "",
                 f"Access: {given(o.accessibility, sms, 300)}" if o.accessibility else ""]
        ask = "Reply SIGN UP to take part, or another number."
        second = " ".join(f for f in facts if f) + f"\n{ask}"
        while sms and not gsm7.fits(second) and len(facts) > 2:  # what kind and when always stay
            facts.pop()
            second = " ".join(f for f in facts if f) + f"\n{ask}"
        return [first, second]

    # --- getting involved: signing up ------------------------------------------------------------

    def opportunity_closed(self) -> str:
        return "Sorry, that opportunity has closed. Text JOIN to see what is open."

    def already_signed_up(self, title: str, status: str, sms: bool = True) -> str:
        return (f"You're already signed up for {given(title, sms, 120)} ({STATUS_WORDS[status]}). Text WITHDRAW if "
                "you can't make it.")

    def full(self, title: str, sms: bool) -> str:
        return fit(f"{given(title, sms, 120)} is full.", "Reply YES to join the waiting list, or NO.", sms=sms)

    def not_added(self) -> str:
        return "OK, we haven't added you. Text JOIN to see other opportunities."

    def waitlist_retry(self) -> str:
        return "Please reply YES to join the waiting list, or NO."

    def booked(self, title: str, name: str, when: str, waiting: bool, sms: bool) -> str:
        """A place taken, or a place on the waiting list: what and when are always said, the rest may give way."""
        name, title = given(name, sms, 80), given(title, sms, 120)
        hello = [f"Thank you {name}." if name else "Thank you."]
        if waiting:
            return fit(hello, f"{title} is full, so you're on the waiting list.",
                       ["We'll tell you if a place comes up."], "Text WITHDRAW to come off it.", sms=sms)
        on = f" on {when}" if when else ""
        return fit(hello, f"You're signed up for {title}{on}.",
                   ["The People Participation Team will be in touch with the details."],
                   "Text WITHDRAW if you can't make it.", sms=sms)

    def consent(self, for_alerts: bool, sms: bool) -> str:
        """What we keep and why, in the words a person agrees to (kept with their record)."""
        where = "this phone number" if sms else "this Telegram chat"
        purpose = "send you alerts" if for_alerts else "sign you up"
        for who in (self.trust_name, "we"):  # a long trust name gives way to "we" on SMS
            wording = (f"To {purpose}, {who} will keep your name, {where}, what you'd like to hear about and any "
                       "access needs. Only the People Participation Team see them. Text DELETE MY DATA any time to "
                       "remove them. Your feedback stays anonymous. Reply YES to agree, or NO.")
            if not sms or gsm7.fits(wording):
                break
        return wording

    def consent_retry(self) -> str:
        return "Please reply YES to agree, or NO."

    # A question at consent (bot/participation.py's QUESTION_TOPICS): the plain answer, then consent again.
    def consent_answer(self, topic: str, sms: bool) -> str:
        """What we keep, who sees it, why we ask, how to delete it; anything else: what can be answered here."""
        where = "this phone number" if sms else "this Telegram chat"
        answer = {
            "keep": (f"We keep your name, {where}, what you'd like to hear about and any access needs you tell us. "
                     "Nothing else: your feedback stays anonymous and is not linked to you."),
            "see": ("Only the People Participation Team see them, to contact you about taking part. They are not "
                    "linked to your feedback, which stays anonymous."),
            "why": ("We ask for a name so we know what to call you, and for access needs so we can make taking part "
                    "work for you. You can skip either."),
            "delete": ("Yes. Text DELETE MY DATA any time and we'll delete your name, access needs, alert settings "
                       "and sign-ups. Text MY DATA to see what we hold."),
        }.get(topic, "Sorry, I can only answer questions here about what we keep, who sees it, why we ask and how "
                     "to delete it.")
        return f"{answer} {self.consent_retry()}"

    def consent_declined(self) -> str:
        return "No problem, we haven't kept anything. Text JOIN any time if you change your mind."

    def ask_name(self) -> str:
        return "Thank you. What would you like us to call you? (Or SKIP.)"

    def name_retry(self) -> str:
        return "What would you like us to call you? Reply with a name, or SKIP."

    def ask_needs(self) -> str:
        return ("Do you have any access needs we should know about (e.g. step-free access, BSL, a quiet room)? "
                "Reply NONE if not.")

    def joined_but_closed(self) -> str:
        return ("Thank you, you're now a participant. Sorry, that opportunity has just closed. Text JOIN to see what "
                "is open.")

    def equality_offer(self) -> str:
        return ("Would you answer a few optional questions about you (age, ethnicity and so on)? They help us check "
                "that taking part is open to everyone, and are kept apart from your name. Reply YES or NO.")

    def equality_declined(self) -> str:
        return "No problem. Text ALERTS to hear about new opportunities, or MY DATA to see what we hold."

    def yes_or_no(self) -> str:
        return "Please reply YES or NO."

    # What the service says instead when things changed while the person was typing.
    def record_gone(self) -> str:
        return "Sorry, we couldn't find your participant record. Text JOIN to sign up again."

    def closed_meanwhile(self) -> str:
        return "Sorry, that opportunity has just closed, so we couldn't sign you up. Text JOIN to see what is open."

    def last_place_taken(self, title: str, sms: bool = True) -> str:
        return (f"Sorry, the last place on {given(title, sms, 120)} was just taken, so you're first in line on the "
                "waiting list.")

    # --- getting involved: alerts ----------------------------------------------------------------

    def alerts_menu(self, member: Participant, sms: bool, joined: bool = False) -> str:
        """The alert settings, then each choice on its own line; on SMS the settings shorten, then give way."""
        name = given(member.name, sms, 80)
        opening = f"Thank you{' ' + name if name else ''}, alerts are on." if joined else ""
        pause = "Resume" if member.paused else "Pause"
        options = (f"Reply with a number:\n1 Instant\n2 Weekly digest\n3 {pause}\n4 Choose kinds\n5 Choose areas\n"
                   "6 Turn off")
        for settings in (self._settings(member, sms), self._settings(member, sms, short=True), ""):
            head = " ".join(filter(None, (opening, settings)))
            text = f"{head}\n{options}" if head else options
            if not sms or gsm7.fits(text):
                break
        return text

    def _settings(self, member: Participant, sms: bool, short: bool = False) -> str:
        """What alerts someone gets; short: how many kinds and areas, not their names."""
        state = "paused" if member.paused and member.alerts != "off" else ALERT_WORDS_SHOWN.get(member.alerts, "off")
        if short:
            kinds, areas = _count(len(member.interests), "kind"), _count(len(member.areas), "area")
        else:
            kinds = ", ".join(type_label(t) for t in member.interests)
            areas = ", ".join(given(a, sms, 80) for a in member.areas)
        return f"Alerts: {state}. About: {kinds or 'all kinds'}. Where: {areas or 'all areas'}."

    def alerts_instant(self) -> str:
        return f"Done: you'll get alerts as opportunities are published. {_CHANGE_ALERTS}"

    def alerts_weekly(self) -> str:
        return f"Done: you'll get one weekly digest of new opportunities. {_CHANGE_ALERTS}"

    def alerts_paused(self, paused: bool) -> str:
        return f"Done: your alerts are {'paused' if paused else 'back on'}. {_CHANGE_ALERTS}"

    def alerts_off(self) -> str:
        return ("Done: alerts are off. You're still a participant: text ALERTS to turn them back on, or DELETE MY "
                "DATA to leave.")

    def alerts_retry(self) -> str:
        return self.number_from(6)

    def choose_kinds(self) -> str:
        lines = "\n".join(f"{n} {label}" for n, (_, label, _) in enumerate(TYPES, 1))
        return f"Which kinds? Reply with numbers, e.g. 1 3, or ALL:\n{lines}"

    def kinds_retry(self) -> str:
        return f"Please reply with numbers from 1 to {len(TYPES)}, e.g. 1 3, or ALL."

    def kinds_chosen(self, interests: tuple[str, ...], sms: bool) -> str:
        said = ", ".join(type_label(k) for k in interests) or "all kinds"
        return fit(f"Done: you'll hear about {said}.", ["Text ALERTS to change this."], sms=sms)

    def no_areas(self) -> str:
        return ("We don't have areas to choose from yet, so you'll hear about opportunities everywhere. "
                f"{_CHANGE_ALERTS}")

    def choose_areas(self, areas: list[str], sms: bool) -> str:
        """The areas to choose from; the caller drops the last ones until an SMS fits."""
        return "Which areas? Reply with numbers, e.g. 1 2, or ALL:\n" + "\n".join(
            f"{n} {given(area, sms, 80)}" for n, area in enumerate(areas, 1))

    def areas_retry(self, count: int) -> str:
        return f"Please reply with numbers from 1 to {count}, e.g. 1 2, or ALL."

    def areas_chosen(self, areas: tuple[str, ...], sms: bool) -> str:
        names = [given(a, sms, 80) for a in areas]
        for shown in range(len(names), 0, -1):  # on SMS, the areas that fit and how many more
            said = ", ".join(names[:shown]) + (f" and {len(names) - shown} more" if shown < len(names) else "")
            text = fit(f"Done: you'll hear about opportunities in {said}, and online ones.",
                       ["Text ALERTS to change this."], sms=sms)
            if not sms or gsm7.fits(text):
                return text
        return fit("Done: you'll hear about opportunities in all areas.", ["Text ALERTS to change this."], sms=sms)

    # --- getting involved: withdrawing -----------------------------------------------------------

    def nothing_to_withdraw(self) -> str:
        return "You're not signed up for anything just now. Text JOIN to see opportunities."

    def withdraw_one(self, title: str, sms: bool) -> str:
        return fit(f"Withdraw from {given(title, sms, 120)}?", "Reply YES to withdraw, or NO to keep your place.",
                   sms=sms)

    def withdraw_which(self, places: Sequence[SignUp], sms: bool) -> str:
        """The places to choose from; the caller drops the last ones until an SMS fits."""
        return "Which one? Reply with its number:\n" + "\n".join(
            f"{n} {given(p.title, sms, 120)} ({STATUS_WORDS[p.status]})" for n, p in enumerate(places, 1))

    def nothing_changed(self) -> str:
        return "OK, nothing has changed."

    def already_withdrawn(self) -> str:
        return "You've already withdrawn from that one."

    def withdrawn(self, title: str, sms: bool) -> str:
        return fit(f"You've withdrawn from {given(title, sms, 120)}.", ["We've let the team know."],
                   ["Thank you for telling us."], sms=sms)

    # --- getting involved: a person's own data ---------------------------------------------------

    def _held_address(self, address: str, sms: bool) -> str:
        return f"this phone number ({address})" if sms and address else (
            "this phone number" if sms else "this Telegram chat")

    def no_record(self, address: str, sms: bool) -> str:
        """MY DATA from someone who is not a participant."""
        return (f"We hold no participant record for you. We keep {self._held_address(address, sms)} only to message "
                "you and honour STOP. Your feedback is anonymous and not linked to you.")

    def my_data(self, member: Participant, address: str, sms: bool, tz: str = "Europe/London") -> list[str]:
        """Everything we hold, in two messages. On SMS the name and titles are spelt in GSM-7, the alert settings
        may be counted rather than listed, and long access needs and a long list of sign-ups are cut."""
        when = member.consent_at.astimezone(ZoneInfo(tz))
        head = (f"We hold: name {given(member.name, sms, 80) or 'not given'}; {self._held_address(address, sms)}; "
                f"consent given {when.day} {when:%b %Y}.")
        needs = given(member.access_needs, sms, 1000) or "none given"
        for settings in (self._settings(member, sms), self._settings(member, sms, short=True)):
            first = f"{head} {settings} Access needs: {needs}"
            if not sms or gsm7.fits(first):
                break
        else:  # long access needs are cut, clearly; the admin has them whole
            room = 153 * gsm7.MAX_SEGMENTS - gsm7.septets(f"{head} {settings} Access needs: ")
            first = f"{head} {settings} Access needs: {shorten(needs, room)}"
        places = [f"{given(p.title, sms, 120)} ({STATUS_WORDS.get(p.status, p.status)})" for p in member.places]
        tail = "Your feedback is anonymous and not linked to this. Text DELETE MY DATA to erase it."
        shown = places[:]
        while True:
            listed = "; ".join(shown) + (f"; and {len(places) - len(shown)} more" if len(shown) < len(places) else "")
            second = f"Sign-ups: {listed}. {tail}" if places else f"No sign-ups. {tail}"
            if not sms or gsm7.fits(second) or not shown:
                break
            shown.pop()
        return [first, second]

    def nothing_to_delete(self) -> str:
        return ("We hold no participant record for you, so there is nothing to delete. Your feedback is anonymous and "
                "not linked to you.")

    def ask_erase(self, signups: int) -> str:
        what = f"and {signups} sign-up{'s' if signups != 1 else ''}" if signups else "(you have no sign-ups)"
        return (f"This deletes your name, access needs, alert settings {what}. Your anonymous feedback is not "
                "affected. Reply DELETE to confirm, or NO to keep them.")

    def erase_retry(self) -> str:
        """Anything but DELETE or NO at the DELETE MY DATA question that sounds like yes."""
        return "To delete your details, reply DELETE. To keep them, reply NO."

    def erased(self) -> str:
        return ("Done. We've deleted your participant record and sign-ups, and told the People Participation Team. "
                "Text JOIN if you'd like to take part again.")

    def kept(self) -> str:
        return "OK, we've kept your details. Text MY DATA to see them."

    # --- alerts and digests to participants (service/alerts.py queues them) ----------------------

    def alert(self, opportunity: Opportunity, sms: bool = True, tz: str = "Europe/London") -> str:
        """A newly published opportunity. On SMS it fits 2 GSM-7 segments: the summary, then the title, are cut."""
        o = opportunity
        where = "online" if o.venue.strip().lower() == "online" else o.area
        details = [type_label(o.type), where, _clock(o.starts_at, tz), ALERT_PAYMENT_WORDS.get(o.payment, o.payment)]
        if not sms:
            text = (f"New from {self.trust_name}: {o.title} ({', '.join(filter(None, details))}).\n\n{o.summary}"
                    + (f"\n\nWhere: {o.venue}" if where != "online" else "")
                    + (f"\nCloses {o.closes_on.day} {o.closes_on:%b}" if o.closes_on else "")
                    + f"\n\n{ALERT_TAIL}")
            return text[:TELEGRAM_LIMIT]
        trust, title, summary = plain(self.trust_name), plain(o.title), plain(o.summary)
        details = [plain(d) for d in details]
        budget = 153 * gsm7.MAX_SEGMENTS

        def build(summary_: str) -> str:
            head = f"New from {trust}: {title} ({', '.join(filter(None, details))})."
            return f"{head} {summary_} {ALERT_TAIL}" if summary_ else f"{head} {ALERT_TAIL}"

        text = build(summary)
        if gsm7.septets(text) <= budget:
            return text
        room = budget - gsm7.septets(build("")) - 1
        if room >= 20:  # enough left for a useful part of the summary
            return build(shorten(summary, room))
        # Even without the summary it is too long: shorten the title, then the area, then the trust's name.
        for part in ("title", "area", "trust"):
            over = gsm7.septets(build("")) - budget
            if over <= 0:
                break
            if part == "title":
                title = shorten(title, max(20, gsm7.septets(title) - over))
            elif part == "area":
                details[1] = shorten(details[1], max(12, gsm7.septets(details[1]) - over))
            else:
                trust = shorten(trust, max(12, gsm7.septets(trust) - over))
        return build("")

    def digest(self, titles: list[str], sms: bool = True) -> str:
        """The weekly digest: the titles that fit, then 'and N more: text JOIN to see them'."""
        head = f"New this week from {plain(self.trust_name) if sms else self.trust_name}:"
        if sms:
            titles = [shorten(plain(t), 60) for t in titles]
        fits = (lambda t: gsm7.fits(t)) if sms else (lambda t: len(t) <= TELEGRAM_LIMIT)
        for shown in range(len(titles), -1, -1):
            lines = "".join(f"\n- {t}" for t in titles[:shown])
            more = len(titles) - shown
            if more == 0:
                text = f"{head}{lines}\n{DIGEST_TAIL}"
            elif shown == 0:
                text = (f"{head} {more} new opportunities: text JOIN to see them. "
                        "ALERTS to change alerts, STOP to stop.")
            else:
                text = f"{head}{lines}\nand {more} more: text JOIN to see them. ALERTS to change alerts, STOP to stop."
            if fits(text):
                return text
        return text


def fit(*parts: str | list[str], sms: bool) -> str:
    """Join the parts. On SMS, leave out the optional ones, given in [brackets], the last first, until it fits
    2 segments. The others are always said (what, when, what we hold, what to reply), so the caller keeps them
    short enough: given() spells and cuts what a person or the PPT wrote."""
    kept = [p for p in parts if p and p != [""]]

    def joined() -> str:
        return " ".join(p[0] if isinstance(p, list) else p for p in kept)

    while sms and not gsm7.fits(joined()) and any(isinstance(p, list) for p in kept):
        kept.pop(max(n for n, p in enumerate(kept) if isinstance(p, list)))
    return joined()


def given(text: str, sms: bool, septets: int) -> str:
    """Words a person or the PPT wrote (a name, a title, access needs) as a reply says them: on Telegram as
    written; on SMS spelt in GSM-7 ("Łukasz" is "Lukasz") and cut at a word to at most this many septets. Words
    with nothing to spell (private-use or invisible characters only) are "?", so what we hold is never blank."""
    if not sms:
        return text
    spelt = plain(text)
    return shorten(spelt if spelt.strip() or not text.strip() else "?", septets)


def plain(text: str) -> str:
    """text in the GSM-7 alphabet: GSM-7's own letters kept, the rest spelt in it (bot/gsm7.py's transliterate)."""
    return gsm7.transliterate(text)


def shorten(text: str, septets: int) -> str:
    """text cut at a word to at most this many GSM-7 septets, with '...' if anything was cut."""
    if gsm7.septets(text) <= septets:
        return text
    if septets < 4:
        return ""
    cut = text
    while cut and gsm7.septets(cut) > septets - 3:
        cut = cut[:-1]
    word = cut.rsplit(" ", 1)[0] if " " in cut.strip() else cut
    return word.rstrip(" ,.;:-") + "..."


def _count(n: int, thing: str) -> str:
    """e.g. '1 area', '12 areas'; '' for none."""
    return f"{n} {thing}{'' if n == 1 else 's'}" if n else ""


def _clock(starts_at: datetime | None, tz: str) -> str:
    """e.g. 'Thu 3 Dec 2pm' or 'Thu 3 Dec 2:30pm', in local time; '' if there is no date."""
    if starts_at is None:
        return ""
    local = starts_at.astimezone(ZoneInfo(tz))
    hour = local.hour % 12 or 12
    clock = f"{hour}{local:%p}" if local.minute == 0 else f"{hour}:{local:%M%p}"
    return f"{local:%a} {local.day} {local:%b} {clock.lower()}"
