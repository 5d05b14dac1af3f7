"""Drain the outbox for one channel: claim, check STOP and quiet hours, send, record.

One drain has three parts working at once:

- a bookkeeper thread claims rows a batch ahead, checks the whole batch in two queries
  (STOP, alerts paused or off, the opportunity withdrawn, quiet hours, a conversation under
  way), renews the batch's claims, and records what became of each send in the database a
  few at a time (every FLUSH_EVERY seconds or FLUSH_AT sends);
- the calling thread hands each row to a send at the pacer's next slot, so the *start*
  times of requests keep to the channel's rate, with up to `Policy.concurrency` in flight;
- each send checks its own row again, in one read, just before the request (so STOP is
  honoured up to the moment of sending), notes "about to send" in the worker's journal,
  sends, and notes the provider's acceptance in the journal the moment it comes back.

A sender that is killed between the provider's acceptance and the database's record leaves
the acceptance in its journal; the next sender on the machine folds it in before claiming,
so the row is not sent again (outbox/journal.py, and the README's delivery guarantees).
"""
from __future__ import annotations

import logging
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Callable, Protocol
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session, sessionmaker

from bot import stories
from outbox.pacing import Pacer, Slot
from storage import contacts, outbox
from outbox import journal as journals
from outbox.journal import Journal
from storage.models import Contact

log = logging.getLogger(__name__)
SENT, ATTEMPTED, SKIPPED = "sent", "attempted", "skipped"  # what became of one claimed row
BUSY = timedelta(hours=2)  # an invitation waits this long after the person's last reply in a conversation
CONCURRENCY = 4  # requests in flight at once per channel and drain: enough to keep 30/s under 130 ms a request
FLUSH_EVERY = 0.2  # seconds: sends are recorded in the database at least this often...
FLUSH_AT = 25  # ...or as soon as this many are waiting
RECHECK = 0.02  # seconds: a send the pacer held back longer than this reads its row again before going
_folding = threading.Lock()  # one fold of stopped senders' journals at a time in this process


class DeliveryError(Exception):
    """A send failed. retry: try again later; opted_out: the recipient has blocked us."""

    def __init__(self, message: str, *, retry: bool = False, opted_out: bool = False, code: str | None = None,
                 retry_after: timedelta | None = None):
        super().__init__(message)
        self.retry, self.opted_out, self.code, self.retry_after = retry, opted_out, code, retry_after


class Transport(Protocol):
    """Sends one channel's rows. One whose provider lists what it has sent (Twilio; not Telegram) also has
    sent_since(item, since) -> [(provider id, status)]: its messages to item.address with item.body from
    `since` on, oldest first, asked before a row in doubt is sent again."""

    channel: str

    def send(self, item: outbox.Claimed) -> tuple[str | None, str]:
        """Send one message; return (provider id, provider status). Called from several threads at once."""


@dataclass
class Policy:
    """When and how fast to send."""

    rate: float = 1.0
    quiet_hours: object | None = None
    timezone: str = "Europe/London"
    backoff: timedelta = timedelta(seconds=30)
    per_chat_gap: float = 0.0  # seconds between two sends to one chat (Telegram: 1)
    concurrency: int = CONCURRENCY  # requests in flight at once; their start times keep to the rate


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


def unwanted(kind: str, extra: dict | None, facts: outbox.Facts) -> str | None:
    """Why a queued alert, digest or broadcast should no longer go (storage.alerts.unwanted, from Facts)."""
    if kind not in ("alert", "digest", "broadcast"):
        return None
    if not facts.participant:
        return "no longer a participant"
    everyone = kind == "broadcast" and (extra or {}).get("audience") == "participants"
    if not everyone and (facts.alerts == "off" or facts.alerts_paused):
        return "alerts turned off or paused since it was queued"
    if kind == "alert" and (extra or {}).get("opportunity_id") is not None:
        if facts.opportunity_status != "published":
            return f"the opportunity is {facts.opportunity_status or 'gone'}"
    return None


