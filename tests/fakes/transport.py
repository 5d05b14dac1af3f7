"""An in-memory outbox transport that records what it was asked to send, safe to share between threads."""
from __future__ import annotations

import threading
import time
from collections import Counter

from storage.outbox import Claimed


class RecordingTransport:
    """Stands in for Twilio or Telegram behind outbox.delivery.drain; every send is accepted."""

    def __init__(self, channel: str = "sms", delay: float = 0.0):
        self.channel, self.delay = channel, delay
        self.sent: list[Claimed] = []
        self._lock = threading.Lock()

    def send(self, item: Claimed) -> tuple[str | None, str]:
        if self.delay:
            time.sleep(self.delay)  # lets another sender's thread run, as a network call would
        with self._lock:
            self.sent.append(item)
            return f"fake-{len(self.sent)}", "queued"

    def outbox_ids(self) -> Counter:
        with self._lock:
            return Counter(item.id for item in self.sent)
