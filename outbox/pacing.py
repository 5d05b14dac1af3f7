"""Keeping sends to a schedule: a rate for the whole channel, and a gap between two sends to one chat.

Sends may overlap (a few requests in flight at once): the pacer spaces their *start* times,
and holds a send back until the one `most` sends before it has finished a window ago, so
however long requests take, the provider never sees more than the rate in any window.
"""
from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass, field
from typing import Callable, Hashable

HEADROOM = 0.98  # run a little under the limit, so timing jitter at the provider never takes a second over it
ABANDONED = 60.0  # a slot taken and neither started nor given back for this long no longer holds others up


@dataclass(eq=False)
class Slot:
    """A reserved send: when it may start, and what the pacer needs to account for it."""

    at: float
    ticket: int
    chat: Hashable
    reply: bool = False
    undo: tuple[float, float | None] = (float("-inf"), None)
    taken_at: float = field(default=0.0, repr=False)
    scheduled: float = field(default=0.0, repr=False)  # its place in the rate's schedule (at, or before it)


class Pacer:
    """Hands out send slots: at most `rate` a second overall, and `gap` seconds apart per chat.

    Slots follow a schedule rather than a sleep after each send, so time spent sending
    does not slow the rate; and the schedule is kept from one drain to the next. Idle
    time is never saved up for a burst. Thread-safe: threads sharing a pacer share its rate.

    Each slot has a ticket, numbered in the order slots are handed out. A send may start only
    once every send `most` tickets or more before it has finished, and `window` seconds after
    the last of those finished: a message reaches the provider between its start and its
    finish, so any `most` + 1 messages span at least `window` at the provider
    (`most` = floor(rate), `window` = most / rate). Two sends to one chat never overlap, so
    a chat's messages arrive in the order they were sent.
    """

    def __init__(self, rate: float, gap: float = 0.0, clock: Callable[[], float] = time.monotonic,
                 headroom: float = HEADROOM):
        self.interval = 1.0 / (rate * headroom) if rate > 0 else 0.0
        self.most = max(1, math.floor(rate)) if rate > 0 else 0
        self.window = self.most / rate if rate > 0 else 0.0
        self.gap = gap / headroom if gap > 0 else 0.0
        self.clock = clock
        self.lock = threading.Condition()
        self._next = float("-inf")
        self._chats: dict[Hashable, float] = {}  # chat -> when it may next be sent to
        self._tickets = 0
        self._taken: dict[int, Slot] = {}  # handed out, not started yet
        self._flying: dict[int, Slot] = {}  # started, not finished
        self._finished: dict[int, float] = {}  # ticket -> when it finished (recent ones only)
        self._chat_free: dict[Hashable, float] = {}  # chat -> its last send's finish + gap

    # --- the schedule ------------------------------------------------------------------------

    def _guard(self, ticket: int) -> tuple[bool, float]:
        """(an earlier send it must wait for is unfinished, the earliest time the window allows)."""
        if not self.most:
            return False, float("-inf")
        upto = ticket - self.most
        if any(t <= upto for t in self._flying) or any(
                t <= upto and self.clock() - s.taken_at < ABANDONED for t, s in self._taken.items()):
            return True, float("-inf")
        last = max((at for t, at in self._finished.items() if t <= upto), default=float("-inf"))
        return False, last + self.window

    def ready_at(self, chat: Hashable, reply: bool = False, base: float | None = None) -> float:
        """The earliest slot a send to this chat could have (call with the lock held).

        reply: not held to the chat's gap (an answer to what the person has just said).
        base: the earliest slot for any chat, if already worked out.
        """
        ready = self._base() if base is None else base
        return ready if reply else max(ready, self._chats.get(chat, float("-inf")))

    def _base(self) -> float:
        return max(self._next, self._guard(self._tickets)[1])

    def take(self, chat: Hashable, reply: bool = False) -> Slot:
        """Reserve the earliest slot for a send to chat."""
        with self.lock:
            return self._take(chat, reply)

    def _take(self, chat: Hashable, reply: bool = False, base: float | None = None) -> Slot:
        now = self.clock()
        at = max(self.ready_at(chat, reply, base), now)
        # The schedule moves on from the slot's place in it, not from a later time the window or
        # the chat's gap held this one send to: the sends after it need not wait for that too.
        scheduled = max(self._next, now)
        slot = Slot(at, self._tickets, chat, reply, (self._next, self._chats.get(chat)), now, scheduled)
        self._tickets += 1
        self._taken[slot.ticket] = slot
        self._next = scheduled + self.interval
        if self.gap and not reply:
            self._chats[chat] = max(at + self.gap, self._chats.get(chat, float("-inf")))
            if len(self._chats) > 10_000:  # forget chats whose gap is long over
                self._chats = {k: v for k, v in self._chats.items() if v > now}
        return slot

    def choose(self, chats: list[Hashable], replies: list[bool] | None = None) -> tuple[int, Slot]:
        """Of several waiting sends, reserve a slot for the one that can go soonest (the first, on a tie).

        A send whose chat had a message moments ago waits while the others go.
        """
        replies = replies or [False] * len(chats)
        with self.lock:
            base = self._base()
            index = min(range(len(chats)), key=lambda i: (self.ready_at(chats[i], replies[i], base), i))
            return index, self._take(chats[index], replies[index], base)

    # --- sending -----------------------------------------------------------------------------

    def wait_turn(self, slot: Slot, sleep: Callable[[float], None] = time.sleep) -> float:
        """Wait for the slot's time, then for the window and the chat to allow it; it is then started.

        Time is waited for with `sleep` (once for each reason: a test's sleep may not sleep);
        earlier sends still in flight are waited for on the pacer's condition. Returns how
        long it waited.
        """
        began = self.clock()
        wait = slot.at - began
        if wait > 0:
            sleep(wait)
        slept = False
        with self.lock:
            while True:
                blocked, allowed = self._guard(slot.ticket)
                if blocked or any(s.chat == slot.chat for s in self._flying.values()):
                    self.lock.wait(timeout=0.5)
                    continue
                if self.gap and not slot.reply:  # the gap counts from when the chat's last send finished
                    allowed = max(allowed, self._chat_free.get(slot.chat, float("-inf")))
                wait = allowed - self.clock()
                if wait > 0 and not slept:
                    slept = True
                    self.lock.release()
                    try:
                        sleep(wait)
                    finally:
                        self.lock.acquire()
                    continue
                break
            self._taken.pop(slot.ticket, None)
            self._flying[slot.ticket] = slot
            return self.clock() - began

    def done(self, slot: Slot) -> None:
        """Note that a send has finished (the provider has it, whatever it answered)."""
        with self.lock:
            now = self.clock()
            self._taken.pop(slot.ticket, None)
            self._flying.pop(slot.ticket, None)
            if self.gap:
                self._chat_free[slot.chat] = now + self.gap
                if len(self._chat_free) > 10_000:
                    self._chat_free = {k: v for k, v in self._chat_free.items() if v > now}
            if self.most:
                self._finished[slot.ticket] = now
                if len(self._finished) > 4 * self.most + 16:  # only recent finishes can hold a send back
                    keep = sorted(self._finished)[-2 * self.most:]
                    self._finished = {t: self._finished[t] for t in keep}
            self.lock.notify_all()

    def give_back(self, slot: Slot) -> None:
        """Return a slot that was not used (nothing was sent), if no later slot has been handed out."""
        with self.lock:
            self._taken.pop(slot.ticket, None)
            self._flying.pop(slot.ticket, None)
            if self._next == slot.scheduled + self.interval:
                self._next = slot.undo[0]
            if self.gap and not slot.reply and self._chats.get(slot.chat) == slot.at + self.gap:
                if slot.undo[1] is None:
                    self._chats.pop(slot.chat, None)
                else:
                    self._chats[slot.chat] = slot.undo[1]
            self.lock.notify_all()


def most_in_any_window(times: list[float], window: float = 1.0) -> int:
    """The most sends in any half-open window [t, t + window): what a provider's rate limit counts."""
    times, best, start = sorted(times), 0, 0
    for end, t in enumerate(times):
        while times[start] <= t - window:
            start += 1
        best = max(best, end - start + 1)
    return best
