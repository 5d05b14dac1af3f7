"""Failed sign-ins counted per key ("user:<name>", "addr:<address>") in the database, for every worker."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session, sessionmaker

from storage.models import SignInThrottle
from storage.upsert import insert


@dataclass(frozen=True)
class Limit:
    """This many failures within `window` of the first lock the key for `lock`."""

    failures: int
    window: timedelta
    lock: timedelta


def hold(session: Session, key: str, limit: Limit, now: datetime) -> SignInThrottle:
    """The key's row, locked until the transaction ends; its count starts again once its window or lock is over."""
    session.execute(insert(session, SignInThrottle).values(key=key, failures=0, window_started_at=now)
                    .on_conflict_do_nothing())
    row = session.get(SignInThrottle, key, with_for_update=True, populate_existing=True)
    over = (row.locked_until <= now) if row.locked_until else (row.window_started_at <= now - limit.window)
    if over:
        row.failures, row.window_started_at, row.locked_until = 0, now, None
    return row


def refuses(row: SignInThrottle, limit: Limit) -> bool:
    """Locked, or every attempt its window allows is taken (some may still be being checked). After hold()."""
    return row.locked_until is not None or row.failures >= limit.failures


def fail(session: Session, key: str, limit: Limit, now: datetime) -> bool:
    """An attempt counted before it was checked has failed: lock the key if its window is full. True if locked now."""
    row = hold(session, key, limit, now)
    if row.locked_until is None and row.failures >= limit.failures:
        row.locked_until = now + limit.lock
        return True
    return False


def give_back(session: Session, key: str, limit: Limit, now: datetime) -> None:
    """An attempt counted before it was checked has succeeded: it is not a failure."""
    row = hold(session, key, limit, now)
    row.failures = max(0, row.failures - 1)


def clear(session: Session, key: str) -> None:
    session.execute(delete(SignInThrottle).where(SignInThrottle.key == key))


def recent(session: Session, keys: list[str], limit: Limit, now: datetime) -> dict[str, SignInThrottle]:
    """The keys that are locked or have failures in their current window."""
    rows = session.scalars(select(SignInThrottle).where(
        SignInThrottle.key.in_(keys),
        or_(SignInThrottle.locked_until > now,
            (SignInThrottle.locked_until.is_(None)) & (SignInThrottle.failures > 0)
            & (SignInThrottle.window_started_at > now - limit.window))))
    return {row.key: row for row in rows}


def forget(factory: sessionmaker[Session], now: datetime, after: timedelta = timedelta(hours=1)) -> int:
    """Delete counters that no longer count (a scheduled job): they hold usernames and addresses tried."""
    with factory.begin() as session:
        return session.execute(delete(SignInThrottle).where(
            SignInThrottle.window_started_at < now - after,
            or_(SignInThrottle.locked_until.is_(None), SignInThrottle.locked_until < now))).rowcount
