"""Counts behind the reports, e.g. the NHS England FFT monthly return."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.models import Answer, Response


def answer_counts(session: Session, question_id: str, start: datetime,
                  end: datetime) -> list[tuple[str | None, str, str, int]]:
    """(service code, mode, answer value, count) for one question's answers in responses in [start, end)."""
    query = (
        select(Response.service_code, Response.mode, Answer.value, func.count())
        .join(Answer, Answer.response_id == Response.id)
        .where(Answer.question_id == question_id, Response.created_at >= start, Response.created_at < end)
        .group_by(Response.service_code, Response.mode, Answer.value)
    )
    return [tuple(row) for row in session.execute(query)]
