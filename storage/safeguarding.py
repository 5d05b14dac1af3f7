"""Safeguarding flags: raised from a message, told to whoever is on duty, closed by a human with a note."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, case, insert, select, update
from sqlalchemy.orm import Session

from storage import outbox
from storage.models import Contact, SafeguardingFlag

FLAGS = SafeguardingFlag.__table__
PRIORITIES = ("urgent", "high", "low")  # most pressing first; anything else sorts after low
_RANK = case({p: i for i, p in enumerate(PRIORITIES)}, value=SafeguardingFlag.priority, else_=len(PRIORITIES))


def raise_flag(db: Connection | Session, *, contact_id: int | None, channel: str, text: str, category: str,
               priority: str, reason: str, now: datetime, service_code: str | None = None) -> int:
    """Record a flag in the caller's transaction; returns its id."""
    stmt = insert(FLAGS).values(contact_id=contact_id, channel=channel, text=text, category=category,
                                priority=priority, reason=reason, status="open", created_at=now,
                                service_code=service_code)
    return db.execute(stmt.returning(FLAGS.c.id)).scalar_one()


def unnotified(session: Session, priorities: tuple[str, ...] = ("urgent", "high"),
               limit: int = 50) -> list[SafeguardingFlag]:
    """Flags of these priorities that the on-duty contact has not been told of yet, oldest first."""
    return list(session.scalars(select(SafeguardingFlag).where(SafeguardingFlag.notified_at.is_(None),
                                                               SafeguardingFlag.priority.in_(priorities))
                                .order_by(SafeguardingFlag.id).limit(limit)))


def mark_notified(session: Session, flag_id: int, now: datetime) -> None:
    session.execute(update(FLAGS).where(FLAGS.c.id == flag_id).values(notified_at=now))


def close(session: Session, flag_id: int, reviewer: str, note: str, now: datetime) -> None:
    """Close a flag; a note of the action taken is required."""
    if not note.strip():
        raise ValueError("Say what action was taken before closing the flag")
    flag = session.get(SafeguardingFlag, flag_id, with_for_update=True)
    if flag is None:
        raise ValueError(f"there is no flag {flag_id}")
    flag.status, flag.reviewed_by, flag.reviewed_at, flag.action_note = "closed", reviewer, now, note.strip()


def triage_queue(session: Session, limit: int = 100) -> list[SafeguardingFlag]:
    """Open flags, urgent before high before low, then the longest waiting first."""
    return list(session.scalars(select(SafeguardingFlag).where(SafeguardingFlag.status == "open")
                                .order_by(_RANK, SafeguardingFlag.created_at, SafeguardingFlag.id).limit(limit)))


def assign(session: Session, flag_id: int, username: str | None, now: datetime) -> None:
    """Give an open flag to a reviewer (None: to nobody)."""
    session.execute(update(FLAGS).where(FLAGS.c.id == flag_id, FLAGS.c.status == "open")
                    .values(assigned_to=username, assigned_at=now if username else None))


def start(session: Session, flag_id: int, now: datetime) -> bool:
    """Mark an open flag in progress; False if it already was, or is closed."""
    return session.execute(update(FLAGS).where(FLAGS.c.id == flag_id, FLAGS.c.status == "open",
                                               FLAGS.c.in_progress_at.is_(None))
                           .values(in_progress_at=now)).rowcount == 1


def reply_target(session: Session, flag: SafeguardingFlag) -> tuple[Contact | None, str | None]:
    """The contact a reply to this flag would go to, or None and why it cannot go."""
    contact = session.get(Contact, flag.contact_id) if flag.contact_id else None
    if contact is None or contact.erased_at is not None:
        return None, "This person's contact details are not kept (they may have asked us to delete their data)"
    if contact.opted_out:
        return None, "This person has texted STOP, so no message can be sent to them"
    return contact, None


def queue_reply(session: Session, flag: SafeguardingFlag, body: str, now: datetime) -> int | None:
    """Queue a reviewer's reply to the flag's contact through the outbox; None if it has no reachable contact.

    STOP is checked again when it is sent (outbox.delivery); an urgent flag's reply ignores quiet hours.
    """
    contact, _ = reply_target(session, flag)
    if contact is None:
        return None
    extra = {"flag_id": flag.id, "ignore_quiet_hours": flag.priority == "urgent"}
    return outbox.enqueue(session, contact.channel, contact.id, "flag_reply", body, now, now, extra=extra)
