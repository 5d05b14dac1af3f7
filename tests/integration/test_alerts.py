"""Alerts, digests and broadcasts to participants, on a real database (SQLite, or PostgreSQL when asked)."""
from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import event, func, select, update

from service.alerts import broadcast, publish_and_alert, send_digests
from outbox.delivery import Policy, drain
from storage.alerts import queue_alerts
from storage.models import Contact, DigestItem, Opportunity, Outbox, Participant
from tests.fakes.transport import RecordingTransport
from yoursay.config import parse_quiet_hours

TRUST = "Riverside NHS Foundation Trust"
MONDAY_9AM = datetime(2030, 12, 2, 9, 0, tzinfo=timezone.utc)  # December: London is on GMT
DIGEST_AT = (1, datetime.min.time().replace(hour=10))  # Monday 10:00
NO_QUIET = Policy(rate=0)


def person(rt, address: str, *, channel: str = "sms", alerts: str = "instant", paused: bool = False,
           opted_out: bool = False, interests=(), areas=(), now: datetime = MONDAY_9AM) -> int:
    """A contact who has joined as a participant; returns the contact id."""
    with rt.factory.begin() as session:
        contact = Contact(channel=channel, address=address, opted_out=opted_out, state={}, created_at=now)
        session.add(contact)
        session.flush()
        session.add(Participant(contact_id=contact.id, name="", consent_at=now, consent_text="I agree",
                                interests=list(interests), areas=list(areas), access_needs="", alerts=alerts,
                                alerts_paused=paused, created_at=now, updated_at=now))
        return contact.id


def draft(rt, title: str = "Working Together group - North", *, type: str = "working_together",
          area: str = "North", venue: str = "Riverside House", closes_on: date | None = None) -> int:
    with rt.factory.begin() as session:
        o = Opportunity(title=title, summary="Help shape crisis care.", description="", type=type, area=area,
                        venue=venue, payment="paid", accessibility="", closes_on=closes_on, status="draft",
                        created_at=MONDAY_9AM - timedelta(days=30))
        session.add(o)
        session.flush()
        return o.id


def publish(rt, opportunity_id: int, now: datetime = MONDAY_9AM, cap: int = 3):
    with rt.factory.begin() as session:
        return publish_and_alert(session, opportunity_id, now, TRUST, cap)[1]


def outbox(rt, kind: str | None = None) -> list[Outbox]:
    with rt.factory() as session:
        query = select(Outbox).order_by(Outbox.id)
        return list(session.scalars(query.where(Outbox.kind == kind) if kind else query))


def alerted(rt, kind: str = "alert") -> dict[str, str]:
    """address -> status of each row of this kind."""
    with rt.factory() as session:
        return dict(session.execute(select(Contact.address, Outbox.status).join(Outbox, Outbox.contact_id == Contact.id)
                                    .where(Outbox.kind == kind)).all())


def digest_addresses(rt, sent: bool | None = None) -> list[str]:
    with rt.factory() as session:
        query = (select(Contact.address).join(Participant, Participant.contact_id == Contact.id)
                 .join(DigestItem, DigestItem.participant_id == Participant.id).order_by(Contact.address))
        if sent is not None:
            query = query.where(DigestItem.sent_at.is_not(None) if sent else DigestItem.sent_at.is_(None))
        return list(session.scalars(query))


def send(rt, now: datetime, policy: Policy = NO_QUIET, channel: str = "sms") -> RecordingTransport:
    transport = RecordingTransport(channel)
    drain(rt.factory, transport, policy, "test-worker", clock=lambda: now, sleep=lambda s: None)
    return transport


# --- who gets an alert -----------------------------------------------------------------------

