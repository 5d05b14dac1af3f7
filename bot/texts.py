"""Everything the bot says, in one place, in plain GSM-7 English."""
from __future__ import annotations

from dataclasses import dataclass

from bot import fft

URGENT_HELP = "Urgent help: call 111 (mental health option), Samaritans 116 123, text SHOUT to 85258, or 999 if life is at risk."


@dataclass(frozen=True)
class Texts:
    """The bot's wording, with the parts a trust can configure filled in."""

    trust_name: str = "the trust"
    keyword: str = "FEEDBACK"
    followup: str = "Please can you tell us why you gave your answer?"
    local_crisis_line: str | None = None

    @property
    def urgent_help(self) -> str:
        if self.local_crisis_line:
            return f"Urgent help: {self.local_crisis_line}, call 111 (mental health option), Samaritans 116 123, or 999."
        return URGENT_HELP

    def question(self, service_name: str | None = None) -> str:
        about = f"About: {service_name}\n" if service_name else ""
        return f"{about}{fft.QUESTION}\nReply with a number:\n{fft.options_text()}"

    def question_retry(self) -> str:
        return f"Sorry, I didn't catch that. Please reply with a number from 1 to 6:\n{fft.options_text()}"

    def question_offer_stop(self) -> str:
        return ("Sorry, I still didn't understand. Reply with a number from 1 (Very good) to 6 (Don't know), "
                "or SKIP to leave the survey. Reply STOP to stop all messages.")

    def followup_prompt(self) -> str:
        return f"Thank you. {self.followup} (Or reply SKIP.)"

    def thanks(self) -> str:
        return ("Thank you for your feedback. It is anonymous and helps us improve our services. "
                f"Text {self.keyword} any time to tell us more.")

    def left_survey(self) -> str:
        return f"No problem, you've left the survey. Text {self.keyword} any time if you change your mind."

    def invitation(self, service_name: str | None) -> str:
        about = f" about {service_name}" if service_name else ""
        trust = self.trust_name[:1].upper() + self.trust_name[1:]  # not capitalize(): keep "NHS" upper case
        return (f"{trust} would like your anonymous feedback{about}.\n{fft.QUESTION}\n"
                f"{fft.options_text()}\nReply STOP to opt out.")

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
                f"Text {self.keyword} to start, STOP to opt out. {self.urgent_help}")

    def stopped(self) -> str:
        return "You've opted out and won't get any more messages from YourSay. Text START to opt back in."

    def restarted(self) -> str:
        return f"Welcome back, you've opted back in to YourSay. Text {self.keyword} to give feedback or STOP to opt out."
