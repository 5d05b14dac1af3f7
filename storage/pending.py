"""Anonymous answers on their way to the feedback tables, written so that nobody can link them back.

A full copy of the database (rows, ids, times, the order rows are stored in, the message log)
must not tell which contact gave an anonymous answer better than chance among at least
MIN_BATCH people. So:
- while a survey is open, its answers wait in pending_responses under a keyed hash of the
  conversation's reference, encrypted (AES-GCM) with a key derived from SECRET_KEY, which the
  database does not hold: a copy shows that someone is answering, not what;
- when the survey ends they are sealed under a random id, still encrypted (a response whose last
  answer is a story waits, still open, until later parts of the story can no longer join it);
- they are written to the feedback (or equality) tables in shuffled batches, as soon as
  MIN_BATCH have ended or after MAX_WAIT, mixed with rewritten rows of the previous batch, so
  even a small batch hides among at least MIN_BATCH;
- ids and batch tokens are random, and the only time kept is the local day (equality: the month).
Everything waits in the database, so a restart loses nothing.
"""
from __future__ import annotations

import json
import logging
import os
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import Connection, delete, insert, select, update

from storage import upsert
from storage.models import (Answer, AnswerBatch, EqualityAnswer, EqualityResponse, PendingResponse, Response,
                            ResponseOwner, random_id)

log = logging.getLogger(__name__)
MIN_BATCH = 5
MAX_WAIT = timedelta(seconds=60)
PENDING, BATCHES = PendingResponse.__table__, AnswerBatch.__table__
STORES = {"feedback": (Response.__table__, Answer.__table__), "equality": (EqualityResponse.__table__,
                                                                            EqualityAnswer.__table__)}


@dataclass(frozen=True)
class Holding:
    """The key that locks waiting answers, and when a batch is written."""

    key: bytes  # 32 bytes, derived from SECRET_KEY
    timezone: str = "Europe/London"
    min_batch: int = MIN_BATCH
    max_wait: timedelta = MAX_WAIT

    def lock(self, data: dict) -> bytes:
        nonce = os.urandom(12)
        return nonce + AESGCM(self.key).encrypt(nonce, json.dumps(data).encode(), None)

    def unlock(self, blob: bytes) -> dict:
        return json.loads(AESGCM(self.key).decrypt(blob[:12], blob[12:], None))


def hold(conn: Connection, holding: Holding, ref: str, question_id: str, value: str, **about) -> None:
    """Keep one answer of an open survey; `about` (survey, service, mode, store, owner) comes with the first."""
    row = conn.execute(select(PENDING.c.payload).where(PENDING.c.id == ref, PENDING.c.sealed.is_(False))
                       .with_for_update()).first()
    data = holding.unlock(row.payload) if row else {**about, "answers": {}}
    data["answers"][question_id] = value
    if row:
        conn.execute(update(PENDING).where(PENDING.c.id == ref).values(payload=holding.lock(data)))
    else:
        conn.execute(insert(PENDING).values(id=ref, sealed=False, payload=holding.lock(data)))


def append(conn: Connection, holding: Holding, ref: str, question_id: str, text: str, joiner: str = " ") -> bool:
    """Add a later part of a story to one answer of a response still held open; False if it has been sealed."""
    row = conn.execute(select(PENDING.c.payload).where(PENDING.c.id == ref, PENDING.c.sealed.is_(False))
                       .with_for_update()).first()
    if row is None:
        return False
    data = holding.unlock(row.payload)
    given = data["answers"].get(question_id)
    data["answers"][question_id] = f"{given}{joiner}{text}" if given else text
    conn.execute(update(PENDING).where(PENDING.c.id == ref).values(payload=holding.lock(data)))
    return True


def forget(conn: Connection, holding: Holding, ref: str, question_id: str) -> None:
    """Drop one answer of an open survey (the person went back and it no longer applies)."""
    row = conn.execute(select(PENDING.c.payload).where(PENDING.c.id == ref, PENDING.c.sealed.is_(False))
                       .with_for_update()).first()
    if row is None:
        return
    data = holding.unlock(row.payload)
    if data["answers"].pop(question_id, None) is not None:
        conn.execute(update(PENDING).where(PENDING.c.id == ref).values(payload=holding.lock(data)))


