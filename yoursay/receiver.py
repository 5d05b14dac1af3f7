"""Inbound messages handled in a process of their own, beside the web server.

A Python process runs one thread at a time. In the web server, handling a message (the
engine, the safeguarding check and the database calls, each of which lets go of the
interpreter and must wait to get it back) competed with the threads reading and writing
HTTP, and every message goes through the one writer. So `yoursay serve` starts this
process: each web thread keeps a connection to it (a Unix socket in a folder only this
user can open, and an auth key), sends the message and waits. The process runs whatever
has arrived in one transaction, commits once, then answers each sender
(benchmarks/webhook_load.py).

Nothing accepted is lost or handled twice: a message is answered only after its commit, and
if the process cannot answer, Runtime.receive handles the message in the web process
instead, where the message log recognises one the process had already stored. A process
that died, or did not answer in time, is replaced.
"""
from __future__ import annotations

import logging
import multiprocessing
import os
import pickle
import shutil
import signal
import tempfile
import threading
import time
from multiprocessing.connection import Client, Connection, Listener, wait

from sqlalchemy.exc import SQLAlchemyError

from service.conversations import Received, receive
from yoursay import logs
from yoursay.config import Settings

log = logging.getLogger(__name__)
RETRY_START_AFTER = 30.0  # seconds; meanwhile messages are handled in the web process


class ReceiverUnavailable(TimeoutError):
    """The receiver process did not answer: the message may or may not be stored."""


class ReceiverProcess:
    """The web side: receive(...) as service.conversations.receive takes it, run in the receiver process."""

    def __init__(self, settings: Settings, start_timeout: float = 120.0, reply_timeout: float = 10.0):
        self.settings, self.start_timeout, self.reply_timeout = settings, start_timeout, reply_timeout
        self._lock = threading.Lock()
        self._local = threading.local()
        self._process = None
        self._folder = self._address = self._authkey = None
        self._generation = 0
        self._stopped = False
        self._failed_at = float("-inf")  # when a start last failed: wait a while before the next try

    def start(self) -> "ReceiverProcess":
        with self._lock:
            self._spawn()
        return self

    def receive(self, **message) -> Received:
        """Handle one inbound message; returns once it is committed."""
        conn = self._connection()
        try:
            conn.send(message)
            if not conn.poll(self.reply_timeout):
                self._replace(f"it gave no answer in {self.reply_timeout:.0f}s")
                raise TimeoutError(f"no answer in {self.reply_timeout:.0f}s")
            ok, value = conn.recv()
        except (OSError, EOFError, TimeoutError) as exc:
            self._local.conn = None  # a late answer must not be read as the next one's
            conn.close()
            raise ReceiverUnavailable(f"the receiver process did not answer: {exc}") from exc
        if not ok:
            raise value
        return value

    def stop(self) -> None:
        with self._lock:
            self._stopped = True
            process, self._process = self._process, None
        if process is not None:
            process.terminate()
            process.join(timeout=10)
        self._remove_folder()

    def _connection(self) -> Connection:
        generation, conn = getattr(self._local, "conn", None) or (None, None)
        if conn is not None and generation == self._generation:
            return conn
        if not self._lock.acquire(timeout=1.0):  # another thread is starting a process: do not queue behind it
            raise ReceiverUnavailable("the receiver process is starting")
        try:
            if self._stopped:
                raise ReceiverUnavailable("the receiver process has been stopped")
            try:
                if self._process is None or not self._process.is_alive():
                    if time.monotonic() - self._failed_at < RETRY_START_AFTER:
                        raise RuntimeError("it failed to start a moment ago")
                    log.warning("starting the receiver process again: the last one stopped")
                    self._spawn()
                conn = Client(self._address, family="AF_UNIX", authkey=self._authkey)
            except (OSError, EOFError, multiprocessing.ProcessError, RuntimeError) as exc:
                if self._process is not None:  # alive but unreachable: replace it next time
                    self._process.kill()
                raise ReceiverUnavailable(f"cannot reach the receiver process: {exc}") from exc
            self._local.conn = (self._generation, conn)
            return conn
        finally:
            self._lock.release()

    def _replace(self, why: str) -> None:
        """Kill a process that stopped answering; the next message starts a new one."""
        if not self._lock.acquire(timeout=1.0):  # a new one is being started already
            return
        try:
            if self._process is not None and self._process.is_alive():
                log.error("stopping the receiver process: %s", why)
                self._process.kill()
        finally:
            self._lock.release()

    def _spawn(self) -> None:
        """Start a process (caller holds the lock); it builds its own runtime from the same settings."""
        if self._process is not None:
            self._process.kill()
            self._process.join(timeout=10)
        self._remove_folder()
        self._folder = tempfile.mkdtemp(prefix="yoursay-receiver-")  # mode 0700
        self._address, self._authkey = os.path.join(self._folder, "socket"), os.urandom(32)
        context = multiprocessing.get_context("spawn")  # never fork a process that runs threads
        ready_read, ready_write = context.Pipe(duplex=False)
        level = logging.getLogger("yoursay").getEffectiveLevel()
        self._process = context.Process(target=run_receiver, name="yoursay-receiver", daemon=True,
                                        args=(self.settings, self._address, self._authkey, os.getpid(),
                                              ready_write, level))
        self._process.start()
        ready_write.close()
        with ready_read:
            started = wait([ready_read, self._process.sentinel], self.start_timeout) and ready_read.poll()
        if not started:
            self._process.kill()
            self._process.join(timeout=10)
            self._failed_at = time.monotonic()
            raise RuntimeError("the receiver process did not start")
        self._generation += 1

    def _remove_folder(self) -> None:
        if self._folder:
            shutil.rmtree(self._folder, ignore_errors=True)
            self._folder = None


