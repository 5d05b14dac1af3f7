"""Group commit: one thread runs the work of many in shared transactions, one commit per batch.

SQLite allows one writer at a time and each commit waits for the disk. Rather than have
request threads queue for the lock one commit each, they hand their work to this thread,
which runs everything waiting in one transaction, and answers each caller only after the
commit is durable. A failing unit is retried on its own, so it never takes others down.
"""
from __future__ import annotations

import queue
import threading
from concurrent.futures import Future
from typing import Callable, TypeVar

from sqlalchemy import Connection, Engine

T = TypeVar("T")
_STOP = object()


class GroupCommitter:
    """Runs work(connection) calls from many threads in shared transactions."""

    def __init__(self, engine: Engine, max_batch: int = 64):
        self.engine, self.max_batch = engine, max_batch
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def run(self, work: Callable[[Connection], T], timeout: float = 60.0) -> T:
        """Run work in the next batch; returns its result once the batch is committed."""
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._loop, name="group-commit", daemon=True)
                self._thread.start()
        future: Future = Future()
        self._queue.put((work, future))
        return future.result(timeout)

    def stop(self) -> None:
        """Finish what is queued, then stop the thread."""
        with self._lock:
            thread, self._thread = self._thread, None
        if thread is not None:
            self._queue.put(_STOP)
            thread.join(timeout=30)

    def _loop(self) -> None:
        while True:
            item = self._queue.get()
            if item is _STOP:
                return
            batch = [item]
            while len(batch) < self.max_batch:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is _STOP:
                    self._queue.put(_STOP)
                    break
                batch.append(item)
            self._run_batch(batch)

    def _run_batch(self, batch: list) -> None:
        try:
            with self.engine.begin() as conn:
                results = [work(conn) for work, _ in batch]
        except Exception as exc:
            if len(batch) == 1:
                batch[0][1].set_exception(exc)
                return
            for item in batch:  # find the failing unit: each on its own
                self._run_batch([item])
            return
        for (_, future), result in zip(batch, results, strict=True):
            future.set_result(result)
