"""Sending with several requests in flight, and the journal that keeps a crash from sending twice.

On a real database (SQLite, or PostgreSQL with YOURSAY_TEST_DATABASE_URL). The crash tests
run a sender in a process of its own and SIGKILL it at an exact moment: right after the
provider accepted a message (before the database heard of it), or in the middle of a request.
"""
from __future__ import annotations

import json
import os
import random
import socket
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select, update

from service.alerts import broadcast
from outbox.delivery import Policy, drain, unwanted
from outbox.pacing import Pacer, most_in_any_window
from storage import alerts as alert_store
from outbox import journal as journals
from storage import outbox as outbox_store
from outbox.journal import Journal
from storage.models import Contact, Message, Opportunity, Outbox, Participant
from tests.fakes.transport import RecordingTransport

NOW = datetime(2030, 12, 2, 11, 0, tzinfo=timezone.utc)
ROOT = Path(__file__).resolve().parents[2]


def subscribers(rt, count: int, channel: str = "sms") -> list[int]:
    with rt.engine.begin() as conn:
        conn.execute(insert(Contact.__table__), [
            {"channel": channel, "address": f"+4477009{n:05d}", "opted_out": False, "state": {}, "created_at": NOW}
            for n in range(count)])
        ids = conn.execute(select(Contact.id).order_by(Contact.id)).scalars().all()
        conn.execute(insert(Participant.__table__), [
            {"contact_id": i, "name": "", "consent_at": NOW, "consent_text": "I agree", "interests": [], "areas": [],
             "access_needs": "", "alerts": "instant", "alerts_paused": False, "created_at": NOW, "updated_at": NOW}
            for i in ids])
    with rt.factory.begin() as session:
        broadcast(session, "Participation News: December", "subscribers", NOW)
    return ids


def statuses(rt) -> dict[tuple[str, int], int]:
    with rt.factory() as session:
        return {(s, a): n for s, a, n in session.execute(
            select(Outbox.status, Outbox.attempts, func.count()).group_by(Outbox.status, Outbox.attempts))}


# --- several requests in flight --------------------------------------------------------------

class Timed(RecordingTransport):
    """Requests that take a while; the provider notes each at a random moment while it is on its way."""

    def __init__(self, channel: str = "sms", seed: int = 1):
        super().__init__(channel)
        self.rng, self.arrived, self.most_at_once, self._now = random.Random(seed), [], 0, 0

    def send(self, item):
        with self._lock:
            self._now += 1
            self.most_at_once = max(self.most_at_once, self._now)
            latency, reach = self.rng.uniform(0.002, 0.06), self.rng.random()
        try:
            time.sleep(latency * reach)
            with self._lock:
                self.arrived.append(time.monotonic())
            time.sleep(latency * (1 - reach))
            return super().send(item)
        finally:
            with self._lock:
                self._now -= 1


def test_requests_overlap_yet_the_provider_never_sees_more_than_the_rate_in_any_second(runtime):
    subscribers(runtime, 90)
    transport = Timed()
    policy = Policy(rate=25, concurrency=4)
    started = time.monotonic()
    sent = drain(runtime.factory, transport, policy, "w", clock=lambda: NOW)
    assert sent == 90 and statuses(runtime) == {("sent", 1): 90}
    assert transport.most_at_once > 1, "requests overlapped"
    assert most_in_any_window(transport.arrived) <= 25
    measured = (len(transport.arrived) - 1) / (max(transport.arrived) - min(transport.arrived))
    assert measured <= 25
    assert measured >= 25 * 0.8, f"{measured:.1f}/s in {time.monotonic() - started:.1f}s"  # loose: a loaded CI


