"""Group commit: one thread runs queued units of work together, with one commit per batch.

SQLite allows one writer at a time and each commit waits for the disk. Rather than have
request threads queue for the lock one commit each, they hand their work to this thread,
which runs everything waiting in one transaction, and answers each caller only after the
commit is durable. A failing unit is retried on its own, so it never takes others down.
"""
from __future__ import annotations

import logging
import queue
import threading
from concurrent.futures import Future
from typing import Callable, TypeVar

from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger(__name__)
T = TypeVar("T")
_STOP = object()


class GroupCommitter:
    """Runs work(session) calls from many threads in shared transactions."""

    def __init__(self, factory: sessionmaker[Session], max_batch: int = 64):
        self.factory, self.max_batch = factory, max_batch
        self._queue: queue.Queue = queue.Queue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def run(self, work: Callable[[Session], T], timeout: float = 60.0) -> T:
        """Run work in the next batch; returns its result once the batch is committed."""
        self._ensure_started()
        future: Future = Future()
        self._queue.put((work, future))
        return future.result(timeout)

    def stop(self) -> None:
        if self._thread:
            self._queue.put(_STOP)
            self._thread.join(timeout=10)
            self._thread = None

    def _ensure_started(self) -> None:
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._loop, name="group-commit", daemon=True)
                self._thread.start()

    def _loop(self) -> None:
        while True:
            item = self._queue.get()
            if item is _STOP:
                return
            batch = [item]
            while len(batch) < self.max_batch:
                try:
                    more = self._queue.get_nowait()
                except queue.Empty:
                    break
                if more is _STOP:
                    self._queue.put(_STOP)
                    break
                batch.append(more)
            self._run_batch(batch)

    def _run_batch(self, batch: list) -> None:
        try:
            results = []
            with self.factory.begin() as session:
                for work, _ in batch:
                    results.append(work(session))
        except Exception as exc:
            if len(batch) == 1:
                batch[0][1].set_exception(exc)
                return
            for item in batch:  # find the failing unit: each on its own
                self._run_batch([item])
            return
        for (_, future), result in zip(batch, results):
            future.set_result(result)

