"""Stories (free-text answers) and what the NLP made of them."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, delete, func, insert, or_, select, tuple_
from sqlalchemy.orm import Session

from storage.models import Answer, Response, StoryAnalysis, StoryTag, ThemeCorrection

TAGS = StoryTag.__table__


@dataclass(frozen=True)
class Story:
    answer_id: int
    survey_id: str
    question_id: str
    text: str


def _is_story(text_questions: set[tuple[str, str]]):
    """Answers to free-text questions: (survey, question) pairs from the loaded surveys."""
    if not text_questions:
        return Answer.id.is_(None)
    return tuple_(Response.survey_id, Answer.question_id).in_(sorted(text_questions))


def _not_analysed_by(query, text_questions: set[tuple[str, str]], model_version: str | None):
    """Stories only; with a model version, only those it has not analysed (new, or tagged by an older one)."""
    query = (query.join(Response, Response.id == Answer.response_id)
             .outerjoin(StoryAnalysis, StoryAnalysis.answer_id == Answer.id).where(_is_story(text_questions)))
    if model_version is None:
        return query
    return query.where(or_(StoryAnalysis.answer_id.is_(None), StoryAnalysis.model_version != model_version))


def count_stories(session: Session, text_questions: set[tuple[str, str]], stale_model: str | None = None) -> int:
    """How many stories there are; with a model version, how many it has not analysed yet."""
    return session.scalar(_not_analysed_by(select(func.count()).select_from(Answer), text_questions, stale_model))


def needing(session: Session, text_questions: set[tuple[str, str]], model_version: str, limit: int,
            after: int = 0) -> list[Story]:
    """Stories not yet analysed by this model version, oldest first, after the given answer id."""
    query = select(Answer.id, Response.survey_id, Answer.question_id, Answer.value).select_from(Answer)
    rows = session.execute(_not_analysed_by(query, text_questions, model_version)
                           .where(Answer.id > after).order_by(Answer.id).limit(limit)).all()
    return [Story(*row) for row in rows]


REVIEWER_FLAG = "by a reviewer"  # StoryAnalysis.risk when a reviewer, not the risk check, flagged the story


def save(session: Session, answer_id: int, *, sentiment: str, risk: str | None, redacted: str,
         themes: list[tuple[str, float]], model_version: str, now: datetime) -> None:
    """Store one analysis, replacing the model's earlier one; a reviewer's tags are kept."""
    existing = session.get(StoryAnalysis, answer_id, with_for_update=True)
    if existing is None:
        session.add(StoryAnalysis(answer_id=answer_id, sentiment=sentiment, risk=risk, redacted=redacted,
                                  model_version=model_version, analysed_at=now))
    else:
        if risk is None and existing.risk == REVIEWER_FLAG:
            risk = REVIEWER_FLAG  # a reviewer saw a safeguarding concern: a new model does not take it away
        existing.sentiment, existing.risk, existing.redacted = sentiment, risk, redacted
        existing.model_version, existing.analysed_at = model_version, now
    if session.get(ThemeCorrection, answer_id) is not None:
        return  # once a reviewer has corrected a story's themes, their set stands
    session.execute(delete(TAGS).where(and_(TAGS.c.answer_id == answer_id, TAGS.c.source == "model")))
    rows = [{"answer_id": answer_id, "theme": theme, "confidence": round(float(confidence), 4), "source": "model"}
            for theme, confidence in themes]
    if rows:
        session.execute(insert(TAGS), rows)
