"""Two senders draining one broadcast at once, each with its own engine: every row goes exactly once.

Runs on SQLite, and on PostgreSQL (where claims use FOR UPDATE SKIP LOCKED) with
YOURSAY_TEST_DATABASE_URL set.
"""
from __future__ import annotations

import threading
from datetime import datetime, timezone

import pytest
from sqlalchemy import func, insert, select

from service.alerts import broadcast
from outbox.delivery import Policy, drain
from storage.models import Contact, Message, Outbox, Participant
from tests.fakes.transport import RecordingTransport
from yoursay.runtime import build

NOW = datetime(2030, 12, 2, 11, 0, tzinfo=timezone.utc)
PEOPLE = 500


def seed_subscribers(rt, count: int) -> None:
    with rt.engine.begin() as conn:
        conn.execute(insert(Contact.__table__), [
            {"channel": "sms", "address": f"+4477009{n:05d}", "opted_out": False, "state": {}, "created_at": NOW}
            for n in range(count)])
        ids = conn.execute(select(Contact.id).order_by(Contact.id)).scalars().all()
        conn.execute(insert(Participant.__table__), [
            {"contact_id": i, "name": "", "consent_at": NOW, "consent_text": "I agree", "interests": [], "areas": [],
             "access_needs": "", "alerts": "instant", "alerts_paused": False, "created_at": NOW, "updated_at": NOW}
            for i in ids])


@pytest.mark.slow
def test_two_senders_at_once_send_every_broadcast_row_exactly_once(runtime):
    seed_subscribers(runtime, PEOPLE)
    with runtime.factory.begin() as session:
        _, queued = broadcast(session, "Participation News: December", "subscribers", NOW)
    assert queued == PEOPLE

    transport = RecordingTransport("sms", delay=0.0005)
    senders = [build(runtime.settings) for _ in range(2)]  # an engine and sessions of their own, as two processes
    start, sent, errors = threading.Barrier(2), [0, 0], []

    def run(i: int) -> None:
        try:
            start.wait(timeout=10)
            sent[i] = drain(senders[i].factory, transport, Policy(rate=0), f"sender-{i}", clock=lambda: NOW,
                            limit=7)
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
    finally:
        for rt in senders:
            rt.close()
    assert errors == [] and not any(t.is_alive() for t in threads)

    times = transport.outbox_ids()
    assert len(times) == PEOPLE, "every row was sent"
    assert max(times.values()) == 1, "no row was sent twice"
    assert sum(sent) == PEOPLE and all(sent), f"both senders took part: {sent}"
    with runtime.factory() as session:
        statuses = session.execute(select(Outbox.status, Outbox.attempts, func.count()).group_by(
            Outbox.status, Outbox.attempts)).all()
        logged = session.scalar(select(func.count()).select_from(Message).where(Message.direction == "out"))
    assert statuses == [("sent", 1, PEOPLE)] and logged == PEOPLE
