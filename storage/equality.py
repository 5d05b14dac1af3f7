"""Equality monitoring answers: stored apart from feedback and from who gave them."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection

from storage import answer_sets
from storage.models import EqualityAnswer, EqualityResponse

RESPONSES, ANSWERS = EqualityResponse.__table__, EqualityAnswer.__table__


def record_answer(conn: Connection, *, ref: str, survey_id: str, survey_version: int, question_id: str,
                  value: str, now: datetime) -> int:
    """Store one equality answer; only the month of it is kept."""
    return answer_sets.record(conn, RESPONSES, ANSWERS, ref, question_id, value, survey_id=survey_id,
                              survey_version=survey_version, month=now.date().replace(day=1))


def forget_answer(conn: Connection, ref: str, question_id: str) -> None:
    answer_sets.forget(conn, RESPONSES, ANSWERS, ref, question_id)
