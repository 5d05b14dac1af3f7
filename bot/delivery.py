"""Drain the outbox for one channel: claim, check STOP and quiet hours, send, record."""
from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Callable, Protocol
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session, sessionmaker

from bot.pacing import Pacer
from storage import alerts, contacts, outbox
from storage.models import Contact

log = logging.getLogger(__name__)
SENT, ATTEMPTED, SKIPPED = "sent", "attempted", "skipped"  # what became of one claimed row
BUSY = timedelta(hours=2)  # an invitation waits this long after the person's last reply in a conversation


class DeliveryError(Exception):
    """A send failed. retry: try again later; opted_out: the recipient has blocked us."""

    def __init__(self, message: str, *, retry: bool = False, opted_out: bool = False, code: str | None = None,
                 retry_after: timedelta | None = None):
        super().__init__(message)
        self.retry, self.opted_out, self.code, self.retry_after = retry, opted_out, code, retry_after


class Transport(Protocol):
    channel: str

    def send(self, item: outbox.Claimed) -> tuple[str | None, str]:
        """Send one message; return (provider id, provider status)."""


@dataclass
class Policy:
    """When and how fast to send."""

    rate: float = 1.0
    quiet_hours: object | None = None
    timezone: str = "Europe/London"
    backoff: timedelta = timedelta(seconds=30)
    per_chat_gap: float = 0.0  # seconds between two sends to one chat (Telegram: 1)


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def end_of_quiet_hours(policy: Policy, now: datetime) -> datetime | None:
    """When quiet hours end, if now is inside them; else None."""
    quiet = policy.quiet_hours
    if quiet is None:
        return None
    local = now.astimezone(ZoneInfo(policy.timezone))
    if not quiet.contains(local.time().replace(tzinfo=None)):
        return None
    end = local.replace(hour=quiet.end.hour, minute=quiet.end.minute, second=0, microsecond=0)
    if end <= local:
        end += timedelta(days=1)
    return end.astimezone(timezone.utc)


def drain(factory: sessionmaker[Session], transport: Transport, policy: Policy, worker: str,
          clock: Callable[[], datetime] = utcnow, sleep: Callable[[float], None] = time.sleep,
          limit: int = 50, pacer: Pacer | None = None, keep_going: Callable[[], bool] | None = None) -> int:
    """Send what is due on one channel, batch after batch, until nothing is due. Returns how many were sent.

    pacer keeps the channel's rate across calls (one per channel per process); without one
    the policy's rate is kept within this call. keep_going is asked before every batch
    after the first, e.g. whether this process still holds the scheduler's lease.
    """
    pacer = pacer or Pacer(policy.rate, policy.per_chat_gap)
    if policy.rate > 0:  # claim no more than can be sent well within the claim's lease
        limit = max(1, min(limit, int(policy.rate * outbox.LEASE.total_seconds() / 4)))
    release_dead_claims(factory, transport.channel, worker)
    sent, first = 0, True
    while first or keep_going is None or keep_going():
        first = False
        with factory.begin() as session:
            items = outbox.claim(session, transport.channel, worker, clock(), limit)
        if not items:
            break
        sent += _send_batch(factory, transport, policy, items, worker, clock, sleep, pacer)
    return sent


def release_dead_claims(factory: sessionmaker[Session], channel: str, worker: str) -> int:
    """Put back rows claimed by a sender on this machine whose process has gone (killed, crashed).

    Workers are named host:pid, so a restarted sender need not wait for their claims to lapse.
    """
    host, _, pid = worker.rpartition(":")
    released = 0
    with factory.begin() as session:
        for other in outbox.claimants(session, channel):
            other_host, _, other_pid = (other or "").rpartition(":")
            if other_host == host and other_pid.isdigit() and other_pid != pid and not _alive(int(other_pid)):
                count = outbox.release(session, channel, other)
                released += count
                log.warning("put back %s %s rows claimed by %s, a sender that has stopped", count, channel, other)
    return released


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def _send_batch(factory, transport: Transport, policy: Policy, items: list[outbox.Claimed], worker: str,
                clock, sleep, pacer: Pacer) -> int:
    """Send one claimed batch in the pacer's order, keeping the rest of the batch's claim alive."""
    sent, renewed = 0, clock()
    while items:
        # Replies answer what the person has just said: Telegram allows those short bursts in a chat.
        index, slot, undo = pacer.choose([item.address for item in items], [item.kind == "reply" for item in items])
        item = items.pop(index)
        wait = slot - pacer.clock()
        if wait > 0:
            sleep(wait)
        outcome = _deliver(factory, transport, policy, item, worker, clock)
        if outcome == SKIPPED:
            pacer.give_back(item.address, slot, undo)
        else:
            pacer.done()
        sent += outcome == SENT
        if items and clock() - renewed > outbox.LEASE / 4:  # a heartbeat for the rows still to come
            renewed = clock()
            with factory.begin() as session:
                outbox.renew_claims(session, [i.id for i in items], worker, renewed)
    return sent


