"""Reviewers' theme corrections, read back as labelled examples for `yoursay nlp train --include-corrections`."""
from __future__ import annotations

from sqlalchemy import Engine, select

from storage.models import Answer, ThemeCorrection


def load(engine: Engine) -> list[tuple[str, str | None, list[str]]]:
    """(text, question, themes) for every corrected story.

    The question is given by its id ("why", "good", "improve"): enough for the model to tell
    "What was good?" from "What could we do better?".
    """
    with engine.connect() as conn:
        rows = conn.execute(select(Answer.value, Answer.question_id, ThemeCorrection.themes)
                            .join(ThemeCorrection, ThemeCorrection.answer_id == Answer.id)
                            .order_by(Answer.id)).all()
    return [(text, question, list(themes or [])) for text, question, themes in rows]
