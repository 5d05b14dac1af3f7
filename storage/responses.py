"""Anonymous responses and their answers."""
from __future__ import annotations

import functools
from datetime import datetime

from sqlalchemy import Connection, bindparam, delete, select

from storage import upsert
from storage.models import Answer, Response, ResponseOwner


@functools.cache
def _statements(dialect_name: str):
    responses, answers = Response.__table__, Answer.__table__
    response = upsert.insert_for(dialect_name, responses).values(
        ref=bindparam("ref"), survey_id=bindparam("survey_id"), survey_version=bindparam("survey_version"),
        service_code=bindparam("service"), mode=bindparam("mode"),
        created_at=bindparam("hour", type_=responses.c.created_at.type))
    response = response.on_conflict_do_update(index_elements=["ref"], set_={"ref": response.excluded.ref})
    answer = upsert.insert_for(dialect_name, answers).values(
        response_id=bindparam("response_id"), question_id=bindparam("question_id"), value=bindparam("value"))
    answer = answer.on_conflict_do_update(index_elements=["response_id", "question_id"],
                                          set_={"value": answer.excluded.value})
    return response.returning(responses.c.id), answer


def record_answer(conn: Connection, *, ref: str, survey_id: str, survey_version: int, service: str | None,
                  mode: str, question_id: str, value: str, now: datetime) -> int:
    """Store one answer; the response is created on its first answer. Returns the response id.

    The time is kept to the hour only, so a response cannot be matched to the
    message log by its exact time.
    """
    response, answer = _statements(upsert.dialect(conn))
    hour = now.replace(minute=0, second=0, microsecond=0)
    response_id = conn.execute(response, {"ref": ref, "survey_id": survey_id, "survey_version": survey_version,
                                          "service": service, "mode": mode, "hour": hour}).scalar_one()
    conn.execute(answer, {"response_id": response_id, "question_id": question_id, "value": value})
    return response_id


def record_owner(conn: Connection, response_id: int, contact_id: int) -> None:
    """Link a response to who gave it: only for surveys that say they are not anonymous."""
    stmt = upsert.insert(conn, ResponseOwner.__table__).values(response_id=response_id, contact_id=contact_id)
    conn.execute(stmt.on_conflict_do_nothing(index_elements=["response_id"]))


def forget_answer(conn: Connection, ref: str, question_id: str) -> None:
    """Delete one answer of a response, if it was given."""
    response_id = select(Response.__table__.c.id).where(Response.__table__.c.ref == ref).scalar_subquery()
    conn.execute(delete(Answer.__table__).where(Answer.__table__.c.response_id == response_id,
                                                Answer.__table__.c.question_id == question_id))