def test_stop_is_honoured_up_to_the_moment_of_sending_with_requests_in_flight(runtime):
    """Contacts say STOP while their message waits for its slot: however many requests are in flight, theirs never goes."""
    subscribers(runtime, 12)

    class Watching(Pacer):
        chosen: list[str] = []

        def choose(self, chats, replies=None):
            index, slot = super().choose(chats, replies)
            self.chosen.append(chats[index])
            return index, slot

    pacer, calls, stopped = Watching(5), [0], set()
    pacer.chosen = []
    transport, dispatcher = Timed(), threading.get_ident()

    def sleep(seconds: float) -> None:
        if threading.get_ident() != dispatcher:  # a send waiting for the window
            return time.sleep(seconds)
        calls[0] += 1
        if calls[0] == 4:  # the message now waiting, and every one still to come: their people say STOP
            with runtime.factory() as session:
                everyone = set(session.scalars(select(Contact.address)))
            stopped.update(everyone - set(pacer.chosen[:-1]))
            with runtime.factory.begin() as session:
                session.execute(update(Contact).where(Contact.address.in_(stopped)).values(opted_out=True))
        time.sleep(seconds)

    drain(runtime.factory, transport, Policy(rate=5, concurrency=4), "w", clock=lambda: NOW, sleep=sleep,
          pacer=pacer)
    assert stopped and not stopped & {item.address for item in transport.sent}
    with runtime.factory() as session:
        rows = dict(session.execute(select(Contact.address, Outbox.status).join(Outbox)).all())
    assert {rows[a] for a in stopped} == {"cancelled"}
    assert {s for a, s in rows.items() if a not in stopped} == {"sent"}


def test_the_batched_check_agrees_with_the_one_row_check(runtime):
    """delivery.unwanted (from one read for many rows) says what storage.alerts.unwanted says, case by case."""
    with runtime.factory.begin() as session:
        published = Opportunity(title="Open", summary="", type="other", area="North", venue="x", payment="paid",
                                status="published", created_at=NOW)
        closed = Opportunity(title="Closed", summary="", type="other", area="North", venue="x", payment="paid",
                             status="closed", created_at=NOW)
        session.add_all([published, closed])
        session.flush()
        people = []
        for n, (alerts, paused, joined) in enumerate([(a, p, j) for a in ("instant", "weekly", "off")
                                                      for p in (False, True) for j in (True, False)]):
            contact = Contact(channel="sms", address=f"+44770090{n:04d}", opted_out=False, state={}, created_at=NOW)
            session.add(contact)
            session.flush()
            if joined:
                session.add(Participant(contact_id=contact.id, name="", consent_at=NOW, consent_text="I agree",
                                        interests=[], areas=[], access_needs="", alerts=alerts, alerts_paused=paused,
                                        created_at=NOW, updated_at=NOW))
            people.append(contact.id)
        cases = []
        for contact_id in people:
            for kind, extra in [("alert", {"opportunity_id": published.id}), ("alert", {"opportunity_id": closed.id}),
                                ("alert", {"opportunity_id": 999_999}), ("digest", None),
                                ("broadcast", {"audience": "participants"}), ("broadcast", {"audience": "subscribers"}),
                                ("reply", None), ("invite", None)]:
                id_ = outbox_store.enqueue(session, "sms", contact_id, kind, "x", NOW, NOW, extra)
                cases.append(outbox_store.Claimed(id_, "sms", kind, "x", extra, 0, contact_id, "", False))
    with runtime.factory() as session:
        found = outbox_store.facts(session, cases)
        for item in cases:
            assert unwanted(item.kind, item.extra, found[item.id]) == alert_store.unwanted(
                session, item.kind, item.contact_id, item.extra), item


# --- the journal -----------------------------------------------------------------------------

SENDER = """
import json, os, signal, sys
from datetime import datetime, timezone
from outbox import delivery
from outbox.delivery import Policy, drain
from storage.db import make_engine, make_sessionmaker
from outbox.journal import Journal
from outbox import journal as journals

url, folder, out, at, when = sys.argv[1:6]
at = int(at)
factory = make_sessionmaker(make_engine(url))
worker = f"{os.uname().nodename}:{os.getpid()}"
count = [0]

class Provider:
    channel = "sms"
    def send(self, item):
        count[0] += 1
        if count[0] == at and when == "mid-request":
            os.kill(os.getpid(), signal.SIGKILL)  # the request had started; the provider never got it
        with open(out, "a") as f:
            f.write(json.dumps({"id": item.id, "to": item.address}) + "\\n")
        return f"SM{item.id:08d}", "queued"

if when == "after-acceptance":  # killed the moment the acceptance is in the journal, before the database hears
    accepted = Journal.accepted
    def accepted_then_killed(self, row, *args):
        accepted(self, row, *args)
        if count[0] == at:
            os.kill(os.getpid(), signal.SIGKILL)
    Journal.accepted = accepted_then_killed
delivery.FLUSH_EVERY = 60  # nothing reaches the database before the kill
delivery.FLUSH_AT = 10_000
drain(factory, Provider(), Policy(rate=0, concurrency=1), worker, journal=Journal.open(journals.Path(folder), worker),
      clock=lambda: datetime(2030, 12, 2, 11, 0, 1, tzinfo=timezone.utc))
"""


