"""Equality monitoring answers: stored apart from feedback and from who gave them."""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Connection

from storage import answer_sets
from storage.models import EqualityAnswer, EqualityResponse

RESPONSES, ANSWERS = EqualityResponse.__table__, EqualityAnswer.__table__
UK = ZoneInfo("Europe/London")


def uk_date(moment: datetime) -> date:
    """The date in the UK at that moment (a month's answers are the UK's month)."""
    return moment.astimezone(UK).date()


def record_answer(conn: Connection, *, ref: str, survey_id: str, survey_version: int, question_id: str,
                  value: str, now: datetime) -> int:
    """Store one equality answer; only the month of it is kept."""
    return answer_sets.record(conn, RESPONSES, ANSWERS, ref, question_id, value, survey_id=survey_id,
                              survey_version=survey_version, month=uk_date(now).replace(day=1))


def forget_answer(conn: Connection, ref: str, question_id: str) -> None:
    answer_sets.forget(conn, RESPONSES, ANSWERS, ref, question_id)
