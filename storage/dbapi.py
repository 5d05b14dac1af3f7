"""Plain DB-API statements, for the few that run on every inbound message.

SQLAlchemy Core spends about 60 µs of Python on each statement it runs; the reply path
runs five or six per message, which was most of the time a message took
(benchmarks/webhook_load.py). These run the same SQL on the connection SQLAlchemy holds,
inside its transaction, and store values exactly as the models' column types do:
tests/integration/test_dbapi.py reads them back through SQLAlchemy on both databases.
"""
from __future__ import annotations

import functools
import json
import re
from datetime import date, datetime, timezone

from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError


class Statement:
    """One SQL statement written with :name parameters, for SQLite and PostgreSQL."""

    def __init__(self, sql: str, times: tuple[str, ...] = ()):
        self.sqlite, self.times = sql, times
        self.postgresql = re.sub(r"(?<![:\w]):(\w+)", r"%(\1)s", sql.replace("%", "%%"))

    def run(self, conn: Connection, params: dict | list[dict]):
        """Execute in conn's transaction, on its own DB-API connection; returns the cursor.

        The parameters named in times (dates or datetimes) are bound as the models' column types
        bind them. A database error comes out as SQLAlchemy's own (e.g. OperationalError), as if
        SQLAlchemy had run the statement, and a lost connection is invalidated.
        """
        if not conn.in_transaction():  # SQLite runs in autocommit until SQLAlchemy says BEGIN
            raise RuntimeError("run plain statements inside a transaction (engine.begin())")
        postgres = conn.dialect.name == "postgresql"
        sql = self.postgresql if postgres else self.sqlite
        many = isinstance(params, list)
        bound = [self._bind(p, postgres) for p in params] if many else self._bind(params, postgres)
        cursor = conn.connection.cursor()
        try:
            if many:
                cursor.executemany(sql, bound)
            else:
                cursor.execute(sql, bound)
        except conn.dialect.loaded_dbapi.Error as exc:
            lost = conn.dialect.is_disconnect(exc, conn.connection.dbapi_connection, cursor)
            if lost:
                conn.invalidate(exc)
            raise DBAPIError.instance(sql, bound, exc, conn.dialect.loaded_dbapi.Error,
                                      hide_parameters=conn.engine.hide_parameters, connection_invalidated=lost,
                                      dialect=conn.dialect, ismulti=many) from exc
        return cursor

    def _bind(self, params: dict, postgres: bool) -> dict:
        if not self.times:
            return params
        params = dict(params)
        for name in self.times:
            if params[name] is not None:
                params[name] = _value(params[name], postgres)
        return params


@functools.lru_cache(maxsize=64)  # a message binds the same "now" several times
def _value(value: date, postgres: bool):
    if not isinstance(value, datetime):
        return value if postgres else value.isoformat()
    if value.tzinfo is None:
        raise ValueError("naive datetime given; use an aware UTC datetime")
    value = value.astimezone(timezone.utc)  # as UTCDateTime stores it
    return value if postgres else value.replace(tzinfo=None).isoformat(" ", "microseconds")


def to_json(value) -> str | None:
    """A JSON column's parameter (psycopg lets PostgreSQL read the text as json)."""
    return None if value is None else json.dumps(value)


def from_json(value):
    """A JSON column's value: psycopg has already decoded it; SQLite gives the text."""
    return json.loads(value) if isinstance(value, (str, bytes)) else value
