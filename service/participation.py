"""Participation: the Snapshot the conversation reads, and its effects carried out.

Everything here runs inside the caller's transaction, on a Connection or a Session.
"""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, func, insert, or_, select, update
from sqlalchemy.orm import Session

from bot import participation as p
from bot.opportunities import type_label
from bot.texts import STATUS_WORDS, Texts
from service import erasure
from storage.models import Opportunity, Participant, SignUp, StaffNotice

PARTICIPANTS = Participant.__table__
SIGNUPS = SignUp.__table__
OPPORTUNITIES = Opportunity.__table__
NOTICES = StaffNotice.__table__


def open_openings(db: Connection | Session, now: datetime, tz: str = "Europe/London") -> tuple[p.Opening, ...]:
    """Published opportunities still open, soonest first, with the places left."""
    today = now.astimezone(ZoneInfo(tz)).date()
    taken = (select(SIGNUPS.c.opportunity_id, func.count().label("taken"))
             .where(SIGNUPS.c.status.in_(("confirmed", "attended"))).group_by(SIGNUPS.c.opportunity_id).subquery())
    o = OPPORTUNITIES.c
    rows = db.execute(
        select(OPPORTUNITIES, func.coalesce(taken.c.taken, 0).label("taken"))
        .outerjoin(taken, taken.c.opportunity_id == o.id)
        .where(o.status == "published", or_(o.closes_on.is_(None), o.closes_on >= today),
               or_(o.starts_at.is_(None), o.starts_at > now))
        .order_by(o.starts_at.is_(None), o.starts_at, o.published_at, o.id)
    ).all()
    return tuple(p.Opening(id=r.id, title=r.title, summary=r.summary, type=r.type, area=r.area, venue=r.venue,
                           payment=r.payment, starts_at=r.starts_at, closes_on=r.closes_on,
                           places_left=None if r.places is None else max(0, r.places - r.taken),
                           accessibility=r.accessibility, description=r.description) for r in rows)


def areas(db: Connection | Session) -> tuple[str, ...]:
    """The areas people can choose: those of every opportunity not in draft, online aside."""
    rows = db.execute(select(OPPORTUNITIES.c.area).distinct().where(OPPORTUNITIES.c.status != "draft")).scalars()
    return tuple(sorted({a for a in rows if a and a.strip().lower() != "online"}, key=str.lower))


def member(db: Connection | Session, contact_id: int) -> tuple[int, p.Member] | None:
    row = db.execute(select(PARTICIPANTS).where(PARTICIPANTS.c.contact_id == contact_id)).first()
    if row is None:
        return None
    places = db.execute(
        select(SIGNUPS.c.id, SIGNUPS.c.opportunity_id, OPPORTUNITIES.c.title, SIGNUPS.c.status)
        .join(OPPORTUNITIES, OPPORTUNITIES.c.id == SIGNUPS.c.opportunity_id)
        .where(SIGNUPS.c.participant_id == row.id).order_by(SIGNUPS.c.created_at, SIGNUPS.c.id)).all()
    return row.id, p.Member(name=row.name, consent_at=row.consent_at, interests=tuple(row.interests or ()),
                            areas=tuple(row.areas or ()), access_needs=row.access_needs, alerts=row.alerts,
                            paused=row.alerts_paused, places=tuple(p.Place(*place) for place in places))


def snapshot(db: Connection | Session, contact_id: int, channel: str, address: str, now: datetime,
             tz: str = "Europe/London") -> p.Snapshot:
    found = member(db, contact_id)
    return p.Snapshot(openings=open_openings(db, now, tz), member=found[1] if found else None, areas=areas(db),
                      address=address if channel == "sms" else "", timezone=tz)


def notify(db: Connection | Session, kind: str, subject: str, body: str, now: datetime,
           contact_id: int | None = None) -> None:
    """Tell PPT: listed in the admin, and e-mailed where SMTP is set up. contact_id: whom it is about."""
    db.execute(insert(NOTICES).values(kind=kind, subject=subject[:200], body=body, created_at=now,
                                      contact_id=contact_id))


def apply(db: Connection | Session, contact_id: int, channel: str, effect, now: datetime) -> str | None:
    """Carry out one participation effect. Returns a message for the person if things changed meanwhile."""
    if isinstance(effect, p.Consent):
        _consent(db, contact_id, channel, effect, now)
        return None
    found = member(db, contact_id)
    if found is None:
        return Texts().record_gone()
    participant_id, person = found
    return HANDLERS[type(effect)](db, participant_id, contact_id, channel, person, effect, now)


