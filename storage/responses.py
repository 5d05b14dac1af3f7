"""Anonymous responses and their answers."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection

from storage import answer_sets, upsert
from storage.models import Answer, Response, ResponseOwner

RESPONSES, ANSWERS = Response.__table__, Answer.__table__


def record_answer(conn: Connection, *, ref: str, survey_id: str, survey_version: int, service: str | None,
                  mode: str, question_id: str, value: str, now: datetime) -> int:
    """Store one answer; the response is created on its first answer. Returns the response id.

    The time is kept to the hour only, so a response cannot be matched to the
    message log by its exact time.
    """
    return answer_sets.record(conn, RESPONSES, ANSWERS, ref, question_id, value, survey_id=survey_id,
                              survey_version=survey_version, service_code=service, mode=mode,
                              created_at=now.replace(minute=0, second=0, microsecond=0))


def forget_answer(conn: Connection, ref: str, question_id: str) -> None:
    answer_sets.forget(conn, RESPONSES, ANSWERS, ref, question_id)


def record_owner(conn: Connection, response_id: int, contact_id: int) -> None:
    """Link a response to who gave it: only for surveys that say they are not anonymous."""
    stmt = upsert.insert(conn, ResponseOwner.__table__).values(response_id=response_id, contact_id=contact_id)
    conn.execute(stmt.on_conflict_do_nothing(index_elements=["response_id"]))