def test_an_alert_goes_to_every_instant_subscriber_who_wants_it_and_to_no_one_else(runtime):
    person(runtime, "+447700900001")
    person(runtime, "+447700900002", opted_out=True)
    person(runtime, "+447700900003", paused=True)
    person(runtime, "+447700900004", alerts="off")
    person(runtime, "+447700900005", alerts="weekly")
    person(runtime, "+447700900006", interests=["research", "peer_role"])
    person(runtime, "+447700900007", interests=["research", "working_together"])
    person(runtime, "+447700900008", areas=["South", "East"])
    person(runtime, "+447700900009", areas=["south", " north "])
    person(runtime, "555000111", channel="telegram", interests=["working_together"], areas=["NORTH"])
    with runtime.factory.begin() as session:  # someone who has only texted FEEDBACK is not a participant
        session.add(Contact(channel="sms", address="+447700900010", opted_out=False, state={},
                            created_at=MONDAY_9AM))

    counts = publish(runtime, draft(runtime))

    assert alerted(runtime) == {"+447700900001": "pending", "+447700900007": "pending",
                                "+447700900009": "pending", "555000111": "pending"}
    assert digest_addresses(runtime) == ["+447700900005"], "a weekly subscriber gets it in the digest"
    assert (counts.alerts, counts.digest) == (4, 1)
    sms, telegram = (next(r for r in outbox(runtime, "alert") if r.channel == c) for c in ("sms", "telegram"))
    assert sms.body.startswith(f"New from {TRUST}: Working Together group - North (")
    assert sms.dedupe_key == telegram.dedupe_key == f"alert:{sms.extra['opportunity_id']}"
    assert "\n\nHelp shape crisis care." in telegram.body, "Telegram gets the longer form"


def test_an_online_opportunity_reaches_subscribers_in_every_area(runtime):
    person(runtime, "+447700900001", areas=["South"])
    person(runtime, "+447700900002", areas=["North"])
    person(runtime, "+447700900003")
    publish(runtime, draft(runtime, venue="Online", area="North"))
    assert set(alerted(runtime)) == {"+447700900001", "+447700900002", "+447700900003"}


def test_publishing_twice_or_queueing_again_after_a_crash_queues_each_alert_once(runtime):
    for n in range(5):
        person(runtime, f"+44770090000{n}")
    person(runtime, "+447700900009", alerts="weekly")
    opportunity_id = draft(runtime)
    publish(runtime, opportunity_id)
    with pytest.raises(ValueError, match="not a draft"):
        publish(runtime, opportunity_id)
    with runtime.factory.begin() as session:  # e.g. the admin's retry after a time-out
        again = queue_alerts(session, opportunity_id, MONDAY_9AM, 3, {"sms": "x", "telegram": "x"})
    assert (again.alerts, again.digest) == (0, 0)
    assert len(outbox(runtime, "alert")) == 5 and len(digest_addresses(runtime)) == 1


def test_a_failed_publish_queues_nothing(runtime):
    person(runtime, "+447700900001")
    opportunity_id = draft(runtime, closes_on=date(2030, 11, 1))
    with pytest.raises(ValueError, match="closed on"):
        publish(runtime, opportunity_id)
    assert outbox(runtime) == []


def test_alerts_are_queued_in_a_few_set_wise_statements_however_many_subscribers(runtime):
    for n in range(300):
        person(runtime, f"+4477009{n:05d}", alerts="weekly" if n % 3 == 0 else "instant")
    opportunity_id = draft(runtime)
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(runtime.engine, "before_cursor_execute", listener)
    try:
        counts = publish(runtime, opportunity_id)
    finally:
        event.remove(runtime.engine, "before_cursor_execute", listener)
    assert (counts.alerts, counts.digest) == (200, 100)
    inserts = [s for s in statements if s.lstrip().upper().startswith("INSERT")]
    assert len(inserts) == 2 and all("SELECT" in s.upper() for s in inserts)
    assert len(statements) < 10


# --- the weekly cap and the digest -----------------------------------------------------------

def test_past_the_weekly_cap_the_rest_roll_into_the_digest(runtime):
    person(runtime, "+447700900001")
    ids = [draft(runtime, f"Opportunity {n}") for n in range(5)]
    for n, opportunity_id in enumerate(ids):
        publish(runtime, opportunity_id, MONDAY_9AM + timedelta(hours=n), cap=3)
    assert len(outbox(runtime, "alert")) == 3
    with runtime.factory() as session:
        rolled = session.scalars(select(DigestItem.opportunity_id).order_by(DigestItem.id)).all()
    assert rolled == ids[3:]
    publish(runtime, draft(runtime, "A week later"), MONDAY_9AM + timedelta(days=7, hours=1), cap=3)
    assert len(outbox(runtime, "alert")) == 4, "a week on, alerts come again"


