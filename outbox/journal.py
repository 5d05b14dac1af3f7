"""A sender's local journal: which outbox rows it is sending, and which the provider has accepted.

A sender appends one line to its journal just before each request ("B id") and one right
after the provider accepts it ("S id status time provider-id"): a single os.write on a file
opened O_APPEND, so the line is in the kernel microseconds after the answer came, and a
SIGKILL or crash of the process cannot lose it (a power cut can: the journal is not
fsynced, see the README's delivery guarantees). The database learns the same facts a moment
later, in batches; once it has, the lines are dropped when the journal is compacted.

When a sender's process has gone, whichever sender on the machine next claims rows folds
its journal into the database before claiming anything: rows the provider accepted are
marked sent (never sent again), and rows whose request had started with no answer noted are
"in doubt" and are put back to be sent again (see delivery.fold_journals).

Each worker (host:pid, or a test's name) has a file of its own per database, named after the
process (pid and start time, so a pid used again is not mistaken for the old process).
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import socket
import tempfile
import threading
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

ENV = "YOURSAY_OUTBOX_JOURNAL_DIR"
SUFFIX = ".journal"
COMPACT_AT = 64 * 1024  # bytes: past this the journal is rewritten with only the lines still needed


def _start_time(pid: int) -> str:
    """When a process started (clock ticks since boot), or '' where /proc cannot tell."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            stat = f.read().decode(errors="replace")
        return stat.rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return ""


HOST = socket.gethostname()
PROCESS = f"{os.getpid()}-{_start_time(os.getpid())}"


def process_alive(pid: int, started: str) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        pass
    return not started or _start_time(pid) in ("", started)


def folder_for(database_url: str, base: str | None = None) -> Path:
    """The journal folder for one database: $YOURSAY_OUTBOX_JOURNAL_DIR (or the temp folder), then a hash of it."""
    base = base or os.environ.get(ENV) or os.path.join(tempfile.gettempdir(), "yoursay-outbox-journal")
    return Path(base) / hashlib.sha256(database_url.encode()).hexdigest()[:16]


@dataclass
class Entry:
    """What one journal says about one outbox row."""

    started: bool = False
    accepted: tuple[str | None, str, datetime] | None = None  # provider id, provider status, when


@dataclass
class Contents:
    worker: str
    host: str
    pid: int
    started: str  # the process's start time, as in the file name
    entries: dict[int, Entry] = field(default_factory=dict)

    @property
    def accepted(self) -> dict[int, tuple[str | None, str, datetime]]:
        return {i: e.accepted for i, e in self.entries.items() if e.accepted}

    @property
    def in_doubt(self) -> list[int]:
        """Rows whose request had started, with no answer noted: they may or may not have gone."""
        return sorted(i for i, e in self.entries.items() if e.started and not e.accepted)


def read(path: Path) -> Contents | None:
    """A journal's contents; a last line cut short by the crash is ignored."""
    try:
        text = path.read_bytes().decode("utf-8", errors="replace")
    except FileNotFoundError:
        return None
    contents = None
    for line in text.split("\n"):
        parts = line.split(" ", 4)
        try:
            if parts[0] == "W" and len(parts) == 5:
                contents = Contents(json.loads(parts[4]), parts[1], int(parts[2]), parts[3])
            elif contents is None:
                continue
            elif parts[0] == "B" and len(parts) == 2:
                contents.entries.setdefault(int(parts[1]), Entry()).started = True
            elif parts[0] == "S" and len(parts) == 5:
                entry = contents.entries.setdefault(int(parts[1]), Entry(started=True))
                entry.accepted = (json.loads(parts[4]), parts[2], datetime.fromisoformat(parts[3]))
        except (ValueError, IndexError):  # a line cut short
            continue
    return contents


