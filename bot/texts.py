"""Everything the bot says, in one place, in plain GSM-7 English."""
from __future__ import annotations

from dataclasses import dataclass

from bot import gsm7

URGENT_HELP = "Urgent help: call 111 (mental health option), Samaritans 116 123, text SHOUT to 85258, or 999 if life is at risk."


@dataclass(frozen=True)
class Texts:
    """The bot's wording, with the parts a trust can configure filled in."""

    trust_name: str = "the trust"
    keyword: str = "FEEDBACK"
    local_crisis_line: str | None = None

    @property
    def urgent_help(self) -> str:
        if self.local_crisis_line:
            return f"Urgent help: {self.local_crisis_line}, call 111 (mental health option), Samaritans 116 123, or 999."
        return URGENT_HELP

    def crisis(self) -> str:
        """Signposting for someone who may be at risk. It must never be cut, so it is kept short."""
        local = f" {self.local_crisis_line}." if self.local_crisis_line else ""
        return ("If your life is at risk, call 999 or go to A&E now. For urgent mental health help call NHS 111 "
                f"and choose the mental health option.{local} Samaritans: 116 123, free, any time. "
                "Or text SHOUT to 85258.")

    def survey_paused(self) -> str:
        return ("Thank you for telling us. A member of our team will read your message. We've paused the survey: "
                "reply CARRY ON if you'd like to go back to it.")

    def flagged(self) -> str:
        return "Thank you for telling us. A member of our team will read your message."

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
