"""Everything the bot says, in one place, in plain GSM-7 English."""
from __future__ import annotations

from dataclasses import dataclass, replace

from bot import gsm7
from bot.safeguarding import Safeguarding, shipped

URGENT_HELP = "Urgent help: call 111 (mental health option), Samaritans 116 123, text SHOUT to 85258, or 999 if life is at risk."


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

    def reminder(self, title: str) -> str:
        return (f"A reminder: you started our survey ({title}). Reply to carry on where you left off, "
                "SKIP to move on, or STOP to opt out.")

    def service_prompt(self, numbered: str) -> str:
        return f"Which service is your feedback about? Reply with a number:\n{numbered}\n0 Not sure / rather not say"

    def service_retry(self, numbered: str) -> str:
        return f"Sorry, please reply with one number:\n{numbered}\n0 Not sure / rather not say"

    def expired(self) -> str:
        return f"Sorry, that survey has closed. Text {self.keyword} to give feedback, or HELP for help."

    def empty(self) -> str:
        return "Sorry, that message was empty. Please reply with text, or HELP for help."

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
