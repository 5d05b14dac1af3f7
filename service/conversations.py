"""Run the engine for one inbound message, inside the caller's transaction (a Connection).

Every channel comes through here: the message is logged (and deduplicated on its
provider id), the contact's state is loaded and locked, the engine answers, and its
effects and replies are written before the caller commits.
"""
from __future__ import annotations

import hashlib
import hmac
import os
import threading
import time
import uuid
from dataclasses import dataclass, field, replace
from typing import Callable
from datetime import datetime, timedelta

from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from bot import engine, participation, stories
from bot.flow import Registry
from bot.surveys import shipped
from bot.texts import Texts
from storage import contacts, messages, outbox, pending
from service import participation as participants
from storage import safeguarding
from storage.models import Service

# NHS England FFT collection modes, by channel.
MODES = {"sms": "SMS/text message", "telegram": "Online", "chat": "Other"}
# Channels whose replies go through the outbox; the others reply in the webhook response.
OUTBOX_CHANNELS = frozenset({"telegram"})
PARTICIPATION_EFFECTS = (participation.Consent, participation.SignUpFor, participation.Withdraw,
                         participation.SetAlerts, participation.Erase)


@dataclass(frozen=True)
class BotConfig:
    """The configurable parts of the conversation."""

    texts: Texts = field(default_factory=Texts)
    timeout: timedelta | None = None  # overrides each survey's own expiry when set
    services: "ServiceCache" = field(default_factory=lambda: ServiceCache())
    surveys: Registry = field(default_factory=shipped)
    timezone: str = "Europe/London"
    # Reads every inbound message for risk (e.g. nlp.risk); fast, and in the reply path on purpose.
    risk_check: Callable[[str], engine.Risk | None] | None = None
    # Responses are stored under a keyed hash of the reference a conversation holds, so the
    # database alone cannot join a contact's open conversation to its answers.
    ref_key: bytes = field(default_factory=lambda: os.urandom(32), repr=False)
    # Answers wait there, encrypted, until they are written in shuffled batches (storage.pending).
    holding: pending.Holding = field(default_factory=lambda: pending.Holding(os.urandom(32)), repr=False)
    # Later parts of a story within this are joined to it, its response held open meanwhile (bot/stories.py).
    story_join: timedelta = timedelta(0)
    # A story sent this soon after a conversation about a service ends is filed with that service.
    recent_service: timedelta = timedelta(0)

    def stored_ref(self, ref: str) -> str:
        return hmac.new(self.ref_key, ref.encode(), hashlib.sha256).hexdigest()[:36]


@dataclass
class Received:
    """What became of one inbound message."""

    replies: list[engine.Reply]
    duplicate: bool = False
    message_id: int | None = None
    outbox_ids: list[int] = field(default_factory=list)


class ServiceCache:
    """Active services, re-read at most every few seconds: they change rarely, messages often."""

    def __init__(self, ttl: float = 5.0):
        self.ttl, self._loaded_at, self._services = ttl, float("-inf"), ()
        self._lock = threading.Lock()

    def get(self, db: Connection | Session) -> tuple[tuple[str, str], ...]:
        with self._lock:
            if time.monotonic() - self._loaded_at > self.ttl:
                self._services, self._loaded_at = active_services(db), time.monotonic()
            return self._services


def active_services(db: Connection | Session) -> tuple[tuple[str, str], ...]:
    rows = db.execute(select(Service.code, Service.name).where(Service.active).order_by(Service.name))
    return tuple((code, name) for code, name in rows)


