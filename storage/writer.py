"""Group commit: units of work from many threads share transactions, one commit per batch.

SQLite allows one writer at a time and each commit waits for the disk. Rather than have
request threads queue for the lock one commit each, the first thread to arrive becomes the
leader: it runs everything waiting, its own work included, in one transaction and commits
once. The others are answered only after that commit is durable. A failing unit is retried
on its own, so it never takes the others down.
"""
from __future__ import annotations

import threading
from concurrent.futures import Future
from typing import Callable, TypeVar

from sqlalchemy import Connection, Engine

T = TypeVar("T")


class GroupCommitter:
    """Runs work(connection) calls from many threads in shared transactions."""

    def __init__(self, engine: Engine, max_batch: int = 64):
        self.engine, self.max_batch = engine, max_batch
        self._lock = threading.Lock()
        self._waiting: list[tuple[Callable, Future]] = []
        self._leading = False

    def run(self, work: Callable[[Connection], T], timeout: float = 60.0) -> T:
        """Run work in the next batch; returns its result once the batch is committed."""
        future: Future = Future()
        with self._lock:
            self._waiting.append((work, future))
            lead = not self._leading
            self._leading = True
        if lead:
            self._lead()
        return future.result(timeout)

    def _lead(self) -> None:
        while True:
            with self._lock:
                batch, self._waiting = self._waiting[:self.max_batch], self._waiting[self.max_batch:]
                if not batch:
                    self._leading = False
                    return
            self._run_batch(batch)

    def _run_batch(self, batch: list) -> None:
        try:
            results = []
            with self.engine.begin() as conn:
                for work, _ in batch:
                    results.append(work(conn))
        except Exception as exc:
            if len(batch) == 1:
                batch[0][1].set_exception(exc)
                return
            for item in batch:  # find the failing unit: each on its own
                self._run_batch([item])
            return
        for (_, future), result in zip(batch, results, strict=True):
            future.set_result(result)
