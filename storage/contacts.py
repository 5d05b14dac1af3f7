"""Contacts: who can be messaged, and who has said STOP."""
from __future__ import annotations

import functools
from datetime import datetime

from sqlalchemy import Connection, bindparam, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storage import upsert
from storage.models import Contact


def find(session: Session, channel: str, address: str, lock: bool = False) -> Contact | None:
    query = select(Contact).where(Contact.channel == channel, Contact.address == address)
    if lock:
        query = query.with_for_update()
    return session.scalar(query)


def get_or_create(session: Session, channel: str, address: str, now: datetime) -> Contact:
    """The contact for this address, locked for this transaction; created if new."""
    contact = find(session, channel, address, lock=True)
    if contact is not None:
        return contact
    try:
        with session.begin_nested():
            contact = Contact(channel=channel, address=address, opted_out=False, state={}, created_at=now)
            session.add(contact)
    except IntegrityError:  # another request created it first
        contact = find(session, channel, address, lock=True)
    return contact


@functools.cache
def _lock_statement(dialect_name: str):
    table = Contact.__table__
    stmt = upsert.insert_for(dialect_name, table).values(
        channel=bindparam("channel"), address=bindparam("address"), opted_out=False,
        state=bindparam("state", type_=table.c.state.type), created_at=bindparam("now", type_=table.c.created_at.type))
    stmt = stmt.on_conflict_do_update(index_elements=["channel", "address"], set_={"channel": stmt.excluded.channel})
    return stmt.returning(table.c.id, table.c.state, table.c.opted_out)


def lock(conn: Connection, channel: str, address: str, now: datetime) -> tuple[int, dict, bool]:
    """(id, state, opted_out) of the contact for this address, created if new, locked until commit.

    One statement: the upsert takes the row lock on PostgreSQL, so two messages from one
    person are handled one after the other.
    """
    stmt = _lock_statement(upsert.dialect(conn))
    row = conn.execute(stmt, {"channel": channel, "address": address, "state": {}, "now": now}).one()
    return row.id, row.state or {}, row.opted_out


_SAVE = update(Contact.__table__).where(Contact.__table__.c.id == bindparam("contact_id"))


def save_state(conn: Connection, contact_id: int, state: dict, opted_out: bool, now: datetime,
               was_opted_out: bool) -> None:
    # Only a conversation under way has a time: the scheduled jobs look at those rows alone.
    values = {"contact_id": contact_id, "state": state, "state_updated_at": now if state.get("step") else None,
              "opted_out": opted_out}
    if opted_out != was_opted_out:
        values["opted_out_at"] = now if opted_out else None
    conn.execute(_SAVE, values)


def note_interest(conn: Connection, contact_id: int, interested: bool, now: datetime) -> None:
    """Remember that someone would like to hear about getting involved (or no longer would)."""
    conn.execute(update(Contact.__table__).where(Contact.__table__.c.id == contact_id)
                 .values(participation_interest_at=now if interested else None))


def opt_out(session: Session, channel: str, address: str, now: datetime) -> Contact:
    """Mark an address opted out, e.g. when the provider says the recipient unsubscribed."""
    contact = get_or_create(session, channel, address, now)
    if not contact.opted_out:
        contact.opted_out, contact.opted_out_at = True, now
        contact.state = {"opted_out": True}
    return contact
