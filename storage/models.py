"""Typed SQLAlchemy models. Alembic migrations own the schema."""
from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any

import secrets

from sqlalchemy import (JSON, BigInteger, DateTime, ForeignKey, Index, Integer, LargeBinary, MetaData, String, Text,
                        UniqueConstraint, false)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator):
    """A timezone-aware UTC datetime on every database, SQLite included."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use an aware UTC datetime")
        return value.astimezone(timezone.utc)  # the same instant is stored the same way on every database

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value


# Ids of anonymous rows are random, never counters, so they say nothing about order. On SQLite
# the id is the rowid, so the rows are even stored in random order.
RandomId = BigInteger().with_variant(Integer(), "sqlite")


def random_id() -> int:
    return secrets.randbits(62) or 1


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime, dict[str, Any]: JSON}


class Service(Base):
    """A ward or team people can give feedback about."""

    __tablename__ = "services"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(default=True)
    ods_code: Mapped[str | None] = mapped_column(String(10))  # its ODS site code, for the FFT return
    manager_email: Mapped[str | None] = mapped_column(String(254))  # sent the monthly pack and rising themes
    screen_enabled: Mapped[bool] = mapped_column(default=False, server_default=false())  # public screen: PPT switch it on
    screen_min_answers: Mapped[int] = mapped_column(default=20, server_default="20")  # fewer: the screen shows no figures


class Contact(Base):
    """Only what is needed to message someone and honour STOP. Never linked to answers."""

    __tablename__ = "contacts"
    __table_args__ = (UniqueConstraint("channel", "address"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(20))
    address: Mapped[str] = mapped_column(String(64))
    opted_out: Mapped[bool] = mapped_column(default=False)
    opted_out_at: Mapped[datetime | None]
    state: Mapped[dict[str, Any]] = mapped_column(default=dict)
    state_updated_at: Mapped[datetime | None] = mapped_column(index=True)  # set only mid-conversation
    last_invited_at: Mapped[datetime | None]
    participation_interest_at: Mapped[datetime | None]
    erased_at: Mapped[datetime | None]  # DELETE MY DATA: the row goes once the confirmation is sent
    created_at: Mapped[datetime]


class Response(Base):
    """One anonymous survey response: service, collection mode and time, no contact."""

    __tablename__ = "responses"
    id: Mapped[int] = mapped_column(RandomId, primary_key=True, autoincrement=False, default=random_id)
    survey_id: Mapped[str] = mapped_column(String(40))
    survey_version: Mapped[int] = mapped_column(default=1)
    service_code: Mapped[str | None] = mapped_column(String(40))
    mode: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(index=True)  # the local day only (its midnight)
    batch: Mapped[int] = mapped_column(RandomId, default=0, index=True)  # the shuffled batch it was written in (random)


class Answer(Base):
    """One answer within a response."""

    __tablename__ = "answers"
    __table_args__ = (UniqueConstraint("response_id", "question_id"),)
    id: Mapped[int] = mapped_column(RandomId, primary_key=True, autoincrement=False, default=random_id)
    response_id: Mapped[int] = mapped_column(RandomId, ForeignKey("responses.id", ondelete="CASCADE"))
    question_id: Mapped[str] = mapped_column(String(40))
    value: Mapped[str] = mapped_column(Text)


class ResponseOwner(Base):
    """Who gave a response, kept only for surveys that are not anonymous."""

    __tablename__ = "response_owners"
    response_id: Mapped[int] = mapped_column(RandomId, ForeignKey("responses.id", ondelete="CASCADE"), primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), index=True)


class EqualityResponse(Base):
    """Equality monitoring answers, kept apart: no service, no contact, no link to feedback.

    Only the month is kept, so they cannot be matched to feedback or messages by time.
    """

    __tablename__ = "equality_responses"
    id: Mapped[int] = mapped_column(RandomId, primary_key=True, autoincrement=False, default=random_id)
    survey_id: Mapped[str] = mapped_column(String(40))
    survey_version: Mapped[int] = mapped_column(default=1)
    month: Mapped[date] = mapped_column(index=True)
    batch: Mapped[int] = mapped_column(RandomId, default=0, index=True)


class EqualityAnswer(Base):
    __tablename__ = "equality_answers"
    __table_args__ = (UniqueConstraint("response_id", "question_id"),)
    id: Mapped[int] = mapped_column(RandomId, primary_key=True, autoincrement=False, default=random_id)
    response_id: Mapped[int] = mapped_column(RandomId, ForeignKey("equality_responses.id", ondelete="CASCADE"))
    question_id: Mapped[str] = mapped_column(String(40))
    value: Mapped[str] = mapped_column(Text)


class PendingResponse(Base):
    """Anonymous answers on their way to the feedback tables (storage.pending).

    While a survey is open its row is keyed by a keyed hash of the conversation's reference;
    once it ends, by a random id. The payload is encrypted with a key the database does not
    hold, and nothing else here (no time, no counter) says who or when.
    """

    __tablename__ = "pending_responses"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    sealed: Mapped[bool] = mapped_column(default=False)
    payload: Mapped[bytes] = mapped_column(LargeBinary)


class AnswerBatch(Base):
    """The last shuffled batch written to each anonymous store (a random token), to mix the next one into."""

    __tablename__ = "answer_batches"
    store: Mapped[str] = mapped_column(String(20), primary_key=True)
    last: Mapped[int] = mapped_column(RandomId, default=0)


class Opportunity(Base):
    """A way to get involved: a training course, a group, a committee seat, a QI project..."""

    __tablename__ = "opportunities"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(120))
    summary: Mapped[str] = mapped_column(Text)  # fits 2 SMS segments
    description: Mapped[str] = mapped_column(Text, default="")
    type: Mapped[str] = mapped_column(String(30))
    area: Mapped[str] = mapped_column(String(80))
    venue: Mapped[str] = mapped_column(String(200))  # or "online"
    starts_at: Mapped[datetime | None]
    ends_at: Mapped[datetime | None]
    places: Mapped[int | None]
    payment: Mapped[str] = mapped_column(String(20))
    accessibility: Mapped[str] = mapped_column(Text, default="")
    closes_on: Mapped[date | None]
    status: Mapped[str] = mapped_column(String(20), default="draft", index=True)
    created_at: Mapped[datetime]
    published_at: Mapped[datetime | None]


class StoryAnalysis(Base):
    """What the NLP made of a free-text answer (a "story"): sentiment and the redacted text."""

    __tablename__ = "story_analyses"
    # (sentiment, answer_id): the inbox's filters and counts by sentiment read the index alone
    __table_args__ = (Index("ix_story_analyses_sentiment_answer", "sentiment", "answer_id"),)
    answer_id: Mapped[int] = mapped_column(RandomId, ForeignKey("answers.id", ondelete="CASCADE"), primary_key=True)
    sentiment: Mapped[str] = mapped_column(String(10))
    risk: Mapped[str | None] = mapped_column(String(30), index=True)  # e.g. self-harm; the story is flagged
    redacted: Mapped[str] = mapped_column(Text)
    model_version: Mapped[str] = mapped_column(String(40))
    analysed_at: Mapped[datetime]


class StoryTag(Base):
    """A QDC v6 theme on a story, from the model or a reviewer, with its confidence."""

    __tablename__ = "story_tags"
    __table_args__ = (UniqueConstraint("answer_id", "theme"), Index("ix_story_tags_theme", "theme", "answer_id"))
    id: Mapped[int] = mapped_column(primary_key=True)
    answer_id: Mapped[int] = mapped_column(RandomId, ForeignKey("answers.id", ondelete="CASCADE"))
    theme: Mapped[str] = mapped_column(String(100))
    confidence: Mapped[float]
    source: Mapped[str] = mapped_column(String(10), default="model")  # model or reviewer


class ThemeCorrection(Base):
    """A reviewer's whole set of themes for a story: a labelled example for retraining."""

    __tablename__ = "theme_corrections"
    answer_id: Mapped[int] = mapped_column(RandomId, ForeignKey("answers.id", ondelete="CASCADE"), primary_key=True)
    themes: Mapped[list[str]] = mapped_column(JSON)
    corrected_by: Mapped[str] = mapped_column(String(80))
    corrected_at: Mapped[datetime]


