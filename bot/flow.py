"""The flow types: a survey, its questions, their options and conditions, and the registry of surveys."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta


@dataclass(frozen=True)
class Option:
    value: str
    label: str
    synonyms: tuple[str, ...] = ()  # other words for it, read as surely this option
    maybe: tuple[str, ...] = ()  # words that probably mean it: "Did you mean ...?" is asked first


@dataclass(frozen=True)
class Condition:
    """Show a question only when an earlier answer is one of these values."""

    question: str
    any_of: tuple[str, ...]


# A free-text answer's longest, unless its survey file says otherwise: more than a whole Telegram
# message (4,096 characters) or Twilio's longest joined SMS (1,600), so one message is never cut.
MAX_LENGTH = 5000


@dataclass(frozen=True)
class Question:
    id: str
    type: str
    text: str
    sms_text: str | None = None
    options: tuple[Option, ...] = ()
    optional: bool = False
    when: Condition | None = None
    section: str | None = None
    max_length: int = MAX_LENGTH
    effect: str | None = None


@dataclass(frozen=True)
class Survey:
    id: str
    version: int
    title: str
    questions: tuple[Question, ...]
    anonymous: bool = True
    store: str = "feedback"
    asks_service: bool = False
    expires_after: timedelta = timedelta(hours=24)
    reminder_after: timedelta | None = None
    keywords: tuple[str, ...] = ()
    intro: str | None = None
    intro_sms: str | None = None
    closing: str | None = None
    closing_sms: str | None = None
    source: str = ""

    def question(self, question_id: str) -> Question | None:
        return next((q for q in self.questions if q.id == question_id), None)


@dataclass
class Registry:
    """The surveys the bot can run, by id (newest version first), and what failed to load."""

    surveys: dict[str, list[Survey]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    def latest(self, survey_id: str) -> Survey | None:
        versions = self.surveys.get(survey_id)
        return versions[0] if versions else None

    def get(self, survey_id: str, version: int) -> Survey | None:
        return next((s for s in self.surveys.get(survey_id, ()) if s.version == version), None)