def receive(conn: Connection, config: BotConfig, *, channel: str, address: str, text: str,
            provider_id: str | None, now: datetime, provider_replied: bool = False) -> Received:
    """Handle one inbound message; a repeated provider_id gets the first reply and changes nothing."""
    text = text.replace("\x00", "")  # PostgreSQL text cannot hold NUL; no person means to send one
    contact_id, state, was_opted_out = contacts.lock(conn, channel, address, now)
    message_id = messages.log_inbound(conn, channel, provider_id, contact_id, now)
    if message_id is None:
        first_id, texts = messages.first_replies(conn, channel, provider_id)
        return Received([engine.Reply(t) for t in texts], duplicate=True, message_id=first_id)
    risk = config.risk_check(text) if config.risk_check and text.strip() else None
    ctx = engine.Context(now=now, channel=channel, ref=str(uuid.uuid4()), texts=config.texts,
                         services=config.services.get(conn), surveys=config.surveys, timeout=config.timeout,
                         provider_replied=provider_replied, risk=risk, story_join=config.story_join,
                         recent_service=config.recent_service)
    if engine.wants_participation(state, text):
        ctx = replace(ctx, participation=participants.snapshot(conn, contact_id, channel, address, now,
                                                               config.timezone))
    result = engine.handle(state, text, ctx)
    opted_out = was_opted_out
    refs = stories.held(state or {})
    for effect in result.effects:
        if isinstance(effect, engine.RecordAnswer):
            refs.add(effect.ref)
            _hold(conn, config, effect, channel, contact_id)
        elif isinstance(effect, engine.JoinPart):
            _join(conn, config, effect, channel, contact_id, now)
        elif isinstance(effect, engine.ForgetAnswer):
            pending.forget(conn, config.holding, config.stored_ref(effect.ref), effect.question_id)
        elif isinstance(effect, engine.NoteInterest):
            contacts.note_interest(conn, contact_id, effect.interested, now)
        elif isinstance(effect, engine.OptOut):
            opted_out = True
            outbox.cancel_pending(conn, contact_id, "opted out")
        elif isinstance(effect, engine.OptIn):
            opted_out = False
        elif isinstance(effect, engine.RaiseFlag):
            safeguarding.raise_flag(conn, contact_id=contact_id, channel=channel, text=text, category=effect.category,
                                    priority=effect.priority, reason=effect.reason, now=now,
                                    service_code=(state or {}).get("service") or (result.state or {}).get("service"))
        elif isinstance(effect, PARTICIPATION_EFFECTS):
            changed = participants.apply(conn, contact_id, channel, effect, now)
            if changed:  # e.g. the last place went while they were typing: say that instead
                result.replies = [engine.Reply(changed)]
    contacts.save_state(conn, contact_id, result.state, opted_out, now, was_opted_out)
    ended = refs - stories.held(result.state)  # a survey, or a story whose later parts can no longer join it
    if any([pending.seal(conn, config.holding, config.stored_ref(ref), now) for ref in ended]):
        pending.write_batches(conn, config.holding, now)
    received = Received(result.replies, message_id=message_id)
    if channel in OUTBOX_CHANNELS:  # logged when sent; a retried update is not answered again
        for reply in result.replies:
            extra = {"buttons": [list(b) for b in reply.buttons], "after_stop": opted_out}
            received.outbox_ids.append(outbox.enqueue(conn, channel, contact_id, "reply", reply.text,
                                                         now, now, extra))
    else:
        messages.log_replies(conn, channel, contact_id, message_id, [r.text for r in result.replies], now)
    return received


def _join(conn: Connection, config: BotConfig, part: engine.JoinPart, channel: str, contact_id: int,
          now: datetime) -> None:
    """Add a later part of a story to its held answer; if that was sealed meanwhile, keep the part as a story alone."""
    if pending.append(conn, config.holding, config.stored_ref(part.ref), part.question_id, part.text, stories.JOINER):
        return
    if part.alone is not None:
        _hold(conn, config, part.alone, channel, contact_id)
        pending.seal(conn, config.holding, config.stored_ref(part.alone.ref), now)


def _hold(conn: Connection, config: BotConfig, answer: engine.RecordAnswer, channel: str, contact_id: int) -> None:
    """Keep an answer, encrypted, until its survey ends and it is written with a batch of others."""
    pending.hold(conn, config.holding, config.stored_ref(answer.ref), answer.question_id, answer.value,
                 survey_id=answer.survey_id, survey_version=answer.survey_version, service=answer.service,
                 mode=MODES.get(channel, "Other"), store=answer.store,
                 owner=None if answer.anonymous else contact_id)