def run_receiver(settings: Settings, address: str, authkey: bytes, parent: int, ready: Connection, level: int) -> None:
    """The receiver process: answer every connection, one transaction for all that arrive together."""
    from storage.writer import run_together
    from yoursay.runtime import build

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the server, which stops this process
    logs.configure(logging.WARNING, level, fmt="%(asctime)s %(levelname)s %(name)s (receiver): %(message)s",
                   ours=("yoursay", "bot", "storage"))
    logs.hide(*logs.secrets_of(settings))
    rt = build(settings)
    if rt.bot.risk_check:
        from nlp import risk

        risk.preload()  # the rules and language models, once, in the process that reads messages
    listener = Listener(address, family="AF_UNIX", authkey=authkey)
    connections: list[Connection] = []
    lock = threading.Lock()
    wake_read, wake_write = os.pipe()

    def accept() -> None:
        while True:
            try:
                conn = listener.accept()
            except (EOFError, multiprocessing.AuthenticationError) as exc:
                log.warning("refused a connection: %s", exc)
                continue
            except OSError as exc:
                log.error("cannot accept connections: %s", exc)
                time.sleep(0.5)
                continue
            with lock:
                connections.append(conn)
            os.write(wake_write, b"+")

    threading.Thread(target=accept, name="receiver-accept", daemon=True).start()
    ready.send("ready")
    ready.close()
    while True:
        with lock:
            current = list(connections)
        waiting = wait([*current, wake_read], timeout=1.0)
        if os.getppid() != parent:
            return  # the web server has gone: nobody is left to answer
        if wake_read in waiting:
            os.read(wake_read, 4096)
        batch = []
        for conn in waiting:
            if conn == wake_read:
                continue
            try:
                batch.append((conn, conn.recv()))
            except (OSError, EOFError):  # that web thread has gone
                with lock:
                    connections.remove(conn)
        if batch:
            _answer(batch, run_together(rt.engine, [_work(rt, message) for _, message in batch]), connections, lock)


def _work(rt, message: dict):
    return lambda conn: receive(conn, rt.bot, **message)


def _answer(batch, outcomes, connections, lock) -> None:
    for (conn, message), (ok, value) in zip(batch, outcomes, strict=True):
        if not ok:
            log.error("could not handle a %s message", message.get("channel"), exc_info=value)
            value = _sendable(value)
        try:
            conn.send((ok, value))
        except (OSError, ValueError):
            with lock:
                connections.remove(conn)


def _sendable(error: Exception) -> Exception:
    """The error itself if it survives pickling (SQLAlchemy's do), else one of the same kind.

    A database error stays one that asks to be sent again; anything else is reported as what it was.
    """
    try:
        pickle.loads(pickle.dumps(error))
        return error
    except Exception:
        if isinstance(error, SQLAlchemyError):
            return ReceiverUnavailable(f"database error: {type(error).__name__}")
        return RuntimeError(f"{type(error).__name__}: {error}")
