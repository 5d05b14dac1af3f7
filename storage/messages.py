"""The message log: every message in and out, with provider id and delivery status."""
from __future__ import annotations

import functools
from datetime import datetime

from sqlalchemy import Connection, bindparam, insert, select

from storage import upsert
from storage.models import Contact, Message

messages = Message.__table__


@functools.cache
def _log_statement(dialect_name: str, deduplicate: bool):
    values = dict(channel=bindparam("channel"), direction="in", provider_id=bindparam("provider_id"),
                  contact_id=bindparam("contact_id"), status="received",
                  created_at=bindparam("now", type_=messages.c.created_at.type),
                  updated_at=bindparam("now", type_=messages.c.updated_at.type))
    if not deduplicate:
        return insert(messages).values(**values).returning(messages.c.id)
    stmt = upsert.insert_for(dialect_name, messages).values(**values)
    return stmt.on_conflict_do_nothing(index_elements=["channel", "direction", "provider_id"]).returning(messages.c.id)


def log_inbound(conn: Connection, channel: str, provider_id: str | None, contact_id: int,
                now: datetime) -> int | None:
    """Log an inbound message; None if this provider id was logged before (a retry)."""
    stmt = _log_statement(upsert.dialect(conn), provider_id is not None)
    params = {"channel": channel, "provider_id": provider_id, "contact_id": contact_id, "now": now}
    return conn.execute(stmt, params).scalar_one_or_none()


def first_replies(conn: Connection, channel: str, provider_id: str) -> tuple[int | None, list[str]]:
    """The id of the first delivery of an inbound message, and the replies logged to it."""
    first = conn.scalar(select(messages.c.id).where(
        messages.c.channel == channel, messages.c.direction == "in", messages.c.provider_id == provider_id))
    if first is None:
        return None, []
    rows = conn.scalars(select(messages.c.body).where(messages.c.reply_to == first).order_by(messages.c.id))
    return first, list(rows)


_LOG_REPLY = insert(messages).values(
    channel=bindparam("channel"), direction="out", contact_id=bindparam("contact_id"), status="replied",
    body=bindparam("body"), reply_to=bindparam("reply_to"),
    created_at=bindparam("now", type_=messages.c.created_at.type),
    updated_at=bindparam("now", type_=messages.c.updated_at.type))


def log_replies(conn: Connection, channel: str, contact_id: int, reply_to: int, texts: list[str],
                now: datetime) -> None:
    """Log replies sent in the webhook's own response (e.g. TwiML)."""
    if texts:
        conn.execute(_LOG_REPLY, [
            {"channel": channel, "contact_id": contact_id, "body": text, "reply_to": reply_to, "now": now}
            for text in texts])


def latest_sent(conn: Connection, channel: str, address: str) -> str | None:
    """The provider id of the last message sent to this address."""
    contact_id = select(Contact.__table__.c.id).where(Contact.__table__.c.channel == channel,
                                                      Contact.__table__.c.address == address).scalar_subquery()
    return conn.scalar(select(messages.c.provider_id)
                       .where(messages.c.contact_id == contact_id, messages.c.direction == "out",
                              messages.c.provider_id.is_not(None))
                       .order_by(messages.c.id.desc()).limit(1))
