"""What a running YourSay process holds: settings, database and bot configuration."""
from __future__ import annotations

import hashlib
import logging
import os
import socket
import threading
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, TypeVar

from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session, sessionmaker

from bot import safeguarding
from service.conversations import BotConfig, Received, receive
from outbox.delivery import Policy
from outbox.pacing import Pacer
from bot.flow import Registry
from bot.surveys import SHIPPED, load, with_question_text
from bot.texts import Texts
from nlp import risk
from storage import pending
from storage.db import make_engine, make_sessionmaker
from sms.sender import TwilioTransport
from storage.writer import GroupCommitter
from telegram_channel.channel import TelegramChannel
from yoursay.config import ConfigError, Settings

T = TypeVar("T")
log = logging.getLogger(__name__)
DEV_REF_SECRET = "dev-only: set SECRET_KEY in production"


@dataclass
class Runtime:
    """Built once by the composition root and handed to whoever needs it."""

    settings: Settings
    engine: Engine
    factory: sessionmaker[Session]
    bot: BotConfig
    worker: str = field(default_factory=lambda: f"{socket.gethostname()}:{os.getpid()}")
    transports: dict = field(default_factory=dict)
    committer: GroupCommitter = field(init=False)
    pacers: dict[str, Pacer] = field(default_factory=dict)
    receiver: object | None = None  # a ReceiverProcess, when `serve` runs one (yoursay.receiver)

    def __post_init__(self):
        self.committer = GroupCommitter(self.engine)
        self._pacers_lock = threading.Lock()

    @staticmethod
    def now() -> datetime:
        return datetime.now(timezone.utc)

    def write(self, work: Callable[[Connection], T]) -> T:
        """Run work(connection) in a committed transaction, sharing commits with other threads."""
        return self.committer.run(work)

    def receive(self, **message) -> Received:
        """Handle one inbound message (see service.conversations.receive); returns once it is committed."""
        if self.receiver is not None:
            try:
                return self.receiver.receive(**message)
            except TimeoutError as exc:  # here instead: a message it did store is recognised by its provider id
                log.warning("handling a message in the web process: %s", exc)
        return self.write(lambda conn: receive(conn, self.bot, **message))

    def close(self) -> None:
        if self.receiver is not None:
            self.receiver.stop()
        self.committer.stop()
        self.engine.dispose()

    def policy(self, channel: str) -> Policy:
        if channel == "telegram":  # Telegram: 30 a second overall, and a second between two to one chat
            return Policy(rate=self.settings.telegram_rate, quiet_hours=self.settings.quiet_hours,
                          timezone=self.settings.timezone, per_chat_gap=1.0)
        return Policy(rate=self.settings.sms_rate, quiet_hours=self.settings.quiet_hours,
                      timezone=self.settings.timezone)

    def pacer(self, channel: str) -> Pacer:
        """The channel's pacer, shared by every drain in this process so the rate holds across them."""
        with self._pacers_lock:
            if channel not in self.pacers:
                policy = self.policy(channel)
                self.pacers[channel] = Pacer(policy.rate, policy.per_chat_gap)
            return self.pacers[channel]


def load_surveys(settings: Settings) -> Registry:
    """The shipped surveys and the trust's own; a bad file is logged and left out."""
    paths = [SHIPPED] + ([Path(settings.survey_dir)] if settings.survey_dir else [])
    registry = load(paths)
    for error in registry.errors:
        log.error("survey not loaded: %s", error)
    if settings.fft_followup != Settings.fft_followup:
        registry = with_question_text(registry, "fft", "why", settings.fft_followup)
    return registry


def bot_config(settings: Settings) -> BotConfig:
    try:
        settings_file = safeguarding.load(settings.safeguarding_file, local_crisis_line=settings.local_crisis_line,
                                          safeguarding_line=settings.safeguarding_line,
                                          review_time=settings.safeguarding_review)
    except safeguarding.SafeguardingFileError as exc:  # never run with wording nobody has checked
        raise ConfigError(f"the safeguarding settings are not usable:\n{exc}") from exc
    texts = Texts(trust_name=settings.trust_name, keyword=settings.feedback_keyword,
                  local_crisis_line=settings.local_crisis_line, safeguarding=settings_file)
    secret = (settings.secret_key or DEV_REF_SECRET).encode()
    return BotConfig(texts=texts, timeout=settings.conversation_timeout, surveys=load_surveys(settings),
                     story_join=settings.story_join, recent_service=settings.recent_service,
                     ref_key=hashlib.sha256(b"response-ref:" + secret).digest(), timezone=settings.timezone,
                     holding=pending.Holding(hashlib.sha256(b"pending-answers:" + secret).digest(),
                                             timezone=settings.timezone, min_batch=settings.answer_batch),
                     risk_check=risk.detect)


def build(settings: Settings) -> Runtime:
    """Everything a process holds: the database, the bot's configuration and the channels it sends on."""
    engine = make_engine(settings.database_url)
    factory = make_sessionmaker(engine)
    rt = Runtime(settings, engine, factory, bot_config(settings))
    if settings.twilio_enabled:
        rt.transports["sms"] = TwilioTransport(settings)
    if settings.telegram_enabled:
        rt.transports["telegram"] = TelegramChannel(rt)
    return rt
