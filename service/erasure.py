"""DELETE MY DATA: everything that holds a participant's name, contact details or access needs goes.

It runs inside the caller's transaction, so it happens at once and all together. What stays for
counting (that a participant erased their data, and what they were signed up for) says who only
by the participant's number. The contact itself (the number or chat id) is kept just long enough
to send the confirmation, then deleted by `forget_erased_contacts`, unless they said STOP (kept
so STOP holds) or a safeguarding flag about them is still open.

PERSONAL names every column that can hold personal data, and how erasure treats it;
NOT_PERSONAL every other text column, with why. tests/integration/test_erasure.py fails when a
column appears in neither.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Connection, delete, exists, insert, select, update
from sqlalchemy.orm import Session, sessionmaker

from bot import participation as p
from storage.models import (Contact, DigestItem, Message, Opportunity, Outbox, Participant, SafeguardingFlag, SignUp,
                            StaffNotice)

CANCELLED_ON_ERASE = ("alert", "digest", "broadcast")
CONFIRMATION_TIME = timedelta(minutes=10)  # the contact stays this long, so the confirmation can be sent

PERSONAL = {
    "participants": "deleted",
    "signups": "deleted",
    "digest_items": "deleted",
    "staff_notices": "deleted when about them (contact_id)",
    "messages.body": "blanked for every message to or from them",
    "outbox.body": "blanked, and pending alerts, digests and broadcasts cancelled",
    "outbox.extra": "blanked (buttons, which may quote their choices)",
    "contacts": "state reset at once; the row deleted by forget_erased_contacts",
    "safeguarding_flags": "kept: a risk to life overrides erasure; contact_id goes with the contact",
}
NOT_PERSONAL = {
    "responses", "answers", "equality_responses", "equality_answers", "pending_responses", "response_owners",
    # anonymous by construction (storage.pending); response_owners only for surveys that say they are not
    "story_analyses", "story_tags", "theme_corrections", "qi_evidence", "board_stories",  # about anonymous stories
    "board_story_sources",  # (a board story's consent note is PPT's record; no contact links to it)
    "saved_searches", "fft_submissions", "report_mailings",  # staff's filters, returns and e-mails to staff
    "services", "opportunities", "qi_projects", "you_said_we_did", "broadcasts",  # written by staff, for everyone
    "users", "audit_log", "sign_in_throttle",  # staff accounts, what staff did, failed sign-ins
    "report_monthly", "report_months", "public_screens", "answer_batches", "leases", "alembic_version",  # counts
    "messages.channel", "messages.direction", "messages.provider_id", "messages.status", "messages.error_code",
    "outbox.channel", "outbox.kind", "outbox.dedupe_key", "outbox.status", "outbox.claimed_by",
    "outbox.provider_id", "outbox.last_error",  # delivery bookkeeping: no words of theirs
}


def erase(db: Connection | Session, participant_id: int, contact_id: int, now: datetime) -> None:
    """Delete a participant and everything about them; PPT are told, without their details."""
    signups, opportunities, outbox = SignUp.__table__, Opportunity.__table__, Outbox.__table__
    titles = list(db.execute(select(opportunities.c.title).join(signups, signups.c.opportunity_id == opportunities.c.id)
                             .where(signups.c.participant_id == participant_id, signups.c.status.in_(p.ACTIVE)))
                  .scalars())
    db.execute(delete(DigestItem.__table__).where(DigestItem.__table__.c.participant_id == participant_id))
    db.execute(delete(signups).where(signups.c.participant_id == participant_id))
    db.execute(delete(Participant.__table__).where(Participant.__table__.c.id == participant_id))
    db.execute(delete(StaffNotice.__table__).where(StaffNotice.__table__.c.contact_id == contact_id))
    db.execute(update(Message.__table__).where(Message.__table__.c.contact_id == contact_id).values(body=None))
    db.execute(update(outbox).where(outbox.c.contact_id == contact_id, outbox.c.status == "pending",
                                    outbox.c.kind.in_(CANCELLED_ON_ERASE))
               .values(status="cancelled", last_error="participant erased their data"))
    db.execute(update(outbox).where(outbox.c.contact_id == contact_id, outbox.c.status.not_in(("pending", "sending")))
               .values(body="", extra=None))
    db.execute(update(Contact.__table__).where(Contact.__table__.c.id == contact_id)
               .values(participation_interest_at=None, erased_at=now))
    places = f" They were signed up for: {'; '.join(titles)}." if titles else ""
    db.execute(insert(StaffNotice.__table__).values(
        kind="erasure", subject=f"Participant {participant_id} deleted their data", created_at=now,
        body=f"Participant {participant_id} asked us to delete their data, and it has been deleted.{places} "
             "Please remove them from any lists kept outside YourSay."))


def forget_erased_contacts(factory: sessionmaker[Session], now: datetime) -> int:
    """Delete the contacts of people who erased their data, once their confirmation has gone.

    Kept: anyone who said STOP (so it holds), anyone with an open safeguarding flag, anyone with
    something still waiting to be sent.
    """
    waiting = exists().where(Outbox.contact_id == Contact.id, Outbox.status.in_(("pending", "sending")))
    flagged = exists().where(SafeguardingFlag.contact_id == Contact.id, SafeguardingFlag.status != "closed")
    with factory.begin() as session:
        gone = list(session.scalars(select(Contact).where(
            Contact.erased_at.is_not(None), Contact.erased_at < now - CONFIRMATION_TIME, Contact.opted_out.is_(False),
            ~waiting, ~flagged).with_for_update(skip_locked=True)))
        for contact in gone:
            session.execute(update(Message.__table__).where(Message.__table__.c.contact_id == contact.id)
                            .values(body=None))
            session.delete(contact)
    return len(gone)
