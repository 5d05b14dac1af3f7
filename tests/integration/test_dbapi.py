"""The reply path's plain DB-API statements store exactly what SQLAlchemy would have stored."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import insert, select, text

from storage import contacts, messages
from storage.dbapi import Statement
from storage.models import Contact, Message

BST = timezone(timedelta(hours=1))
NOW = datetime(2026, 7, 1, 0, 30, 15, 123456, tzinfo=BST)  # 23:30 UTC on 30 June


def stored(rt, table: str, column: str, row_id: int):
    """The value as the database holds it, with no SQLAlchemy type in between."""
    with rt.engine.connect() as conn:
        return conn.execute(text(f"SELECT {column} FROM {table} WHERE id = :id"), {"id": row_id}).scalar_one()


def test_a_new_contact_reads_back_through_the_models(runtime):
    contact_id, state, opted_out = runtime.write(lambda conn: contacts.lock(conn, "sms", "+447700900001", NOW))
    assert (state, opted_out) == ({}, False)
    with runtime.factory() as session:
        contact = session.get(Contact, contact_id)
    assert (contact.opted_out, contact.state, contact.created_at) == (False, {}, NOW)
    assert contact.created_at.tzinfo is not None


@pytest.mark.parametrize("moment", [NOW, NOW.replace(microsecond=0), NOW.astimezone(timezone.utc)])
def test_times_are_stored_as_sqlalchemy_stores_them(runtime, moment):
    contact_id, _, _ = runtime.write(lambda conn: contacts.lock(conn, "sms", "+447700900002", moment))
    with runtime.engine.begin() as conn:
        orm_id = conn.execute(insert(Contact).values(channel="sms", address="+447700900003", opted_out=False,
                                                     state={}, created_at=moment).returning(Contact.id)).scalar_one()
    assert stored(runtime, "contacts", "created_at", contact_id) == stored(runtime, "contacts", "created_at", orm_id)


def test_state_round_trips_and_opting_out_is_timed(runtime):
    state = {"step": "question", "answers": {"why": 'I said "no" \u2013 50% of the time'}, "history": [1, 2]}
    contact_id, _, _ = runtime.write(lambda conn: contacts.lock(conn, "sms", "+447700900004", NOW))
    runtime.write(lambda conn: contacts.save_state(conn, contact_id, state, True, NOW, False))
    assert runtime.write(lambda conn: contacts.lock(conn, "sms", "+447700900004", NOW))[1:] == (state, True)
    with runtime.factory() as session:
        contact = session.get(Contact, contact_id)
    assert (contact.state, contact.opted_out, contact.opted_out_at, contact.state_updated_at) == (state, True, NOW, NOW)

    runtime.write(lambda conn: contacts.save_state(conn, contact_id, {}, False, NOW, True))
    with runtime.factory() as session:
        contact = session.get(Contact, contact_id)
    assert (contact.state, contact.opted_out, contact.opted_out_at, contact.state_updated_at) == ({}, False, None, None)


def test_the_message_log_dedupes_and_keeps_replies_in_order(runtime):
    contact_id, _, _ = runtime.write(lambda conn: contacts.lock(conn, "sms", "+447700900005", NOW))
    first = runtime.write(lambda conn: messages.log_inbound(conn, "sms", "SMdbapi1", contact_id, NOW))
    again = runtime.write(lambda conn: messages.log_inbound(conn, "sms", "SMdbapi1", contact_id, NOW))
    assert first is not None and again is None
    chat = [runtime.write(lambda conn: messages.log_inbound(conn, "chat", None, contact_id, NOW)) for _ in range(2)]
    assert None not in chat and chat[0] != chat[1]  # no provider id: never taken for a retry
    replies = ["Thank you :name 100%", "Second"]
    runtime.write(lambda conn: messages.log_replies(conn, "sms", contact_id, first, replies, NOW))
    assert runtime.write(lambda conn: messages.first_replies(conn, "sms", "SMdbapi1")) == (first, replies)
    with runtime.factory() as session:
        inbound = session.get(Message, first)
    assert (inbound.direction, inbound.status, inbound.contact_id, inbound.created_at) == ("in", "received",
                                                                                           contact_id, NOW)


def test_statements_translate_parameters_but_not_text():
    stmt = Statement("SELECT '%' || :a || '::x' WHERE x::text = :b")
    assert stmt.sqlite == "SELECT '%' || :a || '::x' WHERE x::text = :b"
    assert stmt.postgresql == "SELECT '%%' || %(a)s || '::x' WHERE x::text = %(b)s"