def test_an_alert_cancelled_before_it_went_does_not_count_towards_the_cap(runtime):
    contact = person(runtime, "+447700900001")
    publish(runtime, draft(runtime, "One"), cap=1)
    with runtime.factory.begin() as session:
        session.execute(update(Outbox).where(Outbox.contact_id == contact).values(status="cancelled"))
    publish(runtime, draft(runtime, "Two"), cap=1)
    assert [r.status for r in outbox(runtime, "alert")] == ["cancelled", "pending"]


def test_the_digest_waits_for_monday_ten_then_goes_once_that_week(runtime):
    person(runtime, "+447700900001", alerts="weekly")
    person(runtime, "+447700900002", alerts="weekly")
    person(runtime, "+447700900003", alerts="weekly", paused=True)
    friday = MONDAY_9AM - timedelta(days=3)
    for title in ("Peer role - Oaklands", "QI project: discharge letters"):
        publish(runtime, draft(runtime, title), friday)

    assert send_digests(runtime.factory, MONDAY_9AM + timedelta(minutes=59), TRUST, DIGEST_AT) == 0
    assert send_digests(runtime.factory, MONDAY_9AM + timedelta(hours=1), TRUST, DIGEST_AT) == 2
    assert send_digests(runtime.factory, MONDAY_9AM + timedelta(hours=3), TRUST, DIGEST_AT) == 0
    publish(runtime, draft(runtime, "Committee seat"), MONDAY_9AM + timedelta(hours=4))
    assert send_digests(runtime.factory, MONDAY_9AM + timedelta(days=2), TRUST, DIGEST_AT) == 0, "once a week"

    digests = outbox(runtime, "digest")
    assert [d.dedupe_key for d in digests] == ["digest:2030-W49"] * 2
    assert digests[0].body == (f"New this week from {TRUST}:\n- Peer role - Oaklands\n"
                               "- QI project: discharge letters\n"
                               "Text JOIN to see them, ALERTS to change alerts, STOP to stop.")
    assert digest_addresses(runtime, sent=False) == ["+447700900001", "+447700900002"], "Committee seat waits"

    assert send_digests(runtime.factory, MONDAY_9AM + timedelta(days=7, hours=2), TRUST, DIGEST_AT) == 2
    next_week = outbox(runtime, "digest")[2:]
    assert [d.dedupe_key for d in next_week] == ["digest:2030-W50"] * 2
    assert "Committee seat" in next_week[0].body and "Peer role" not in next_week[0].body


def test_the_digest_leaves_out_opportunities_closed_or_withdrawn_since(runtime):
    person(runtime, "+447700900001", alerts="weekly")
    closed = draft(runtime, "Closed already", closes_on=date(2030, 12, 1))
    withdrawn = draft(runtime, "Withdrawn")
    still_open = draft(runtime, "Still open")
    for opportunity_id in (closed, withdrawn, still_open):
        publish(runtime, opportunity_id, MONDAY_9AM - timedelta(days=3))
    with runtime.factory.begin() as session:
        session.execute(update(Opportunity).where(Opportunity.id == withdrawn).values(status="closed"))
    assert send_digests(runtime.factory, MONDAY_9AM + timedelta(hours=2), TRUST, DIGEST_AT) == 1
    [digest] = outbox(runtime, "digest")
    assert "Still open" in digest.body and "Closed already" not in digest.body and "Withdrawn" not in digest.body


def test_nobody_gets_an_empty_digest(runtime):
    person(runtime, "+447700900001", alerts="weekly")
    assert send_digests(runtime.factory, MONDAY_9AM + timedelta(hours=2), TRUST, DIGEST_AT) == 0
    assert outbox(runtime) == []


# --- at the moment of sending ----------------------------------------------------------------

