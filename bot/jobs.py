"""Scheduled work: plain functions that open their own transactions and are safe to repeat."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from storage.models import Contact


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
