"""Alerts, digests and broadcasts to participants: queued set-wise, so 100,000 people is one statement.

Every row carries a dedupe key unique per contact (alert:<opportunity>, digest:<ISO week>,
broadcast:<id>), so queueing twice, or again after a crash, never queues twice.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import JSON, ColumnElement, and_, bindparam, case, func, literal, or_, select, text, update
from sqlalchemy.orm import Session

from storage import upsert
from storage.models import Broadcast, Contact, DigestItem, Opportunity, Outbox, Participant

CHANNELS = ("sms", "telegram")  # the channels alerts go out on
AUDIENCES = {"subscribers": "participants with alerts on and not paused",
             "participants": "everyone who has agreed to be contacted"}
WEEK = timedelta(days=7)

P, C, O = Participant.__table__, Contact.__table__, Outbox.__table__


@dataclass(frozen=True)
class AlertCounts:
    alerts: int  # instant alerts queued in the outbox
    digest: int  # put in weekly digests instead (weekly subscribers, and instant ones over the cap)


def subscribed() -> ColumnElement[bool]:
    """Participants who want alerts now and can be messaged."""
    return and_(P.c.alerts != "off", P.c.alerts_paused.is_(False), C.c.opted_out.is_(False),
                C.c.channel.in_(CHANNELS))


def _json_list_has(dialect: str, column: str, value: str, lower: bool = False) -> ColumnElement[bool]:
    """participants.<column> is an empty JSON list, or holds value (compared lower-cased if asked)."""
    name = f"v_{column}"
    if dialect == "postgresql":
        element = "lower(trim(e.v))" if lower else "e.v"
        sql = (f"(coalesce(jsonb_array_length(participants.{column}::jsonb), 0) = 0 OR EXISTS "
               f"(SELECT 1 FROM jsonb_array_elements_text(participants.{column}::jsonb) AS e(v) "
               f"WHERE {element} = :{name}))")
    else:
        element = "lower(trim(je.value))" if lower else "je.value"
        sql = (f"(coalesce(json_array_length(participants.{column}), 0) = 0 OR EXISTS "
               f"(SELECT 1 FROM json_each(participants.{column}) AS je WHERE {element} = :{name}))")
    return text(sql).bindparams(bindparam(name, value))


def matching(dialect: str, opportunity: Opportunity) -> ColumnElement[bool]:
    """Subscribers whose interests and areas take in this opportunity. Online ones suit every area."""
    where = [subscribed(), _json_list_has(dialect, "interests", opportunity.type)]
    if opportunity.venue.strip().lower() != "online":
        where.append(_json_list_has(dialect, "areas", opportunity.area.strip().lower(), lower=True))
    return and_(*where)


def queue_alerts(session: Session, opportunity_id: int, now: datetime, weekly_cap: int,
                 bodies: dict[str, str]) -> AlertCounts:
    """Queue a published opportunity's alert to every matching subscriber, in the caller's transaction.

    Instant subscribers with fewer than weekly_cap alerts in the last 7 days get an outbox
    row (kind 'alert'); weekly subscribers, and the rest, get a digest item. bodies holds the
    text per channel. Safe to repeat: nobody is queued twice.
    """
    opportunity = session.get(Opportunity, opportunity_id)
    if opportunity is None or opportunity.status != "published":
        raise ValueError(f"opportunity {opportunity_id} is not published")
    dialect = upsert.dialect(session)
    key = f"alert:{opportunity_id}"
    recent = (select(func.count()).select_from(O)
              .where(O.c.contact_id == C.c.id, O.c.kind == "alert", O.c.created_at > now - WEEK,
                     O.c.status != "cancelled", or_(O.c.dedupe_key.is_(None), O.c.dedupe_key != key))
              .scalar_subquery())
    body = case(*[(C.c.channel == channel, literal(text_)) for channel, text_ in bodies.items()])
    instant = (select(C.c.channel, C.c.id, literal("alert"), body,
                      bindparam("extra", {"opportunity_id": opportunity_id}, type_=JSON), literal(key),
                      literal("pending"), literal(0), bindparam("due", now, type_=O.c.due_at.type),
                      bindparam("created", now, type_=O.c.created_at.type))
               .select_from(P.join(C, C.c.id == P.c.contact_id))
               .where(matching(dialect, opportunity), P.c.alerts == "instant", recent < weekly_cap,
                      C.c.channel.in_(list(bodies))))
    columns = ["channel", "contact_id", "kind", "body", "extra", "dedupe_key", "status", "attempts", "due_at",
               "created_at"]
    alerted = session.execute(upsert.insert(session, O).from_select(columns, instant)
                              .on_conflict_do_nothing(index_elements=["contact_id", "dedupe_key"])
                              .execution_options(preserve_rowcount=True)).rowcount
    has_alert = select(O.c.id).where(O.c.contact_id == C.c.id, O.c.dedupe_key == key).exists()
    rest = (select(P.c.id, literal(opportunity_id), bindparam("at", now, type_=DigestItem.created_at.type))
            .select_from(P.join(C, C.c.id == P.c.contact_id))
            .where(matching(dialect, opportunity), or_(P.c.alerts == "weekly", ~has_alert)))
    digested = session.execute(upsert.insert(session, DigestItem.__table__)
                               .from_select(["participant_id", "opportunity_id", "created_at"], rest)
                               .on_conflict_do_nothing(index_elements=["participant_id", "opportunity_id"])
                               .execution_options(preserve_rowcount=True)).rowcount
    return AlertCounts(alerted, digested)


def queue_broadcast(session: Session, body: str, audience: str, now: datetime) -> tuple[int, int]:
    """Queue one message to an audience, in the caller's transaction: (broadcast id, how many queued)."""
    if audience not in AUDIENCES:
        raise ValueError(f"unknown audience {audience!r}: use {' or '.join(AUDIENCES)}")
    broadcast = Broadcast(body=body, audience=audience, queued=0, created_at=now)
    session.add(broadcast)
    session.flush()
    who = subscribed() if audience == "subscribers" else and_(C.c.opted_out.is_(False), C.c.channel.in_(CHANNELS))
    rows = (select(C.c.channel, C.c.id, literal("broadcast"), bindparam("body", body),
                   bindparam("extra", {"broadcast_id": broadcast.id, "audience": audience}, type_=JSON),
                   literal(f"broadcast:{broadcast.id}"), literal("pending"), literal(0),
                   bindparam("due", now, type_=O.c.due_at.type), bindparam("created", now, type_=O.c.created_at.type))
            .select_from(P.join(C, C.c.id == P.c.contact_id)).where(who))
    columns = ["channel", "contact_id", "kind", "body", "extra", "dedupe_key", "status", "attempts", "due_at",
               "created_at"]
    queued = session.execute(upsert.insert(session, O).from_select(columns, rows)
                             .on_conflict_do_nothing(index_elements=["contact_id", "dedupe_key"])
                             .execution_options(preserve_rowcount=True)).rowcount
    broadcast.queued = queued
    return broadcast.id, queued


