"""Run the engine for one inbound message, inside the caller's transaction.

Every channel comes through here: the message is logged (and deduplicated on its
provider id), the contact's state is loaded and locked, the engine answers, and its
effects and replies are written before the caller commits.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot import engine
from bot.texts import Texts
from storage import contacts, outbox, responses
from storage.models import Message, Service

# NHS England FFT collection modes, by channel.
MODES = {"sms": "SMS/text message", "telegram": "Online", "chat": "Other"}
# Channels whose replies go through the outbox; the others reply in the webhook response.
OUTBOX_CHANNELS = frozenset({"telegram"})


@dataclass(frozen=True)
class BotConfig:
    """The configurable parts of the conversation."""

    texts: Texts = field(default_factory=Texts)
    timeout: timedelta = timedelta(hours=24)


@dataclass
class Received:
    """What became of one inbound message."""

    replies: list[engine.Reply]
    duplicate: bool = False
    message_id: int | None = None
    outbox_ids: list[int] = field(default_factory=list)


def active_services(session: Session) -> tuple[tuple[str, str], ...]:
    rows = session.execute(select(Service.code, Service.name).where(Service.active).order_by(Service.name))
    return tuple((code, name) for code, name in rows)


def receive(session: Session, config: BotConfig, *, channel: str, address: str, text: str,
            provider_id: str | None, now: datetime, stop_already_confirmed: bool = False) -> Received:
    """Handle one inbound message; a repeated provider_id gets the first reply and changes nothing."""
    log = Message(channel=channel, direction="in", provider_id=provider_id, status="received",
                  created_at=now, updated_at=now)
    try:
        with session.begin_nested():
            session.add(log)
    except IntegrityError:
        first = session.scalar(select(Message).where(Message.channel == channel, Message.direction == "in",
                                                     Message.provider_id == provider_id))
        return Received(_replies_from_json(first.replies if first else []), duplicate=True,
                        message_id=first.id if first else None)
    contact = contacts.get_or_create(session, channel, address, now)
    ctx = engine.Context(now=now, channel=channel, ref=str(uuid.uuid4()), texts=config.texts,
                         services=active_services(session), timeout=config.timeout,
                         stop_already_confirmed=stop_already_confirmed)
    result = engine.handle(contact.state, text, ctx)
    for effect in result.effects:
        _apply(session, contact, effect, channel, now)
    contact.state, contact.state_updated_at = result.state, now
    log.contact_id, log.replies = contact.id, [_reply_json(r) for r in result.replies]
    received = Received(result.replies, message_id=log.id)
    for reply in result.replies:
        if channel in OUTBOX_CHANNELS:
            extra = {**_reply_json(reply), "after_stop": contact.opted_out}  # the STOP confirmation
            row = outbox.enqueue(session, contact, "reply", reply.text, now, now, extra=extra)
            session.flush()
            received.outbox_ids.append(row.id)
        else:
            session.add(Message(channel=channel, direction="out", contact_id=contact.id, status="replied",
                                body=reply.text, created_at=now, updated_at=now))
    return received


def _apply(session: Session, contact, effect, channel: str, now: datetime) -> None:
    if isinstance(effect, engine.RecordAnswer):
        responses.record_answer(session, ref=effect.ref, survey_id=effect.survey_id,
                                survey_version=effect.survey_version, service=effect.service,
                                mode=MODES.get(channel, "Other"), question_id=effect.question_id,
                                value=effect.value, now=now)
    elif isinstance(effect, engine.OptOut):
        contact.opted_out, contact.opted_out_at = True, now
        outbox.cancel_pending(session, contact.id, "opted out")
    elif isinstance(effect, engine.OptIn):
        contact.opted_out, contact.opted_out_at = False, None


def _reply_json(reply: engine.Reply) -> dict:
    return {"text": reply.text, "buttons": [list(b) for b in reply.buttons]}


def _replies_from_json(rows: list | None) -> list[engine.Reply]:
    return [engine.Reply(r["text"], tuple(tuple(b) for b in r.get("buttons", ()))) for r in rows or []]
