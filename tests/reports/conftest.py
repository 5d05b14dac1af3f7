"""Rows for report tests, written straight through the ORM."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from storage.models import Answer, Response, StoryAnalysis, StoryTag



def at(text: str) -> datetime:
    """An aware UTC datetime from '2026-03-15 12:00'."""
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc)


class Feedback:
    """Adds responses, FFT answers and analysed stories to a session."""

    def __init__(self, session):
        self.session = session

    def response(self, when: str, *, service="OAKLANDS", mode="SMS/text message", survey="fft", fft=None,
                 story=None, sentiment="neutral", themes=(), risk=None, question="why") -> Response:
        response = Response(survey_id=survey, survey_version=1, service_code=service,
                            mode=mode, created_at=at(when))
        self.session.add(response)
        self.session.flush()
        if fft is not None:
            self.session.add(Answer(response_id=response.id, question_id="fft", value=str(fft)))
        if story is not None:
            answer = Answer(response_id=response.id, question_id=question, value=story)
            self.session.add(answer)
            self.session.flush()
            response.story_id = answer.id
            self.session.add(StoryAnalysis(answer_id=answer.id, sentiment=sentiment, risk=risk,
                                           redacted=story.replace("Sam", "[name]"), model_version="test",
                                           analysed_at=at(when)))
            for theme in themes:
                self.session.add(StoryTag(answer_id=answer.id, theme=theme, confidence=0.9, source="model"))
        self.session.flush()
        return response


@pytest.fixture
def feedback(runtime):
    """Tests commit when they have added what they need."""
    with runtime.factory() as session:
        yield Feedback(session)