class SafeguardingFlag(Base):
    """A message that may show a risk to someone. A human must review it.

    A risk to life overrides anonymity: the flag keeps the message and the contact, so the
    team can act. It is never a clinical assessment.
    """

    __tablename__ = "safeguarding_flags"
    __table_args__ = (Index("ix_safeguarding_flags_open", "status", "created_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"))
    channel: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)
    category: Mapped[str] = mapped_column(String(30))
    priority: Mapped[str] = mapped_column(String(10))  # urgent, high or low (e.g. negated)
    reason: Mapped[str] = mapped_column(Text)  # what was matched, so PPT see why
    status: Mapped[str] = mapped_column(String(10), default="open")  # open or closed
    created_at: Mapped[datetime]
    notified_at: Mapped[datetime | None]
    reviewed_by: Mapped[str | None] = mapped_column(String(80))
    reviewed_at: Mapped[datetime | None]
    action_note: Mapped[str | None] = mapped_column(Text)
    service_code: Mapped[str | None] = mapped_column(String(40))  # the conversation's service, if it had one
    assigned_to: Mapped[str | None] = mapped_column(String(80))  # a reviewer's username
    assigned_at: Mapped[datetime | None]
    in_progress_at: Mapped[datetime | None]  # someone is working on it; status stays "open" until closed
    reminded_at: Mapped[datetime | None]  # the on-duty contact was reminded it is still waiting


