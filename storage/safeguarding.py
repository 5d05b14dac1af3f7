"""Safeguarding flags: raised from a message, told to whoever is on duty, closed by a human with a note."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, insert, select, update
from sqlalchemy.orm import Session

from storage.models import SafeguardingFlag

FLAGS = SafeguardingFlag.__table__


def raise_flag(db: Connection | Session, *, contact_id: int | None, channel: str, text: str, category: str,
               priority: str, reason: str, now: datetime) -> int:
    """Record a flag in the caller's transaction; returns its id."""
    stmt = insert(FLAGS).values(contact_id=contact_id, channel=channel, text=text, category=category,
                                priority=priority, reason=reason, status="open", created_at=now)
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