def verdict(policy: Policy, item: outbox.Claimed, facts: outbox.Facts | None, worker: str,
            now: datetime) -> tuple[str, object] | None:
    """None if the row may go now; else ("lost", why), ("cancel", why) or ("postpone", until)."""
    if facts is None or facts.status != "sending" or facts.claimed_by != worker:
        return "lost", "claimed by another worker meanwhile"
    if facts.opted_out and not (item.extra or {}).get("after_stop"):
        return "cancel", "recipient opted out"
    why = unwanted(item.kind, item.extra, facts)
    if why:  # alerts turned off or paused, or the opportunity withdrawn, since this was queued
        return "cancel", why
    ignores_quiet = item.kind == "reply" or (item.extra or {}).get("ignore_quiet_hours")  # e.g. urgent flag replies
    quiet_end = end_of_quiet_hours(policy, now) if not ignores_quiet else None
    if quiet_end:
        return "postpone", quiet_end
    busy_since = facts.state_updated_at if item.kind == "invite" else None
    if busy_since is not None and busy_since.tzinfo is None:
        busy_since = busy_since.replace(tzinfo=timezone.utc)
    if busy_since and now - busy_since < BUSY:  # never cut into a conversation the person is having
        return "postpone", busy_since + BUSY
    return None


def journal_for(factory: sessionmaker[Session], worker: str) -> Journal:
    """This worker's journal for the factory's database (one per worker and database, shared by its drains)."""
    url = factory.kw["bind"].url.render_as_string(hide_password=True)
    return Journal.open(journals.folder_for(url), worker)


def drain(factory: sessionmaker[Session], transport: Transport, policy: Policy, worker: str,
          clock: Callable[[], datetime] = utcnow, sleep: Callable[[float], None] = time.sleep,
          limit: int = 50, pacer: Pacer | None = None, keep_going: Callable[[], bool] | None = None,
          journal: Journal | None = None) -> int:
    """Send what is due on one channel, batch after batch, until nothing is due. Returns how many were sent.

    pacer keeps the channel's rate across calls (one per channel per process); without one
    the policy's rate is kept within this call. keep_going is asked before every batch
    after the first, e.g. whether this process still holds the scheduler's lease. journal:
    where this worker notes its sends (by default, one per worker and database under
    $YOURSAY_OUTBOX_JOURNAL_DIR or the temp folder).
    """
    pacer = pacer or Pacer(policy.rate, policy.per_chat_gap)
    if policy.rate > 0:  # claim no more than can be sent well within the claim's lease
        limit = max(1, min(limit, int(policy.rate * outbox.LEASE.total_seconds() / 4)))
    journal = journal or journal_for(factory, worker)
    fold_journals(factory, journal)
    release_dead_claims(factory, transport.channel, worker, journal.folder)
    return _Run(factory, transport, policy, worker, clock, sleep, pacer, journal).run(limit, keep_going)


def fold_journals(factory: sessionmaker[Session], journal: Journal) -> tuple[int, int]:
    """Fold the journals of stopped senders on this machine into the database, before any claim.

    Rows their provider accepted are marked sent; rows whose request had started with no
    answer noted are in doubt: they get a note and are sent again once their claim is put
    back (a repeat is better than a loss), unless the provider lists them as sent (see
    _Run._sent_already). Returns (marked sent, in doubt).
    """
    sent = doubtful = 0
    with _folding:
        for path in journals.others(journal.folder, journal):
            mine = journals.take(path)
            if mine is None:
                continue
            contents = journals.read(mine)
            if contents is not None and contents.entries:
                accepted = contents.accepted
                with factory.begin() as session:
                    ids = list(accepted)
                    for start in range(0, len(ids), 500):
                        held = outbox.held_by(session, ids[start:start + 500], contents.worker)
                        for item in outbox.load(session, held):
                            record_sent(session, item, *accepted[item.id])
                            sent += 1
                    in_doubt = contents.in_doubt
                    for start in range(0, len(in_doubt), 500):
                        held = outbox.held_by(session, in_doubt[start:start + 500], contents.worker)
                        outbox.mark_in_doubt(session, held, "in doubt: the sender stopped mid-request")
                        doubtful += len(held)
                log.warning("folded the journal of %s, a sender that has stopped: %s sends recorded, %s in doubt "
                            "(sent again unless the provider lists them)", contents.worker, sent, doubtful)
            mine.unlink(missing_ok=True)
    return sent, doubtful


