"""Group commit: many callers share transactions, each gets its own answer, and one failure harms no other."""
from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import func, select, text

from storage.models import Service
from storage.writer import GroupCommitter


def add_service(code: str):
    def work(conn):
        conn.execute(Service.__table__.insert().values(code=code, name=code, active=True))
        return code.lower()
    return work


def codes(rt) -> set[str]:
    with rt.engine.connect() as conn:
        return set(conn.scalars(select(Service.code)))


def test_each_caller_gets_its_own_result_once_its_work_is_committed(runtime):
    committer = GroupCommitter(runtime.engine)
    results, seen_after = {}, {}

    def caller(n: int):
        code = f"SVC{n:02d}"
        results[n] = committer.run(add_service(code))
        seen_after[n] = code in codes(runtime)  # visible to another connection as soon as run() returns

    threads = [threading.Thread(target=caller, args=(n,)) for n in range(24)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    committer.stop()
    assert results == {n: f"svc{n:02d}" for n in range(24)}
    assert all(seen_after.values())
    assert codes(runtime) == {f"SVC{n:02d}" for n in range(24)}


def test_a_failing_unit_fails_its_own_caller_and_no_other(runtime):
    committer = GroupCommitter(runtime.engine)
    gate = threading.Event()

    def slow(conn):  # holds the writer so that the next units queue up and share a batch
        gate.wait(5)
        conn.execute(text("SELECT 1"))
        return "slow"

    outcomes = {}

    def call(name, work):
        try:
            outcomes[name] = committer.run(work)
        except Exception as exc:  # the caller sees its own error
            outcomes[name] = exc

    first = threading.Thread(target=call, args=("slow", slow))
    first.start()
    rest = [threading.Thread(target=call, args=(name, work)) for name, work in
            [("a", add_service("AAA")), ("dup", add_service("AAA")), ("b", add_service("BBB"))]]
    for t in rest:
        t.start()
    deadline = time.monotonic() + 5
    while committer._queue.qsize() < 3 and time.monotonic() < deadline:  # all three wait for one batch
        time.sleep(0.005)
    gate.set()
    for t in [first, *rest]:
        t.join()
    committer.stop()
    assert (outcomes["slow"], outcomes["b"]) == ("slow", "bbb")
    # The same code twice breaks the unique constraint: whichever came second fails, alone.
    assert sorted(type(outcomes[k]).__name__ for k in ("a", "dup")) == ["IntegrityError", "str"]
    with runtime.engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(Service).where(Service.code == "AAA")) == 1
    assert {"AAA", "BBB"} <= codes(runtime)


def test_work_after_stop_starts_the_writer_again(runtime):
    committer = GroupCommitter(runtime.engine)
    assert committer.run(add_service("ONE")) == "one"
    committer.stop()
    assert committer.run(add_service("TWO")) == "two"
    committer.stop()
    broken = GroupCommitter(runtime.engine)
    with pytest.raises(Exception, match="no_such_table"):
        broken.run(lambda conn: conn.execute(text("SELECT * FROM no_such_table")))
    broken.stop()
