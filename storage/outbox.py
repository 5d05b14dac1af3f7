"""The outbox: messages written with the change that caused them, claimed and sent later."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, insert, or_, select, update
from sqlalchemy.orm import Session

from storage import upsert
from storage.models import Contact, Message, Opportunity, Outbox, Participant

MAX_ATTEMPTS = 5
# A claim lapses this long after it was last renewed: senders renew a row's claim just before
# sending it, and the rest of their batch every LEASE / 4, so only a stopped sender's rows lapse.
# It must outlast the slowest send (Telegram gives up after 30 s, Twilio after 15 s).
LEASE = timedelta(seconds=60)
# A row a sender may have sent before it stopped carries, in its extra, when that request can have
# started at the earliest (its last claim, less IN_DOUBT_MARGIN for a request in flight and a
# skewed clock), so a provider that lists what it sent can be asked before sending again.
IN_DOUBT = "in_doubt_since"
IN_DOUBT_MARGIN = timedelta(minutes=10)


@dataclass(frozen=True)
class Claimed:
    """A claimed outbox row, detached from its session."""

    id: int
    channel: str
    kind: str
    body: str
    extra: dict | None
    attempts: int
    contact_id: int
    address: str
    opted_out: bool


def enqueue(db: Connection | Session, channel: str, contact_id: int, kind: str, body: str, due_at: datetime,
            now: datetime, extra: dict | None = None) -> int:
    """Queue one message, in the caller's transaction; returns the outbox id."""
    table = Outbox.__table__
    stmt = insert(table).values(channel=channel, contact_id=contact_id, kind=kind, body=body, extra=extra,
                                status="pending", attempts=0, due_at=due_at, created_at=now)
    return db.execute(stmt.returning(table.c.id)).scalar_one()


