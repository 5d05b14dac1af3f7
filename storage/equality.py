"""Equality monitoring answers: stored apart from feedback and from who gave them."""
from __future__ import annotations

import functools
from datetime import datetime

from sqlalchemy import Connection, bindparam, delete, select

from storage import upsert
from storage.models import EqualityAnswer, EqualityResponse


@functools.cache
def _statements(dialect_name: str):
    responses, answers = EqualityResponse.__table__, EqualityAnswer.__table__
    response = upsert.insert_for(dialect_name, responses).values(
        ref=bindparam("ref"), survey_id=bindparam("survey_id"), survey_version=bindparam("survey_version"),
        month=bindparam("month", type_=responses.c.month.type))
    response = response.on_conflict_do_update(index_elements=["ref"], set_={"ref": response.excluded.ref})
    answer = upsert.insert_for(dialect_name, answers).values(
        response_id=bindparam("response_id"), question_id=bindparam("question_id"), value=bindparam("value"))
    answer = answer.on_conflict_do_update(index_elements=["response_id", "question_id"],
                                          set_={"value": answer.excluded.value})
    return response.returning(responses.c.id), answer


def record_answer(conn: Connection, *, ref: str, survey_id: str, survey_version: int, question_id: str,
                  value: str, now: datetime) -> int:
    """Store one equality answer; only the month of it is kept."""
    response, answer = _statements(upsert.dialect(conn))
    response_id = conn.execute(response, {"ref": ref, "survey_id": survey_id, "survey_version": survey_version,
                                          "month": now.date().replace(day=1)}).scalar_one()
    conn.execute(answer, {"response_id": response_id, "question_id": question_id, "value": value})
    return response_id


def forget_answer(conn: Connection, ref: str, question_id: str) -> None:
    """Delete one answer of a response, if it was given."""
    response_id = select(EqualityResponse.__table__.c.id).where(EqualityResponse.__table__.c.ref == ref).scalar_subquery()
    conn.execute(delete(EqualityAnswer.__table__).where(EqualityAnswer.__table__.c.response_id == response_id,
                                                EqualityAnswer.__table__.c.question_id == question_id))
