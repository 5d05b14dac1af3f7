"""Scheduled work: plain functions that open their own transactions and are safe to repeat."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from storage.models import Contact, Message, Outbox


def expire_conversations(factory: sessionmaker[Session], timeout: timedelta, now: datetime) -> int:
    """Forget conversations left idle too long. Answers already given are kept."""
    cutoff = now - timeout
    with factory.begin() as session:
        stale = session.scalars(select(Contact).where(Contact.state_updated_at < cutoff)).all()
        expired = 0
        for contact in stale:
            if contact.state.get("step"):
                contact.state = {"opted_out": True} if contact.opted_out else {}
                expired += 1
    return expired


def forget_message_text(factory: sessionmaker[Session], keep: timedelta, now: datetime) -> int:
    """Blank the text of logged and sent messages older than keep.

    What the bot said (e.g. which service it asked about) and when could otherwise be
    matched against anonymous responses. Ids, times and delivery statuses stay.
    """
    cutoff = now - keep
    with factory.begin() as session:
        logged = session.execute(update(Message).where(Message.created_at < cutoff, Message.body.is_not(None))
                                 .values(body=None)).rowcount
        session.execute(update(Outbox).where(Outbox.created_at < cutoff, Outbox.status.in_(("sent", "cancelled",
                                                                                           "failed")))
                        .values(body="", extra=None))
    return logged
