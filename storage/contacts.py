"""Contacts: who can be messaged, and who has said STOP."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storage import dbapi
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


_LOCK = dbapi.Statement(
    "INSERT INTO contacts (channel, address, opted_out, state, created_at) VALUES (:channel, :address, false, '{}', :now)"
    " ON CONFLICT (channel, address) DO UPDATE SET channel = excluded.channel RETURNING id, state, opted_out",
    times=("now",))


def lock(conn: Connection, channel: str, address: str, now: datetime) -> tuple[int, dict, bool]:
    """(id, state, opted_out) of the contact for this address, created if new, locked until commit.

    One statement: the upsert takes the row lock on PostgreSQL, so two messages from one
    person are handled one after the other.
    """
    contact_id, state, opted_out = _LOCK.run(conn, {"channel": channel, "address": address, "now": now}).fetchone()
    return contact_id, dbapi.from_json(state) or {}, bool(opted_out)


_SAVE = dbapi.Statement("UPDATE contacts SET state = :state, state_updated_at = :state_updated_at,"
                        " opted_out = :opted_out WHERE id = :contact_id", times=("state_updated_at",))
_SAVE_OPT_OUT = dbapi.Statement("UPDATE contacts SET state = :state, state_updated_at = :state_updated_at,"
                                " opted_out = :opted_out, opted_out_at = :opted_out_at WHERE id = :contact_id",
                                times=("state_updated_at", "opted_out_at"))


def save_state(conn: Connection, contact_id: int, state: dict, opted_out: bool, now: datetime,
               was_opted_out: bool) -> None:
    # Only a conversation under way (or a story still open, or a recent service) has a time: the
    # scheduled jobs look at those rows alone, and end each in its time (service/jobs.py).
    under_way = state.get("step") or state.get("story") or state.get("recent")
    values = {"contact_id": contact_id, "state": dbapi.to_json(state),
              "state_updated_at": now if under_way else None, "opted_out": opted_out}
    if opted_out == was_opted_out:
        _SAVE.run(conn, values)
    else:
        _SAVE_OPT_OUT.run(conn, {**values, "opted_out_at": now if opted_out else None})


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