def release_dead_claims(factory: sessionmaker[Session], channel: str, worker: str,
                        folder: Path | None = None) -> int:
    """Put back rows claimed by a sender on this machine whose process has gone (killed, crashed).

    Workers are named host:pid, so a restarted sender need not wait for their claims to lapse.
    A stopped sender's claims wait while its journal (in folder) is still to be folded.
    """
    host, _, pid = worker.rpartition(":")
    released = 0
    names = os.listdir(folder) if folder is not None and folder.exists() else []
    with factory.begin() as session:
        for other in outbox.claimants(session, channel):
            other_host, _, other_pid = (other or "").rpartition(":")
            if other_host == host and other_pid.isdigit() and other_pid != pid and not _alive(int(other_pid)):
                if any(name.split("~")[1:2] and name.split("~")[1].startswith(f"{other_pid}-") for name in names):
                    continue  # its journal is being folded: the next drain puts them back
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


def record_sent(session: Session, item: outbox.Claimed, provider_id: str | None, status: str,
                sent_at: datetime) -> None:
    outbox.mark_sent(session, item, provider_id, status, sent_at)
    state = (item.extra or {}).get("state")
    if item.kind == "invite" and state:  # the person has just been asked the question: answers now count
        contact = session.get(Contact, item.contact_id, with_for_update=True)
        if contact is not None and not contact.opted_out:
            # Answers the person's earlier conversation still holds are sealed later, never dropped.
            superseded = sorted(stories.held(contact.state or {}))
            contact.state = {**state, "updated_at": sent_at.isoformat(),
                             **({"superseded": superseded} if superseded else {})}
            contact.state_updated_at = sent_at