def unwanted(session: Session, kind: str, contact_id: int, extra: dict | None) -> str | None:
    """Why a queued alert, digest or broadcast should no longer go, checked at the moment of sending."""
    if kind not in ("alert", "digest", "broadcast"):
        return None
    participant = session.execute(select(Participant.alerts, Participant.alerts_paused)
                                  .where(Participant.contact_id == contact_id)).first()
    if participant is None:
        return "no longer a participant"
    everyone = kind == "broadcast" and (extra or {}).get("audience") == "participants"
    if not everyone and (participant.alerts == "off" or participant.alerts_paused):
        return "alerts turned off or paused since it was queued"
    opportunity_id = (extra or {}).get("opportunity_id")
    if kind == "alert" and opportunity_id is not None:
        status = session.scalar(select(Opportunity.status).where(Opportunity.id == opportunity_id))
        if status != "published":
            return f"the opportunity is {status or 'gone'}"
    return None


# --- the weekly digest -----------------------------------------------------------------------

@dataclass(frozen=True)
class Waiting:
    """One participant's digest: who, and the unsent items still open, oldest first."""

    participant_id: int
    contact_id: int
    channel: str
    item_ids: list[int]
    titles: list[str]


def digests_due(session: Session, week_key: str, today: date, limit: int) -> list[Waiting]:
    """Participants with open digest items and no digest yet this week (dedupe key week_key)."""
    D = DigestItem.__table__
    open_ = and_(Opportunity.status == "published", or_(Opportunity.closes_on.is_(None), Opportunity.closes_on >= today))
    sent_this_week = select(O.c.id).where(O.c.contact_id == C.c.id, O.c.dedupe_key == week_key).exists()
    people = list(session.execute(
        select(P.c.id, P.c.contact_id, C.c.channel).select_from(P.join(C, C.c.id == P.c.contact_id))
        .where(subscribed(), ~sent_this_week,
               select(D.c.id).join(Opportunity, Opportunity.id == D.c.opportunity_id)
               .where(D.c.participant_id == P.c.id, D.c.sent_at.is_(None), open_).exists())
        .order_by(P.c.id).limit(limit)))
    if not people:
        return []
    items: dict[int, list[tuple[int, str]]] = {}
    for participant_id, item_id, title in session.execute(
            select(D.c.participant_id, D.c.id, Opportunity.title).join(Opportunity, Opportunity.id == D.c.opportunity_id)
            .where(D.c.participant_id.in_([p.id for p in people]), D.c.sent_at.is_(None), open_)
            .order_by(D.c.participant_id, Opportunity.published_at, D.c.id)):
        items.setdefault(participant_id, []).append((item_id, title))
    return [Waiting(p.id, p.contact_id, p.channel, [i for i, _ in items[p.id]], [t for _, t in items[p.id]])
            for p in people if p.id in items]


def queue_digest(session: Session, waiting: Waiting, body: str, week_key: str, now: datetime) -> bool:
    """Queue one participant's digest and mark its items sent; False if this week's went already."""
    stmt = (upsert.insert(session, O)
            .values(channel=waiting.channel, contact_id=waiting.contact_id, kind="digest", body=body,
                    extra={"items": len(waiting.item_ids)}, dedupe_key=week_key, status="pending", attempts=0,
                    due_at=now, created_at=now)
            .on_conflict_do_nothing(index_elements=["contact_id", "dedupe_key"])
            .execution_options(preserve_rowcount=True))
    if not session.execute(stmt).rowcount:
        return False
    session.execute(update(DigestItem).where(DigestItem.id.in_(waiting.item_ids), DigestItem.sent_at.is_(None))
                    .values(sent_at=now))
    return True