def _consent(db, contact_id: int, channel: str, effect: p.Consent, now: datetime) -> None:
    values = {"name": effect.name, "consent_at": now, "consent_text": effect.wording, "updated_at": now}
    if effect.access_needs:
        values["access_needs"] = effect.access_needs
    if effect.alerts:
        values["alerts"] = effect.alerts
    existing = db.execute(select(PARTICIPANTS.c.id).where(PARTICIPANTS.c.contact_id == contact_id)).scalar()
    if existing is not None:
        db.execute(update(PARTICIPANTS).where(PARTICIPANTS.c.id == existing).values(**values))
        return
    defaults = {"interests": [], "areas": [], "alerts": "off", "alerts_paused": False, "access_needs": ""}
    db.execute(insert(PARTICIPANTS).values(contact_id=contact_id, created_at=now, **{**defaults, **values}))
    notify(db, "new_participant", f"New participant: {effect.name or 'name not given'}",
           f"{effect.name or 'Someone'} agreed to be contacted about getting involved, by {channel}.", now,
           contact_id)


def _sign_up(db, participant_id: int, _contact_id: int, channel: str, person: p.Member, effect: p.SignUpFor,
             now: datetime) -> str | None:
    o = db.execute(select(OPPORTUNITIES).where(OPPORTUNITIES.c.id == effect.opportunity_id)
                   .with_for_update()).first()  # places are counted one sign-up at a time
    if o is None or o.status != "published":
        return Texts().closed_meanwhile()
    taken = db.execute(select(func.count()).where(SIGNUPS.c.opportunity_id == o.id,
                                                  SIGNUPS.c.status.in_(("confirmed", "attended")))).scalar_one()
    status = "waiting" if o.places is not None and taken >= o.places else "confirmed"
    existing = db.execute(select(SIGNUPS.c.id, SIGNUPS.c.status).where(
        SIGNUPS.c.participant_id == participant_id, SIGNUPS.c.opportunity_id == o.id)).first()
    if existing is not None and existing.status in p.ACTIVE:
        return None
    if existing is not None:
        db.execute(update(SIGNUPS).where(SIGNUPS.c.id == existing.id).values(status=status, updated_at=now))
    else:
        db.execute(insert(SIGNUPS).values(participant_id=participant_id, opportunity_id=o.id, status=status,
                                          created_at=now, updated_at=now))
    who = person.name or "A participant"
    needs = f"Access needs: {person.access_needs}" if person.access_needs else "No access needs given."
    label = "waiting list" if status == "waiting" else "sign-up"
    notify(db, "signup", f"New {label}: {o.title}",
           f"{who} signed up for {o.title} ({type_label(o.type)}): {STATUS_WORDS[status]}. {needs} "
           "Their contact details are in the YourSay admin.", now, person_contact(db, participant_id))
    if status == "waiting" and not effect.waiting:
        return Texts().last_place_taken(o.title, sms=channel != "telegram")
    return None


def _withdraw(db, participant_id: int, _contact_id: int, _channel: str, person: p.Member, effect: p.Withdraw,
              now: datetime) -> None:
    signup_id = effect.signup_id
    row = db.execute(select(SIGNUPS.c.status, OPPORTUNITIES.c.title, OPPORTUNITIES.c.id)
                     .join(OPPORTUNITIES, OPPORTUNITIES.c.id == SIGNUPS.c.opportunity_id)
                     .where(SIGNUPS.c.id == signup_id, SIGNUPS.c.participant_id == participant_id)).first()
    if row is None or row.status not in p.ACTIVE:
        return
    db.execute(update(SIGNUPS).where(SIGNUPS.c.id == signup_id).values(status="withdrawn", updated_at=now))
    waiting = db.execute(select(func.count()).where(SIGNUPS.c.opportunity_id == row.id,
                                                    SIGNUPS.c.status == "waiting")).scalar_one()
    freed = f" A place is free; {waiting} on the waiting list." if row.status == "confirmed" and waiting else ""
    notify(db, "withdrawal", f"Withdrawal: {row.title}",
           f"{person.name or 'A participant'} withdrew from {row.title} (was {STATUS_WORDS[row.status]}).{freed}",
           now, person_contact(db, participant_id))


def _set_alerts(db, participant_id: int, _contact_id: int, _channel: str, _person: p.Member, effect: p.SetAlerts,
                now: datetime) -> None:
    changes = {k: v for k, v in {"alerts": effect.alerts, "alerts_paused": effect.paused,
                                 "interests": None if effect.interests is None else list(effect.interests),
                                 "areas": None if effect.areas is None else list(effect.areas)}.items()
               if v is not None}
    db.execute(update(PARTICIPANTS).where(PARTICIPANTS.c.id == participant_id).values(**changes, updated_at=now))


def _erase(db, participant_id: int, contact_id: int, _channel: str, _person: p.Member, _effect: p.Erase,
           now: datetime) -> None:
    erasure.erase(db, participant_id, contact_id, now)


# Every effect a participant's record can have; Consent comes first, before there is a record.
HANDLERS = {p.SignUpFor: _sign_up, p.Withdraw: _withdraw, p.SetAlerts: _set_alerts, p.Erase: _erase}


def person_contact(db: Connection | Session, participant_id: int) -> int | None:
    return db.execute(select(PARTICIPANTS.c.contact_id).where(PARTICIPANTS.c.id == participant_id)).scalar()