def claim(session: Session, channel: str, worker: str, now: datetime, limit: int = 50) -> list[Claimed]:
    """Claim due rows for one worker. On PostgreSQL, other workers skip the locked rows."""
    stale = now - LEASE
    query = (
        select(Outbox.id, Outbox.status)
        .where(Outbox.channel == channel, Outbox.due_at <= now,
               or_(Outbox.status == "pending", (Outbox.status == "sending") & (Outbox.claimed_at < stale)))
        .order_by(Outbox.due_at, Outbox.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    found = session.execute(query).all()
    if not found:
        return []
    ids = [id_ for id_, _ in found]
    # A lapsed claim: its sender stopped where no journal tells whether it had sent the row.
    mark_in_doubt(session, [id_ for id_, status in found if status == "sending"], "in doubt: the claim lapsed")
    session.execute(update(Outbox).where(Outbox.id.in_(ids))
                    .values(status="sending", claimed_at=now, claimed_by=worker))
    rows = session.execute(
        select(Outbox, Contact.address, Contact.opted_out).join(Contact, Contact.id == Outbox.contact_id)
        .where(Outbox.id.in_(ids)).order_by(Outbox.due_at, Outbox.id)
    ).all()
    return [Claimed(o.id, o.channel, o.kind, o.body, o.extra, o.attempts, o.contact_id, address, opted_out)
            for o, address, opted_out in rows]


@dataclass(frozen=True)
class Facts:
    """What decides, at the moment of sending, whether a claimed row may still go."""

    status: str
    claimed_by: str | None
    opted_out: bool
    state_updated_at: datetime | None  # the contact's conversation under way last moved, if one is
    participant: bool
    alerts: str | None
    alerts_paused: bool | None
    opportunity_status: str | None  # for an alert: its opportunity's status now (None: gone)


def facts(db: Connection | Session, items: list[Claimed]) -> dict[int, Facts]:
    """The facts for several claimed rows, in two queries however many rows (a row gone is left out)."""
    if not items:
        return {}
    rows = db.execute(
        select(Outbox.id, Outbox.status, Outbox.claimed_by, Contact.opted_out, Contact.state_updated_at,
               Participant.id, Participant.alerts, Participant.alerts_paused)
        .join(Contact, Contact.id == Outbox.contact_id)
        .outerjoin(Participant, Participant.contact_id == Outbox.contact_id)
        .where(Outbox.id.in_([item.id for item in items]))).all()
    wanted = {int(o) for item in items if item.kind == "alert"
              for o in [(item.extra or {}).get("opportunity_id")] if o is not None}
    statuses = dict(db.execute(select(Opportunity.id, Opportunity.status).where(Opportunity.id.in_(wanted))).all()
                    ) if wanted else {}
    extra = {item.id: item.extra or {} for item in items}
    found = {}
    for id_, status, claimed_by, opted_out, state_at, participant, alerts, paused in rows:
        opportunity = extra[id_].get("opportunity_id")
        found[id_] = Facts(status, claimed_by, bool(opted_out), state_at, participant is not None, alerts,
                           paused, statuses.get(int(opportunity)) if opportunity is not None else None)
    return found


def load(session: Session, ids: list[int]) -> list[Claimed]:
    """Outbox rows as Claimed, e.g. to record a send a stopped sender's journal noted."""
    rows = session.execute(
        select(Outbox, Contact.address, Contact.opted_out).join(Contact, Contact.id == Outbox.contact_id)
        .where(Outbox.id.in_(ids)).order_by(Outbox.id)).all()
    return [Claimed(o.id, o.channel, o.kind, o.body, o.extra, o.attempts, o.contact_id, address, opted_out)
            for o, address, opted_out in rows]


def held_by(session: Session, ids: list[int], worker: str) -> list[int]:
    """Which of these rows this worker still has claimed (status sending)."""
    if not ids:
        return []
    return list(session.scalars(select(Outbox.id).where(Outbox.id.in_(ids), Outbox.status == "sending",
                                                        Outbox.claimed_by == worker)))


def mark_in_doubt(session: Session, ids: list[int], text: str) -> None:
    """Note on claimed rows that a request for them may have reached the provider, and from when."""
    for start in range(0, len(ids), 500):
        rows = session.execute(select(Outbox.id, Outbox.extra, Outbox.claimed_at).where(
            Outbox.id.in_(ids[start:start + 500]), Outbox.status == "sending")).all()
        for id_, extra, claimed_at in rows:
            since = (claimed_at - IN_DOUBT_MARGIN).isoformat()
            earlier = (extra or {}).get(IN_DOUBT)
            since = min(since, earlier, key=datetime.fromisoformat) if earlier else since
            session.execute(update(Outbox).where(Outbox.id == id_)
                            .values(last_error=text, extra={**(extra or {}), IN_DOUBT: since}))


def in_doubt_since(item: Claimed) -> datetime | None:
    """For a row a stopped sender may have sent: the earliest that request can have started."""
    since = (item.extra or {}).get(IN_DOUBT)
    return datetime.fromisoformat(since) if since else None


def recorded_provider_ids(db: Connection | Session, channel: str, provider_ids: list[str]) -> set[str]:
    """Which of these provider ids are already recorded as the send of an outbox row."""
    if not provider_ids:
        return set()
    return set(db.scalars(select(Message.provider_id).where(
        Message.channel == channel, Message.direction == "out", Message.provider_id.in_(provider_ids),
        Message.outbox_id.is_not(None))))


def renew_claims(session: Session, ids: list[int], worker: str, now: datetime) -> None:
    """A sender's heartbeat: keep its claim on rows it has yet to send."""
    for start in range(0, len(ids), 500):
        session.execute(update(Outbox).where(Outbox.id.in_(ids[start:start + 500]), Outbox.status == "sending",
                                             Outbox.claimed_by == worker).values(claimed_at=now))


def claimants(session: Session, channel: str) -> list[str]:
    """The workers holding claims on this channel now."""
    return list(session.scalars(select(Outbox.claimed_by).distinct()
                                .where(Outbox.status == "sending", Outbox.channel == channel)))


def release(session: Session, channel: str, worker: str) -> int:
    """Put back every row a (stopped) worker had claimed, for another to send now."""
    return session.execute(update(Outbox).where(Outbox.status == "sending", Outbox.channel == channel,
                                                Outbox.claimed_by == worker)
                           .values(status="pending", claimed_by=None)).rowcount


def unclaim(session: Session, ids: list[int], worker: str) -> None:
    """Give back rows this worker claimed and did not send, for any sender to send now."""
    if ids:
        session.execute(update(Outbox).where(Outbox.id.in_(ids), Outbox.status == "sending",
                                             Outbox.claimed_by == worker).values(status="pending", claimed_by=None))


def mark_sent(session: Session, item: Claimed, provider_id: str | None, status: str, now: datetime) -> None:
    """Record a send; a status callback that arrived first keeps its (later) status."""
    session.execute(update(Outbox).where(Outbox.id == item.id)
                    .values(status="sent", provider_id=provider_id, sent_at=now, attempts=item.attempts + 1))
    table = Message.__table__
    stmt = upsert.insert(session, table).values(
        channel=item.channel, direction="out", contact_id=item.contact_id, provider_id=provider_id, status=status,
        body=item.body, outbox_id=item.id, created_at=now, updated_at=now)
    session.execute(stmt.on_conflict_do_update(
        index_elements=["channel", "direction", "provider_id"],
        set_={"contact_id": item.contact_id, "body": item.body, "outbox_id": item.id}))


def mark_retry(session: Session, item: Claimed, error: str, now: datetime, delay: timedelta) -> str:
    """Put a failed row back for later, or fail it for good after MAX_ATTEMPTS."""
    attempts = item.attempts + 1
    status = "failed" if attempts >= MAX_ATTEMPTS else "pending"
    session.execute(update(Outbox).where(Outbox.id == item.id)
                    .values(status=status, attempts=attempts, last_error=error, due_at=now + delay))
    return status


def mark_failed(session: Session, item: Claimed, error: str, status: str = "failed") -> None:
    session.execute(update(Outbox).where(Outbox.id == item.id)
                    .values(status=status, attempts=item.attempts + 1, last_error=error))


def postpone(session: Session, item: Claimed, until: datetime) -> None:
    session.execute(update(Outbox).where(Outbox.id == item.id).values(status="pending", due_at=until))


def cancel_pending(db: Connection | Session, contact_id: int, reason: str) -> None:
    """Cancel everything still waiting for a contact, e.g. after STOP."""
    db.execute(update(Outbox).where(Outbox.contact_id == contact_id, Outbox.status == "pending")
                    .values(status="cancelled", last_error=reason))
