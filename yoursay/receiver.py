"""Inbound messages handled in a process of their own, beside the web server.

A Python process runs one thread at a time. In the web server, handling a message (the
engine, the safeguarding check and the database calls, each of which lets go of the
interpreter and must wait to get it back) competed with the threads reading and writing
HTTP, and every message goes through the one writer. So `yoursay serve` starts this
process: each web thread keeps a connection to it (a private Unix socket, with an auth
key), sends the message and waits. The process runs whatever has arrived in one
transaction, commits once, then answers each sender (benchmarks/webhook_load.py).

Nothing accepted is lost: a message is answered only after its commit. If the process
dies, the waiting requests fail (Twilio and Telegram send again, and the message log
spots a repeat), and the next message starts a new process.
"""
from __future__ import annotations

import logging
import multiprocessing
import os
import pickle
import shutil
import tempfile
import threading
from multiprocessing.connection import Client, Connection, Listener, wait

from bot.conversations import Received, receive
from yoursay.config import Settings

log = logging.getLogger(__name__)


class ReceiverUnavailable(TimeoutError):
    """The receiver process did not answer: the message may or may not be stored, so ask again."""


class ReceiverProcess:
    """The web side: receive(...) as bot.conversations.receive takes it, run in the receiver process."""

    def __init__(self, settings: Settings, start_timeout: float = 120.0, reply_timeout: float = 60.0):
        self.settings, self.start_timeout, self.reply_timeout = settings, start_timeout, reply_timeout
        self._lock = threading.Lock()
        self._local = threading.local()
        self._process = None
        self._folder = self._address = self._authkey = None
        self._generation = 0

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
            process, folder, self._process, self._folder = self._process, self._folder, None, None
        if process is not None:
            process.terminate()
            process.join(timeout=10)
        if folder:
            shutil.rmtree(folder, ignore_errors=True)

    def _connection(self) -> Connection:
        generation, conn = getattr(self._local, "conn", None) or (None, None)
        if conn is not None and generation == self._generation:
            return conn
        with self._lock:
            if self._process is None or not self._process.is_alive():
                log.warning("starting the receiver process again: the last one stopped")
                try:
                    self._spawn()
                except Exception as exc:  # answered 5xx, so Twilio and Telegram send it again later
                    raise ReceiverUnavailable(f"the receiver process could not start: {exc}") from exc
            try:
                conn = Client(self._address, family="AF_UNIX", authkey=self._authkey)
            except OSError as exc:
                raise ReceiverUnavailable(f"cannot reach the receiver process: {exc}") from exc
            self._local.conn = (self._generation, conn)
        return conn

    def _spawn(self) -> None:
        """Start a process (caller holds the lock); it loads its own copy of the app's settings and surveys."""
        if self._process is not None:
            self._process.kill()
            self._process.join(timeout=10)
        if self._folder:
            shutil.rmtree(self._folder, ignore_errors=True)
        self._folder = tempfile.mkdtemp(prefix="yoursay-receiver-")  # only this user can reach the socket
        self._address, self._authkey = os.path.join(self._folder, "socket"), os.urandom(32)
        context = multiprocessing.get_context("spawn")  # never fork a process that runs threads
        ready = context.Event()
        self._process = context.Process(target=serve, name="yoursay-receiver", daemon=True,
                                        args=(self.settings, self._address, self._authkey, os.getpid(), ready))
        self._process.start()
        if not ready.wait(self.start_timeout):
            self._process.kill()
            raise RuntimeError(f"the receiver process did not start in {self.start_timeout:.0f}s")
        self._generation += 1


def serve(settings: Settings, address: str, authkey: bytes, parent: int, ready) -> None:
    """The receiver process: answer every connection, one transaction for all that arrive together."""
    from storage.writer import run_together
    from yoursay.runtime import build

    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s (receiver): %(message)s")
    for name in ("yoursay", "bot", "storage"):
        logging.getLogger(name).setLevel(logging.INFO)
    rt = build(settings)
    if rt.bot.risk_check:
        rt.bot.risk_check("warming up")
    listener = Listener(address, family="AF_UNIX", authkey=authkey)
    connections: list[Connection] = []
    lock = threading.Lock()
    wake_read, wake_write = os.pipe()

    def accept() -> None:
        while True:
            try:
                conn = listener.accept()
            except (OSError, EOFError, multiprocessing.AuthenticationError) as exc:
                log.warning("refused a connection: %s", exc)
                continue
            with lock:
                connections.append(conn)
            os.write(wake_write, b"+")

    threading.Thread(target=accept, name="receiver-accept", daemon=True).start()
    ready.set()
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
    """The error itself if it survives pickling (SQLAlchemy's do), else a RuntimeError saying what it was."""
    try:
        pickle.loads(pickle.dumps(error))
        return error
    except Exception:
        return RuntimeError(f"{type(error).__name__}: {error}")
