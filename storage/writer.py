"""Group commit: one thread runs the work of many in shared transactions, one commit per batch.

SQLite allows one writer at a time and each commit waits for the disk. Rather than have
request threads queue for the lock one commit each, they hand their work to this thread,
which runs everything waiting in one transaction, and answers each caller only after the
commit is durable. A failing unit is retried on its own, so it never takes others down.
"""
from __future__ import annotations

import queue
import threading
from typing import Callable, TypeVar

from sqlalchemy import Connection, Engine

T = TypeVar("T")
_STOP = object()


class _Unit:
    """One caller's work; its lock is held until the batch it ran in is over."""

    __slots__ = ("work", "done", "result", "error")

    def __init__(self, work: Callable[[Connection], T]):
        self.work, self.result, self.error = work, None, None
        self.done = threading.Lock()  # a bare lock wakes the caller more cheaply than a Future
        self.done.acquire()

    def finish(self, result=None, error: BaseException | None = None) -> None:
        self.result, self.error = result, error
        self.done.release()


class GroupCommitter:
    """Runs work(connection) calls from many threads in shared transactions."""

    def __init__(self, engine: Engine, max_batch: int = 64):
        self.engine, self.max_batch = engine, max_batch
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def run(self, work: Callable[[Connection], T], timeout: float = 60.0) -> T:
        """Run work in the next batch; returns its result once the batch is committed."""
        if self._thread is None:
            with self._lock:
                if self._thread is None:
                    self._thread = threading.Thread(target=self._loop, name="group-commit", daemon=True)
                    self._thread.start()
        unit = _Unit(work)
        self._queue.put(unit)
        if not unit.done.acquire(timeout=timeout):
            raise TimeoutError(f"the database writer did not answer in {timeout:.0f}s")
        if unit.error is not None:
            raise unit.error
        return unit.result

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

    def _run_batch(self, batch: list[_Unit]) -> None:
        for unit, (ok, value) in zip(batch, run_together(self.engine, [u.work for u in batch]), strict=True):
            if ok:
                unit.finish(value)
            else:
                unit.finish(error=value)


def run_together(engine: Engine, works: list[Callable[[Connection], T]]) -> list[tuple[bool, object]]:
    """Run every work(connection) in one transaction and commit once: [(True, result) or (False, error)].

    If one fails, each is run again on its own, so one bad unit never takes the others down.
    """
    try:
        with engine.begin() as conn:
            return [(True, work(conn)) for work in works]
    except Exception as exc:
        if len(works) == 1:
            return [(False, exc)]
        return [run_together(engine, [work])[0] for work in works]
