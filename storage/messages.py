"""The message log: every message in and out, with provider id and delivery status."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, select, update
from sqlalchemy.orm import Session

from storage import dbapi, upsert
from storage.models import Contact, Message

messages = Message.__table__
# Later statuses never go back to earlier ones (callbacks can arrive out of order).
STATUS_RANK = {"accepted": 0, "scheduled": 0, "queued": 1, "replied": 1, "sending": 2, "sent": 3,
               "delivered": 4, "undelivered": 4, "failed": 4, "read": 5}


_LOG_INBOUND = dbapi.Statement(
    "INSERT INTO messages (channel, direction, provider_id, contact_id, status, created_at, updated_at)"
    " VALUES (:channel, 'in', :provider_id, :contact_id, 'received', :now, :now)"
    " ON CONFLICT (channel, direction, provider_id) DO NOTHING RETURNING id", times=("now",))


def log_inbound(conn: Connection, channel: str, provider_id: str | None, contact_id: int,
                now: datetime) -> int | None:
    """Log an inbound message; None if this provider id was logged before (a retry).

    A message without a provider id (the terminal chat) is never a retry: NULLs do not conflict.
    """
    row = _LOG_INBOUND.run(conn, {"channel": channel, "provider_id": provider_id, "contact_id": contact_id,
                                  "now": now}).fetchone()
    return None if row is None else row[0]


def first_replies(conn: Connection, channel: str, provider_id: str) -> tuple[int | None, list[str]]:
    """The id of the first delivery of an inbound message, and the replies logged to it."""
    first = conn.scalar(select(messages.c.id).where(
        messages.c.channel == channel, messages.c.direction == "in", messages.c.provider_id == provider_id))
    if first is None:
        return None, []
    rows = conn.scalars(select(messages.c.body).where(messages.c.reply_to == first).order_by(messages.c.id))
    return first, list(rows)


_LOG_REPLY = dbapi.Statement(
    "INSERT INTO messages (channel, direction, contact_id, status, body, reply_to, created_at, updated_at)"
    " VALUES (:channel, 'out', :contact_id, 'replied', :body, :reply_to, :now, :now)", times=("now",))


def log_replies(conn: Connection, channel: str, contact_id: int, reply_to: int, texts: list[str],
                now: datetime) -> None:
    """Log replies sent in the webhook's own response (e.g. TwiML)."""
    if texts:
        _LOG_REPLY.run(conn, [{"channel": channel, "contact_id": contact_id, "body": text, "reply_to": reply_to,
                               "now": now} for text in texts])


def latest_sent(conn: Connection, channel: str, address: str) -> str | None:
    """The provider id of the last message sent to this address."""
    contact_id = select(Contact.__table__.c.id).where(Contact.__table__.c.channel == channel,
                                                      Contact.__table__.c.address == address).scalar_subquery()
    return conn.scalar(select(messages.c.provider_id)
                       .where(messages.c.contact_id == contact_id, messages.c.direction == "out",
                              messages.c.provider_id.is_not(None))
                       .order_by(messages.c.id.desc()).limit(1))


def record_status(db: Session | Connection, channel: str, provider_id: str, status: str, error_code: str | None,
                  now: datetime) -> bool:
    """Record a delivery status for a message sent out; False if that message was not recorded yet.

    A status never goes back to an earlier one. A status that beats our own record of the send is
    kept as a row of its own, which the send fills in.
    """
    row = db.execute(select(messages.c.id, messages.c.status).where(
        messages.c.channel == channel, messages.c.direction == "out", messages.c.provider_id == provider_id)).first()
    if row is None:
        first = upsert.insert(db, messages).values(channel=channel, direction="out", provider_id=provider_id,
                                                   status=status, error_code=error_code, created_at=now, updated_at=now)
        db.execute(first.on_conflict_do_nothing(index_elements=["channel", "direction", "provider_id"]))
        return False
    if STATUS_RANK.get(status, 0) >= STATUS_RANK.get(row.status, 0):
        db.execute(update(messages).where(messages.c.id == row.id)
                   .values(status=status, error_code=error_code, updated_at=now))
    return True