def _deliver(factory, transport: Transport, policy: Policy, item: outbox.Claimed, worker: str, clock) -> str:
    now = clock()
    with factory.begin() as session:  # STOP is honoured up to the moment of sending
        if not outbox.renew_claim(session, item, worker, now):
            log.warning("outbox %s: claimed by another worker meanwhile; not sending it here", item.id)
            return SKIPPED
        if outbox.is_opted_out(session, item.contact_id) and not (item.extra or {}).get("after_stop"):
            outbox.mark_failed(session, item, "recipient opted out", status="cancelled")
            return SKIPPED
        unwanted = alerts.unwanted(session, item.kind, item.contact_id, item.extra)
        if unwanted:  # alerts turned off or paused, or the opportunity withdrawn, since this was queued
            outbox.mark_failed(session, item, unwanted, status="cancelled")
            return SKIPPED
        quiet_end = end_of_quiet_hours(policy, now) if item.kind != "reply" else None
        if quiet_end:
            outbox.postpone(session, item, quiet_end)
            return SKIPPED
        busy_since = outbox.in_conversation_since(session, item.contact_id) if item.kind == "invite" else None
        if busy_since and now - busy_since < BUSY:  # never cut into a conversation the person is having
            outbox.postpone(session, item, busy_since + BUSY)
            return SKIPPED
    try:
        provider_id, status = transport.send(item)
    except DeliveryError as exc:
        _record_failure(factory, policy, item, exc, clock())
        return ATTEMPTED
    except Exception as exc:  # an unexpected bug must not lose the row: retry it later
        log.exception("outbox %s: unexpected error sending", item.id)
        _record_failure(factory, policy, item, DeliveryError(repr(exc), retry=True), clock())
        return ATTEMPTED
    # Committed straight after the provider accepted: a crash before this commit is the one
    # moment that can still send a message twice (the claim lapses and the row goes again).
    with factory.begin() as session:
        sent_at = clock()
        outbox.mark_sent(session, item, provider_id, status, sent_at)
        state = (item.extra or {}).get("state")
        if item.kind == "invite" and state:  # the person has just been asked the question: answers now count
            contact = session.get(Contact, item.contact_id, with_for_update=True)
            if contact is not None and not contact.opted_out:
                contact.state = {**state, "updated_at": sent_at.isoformat()}
                contact.state_updated_at = sent_at
    return SENT


def _record_failure(factory, policy: Policy, item: outbox.Claimed, exc: DeliveryError, now: datetime) -> None:
    with factory.begin() as session:
        if exc.opted_out:
            contacts.opt_out(session, item.channel, item.address, now)
            outbox.mark_failed(session, item, f"opted out at provider: {exc}", status="cancelled")
            outbox.cancel_pending(session, item.contact_id, "opted out at provider")
            log.info("outbox %s: recipient has opted out at the provider", item.id)
        elif exc.retry:
            delay = max(policy.backoff * (2 ** item.attempts), exc.retry_after or timedelta(0))
            status = outbox.mark_retry(session, item, str(exc), now, delay)
            log.warning("outbox %s: send failed (%s), %s", item.id, exc, status)
        else:
            outbox.mark_failed(session, item, str(exc))
            log.error("outbox %s: send failed for good: %s", item.id, exc)