class User(Base):
    """A member of staff who signs in to the admin."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(10))  # admin, reviewer or viewer
    active: Mapped[bool] = mapped_column(default=True)
    session_version: Mapped[int] = mapped_column(default=0, server_default="0")  # raised to end every session
    created_at: Mapped[datetime]
    last_login_at: Mapped[datetime | None]


class SignInThrottle(Base):
    """Recent failed sign-ins for one key ("user:<name>" or "addr:<address>"), shared by every worker."""

    __tablename__ = "sign_in_throttle"
    key: Mapped[str] = mapped_column(String(130), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    window_started_at: Mapped[datetime] = mapped_column(index=True)
    locked_until: Mapped[datetime | None]


class AuditEntry(Base):
    """Who did what, and when: viewing originals, exports, tag changes, flag reviews, user changes."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), index=True)
    action: Mapped[str] = mapped_column(String(40), index=True)
    target: Mapped[str] = mapped_column(String(120), default="")
    detail: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(index=True)


class QIProject(Base):
    """A quality improvement project that feedback can be evidence for."""

    __tablename__ = "qi_projects"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    service_code: Mapped[str | None] = mapped_column(String(40), index=True)  # its care delivery service
    lead: Mapped[str] = mapped_column(String(120), default="")
    status: Mapped[str] = mapped_column(String(20), default="active")  # proposed, active, completed, stopped
    aims: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime]


class QIEvidence(Base):
    """A story or a theme linked to a QI project as evidence."""

    __tablename__ = "qi_evidence"
    __table_args__ = (UniqueConstraint("project_id", "answer_id", "theme"),
                      Index("ix_qi_evidence_answer", "answer_id"))
    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("qi_projects.id", ondelete="CASCADE"))
    answer_id: Mapped[int | None] = mapped_column(RandomId, ForeignKey("answers.id", ondelete="CASCADE"))
    theme: Mapped[str | None] = mapped_column(String(100))
    linked_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime]


class YouSaidWeDid(Base):
    """What people said, what changed: published on the public page, redacted text only."""

    __tablename__ = "you_said_we_did"
    id: Mapped[int] = mapped_column(primary_key=True)
    you_said: Mapped[str] = mapped_column(Text)
    we_did: Mapped[str] = mapped_column(Text)
    service_code: Mapped[str | None] = mapped_column(String(40))
    happened_on: Mapped[date]
    status: Mapped[str] = mapped_column(String(10), default="draft")  # draft or published
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime]
    published_at: Mapped[datetime | None] = mapped_column(index=True)


