"""Keeping sends to a schedule: a rate for the whole channel, and a gap between two sends to one chat."""
from __future__ import annotations

import math
import threading
import time
from collections import deque
from typing import Callable, Hashable

HEADROOM = 0.98  # run a little under the limit, so timing jitter at the provider never takes a second over it


class Pacer:
    """Hands out send slots: at most `rate` a second overall, and `gap` seconds apart per chat.

    Slots follow a schedule rather than a sleep after each send, so time spent sending
    does not slow the rate; and the schedule is kept from one drain to the next. Idle
    time is never saved up for a burst. Thread-safe: threads sharing a pacer share its rate.
    """

    def __init__(self, rate: float, gap: float = 0.0, clock: Callable[[], float] = time.monotonic,
                 headroom: float = HEADROOM):
        self.interval = 1.0 / (rate * headroom) if rate > 0 else 0.0
        # However late sends run or however long they take, no more than `most` arrive within any
        # `window` seconds: a send starts only once the one `most` sends before it finished `window` ago.
        self.most = max(1, math.floor(rate)) if rate > 0 else 0
        self.window = self.most / rate if rate > 0 else 0.0
        self._done: deque[float] = deque(maxlen=self.most or 1)
        self.gap = gap / headroom if gap > 0 else 0.0
        self.clock = clock
        self.lock = threading.Lock()
        self._next = float("-inf")
        self._chats: dict[Hashable, float] = {}  # chat -> when it may next be sent to

    def ready_at(self, chat: Hashable, reply: bool = False) -> float:
        """The earliest slot a send to this chat could have (call with the lock held).

        reply: not held to the chat's gap (an answer to what the person has just said).
        """
        ready = self._next
        if self.most and len(self._done) == self.most:
            ready = max(ready, self._done[0] + self.window)
        return ready if reply else max(ready, self._chats.get(chat, float("-inf")))

    def take(self, chat: Hashable, reply: bool = False) -> tuple[float, tuple[float, float | None]]:
        """Reserve the earliest slot for a send to chat: (slot, what give_back needs)."""
        with self.lock:
            return self._take(chat, reply)

    def _take(self, chat: Hashable, reply: bool = False) -> tuple[float, tuple[float, float | None]]:
        now = self.clock()
        slot = max(self.ready_at(chat, reply), now)
        undo = (self._next, self._chats.get(chat))
        self._next = slot + self.interval
        if self.gap:
            self._chats[chat] = max(slot + self.gap, self._chats.get(chat, float("-inf")))
            if len(self._chats) > 10_000:  # forget chats whose gap is long over
                self._chats = {k: v for k, v in self._chats.items() if v > now}
        return slot, undo

    def choose(self, chats: list[Hashable], replies: list[bool] | None = None
               ) -> tuple[int, float, tuple[float, float | None]]:
        """Of several waiting sends, reserve a slot for the one that can go soonest (the first, on a tie).

        A send whose chat had a message moments ago waits while the others go.
        """
        replies = replies or [False] * len(chats)
        with self.lock:
            index = min(range(len(chats)), key=lambda i: (self.ready_at(chats[i], replies[i]), i))
            slot, undo = self._take(chats[index], replies[index])
            return index, slot, undo

    def done(self) -> None:
        """Note that a send has finished (the provider has it, whatever it answered)."""
        with self.lock:
            if self.most:
                self._done.append(self.clock())

    def give_back(self, chat: Hashable, slot: float, undo: tuple[float, float | None]) -> None:
        """Return a slot that was not used (nothing was sent), if no later slot has been handed out."""
        with self.lock:
            if self._next == slot + self.interval:
                self._next = undo[0]
            if self.gap and self._chats.get(chat) == slot + self.gap:
                if undo[1] is None:
                    self._chats.pop(chat, None)
                else:
                    self._chats[chat] = undo[1]
