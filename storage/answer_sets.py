"""What feedback responses and equality responses share: found by ref, one answer per question."""
from __future__ import annotations

import functools
from datetime import date, datetime

from sqlalchemy import Connection, Table, delete, select

from storage import dbapi


@functools.cache
def _statements(responses: Table, answers: Table, columns: tuple[str, ...]) -> tuple[dbapi.Statement, dbapi.Statement]:
    """(upsert a response by ref returning its id, upsert an answer) for these tables, built once."""
    times = tuple(c for c in columns if responses.c[c].type.python_type in (date, datetime))
    names = ", ".join(("ref",) + columns)
    values = ", ".join(f":{c}" for c in ("ref",) + columns)
    response = dbapi.Statement(f"INSERT INTO {responses.name} ({names}) VALUES ({values})"
                               " ON CONFLICT (ref) DO UPDATE SET ref = excluded.ref RETURNING id",
                               times=times)
    answer = dbapi.Statement(f"INSERT INTO {answers.name} (response_id, question_id, value)"
                             " VALUES (:response_id, :question_id, :value)"
                             " ON CONFLICT (response_id, question_id) DO UPDATE SET value = excluded.value")
    return response, answer


def record(conn: Connection, responses: Table, answers: Table, ref: str, question_id: str, value: str,
           **columns) -> int:
    """Store one answer under the response with this ref, creating the response on its first answer."""
    response, answer = _statements(responses, answers, tuple(sorted(columns)))
    response_id = response.run(conn, {"ref": ref, **columns}).fetchone()[0]
    answer.run(conn, {"response_id": response_id, "question_id": question_id, "value": value})
    return response_id


def forget(conn: Connection, responses: Table, answers: Table, ref: str, question_id: str) -> None:
    """Delete one answer of the response with this ref, if it was given."""
    response_id = select(responses.c.id).where(responses.c.ref == ref).scalar_subquery()
    conn.execute(delete(answers).where(answers.c.response_id == response_id, answers.c.question_id == question_id))
