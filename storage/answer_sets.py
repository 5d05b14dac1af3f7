"""What feedback responses and equality responses share: found by ref, one answer per question."""
from __future__ import annotations

import functools

from sqlalchemy import Connection, Table, bindparam, delete, select

from storage import upsert


@functools.cache
def statements(dialect_name: str, responses: Table, answers: Table, columns: tuple[str, ...]):
    """(upsert a response by ref returning its id, upsert an answer) for these tables, built once."""
    response = upsert.insert_for(dialect_name, responses).values(
        ref=bindparam("ref"), **{c: bindparam(c, type_=responses.c[c].type) for c in columns})
    response = response.on_conflict_do_update(index_elements=["ref"], set_={"ref": response.excluded.ref})
    answer = upsert.insert_for(dialect_name, answers).values(
        response_id=bindparam("response_id"), question_id=bindparam("question_id"), value=bindparam("value"))
    answer = answer.on_conflict_do_update(index_elements=["response_id", "question_id"],
                                          set_={"value": answer.excluded.value})
    return response.returning(responses.c.id), answer


def record(conn: Connection, responses: Table, answers: Table, ref: str, question_id: str, value: str,
           **columns) -> int:
    """Store one answer under the response with this ref, creating the response on its first answer."""
    response, answer = statements(upsert.dialect(conn), responses, answers, tuple(sorted(columns)))
    response_id = conn.execute(response, {"ref": ref, **columns}).scalar_one()
    conn.execute(answer, {"response_id": response_id, "question_id": question_id, "value": value})
    return response_id


def forget(conn: Connection, responses: Table, answers: Table, ref: str, question_id: str) -> None:
    """Delete one answer of the response with this ref, if it was given."""
    response_id = select(responses.c.id).where(responses.c.ref == ref).scalar_subquery()
    conn.execute(delete(answers).where(answers.c.response_id == response_id, answers.c.question_id == question_id))
