"""Contacts: who can be messaged, and who has said STOP."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

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


def opt_out(session: Session, channel: str, address: str, now: datetime) -> Contact:
    """Mark an address opted out, e.g. when the provider says the recipient unsubscribed."""
    contact = get_or_create(session, channel, address, now)
    if not contact.opted_out:
        contact.opted_out, contact.opted_out_at = True, now
        contact.state = {"opted_out": True}
    return contact