def run_sender(url: str, folder: Path, out: Path, at: int, when: str) -> int:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, "-c", SENDER, url, str(folder), str(out), str(at), when], env=env,
                            timeout=120, capture_output=True, text=True)
    assert result.returncode == -9, result.stderr
    return len(out.read_text().splitlines())


def provider_log(out: Path) -> list[dict]:
    return [json.loads(line) for line in out.read_text().splitlines()]


@pytest.mark.parametrize("at", [1, 5])
def test_a_sender_killed_after_the_provider_accepted_is_not_sent_again(runtime, database_url, tmp_path, at):
    subscribers(runtime, 8)
    out, folder = tmp_path / "provider.jsonl", tmp_path / "journal"
    assert run_sender(database_url, folder, out, at, "after-acceptance") == at
    assert statuses(runtime).get(("sent", 1), 0) == 0, "the database had not heard of any send"
    assert list(folder.glob("*.journal")), "the killed sender left its journal"

    me = f"{socket.gethostname()}:{os.getpid()}"
    transport = RecordingTransport("sms")
    sent = drain(runtime.factory, transport, Policy(rate=0), me, clock=lambda: NOW + timedelta(seconds=1),
                 journal=Journal(folder, me))
    assert sent == 8 - at, "the restarted sender sent only what the provider had not accepted"
    firsts = {m["id"] for m in provider_log(out)}
    assert firsts.isdisjoint(i.id for i in transport.sent), "no one got the message twice"
    assert statuses(runtime) == {("sent", 1): 8}
    with runtime.factory() as session:
        folded = session.scalars(select(Message.provider_id).where(Message.outbox_id.in_(firsts))).all()
    assert sorted(folded) == sorted(f"SM{i:08d}" for i in firsts), "the provider's ids came from the journal"
    assert [p.name for p in folder.iterdir()] == [Journal.open(folder, me).path.name], "the dead one's was folded"


def test_a_sender_killed_mid_request_sends_that_one_again(runtime, database_url, tmp_path):
    """In doubt: the request had started and no answer was noted. It goes again (a repeat beats a loss)."""
    subscribers(runtime, 6)
    out, folder = tmp_path / "provider.jsonl", tmp_path / "journal"
    assert run_sender(database_url, folder, out, 3, "mid-request") == 2

    me = f"{socket.gethostname()}:{os.getpid()}"
    transport = RecordingTransport("sms")
    assert drain(runtime.factory, transport, Policy(rate=0), me, clock=lambda: NOW + timedelta(seconds=1),
                 journal=Journal(folder, me)) == 4
    assert {m["id"] for m in provider_log(out)}.isdisjoint(i.id for i in transport.sent)
    assert statuses(runtime) == {("sent", 1): 6}
    with runtime.factory() as session:
        noted = session.scalars(select(Outbox.last_error).where(Outbox.last_error.is_not(None))).all()
    assert len(noted) == 1 and "in doubt" in noted[0]


def test_the_journal_keeps_only_what_the_database_has_yet_to_hear_and_survives_a_cut_line(tmp_path):
    journal = Journal(tmp_path, "host:1")
    journal.started(1)
    journal.accepted(1, "SM1", "queued", NOW)
    journal.started(2)
    journal.accepted(2, None, "sent", NOW)
    journal.started(3)
    journal.recorded([1])  # (kept until compacted: when all is known, or the file is large)
    with open(journal.path, "ab") as f:
        f.write(b"S 4 queued 2030-12-02T11:")  # a line cut short by the kill
    contents = journals.read(journal.path)
    assert contents.worker == "host:1"
    assert contents.accepted == {1: ("SM1", "queued", NOW), 2: (None, "sent", NOW)}
    assert contents.in_doubt == [3]
    journal.recorded([1, 2, 3])
    assert journals.read(journal.path).entries == {}, "all known to the database: compacted to its header"
    journal.close()
    assert not journal.path.exists()
