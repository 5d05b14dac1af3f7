"""Scheduled work: plain functions that open their own transactions and are safe to repeat."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from bot import gsm7, stories
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

    They go to be written with the next batch of anonymous answers (storage.pending). An open
    story and the service it was about are kept for their own while (bot/stories.py), and forgotten
    here once that has passed.
    """
    expired, sealed = 0, False
    with factory.begin() as session:
        for contact in session.scalars(_idle(now)):
            state = contact.state
            if state.get("step") and is_expired(state, bot.surveys, now, timeout):
                kept = {"opted_out": True} if contact.opted_out else stories.ended(state, now, bot.recent_service)
                expired += 1
            else:
                kept = stories.tidy(state, now)  # a story or a recent service whose time has passed
            sealed |= _seal(session, bot, stories.held(state) - stories.held(kept), now)
            if kept != state:
                contact.state = kept
            if not stories.under_way(kept):
                contact.state_updated_at = None  # nothing under way: stop looking at this row
        if sealed:
            pending.write_batches(session.connection(), bot.holding, now)
    return expired


def close_stories(session: Session, bot: BotConfig, now: datetime) -> int:
    """Seal each story whose later parts can no longer join it (its window has passed); returns how many.

    Rows are read first without a lock, and only those with a story due are locked (skipping any a
    message is changing right now: that message closes the story itself).
    """
    quiet = session.execute(select(Contact.id, Contact.state).where(
        Contact.state_updated_at <= now - bot.story_join)).all()
    due = [cid for cid, state in quiet if (state or {}).get("story") and not stories.open_story(state, now)]
    closed = 0
    for contact in session.scalars(select(Contact).where(Contact.id.in_(due)).with_for_update(skip_locked=True)):
        state = contact.state
        kept = stories.tidy(state, now)
        if "story" not in state or "story" in kept:
            continue
        _seal(session, bot, stories.held(state) - stories.held(kept), now)
        contact.state = kept
        if not stories.under_way(kept):
            contact.state_updated_at = None
        closed += 1
    return closed


def _seal(session: Session, bot: BotConfig, refs: set[str], now: datetime) -> bool:
    """Seal the answers held under these references, for the next batch; True if any were held."""
    return any([pending.seal(session.connection(), bot.holding, bot.stored_ref(ref), now) for ref in refs])


def write_answer_batches(factory: sessionmaker[Session], bot: BotConfig, now: datetime) -> int:
    """Seal stories whose join window has passed, then write anonymous answers that have waited long
    enough for a batch (storage.pending); returns how many were written."""
    with factory.begin() as session:
        close_stories(session, bot, now)
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