def test_stop_pause_or_alerts_off_after_queueing_cancels_the_alert_at_send_time(runtime):
    stop = person(runtime, "+447700900001")
    pause = person(runtime, "+447700900002")
    off = person(runtime, "+447700900003")
    person(runtime, "+447700900004")
    publish(runtime, draft(runtime))
    with runtime.factory.begin() as session:
        session.execute(update(Contact).where(Contact.id == stop).values(opted_out=True))
        session.execute(update(Participant).where(Participant.contact_id == pause).values(alerts_paused=True))
        session.execute(update(Participant).where(Participant.contact_id == off).values(alerts="off"))

    transport = send(runtime, MONDAY_9AM + timedelta(minutes=1))

    assert [item.address for item in transport.sent] == ["+447700900004"]
    assert alerted(runtime) == {"+447700900001": "cancelled", "+447700900002": "cancelled",
                                "+447700900003": "cancelled", "+447700900004": "sent"}


def test_an_alert_for_an_opportunity_withdrawn_before_it_went_is_not_sent(runtime):
    person(runtime, "+447700900001")
    opportunity_id = draft(runtime)
    publish(runtime, opportunity_id)
    with runtime.factory.begin() as session:
        session.execute(update(Opportunity).where(Opportunity.id == opportunity_id).values(status="closed"))
    assert send(runtime, MONDAY_9AM).sent == []
    [row] = outbox(runtime, "alert")
    assert row.status == "cancelled" and "closed" in row.last_error


@pytest.mark.parametrize("kind", ["alert", "digest", "broadcast"])
def test_quiet_hours_hold_alerts_digests_and_broadcasts_until_morning(runtime, kind):
    person(runtime, "+447700900001", alerts="weekly" if kind == "digest" else "instant")
    night = datetime(2030, 12, 3, 22, 30, tzinfo=timezone.utc)
    if kind == "alert":
        publish(runtime, draft(runtime), night)
    elif kind == "digest":
        publish(runtime, draft(runtime), night - timedelta(days=1))
        assert send_digests(runtime.factory, night, TRUST, DIGEST_AT) == 1
    else:
        with runtime.factory.begin() as session:
            broadcast(session, "Participation News: ...", "subscribers", night)
    policy = Policy(rate=0, quiet_hours=parse_quiet_hours("21:00-09:00"))

    assert send(runtime, night, policy).sent == []
    [row] = outbox(runtime, kind)
    assert row.status == "pending" and row.due_at == datetime(2030, 12, 4, 9, 0, tzinfo=timezone.utc)
    assert [i.kind for i in send(runtime, datetime(2030, 12, 4, 9, 0, tzinfo=timezone.utc), policy).sent] == [kind]


# --- broadcasts ------------------------------------------------------------------------------

def test_a_broadcast_to_subscribers_skips_those_paused_off_or_opted_out(runtime):
    person(runtime, "+447700900001")
    person(runtime, "+447700900002", alerts="weekly")
    person(runtime, "+447700900003", alerts="off")
    person(runtime, "+447700900004", paused=True)
    person(runtime, "+447700900005", opted_out=True)
    person(runtime, "555000111", channel="telegram")
    with runtime.factory.begin() as session:
        broadcast_id, queued = broadcast(session, "  Participation News: our new peer roles.\n", "subscribers",
                                         MONDAY_9AM)
    assert queued == 3
    assert set(alerted(runtime, "broadcast")) == {"+447700900001", "+447700900002", "555000111"}
    rows = outbox(runtime, "broadcast")
    assert {(r.body, r.dedupe_key) for r in rows} == {("Participation News: our new peer roles.",
                                                       f"broadcast:{broadcast_id}")}


def test_a_broadcast_to_participants_reaches_everyone_who_consented_and_has_not_said_stop(runtime):
    person(runtime, "+447700900001")
    person(runtime, "+447700900003", alerts="off")
    person(runtime, "+447700900004", paused=True)
    person(runtime, "+447700900005", opted_out=True)
    with runtime.factory.begin() as session:
        session.add(Contact(channel="sms", address="+447700900010", opted_out=False, state={},
                            created_at=MONDAY_9AM))
        _, queued = broadcast(session, "Participation News", "participants", MONDAY_9AM)
    assert queued == 3
    transport = send(runtime, MONDAY_9AM)
    assert sorted(i.address for i in transport.sent) == ["+447700900001", "+447700900003", "+447700900004"]