class BoardStory(Base):
    """A story for the Trust Board: a title and a narrative PPT edit from one or more stories."""

    __tablename__ = "board_stories"
    id: Mapped[int] = mapped_column(primary_key=True)
    answer_id: Mapped[int] = mapped_column(RandomId, ForeignKey("answers.id", ondelete="CASCADE"), unique=True)
    note: Mapped[str] = mapped_column(Text, default="")
    shortlisted_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime]
    title: Mapped[str] = mapped_column(String(200), default="", server_default="")
    narrative: Mapped[str] = mapped_column(Text, default="", server_default="")  # paragraphs, blank-line separated
    consent: Mapped[str] = mapped_column(String(20), default="unrecorded", server_default="unrecorded")  # see admin.board_story
    consent_note: Mapped[str] = mapped_column(Text, default="", server_default="")  # how and when it was given
    consent_recorded_by: Mapped[str | None] = mapped_column(String(80))
    consent_recorded_at: Mapped[datetime | None]
    qi_project_id: Mapped[int | None] = mapped_column(ForeignKey("qi_projects.id", ondelete="SET NULL"))
    you_said_we_did_id: Mapped[int | None] = mapped_column(ForeignKey("you_said_we_did.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime | None]


class BoardStorySource(Base):
    """A further story a board story draws on (the first is BoardStory.answer_id)."""

    __tablename__ = "board_story_sources"
    board_story_id: Mapped[int] = mapped_column(ForeignKey("board_stories.id", ondelete="CASCADE"), primary_key=True)
    answer_id: Mapped[int] = mapped_column(RandomId, ForeignKey("answers.id", ondelete="CASCADE"), primary_key=True)


class SavedSearch(Base):
    """A reviewer's named inbox filter: the query string of the inbox page."""

    __tablename__ = "saved_searches"
    __table_args__ = (UniqueConstraint("username", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), index=True)
    name: Mapped[str] = mapped_column(String(80))
    query: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]


class FFTSubmission(Base):
    """When a month's FFT return was submitted to NHS England, and by whom."""

    __tablename__ = "fft_submissions"
    month: Mapped[str] = mapped_column(String(7), primary_key=True)  # YYYY-MM
    submitted_on: Mapped[date]
    recorded_by: Mapped[str] = mapped_column(String(80))
    recorded_at: Mapped[datetime]
    note: Mapped[str] = mapped_column(Text, default="", server_default="")
    answers: Mapped[int | None]  # the month's FFT answers when it was recorded: more since means late answers


class ReportMailing(Base):
    """A report to e-mail (monthly pack, weekly rising themes): sent once, and after a failure tried again later."""

    __tablename__ = "report_mailings"
    __table_args__ = (UniqueConstraint("kind", "period", "recipient", "service_code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # pack or rising
    period: Mapped[str] = mapped_column(String(10))  # 2026-11 for a pack, 2026-W48 for a week
    recipient: Mapped[str] = mapped_column(String(254))
    service_code: Mapped[str] = mapped_column(String(40), default="", server_default="")  # "" for all services
    sent_at: Mapped[datetime | None]  # None: not sent yet (it failed; next_try_at says when to try again)
    failures: Mapped[int] = mapped_column(default=0, server_default="0")
    next_try_at: Mapped[datetime | None]


class Participant(Base):
    """Someone who has agreed to be contacted about getting involved. Never linked to feedback."""

    __tablename__ = "participants"
    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), unique=True)
    name: Mapped[str] = mapped_column(String(80), default="")
    consent_at: Mapped[datetime]
    consent_text: Mapped[str] = mapped_column(Text)  # the exact words they agreed to
    interests: Mapped[list[str]] = mapped_column(JSON, default=list)  # opportunity types; empty means all
    areas: Mapped[list[str]] = mapped_column(JSON, default=list)  # empty means anywhere
    access_needs: Mapped[str] = mapped_column(Text, default="")
    alerts: Mapped[str] = mapped_column(String(10), default="off", index=True)  # off, instant or weekly
    alerts_paused: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class SignUp(Base):
    """A participant's place (or interest, or waiting-list place) on an opportunity."""

    __tablename__ = "signups"
    __table_args__ = (UniqueConstraint("participant_id", "opportunity_id"),
                      Index("ix_signups_opportunity_status", "opportunity_id", "status"))
    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id", ondelete="CASCADE"))
    opportunity_id: Mapped[int] = mapped_column(ForeignKey("opportunities.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(20))  # interested, confirmed, waiting, withdrawn, attended
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class DigestItem(Base):
    """An opportunity waiting for a participant's weekly digest."""

    __tablename__ = "digest_items"
    __table_args__ = (UniqueConstraint("participant_id", "opportunity_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id", ondelete="CASCADE"))
    opportunity_id: Mapped[int] = mapped_column(ForeignKey("opportunities.id", ondelete="CASCADE"))
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None] = mapped_column(index=True)


class StaffNotice(Base):
    """Something PPT should know: a sign-up, a withdrawal, an erasure. E-mailed if SMTP is set."""

    __tablename__ = "staff_notices"
    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(index=True)
    emailed_at: Mapped[datetime | None]
    read_at: Mapped[datetime | None]


class Broadcast(Base):
    """A message to many people at once, e.g. the monthly Participation News."""

    __tablename__ = "broadcasts"
    id: Mapped[int] = mapped_column(primary_key=True)
    body: Mapped[str] = mapped_column(Text)
    audience: Mapped[str] = mapped_column(String(30))
    queued: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime]


class ReportMonthly(Base):
    """Dashboard figures summed ahead per local month and service (admin.reports.summary fills it).

    metric is fft (key "value|mode", value "?" for an answer that is no FFT rating), responses
    (key mode), theme (key theme) or sentiment (key sentiment); service_code is '' for none.
    """

    __tablename__ = "report_monthly"
    month: Mapped[date] = mapped_column(primary_key=True)
    service_code: Mapped[str] = mapped_column(String(40), primary_key=True)
    metric: Mapped[str] = mapped_column(String(20), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    count: Mapped[int]


class ReportMonth(Base):
    """When a month's report_monthly rows were made, and whether a change since wants them made again."""

    __tablename__ = "report_months"
    month: Mapped[date] = mapped_column(primary_key=True)
    tz: Mapped[str] = mapped_column(String(64))  # the time zone its month boundaries were taken in
    dirty: Mapped[bool] = mapped_column(default=True)  # something in it changed after refreshed_at
    refreshed_at: Mapped[datetime | None]  # its rows are right as of this time (None: never made)
    checked_at: Mapped[datetime]  # the last refresh run that looked for changes in it


class PublicScreen(Base):
    """The FFT figures a service's public screen shows, published in steps (admin.reports.screen)."""

    __tablename__ = "public_screens"
    service_code: Mapped[str] = mapped_column(String(40), primary_key=True)
    counts: Mapped[dict[str, Any]]  # the six FFT answer counts over `days` days up to published_at
    days: Mapped[int]
    since: Mapped[datetime]  # the start of those days
    seen: Mapped[int]  # FFT answers from `since` on when published: the next waits for more to arrive
    published_at: Mapped[datetime]


# For the summaries' refresh and the live FFT figures: the FFT answers alone, and what was analysed lately.
Index("ix_answers_fft", Answer.response_id, Answer.value, sqlite_where=Answer.question_id == "fft",
      postgresql_where=Answer.question_id == "fft")
Index("ix_story_analyses_analysed_at", StoryAnalysis.analysed_at)


class Message(Base):
    """Every message in or out, with its provider id and delivery status.

    Inbound bodies are not kept here: they may be feedback, which must not be
    traceable to the sender. Replies point at the message they answer (reply_to), so a
    retried webhook gets the same answer.
    """

    __tablename__ = "messages"
    __table_args__ = (
        UniqueConstraint("channel", "direction", "provider_id"),
        Index("ix_messages_contact", "contact_id"),
        Index("ix_messages_created_at", "created_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(20))
    direction: Mapped[str] = mapped_column(String(3))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"))
    provider_id: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(20))
    error_code: Mapped[str | None] = mapped_column(String(20))
    body: Mapped[str | None] = mapped_column(Text)
    reply_to: Mapped[int | None] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"), index=True)
    outbox_id: Mapped[int | None] = mapped_column(ForeignKey("outbox.id", ondelete="SET NULL"))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class Outbox(Base):
    """A message waiting to be sent, written in the transaction that caused it."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_due", "status", "channel", "due_at"),
                      Index("ix_outbox_contact_kind", "contact_id", "kind", "created_at"),
                      UniqueConstraint("contact_id", "dedupe_key"))
    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(20))
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    body: Mapped[str] = mapped_column(Text)
    extra: Mapped[dict[str, Any] | None]
    dedupe_key: Mapped[str | None] = mapped_column(String(60))  # e.g. "alert:12": one per person, ever
    status: Mapped[str] = mapped_column(String(20), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    due_at: Mapped[datetime]
    claimed_at: Mapped[datetime | None]
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    provider_id: Mapped[str | None] = mapped_column(String(64))
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]


class Lease(Base):
    """A named lock with an expiry, so one process among many runs scheduled jobs."""

    __tablename__ = "leases"
    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    holder: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime]