class Journal:
    """One worker's journal for one database. Thread-safe; use Journal.open to share one per worker."""

    _open: dict[tuple[Path, str], Journal] = {}
    _open_lock = threading.Lock()

    @classmethod
    def open(cls, folder: Path, worker: str) -> Journal:
        with cls._open_lock:
            key = (Path(folder), worker)
            journal = cls._open.get(key)
            if journal is None or journal.closed:
                journal = cls._open[key] = cls(Path(folder), worker)
            return journal

    def __init__(self, folder: Path, worker: str):
        self.folder, self.worker = folder, worker
        folder.mkdir(parents=True, exist_ok=True)
        tag = hashlib.sha256(worker.encode()).hexdigest()[:8]
        host = re.sub(r"[^A-Za-z0-9.-]", "_", HOST)
        self.path = folder / f"{host}~{PROCESS}~{tag}{SUFFIX}"
        self.lock = threading.Lock()
        self.closed = False
        self._lines: dict[int, list[bytes]] = {}  # row -> its lines not yet known to the database
        self._backlog: list = []  # outcomes a drain could not record (the database was down), for the next
        self._fd = self._create(self.path, [])

    def _header(self) -> bytes:
        pid, started = PROCESS.split("-", 1)
        return f"W {HOST} {pid} {started} {json.dumps(self.worker)}\n".encode()

    def _create(self, path: Path, lines: list[bytes]) -> int:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_TRUNC, 0o600)
        os.write(fd, self._header() + b"".join(lines))
        return fd

    def _write(self, row: int, line: bytes) -> None:
        with self.lock:
            os.write(self._fd, line)
            self._lines.setdefault(row, []).append(line)

    def started(self, row: int) -> None:
        """Just before the request for this row."""
        self._write(row, f"B {row}\n".encode())

    def accepted(self, row: int, provider_id: str | None, status: str, at: datetime) -> None:
        """Right after the provider accepted this row's message."""
        status = re.sub(r"\s", "_", status or "-")
        self._write(row, f"S {row} {status} {at.isoformat()} {json.dumps(provider_id)}\n".encode())

    def recorded(self, rows) -> None:
        """The database now knows these rows' fate: their lines are no longer needed."""
        with self.lock:
            for row in rows:
                self._lines.pop(row, None)
            if not self._lines or os.fstat(self._fd).st_size > COMPACT_AT:
                self._compact()

    def _compact(self) -> None:
        """Rewrite the journal with only the lines still needed (atomically: write aside, then rename)."""
        if not self._lines and os.fstat(self._fd).st_size <= len(self._header()):
            return
        aside = self.path.with_suffix(".compacting")
        fd = self._create(aside, [line for lines in self._lines.values() for line in lines])
        os.replace(aside, self.path)
        os.close(self._fd)
        self._fd = fd

    def keep_backlog(self, outcomes: list) -> None:
        with self.lock:
            self._backlog.extend(outcomes)

    def take_backlog(self) -> list:
        with self.lock:
            backlog, self._backlog = self._backlog, []
            return backlog

    def close(self) -> None:
        """Remove the journal if the database knows everything in it; else leave it to be folded."""
        with self.lock:
            if self.closed:
                return
            self.closed = True
            os.close(self._fd)
            if not self._lines:
                self.path.unlink(missing_ok=True)


def others(folder: Path, me: Journal | None = None) -> list[Path]:
    """Journals in the folder (and folds left unfinished) belonging to processes on this machine that have gone."""
    found = []
    try:
        names = os.listdir(folder)
    except FileNotFoundError:
        return []
    host = re.sub(r"[^A-Za-z0-9.-]", "_", HOST)
    for name in names:
        if not (name.endswith(SUFFIX) or ".folding~" in name) or (me is not None and name == me.path.name):
            continue
        owner = name.rsplit(".folding~", 1)[1] if ".folding~" in name else name.split("~")[1]
        if not name.startswith(host + "~") or "-" not in owner:
            continue
        pid, _, started = owner.partition("-")
        if pid.isdigit() and f"{pid}-{started}" != PROCESS and not process_alive(int(pid), started):
            found.append(folder / name)
    return found


def take(path: Path) -> Path | None:
    """Take a gone process's journal to fold it (renamed, so two senders never fold it at once)."""
    base = str(path).split(".folding~", 1)[0]
    mine = Path(f"{base}.folding~{PROCESS}")
    try:
        os.rename(path, mine)
    except FileNotFoundError:  # another sender took it first
        return None
    return mine