@pytest.mark.parametrize("body,audience,problem", [("", "subscribers", "empty"),
                                                   ("x" * 400, "subscribers", "too long"),
                                                   ("News", "everyone", "unknown audience")])
def test_a_broadcast_that_cannot_go_queues_nothing(runtime, body, audience, problem):
    person(runtime, "+447700900001")
    with pytest.raises(ValueError, match=problem):
        with runtime.factory.begin() as session:
            broadcast(session, body, audience, MONDAY_9AM)
    assert outbox(runtime) == []
    with runtime.factory() as session:
        assert session.scalar(select(func.count()).select_from(Outbox)) == 0


def test_the_scheduler_tick_sends_the_digest(runtime):
    from yoursay.scheduler import tick

    runtime.settings = replace(runtime.settings, digest_at=DIGEST_AT)
    person(runtime, "+447700900001", alerts="weekly")
    publish(runtime, draft(runtime), MONDAY_9AM - timedelta(days=1))
    runtime.now = lambda: MONDAY_9AM + timedelta(hours=1, minutes=5)
    assert tick(runtime)
    assert [r.kind for r in outbox(runtime)] == ["digest"]


# --- crashes and restarts --------------------------------------------------------------------

def claimed_rows(rt, worker: str, claimed_at: datetime, count: int = 3) -> None:
    """Rows a sender had claimed (status sending) when it stopped."""
    for n in range(count):
        person(rt, f"+4477009100{n:02d}")
    with rt.factory.begin() as session:
        broadcast(session, "Participation News", "subscribers", claimed_at)
        session.execute(update(Outbox).where(Outbox.claimed_by.is_(None))
                        .values(status="sending", claimed_by=worker, claimed_at=claimed_at))


def test_a_restarted_sender_sends_at_once_what_a_killed_sender_on_this_machine_had_claimed(runtime):
    import os
    import socket
    import subprocess
    import sys

    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    host = socket.gethostname()
    claimed_rows(runtime, f"{host}:{gone.pid}", MONDAY_9AM)
    transport = RecordingTransport("sms")
    drain(runtime.factory, transport, NO_QUIET, f"{host}:{os.getpid()}",
          clock=lambda: MONDAY_9AM + timedelta(seconds=1), sleep=lambda s: None)
    assert len(transport.sent) == 3, "no need to wait for the claims to lapse"
    assert set(alerted(runtime, "broadcast").values()) == {"sent"}


def test_claims_of_a_live_sender_are_left_alone_until_they_lapse(runtime):
    import os
    import socket

    claimed_rows(runtime, f"{socket.gethostname()}:{os.getppid()}", MONDAY_9AM)  # alive: our parent process
    assert send(runtime, MONDAY_9AM + timedelta(seconds=59)).sent == []
    assert len(send(runtime, MONDAY_9AM + timedelta(seconds=61)).sent) == 3, "a claim lapses after 60 s"


def test_the_scheduled_sending_job_sends_everything_due_while_it_holds_the_lease(runtime):
    from yoursay import scheduler
    from yoursay.runtime import build

    for n in range(120):
        person(runtime, f"+4477009{n:05d}")
    with runtime.factory.begin() as session:
        broadcast(session, "Participation News", "subscribers", runtime.now())
    runtime.transports["sms"] = RecordingTransport("sms")
    runtime.settings = replace(runtime.settings, sms_rate=1000)
    other = build(runtime.settings)
    other.worker = "another-worker:2"
    other.transports["sms"] = RecordingTransport("sms")
    try:
        assert scheduler.send(runtime, "sms") == 120, "batch after batch, not one batch a tick"
        assert scheduler.send(other, "sms") == 0 and other.transports["sms"].sent == []
        assert scheduler.send(runtime, "telegram") == 0, "no Telegram transport here"
    finally:
        other.close()
