"""INSERT ... ON CONFLICT for the database in use (SQLite and PostgreSQL both have it)."""
from __future__ import annotations

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy import Connection
from sqlalchemy.orm import Session


def dialect(db: Session | Connection) -> str:
    """The dialect name of a Session or a Connection."""
    return db.dialect.name if isinstance(db, Connection) else db.get_bind().dialect.name


def insert_for(dialect_name: str, table):
    """A dialect insert() with on_conflict_do_nothing/do_update."""
    return (postgresql if dialect_name == "postgresql" else sqlite).insert(table)


def insert(session: Session, table):
    return insert_for(dialect(session), table)
