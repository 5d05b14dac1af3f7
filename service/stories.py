"""Tagging stories after they are stored, never in a webhook's reply path.

The analyser is given (the NLP's), so this module knows nothing of models. Each batch is
its own transaction: a crash loses at most one batch's work, and it is simply done again.
"""
from __future__ import annotations

from datetime import datetime
from typing import Callable, Protocol

from sqlalchemy.orm import Session, sessionmaker

from bot.flow import Registry
from storage import stories


class Analysis(Protocol):
    themes: list[tuple[str, float]]
    sentiment: str
    risk: object | None  # None, or something with a .category
    redacted: str


Analyser = Callable[[list[tuple[str, str | None]]], list[Analysis]]


def text_questions(surveys: Registry) -> tuple[set[tuple[str, str]], dict[tuple[str, str], str]]:
    """Which (survey, question) pairs are free text, and the words each question asks in."""
    pairs, asked = set(), {}
    for survey_id, versions in surveys.surveys.items():
        for survey in versions:
            for question in survey.questions:
                if question.type == "text":
                    pairs.add((survey_id, question.id))
                    asked.setdefault((survey_id, question.id), question.text)
    return pairs, asked


def tag_stories(factory: sessionmaker[Session], surveys: Registry, analyse: Analyser, model_version: str,
                now: Callable[[], datetime], batch: int = 200, limit: int | None = None,
                progress: Callable[[int], None] | None = None) -> int:
    """Analyse every story this model version has not seen yet; returns how many were done."""
    pairs, asked = text_questions(surveys)
    done, after = 0, 0
    while limit is None or done < limit:
        with factory() as session:
            todo = stories.needing(session, pairs, model_version, batch if limit is None else min(batch, limit - done),
                                   after)
        if not todo:
            break
        results = analyse([(s.text, asked.get((s.survey_id, s.question_id))) for s in todo])
        with factory.begin() as session:
            for story, result in zip(todo, results):
                risk = getattr(result.risk, "category", None) if result.risk is not None else None
                stories.save(session, story.answer_id, sentiment=result.sentiment, risk=risk,
                             redacted=result.redacted, themes=list(result.themes), model_version=model_version,
                             now=now())
        done, after = done + len(todo), todo[-1].answer_id
        if progress:
            progress(len(todo))
    return done


def backlog(factory: sessionmaker[Session], surveys: Registry, model_version: str) -> int:
    """How many stories the current model has still to tag."""
    pairs, _ = text_questions(surveys)
    with factory() as session:
        return stories.count_stories(session, pairs, stale_model=model_version)