def seal(conn: Connection, holding: Holding, ref: str, now: datetime) -> bool:
    """The survey has ended: its answers wait for a batch under a random id. False if it had none."""
    row = conn.execute(select(PENDING.c.payload).where(PENDING.c.id == ref, PENDING.c.sealed.is_(False))
                       .with_for_update()).first()
    if row is None:
        return False
    data = {**holding.unlock(row.payload), "ended_at": now.isoformat()}
    conn.execute(delete(PENDING).where(PENDING.c.id == ref))
    if data["answers"]:
        conn.execute(insert(PENDING).values(id=uuid.uuid4().hex, sealed=True, payload=holding.lock(data)))
    return True


def write_batches(conn: Connection, holding: Holding, now: datetime, force: bool = False) -> int:
    """Write each store's ended responses in a shuffled batch, when there are enough or they have waited.

    One process writes at a time (the batch counters are locked); returns how many were written.
    """
    conn.execute(upsert.insert(conn, BATCHES).values([{"store": s, "last": 0} for s in STORES])
                 .on_conflict_do_nothing(index_elements=["store"]))
    last = dict(conn.execute(select(BATCHES.c.store, BATCHES.c.last).order_by(BATCHES.c.store)
                             .with_for_update(skip_locked=True)).all())
    if len(last) < len(STORES):
        return 0  # another process is writing a batch right now
    waiting: dict[str, list[tuple[str, dict]]] = {store: [] for store in STORES}
    for row in conn.execute(select(PENDING.c.id, PENDING.c.payload).where(PENDING.c.sealed)):
        try:
            data = holding.unlock(row.payload)
        except InvalidTag:  # locked with another SECRET_KEY: kept, for whoever holds that key
            log.error("a waiting response cannot be read with this SECRET_KEY; it is kept")
            continue
        waiting[data.get("store", "feedback")].append((row.id, data))
    written = 0
    for store, group in waiting.items():
        oldest = min((datetime.fromisoformat(d["ended_at"]) for _, d in group), default=now)
        if group and (force or len(group) >= holding.min_batch or now - oldest >= holding.max_wait):
            conn.execute(delete(PENDING).where(PENDING.c.id.in_([pid for pid, _ in group])))
            _write(conn, holding, store, [d for _, d in group], last[store])
            written += len(group)
    return written


def _write(conn: Connection, holding: Holding, store: str, group: list[dict], previous: int) -> None:
    """Insert the group in random order, mixed with rows of the previous batch.

    The previous batch's rows are rewritten among the new ones (on PostgreSQL a rewritten row
    moves to where new rows go), so where a row lies says nothing even when the group is small,
    and the new batch (its token random) holds at least min_batch responses once there are that many.
    """
    responses, answers = STORES[store]
    token, rng = random_id(), secrets.SystemRandom()
    steps: list[tuple[str, object]] = [("insert", data) for data in group]
    if previous:
        earlier = conn.scalars(select(responses.c.id).where(responses.c.batch == previous)).all()
        mix = max(holding.min_batch, 2 * holding.min_batch - len(group))
        steps += [("touch", rid) for rid in rng.sample(earlier, min(len(earlier), mix))]
    rng.shuffle(steps)
    for kind, item in steps:
        if kind == "touch":
            conn.execute(update(responses).where(responses.c.id == item).values(batch=token))
            conn.execute(update(answers).where(answers.c.response_id == item).values(value=answers.c.value))
        else:
            _insert(conn, holding, store, item, token, rng)
    conn.execute(update(BATCHES).where(BATCHES.c.store == store).values(last=token))


def _insert(conn: Connection, holding: Holding, store: str, data: dict, token: int, rng) -> None:
    responses, answers = STORES[store]
    day = (datetime.fromisoformat(data["ended_at"]).astimezone(ZoneInfo(holding.timezone))
           .replace(hour=0, minute=0, second=0, microsecond=0))
    response_id = random_id()
    values = {"id": response_id, "survey_id": data["survey_id"], "survey_version": data["survey_version"],
              "batch": token}
    if store == "equality":
        values["month"] = day.date().replace(day=1)
    else:
        values.update(service_code=data.get("service"), mode=data["mode"], created_at=day)
    conn.execute(insert(responses).values(**values))
    given = list(data["answers"].items())
    rng.shuffle(given)
    conn.execute(insert(answers), [{"id": random_id(), "response_id": response_id, "question_id": q, "value": v}
                                   for q, v in given])
    if data.get("owner") is not None:  # a survey that says it is not anonymous
        conn.execute(insert(ResponseOwner.__table__).values(response_id=response_id, contact_id=data["owner"]))