class _Run:
    """One drain of one channel (see the module's docstring)."""

    def __init__(self, factory, transport: Transport, policy: Policy, worker: str, clock, sleep, pacer: Pacer,
                 journal: Journal):
        self.factory, self.transport, self.policy, self.worker = factory, transport, policy, worker
        self.clock, self.sleep, self.pacer, self.journal = clock, sleep, pacer, journal
        self.engine = factory.kw["bind"]
        self.cond = threading.Condition()
        self.ready: list[outbox.Claimed] = []  # claimed, checked, waiting for a slot
        self.outcomes: list[tuple[str, outbox.Claimed, object]] = []  # to record in the database
        self.oldest = 0.0  # when the oldest outcome waiting was noted
        self.held: set[int] = set()  # claimed and not yet recorded: the heartbeat keeps these claims
        self.exhausted = self.stopping = False
        self.error: BaseException | None = None
        self.sent = 0
        self.first = True
        self.matched: set[str] = set()  # provider ids found for rows in doubt in this drain

    def run(self, limit: int, keep_going: Callable[[], bool] | None) -> int:
        self.limit, self.keep_going = limit, keep_going
        backlog = self.journal.take_backlog()
        if backlog and not self._flush(backlog):
            raise RuntimeError("could not record earlier sends in the database; not sending more")
        self._refill()
        if not self.ready and self.exhausted:
            return 0
        concurrency = max(1, self.policy.concurrency)
        seats = threading.BoundedSemaphore(concurrency)
        keeper = threading.Thread(target=self._keep, name=f"outbox-{self.transport.channel}-keeper", daemon=True)
        keeper.start()
        pool = ThreadPoolExecutor(concurrency, thread_name_prefix=f"outbox-{self.transport.channel}")
        try:
            while True:
                with self.cond:
                    while not self.ready and not self.exhausted and self.error is None:
                        self.cond.wait(0.5)
                    if self.error is not None:
                        raise self.error
                    if not self.ready:
                        break
                    # Replies answer what the person has just said: Telegram allows those short bursts in a chat.
                    index, slot = self.pacer.choose([i.address for i in self.ready],
                                                    [i.kind == "reply" for i in self.ready])
                    item = self.ready.pop(index)
                    self.cond.notify_all()
                wait = slot.at - self.pacer.clock()
                if wait > 0:
                    self.sleep(wait)
                seats.acquire()
                try:
                    pool.submit(self._send, item, slot, seats)
                except BaseException:
                    seats.release()
                    self.pacer.give_back(slot)
                    with self.cond:
                        self.ready.append(item)
                    raise
        finally:
            pool.shutdown(wait=True)
            with self.cond:
                self.stopping = True
                self.cond.notify_all()
            keeper.join()
            self._finish()
        return self.sent

    # --- the bookkeeper -----------------------------------------------------------------------

    def _keep(self) -> None:
        beat = time.monotonic()
        try:
            while True:
                with self.cond:
                    if self.stopping:
                        return
                    self.cond.wait(0.05)
                    due = self.outcomes and (len(self.outcomes) >= FLUSH_AT
                                             or time.monotonic() - self.oldest >= FLUSH_EVERY)
                    outcomes, self.outcomes = (self.outcomes, []) if due else ([], self.outcomes)
                    low = not self.exhausted and len(self.ready) <= max(self.policy.concurrency, self.limit // 2)
                if outcomes and not self._flush(outcomes):
                    time.sleep(0.5)
                if low:
                    self._refill()
                if time.monotonic() - beat > outbox.LEASE.total_seconds() / 4:
                    beat = time.monotonic()
                    with self.cond:
                        held = sorted(self.held)
                    with self.factory.begin() as session:  # a heartbeat for the rows still to go
                        outbox.renew_claims(session, held, self.worker, self.clock())
        except BaseException as exc:  # the drain raises it
            log.exception("outbox %s: the sender's bookkeeping failed", self.transport.channel)
            with self.cond:
                self.error = exc
                self.exhausted = True
                self.cond.notify_all()

    def _refill(self) -> None:
        """Claim the next batch and check it as a whole: cancel, postpone or queue each row."""
        if not self.first and self.keep_going is not None and not self.keep_going():
            with self.cond:
                self.exhausted = True
                self.cond.notify_all()
            return
        self.first = False
        fold_journals(self.factory, self.journal)  # a sender that stopped meanwhile: before any claim
        with self.factory.begin() as session:
            items = outbox.claim(session, self.transport.channel, self.worker, self.clock(), self.limit)
        if not items:
            with self.cond:
                self.exhausted = True
                self.cond.notify_all()
            return
        with self.cond:
            self.held.update(item.id for item in items)
        going: list[outbox.Claimed] = []
        with self.factory.begin() as session:
            found, now = outbox.facts(session, items), self.clock()
            for item in items:
                what = verdict(self.policy, item, found.get(item.id), self.worker, now)
                if what is None:
                    going.append(item)
                else:
                    self._apply(session, what[0], item, what[1])
        with self.cond:
            self.held.difference_update({i.id for i in items} - {i.id for i in going})
            self.ready.extend(going)
            self.cond.notify_all()

    # --- one send ----------------------------------------------------------------------------

    def _check(self, item: outbox.Claimed) -> tuple[str, object] | None:
        """This row's facts, read just now: None if it may go."""
        try:
            with self.engine.connect() as conn:
                found = outbox.facts(conn, [item]).get(item.id)
            return verdict(self.policy, item, found, self.worker, self.clock())
        except Exception:
            log.exception("outbox %s: could not check it before sending; putting it back", item.id)
            return "release", None

    def _send(self, item: outbox.Claimed, slot: Slot, seats: threading.BoundedSemaphore) -> None:
        started = False
        try:
            # STOP is honoured up to the moment of sending: the row is read again just before the
            # request, and again if the pacer then held it back (for the window, or the chat's gap).
            what = self._check(item)
            if what is None and self.pacer.wait_turn(slot, self.sleep) > RECHECK:
                what = self._check(item)
            if what is not None:
                if what[0] == "lost":
                    log.warning("outbox %s: claimed by another worker meanwhile; not sending it here", item.id)
                self._note(what[0], item, what[1])
                return
            found = self._sent_already(item)
            if found is not None:  # the provider has it: a stopped sender's request did arrive
                at = self.clock()
                self.journal.accepted(item.id, *found, at)
                self._note(SENT, item, (*found, at))
                return
            self.journal.started(item.id)
            started = True
            try:
                provider_id, status = self.transport.send(item)
            except DeliveryError as exc:
                self._note("failure", item, (exc, self.clock()))
                return
            except Exception as exc:  # an unexpected bug must not lose the row: retry it later
                log.exception("outbox %s: unexpected error sending", item.id)
                self._note("failure", item, (DeliveryError(repr(exc), retry=True), self.clock()))
                return
            at = self.clock()
            self.journal.accepted(item.id, provider_id, status, at)  # from here on it is never sent again
            self._note(SENT, item, (provider_id, status, at))
        finally:
            if started:
                self.pacer.done(slot)
            else:
                self.pacer.give_back(slot)
            seats.release()

    def _sent_already(self, item: outbox.Claimed) -> tuple[str, str] | None:
        """For a row in doubt: (provider id, status) of the message the provider already has, if it lists one.

        A message counts if it went to the same address with the same body since the stopped request
        can have started, and is not already recorded as another row's send. If the provider cannot be
        asked, None: the row goes again (at least once, as for a channel with no such list).
        """
        since = outbox.in_doubt_since(item)
        look = getattr(self.transport, "sent_since", None)
        if since is None or look is None:
            return None
        try:
            listed = look(item, since)
            with self.engine.connect() as conn:
                taken = outbox.recorded_provider_ids(conn, item.channel, [sid for sid, _ in listed])
        except Exception as exc:
            log.warning("outbox %s: could not ask the provider whether it was sent (%r); sending it again",
                        item.id, exc)
            return None
        with self.cond:
            for sid, status in listed:
                if sid not in taken and sid not in self.matched:
                    self.matched.add(sid)
                    log.info("outbox %s: in doubt, and the provider has it (%s): not sent again", item.id, sid)
                    return sid, status
        return None

    def _note(self, what: str, item: outbox.Claimed, data) -> None:
        with self.cond:
            if not self.outcomes:
                self.oldest = time.monotonic()
            self.outcomes.append((what, item, data))
            self.sent += what == SENT
            if len(self.outcomes) >= FLUSH_AT:
                self.cond.notify_all()

    # --- recording ---------------------------------------------------------------------------

    def _flush(self, outcomes: list[tuple[str, outbox.Claimed, object]]) -> bool:
        """Record outcomes in one transaction; on failure keep them to try again. True if recorded."""
        try:
            with self.factory.begin() as session:
                for what, item, data in outcomes:
                    self._apply(session, what, item, data)
        except Exception:
            log.exception("outbox %s: could not record %s sends; will try again", self.transport.channel,
                          len(outcomes))
            with self.cond:
                self.outcomes[:0] = outcomes
            return False
        ids = [item.id for _, item, _ in outcomes]
        self.journal.recorded(ids)
        with self.cond:
            self.held.difference_update(ids)
        return True

    def _apply(self, session: Session, what: str, item: outbox.Claimed, data) -> None:
        if what == SENT:
            record_sent(session, item, *data)
        elif what == "failure":
            _record_failure(session, self.policy, item, *data)
        elif what == "cancel":
            outbox.mark_failed(session, item, str(data), status="cancelled")
        elif what == "postpone":
            outbox.postpone(session, item, data)
        elif what == "release":
            outbox.unclaim(session, [item.id], self.worker)
        # "lost": another worker has it; nothing to record here

    def _finish(self) -> None:
        """After the last send: record what is left, and put back rows claimed and never sent."""
        with self.cond:
            outcomes, self.outcomes = self.outcomes, []
            unsent, self.ready = [i.id for i in self.ready], []
        recorded = self._flush(outcomes) if outcomes else True
        if unsent:
            with self.factory.begin() as session:
                outbox.unclaim(session, unsent, self.worker)
        if not recorded:  # the database is unreachable: the next drain of this worker tries again first
            with self.cond:
                leftover, self.outcomes = self.outcomes, []
            self.journal.keep_backlog(leftover)
            if self.error is None:
                raise RuntimeError(f"could not record {len(leftover)} sends in the database; they are kept in the "
                                   "journal and recorded by the next drain")


def _record_failure(session: Session, policy: Policy, item: outbox.Claimed, exc: DeliveryError,
                    now: datetime) -> None:
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
