"""Seed the admin's data directly (responses, answers, analyses, tags, flags), with no NLP model."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from admin import accounts
from storage.models import (Answer, Contact, Message, QIEvidence, QIProject, Response, SafeguardingFlag,
                            StoryAnalysis, StoryTag)

PASSWORD = "a long enough test password"
T0 = datetime(2026, 3, 2, 10, 0, tzinfo=timezone.utc)


class Seed:
    """Writes rows in their own transactions and returns ids."""

    def __init__(self, runtime):
        self.rt = runtime
        self._clock = T0

    def _tick(self) -> datetime:
        self._clock += timedelta(minutes=1)
        return self._clock

    def user(self, username: str, role: str, password: str = PASSWORD) -> int:
        with self.rt.factory.begin() as db:
            return accounts.create(db, username, role, password, self.rt.now()).id

    def story(self, text: str = "The staff were kind and listened to me.", *, redacted: str | None = None,
              service: str | None = "OAKLANDS", survey: str = "fft", fft: str | None = "1",
              question: str = "why", sentiment: str = "positive", risk: str | None = None,
              themes: dict[str, float] | None = None, mode: str = "SMS/text message",
              created_at: datetime | None = None, extra: dict[str, str] | None = None,
              analysed: bool = True) -> int:
        """One response with an FFT answer (unless fft=None), a free-text story, and its analysis."""
        when = created_at or self._tick()
        with self.rt.factory.begin() as db:
            response = Response(survey_id=survey, survey_version=1, service_code=service,
                                mode=mode, created_at=when)
            db.add(response)
            db.flush()
            if fft is not None:
                db.add(Answer(response_id=response.id, question_id="fft", value=fft))
            for qid, value in (extra or {}).items():
                db.add(Answer(response_id=response.id, question_id=qid, value=value))
            story = Answer(response_id=response.id, question_id=question, value=text)
            db.add(story)
            db.flush()
            if analysed:
                db.add(StoryAnalysis(answer_id=story.id, sentiment=sentiment, risk=risk,
                                     redacted=text if redacted is None else redacted, model_version="test-1",
                                     analysed_at=when))
                for theme, confidence in (themes if themes is not None else
                                          {"Staff manner & personal attributes": 0.87}).items():
                    db.add(StoryTag(answer_id=story.id, theme=theme, confidence=confidence, source="model"))
            return story.id

    def contact(self, address: str = "+447700900123", channel: str = "sms") -> int:
        with self.rt.factory.begin() as db:
            contact = Contact(channel=channel, address=address, state={}, created_at=self.rt.now())
            db.add(contact)
            db.flush()
            return contact.id

    def message(self, contact_id: int, body: str | None, direction: str = "out",
                created_at: datetime | None = None) -> int:
        when = created_at or self._tick()
        with self.rt.factory.begin() as db:
            message = Message(channel="sms", direction=direction, contact_id=contact_id, status="sent", body=body,
                              created_at=when, updated_at=when)
            db.add(message)
            db.flush()
            return message.id

    def flag(self, text: str = "I don't want to be here any more", *, contact_id: int | None = None,
             category: str = "suicide", priority: str = "urgent", created_at: datetime | None = None,
             status: str = "open") -> int:
        with self.rt.factory.begin() as db:
            flag = SafeguardingFlag(contact_id=contact_id, channel="sms", text=text, category=category,
                                    priority=priority, reason="matched: test rule", status=status,
                                    created_at=created_at or self._tick())
            db.add(flag)
            db.flush()
            return flag.id

    def project(self, title: str = "Kinder discharge", service: str | None = "OAKLANDS") -> int:
        with self.rt.factory.begin() as db:
            project = QIProject(title=title, service_code=service, lead="A Lead", status="active", aims="",
                                created_at=self.rt.now())
            db.add(project)
            db.flush()
            return project.id

    def link(self, project_id: int, answer_id: int) -> None:
        with self.rt.factory.begin() as db:
            db.add(QIEvidence(project_id=project_id, answer_id=answer_id, linked_by="seed",
                              created_at=self.rt.now()))
