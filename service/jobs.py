"""Scheduled work: plain functions that open their own transactions and are safe to repeat."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from bot import gsm7
from bot.answers import buttons, prompt_text
from service.conversations import BotConfig
from bot.engine import is_expired
from bot.flow import Registry
from bot.texts import Texts
from storage import outbox, pending
from storage.models import Contact, Message, Outbox

MIN_IDLE = timedelta(minutes=30)  # no survey expires or reminds sooner; keeps the scans small


def _idle(now: datetime):
    """Conversations under way and idle a while, locked; rows a message is changing right now are skipped."""
    return (select(Contact).where(Contact.state_updated_at < now - MIN_IDLE)
            .with_for_update(skip_locked=True))


def expire_conversations(factory: sessionmaker[Session], bot: BotConfig, now: datetime,
                         timeout: timedelta | None = None) -> int:
    """Forget conversations left idle longer than their survey allows. Answers given are kept.

    They go to be written with the next batch of anonymous answers (storage.pending).
    """
    expired = 0
    with factory.begin() as session:
        for contact in session.scalars(_idle(now)):
            if not contact.state.get("step"):
                contact.state_updated_at = None  # nothing under way: stop looking at this row
            elif is_expired(contact.state, bot.surveys, now, timeout):
                if contact.state.get("ref"):
                    pending.seal(session.connection(), bot.holding, bot.stored_ref(contact.state["ref"]), now)
                contact.state = {"opted_out": True} if contact.opted_out else {}
                contact.state_updated_at = None
                expired += 1
        if expired:
            pending.write_batches(session.connection(), bot.holding, now)
    return expired


def write_answer_batches(factory: sessionmaker[Session], bot: BotConfig, now: datetime) -> int:
    """Write anonymous answers that have waited long enough for a batch (storage.pending)."""
    with factory.begin() as session:
        return pending.write_batches(session.connection(), bot.holding, now)


def remind_unfinished(factory: sessionmaker[Session], surveys: Registry, texts: Texts, now: datetime,
                      timeout: timedelta | None = None) -> int:
    """Send one reminder for a survey left unfinished, where the survey asks for one.

    It goes through the outbox, so quiet hours and STOP are honoured when it is sent. A
    conversation already closed (by its survey's expiry, or the configured timeout) is not reminded.
    """
    reminded = 0
    with factory.begin() as session:
        for contact in session.scalars(_idle(now).where(Contact.opted_out.is_(False))):
            state = contact.state
            survey = surveys.get(state.get("survey", ""), state.get("version", 0))
            if (state.get("step") != "question" or state.get("reminded") or state.get("paused") or survey is None
                    or survey.reminder_after is None or is_expired(state, surveys, now, timeout)
                    or now - datetime.fromisoformat(state["updated_at"]) < survey.reminder_after):
                continue
            question = survey.question(state["q"])
            prompt = prompt_text(question, sms=contact.channel != "telegram")
            together = f"{texts.reminder(survey.title)}\n{prompt}"
            messages = [together] if gsm7.fits(together) else [texts.reminder(survey.title), prompt]
            for text in messages:  # the question always goes with its buttons, last
                outbox.enqueue(session, contact.channel, contact.id, "reminder", text, now, now,
                               extra={"buttons": [list(b) for b in buttons(question)]} if text == prompt
                               or len(messages) == 1 else None)
            contact.state = {**state, "reminded": True}  # updated_at unchanged: the expiry still counts
            reminded += 1
    return reminded


def forget_message_text(factory: sessionmaker[Session], keep: timedelta, now: datetime) -> int:
    """Blank the text of logged and sent messages older than keep.

    What the bot said (e.g. which service it asked about) and when could otherwise be
    matched against anonymous responses. Ids, times and delivery statuses stay.
    """
    cutoff = now - keep
    with factory.begin() as session:
        logged = session.execute(update(Message).where(Message.created_at < cutoff, Message.body.is_not(None))
                                 .values(body=None)).rowcount
        session.execute(update(Outbox).where(Outbox.created_at < cutoff, Outbox.body != "",
                                             Outbox.status.in_(("sent", "cancelled", "failed")))
                        .values(body="", extra=None))
    return logged
