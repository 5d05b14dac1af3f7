"""Anonymous responses and their answers."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import Answer, Response


def record_answer(session: Session, *, ref: str, survey_id: str, survey_version: int, service: str | None,
                  mode: str, question_id: str, value: str, now: datetime) -> Response:
    """Store one answer; the response is created on its first answer.

    The time is kept to the hour only, so a response cannot be matched to the
    message log by its exact time.
    """
    response = session.scalar(select(Response).where(Response.ref == ref))
    if response is None:
        response = Response(ref=ref, survey_id=survey_id, survey_version=survey_version, service_code=service,
                            mode=mode, created_at=now.replace(minute=0, second=0, microsecond=0))
        session.add(response)
        session.flush()
    answer = session.scalar(select(Answer).where(Answer.response_id == response.id,
                                                 Answer.question_id == question_id))
    if answer is None:
        session.add(Answer(response_id=response.id, question_id=question_id, value=value))
    else:
        answer.value = value
    return response
