"""Checking a sign-in: the same work for every name, with failures counted in the database.

Each attempt is counted as a failure before the password is checked, and given back if it
is right, so workers checking at once cannot together pass the limit. The password is
checked outside any transaction: Argon2 takes a while and must hold no lock.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from admin import audit, security
from storage import throttle
from storage.throttle import Limit
from storage.models import SignInThrottle, User

log = logging.getLogger(__name__)
WRONG, LOCKED, THROTTLED = "wrong", "locked", "throttled"


@dataclass(frozen=True)
class Outcome:
    problem: str | None = None  # WRONG, LOCKED or THROTTLED; None when signed in
    user: security.StaffUser | None = None


def user_key(username: str) -> str:
    return f"user:{username}"


def check(factory: sessionmaker[Session], username: str, password: str, address: str | None,
          now: datetime) -> Outcome:
    """Sign-in for username from address (None: do not count by address). Records it in the audit log."""
    limits = [(user_key(username), security.USERNAME_LIMIT)]
    if address:
        limits.append((f"addr:{address[:120]}", security.ADDRESS_LIMIT))
    with factory.begin() as db:
        rows = [throttle.hold(db, key, limit, now) for key, limit in limits]  # the username's first, always
        if address and throttle.refuses(rows[1], security.ADDRESS_LIMIT):
            audit.record(db, "sign_in_failed", username, "too many failures from one address", username=username)
            return Outcome(THROTTLED)
        if throttle.refuses(rows[0], security.USERNAME_LIMIT):
            audit.record(db, "sign_in_failed", username, "account locked", username=username)
            return Outcome(LOCKED)
        for row in rows:
            row.failures += 1
        stored = db.scalar(select(User.password_hash).where(User.username == username))
    matches = security.verify_password(stored, password)  # one Argon2 check whether or not the name exists
    with factory.begin() as db:
        user = db.scalars(select(User).where(User.username == username).with_for_update()).first()
        if matches and user is not None and user.active and user.password_hash == stored:
            return _signed_in(db, user, password, limits, now)
        user_locked, *address_paused = [throttle.fail(db, key, limit, now) for key, limit in limits]
        why = "unknown user" if user is None else "wrong password" if not matches else "inactive"
        audit.record(db, "sign_in_failed", username, why, username=username)
        if any(address_paused):
            log.warning("sign-ins from %s paused for %s after %d failures", address, security.ADDRESS_LIMIT.lock,
                        security.ADDRESS_LIMIT.failures)
        if user_locked:
            audit.record(db, "account_locked", username, f"after {security.MAX_FAILURES} failures",
                         username=username)
            return Outcome(LOCKED)
        return Outcome(WRONG)


def _signed_in(db: Session, user: User, password: str, limits: list[tuple[str, Limit]], now: datetime) -> Outcome:
    throttle.clear(db, limits[0][0])  # the username's failures in a row start again
    for key, limit in limits[1:]:
        throttle.give_back(db, key, limit, now)
    user.last_login_at = now
    if security.hasher.check_needs_rehash(user.password_hash):
        user.password_hash = security.hash_password(password)
    audit.record(db, "sign_in", user.username, username=user.username)
    return Outcome(user=security.StaffUser(user))


def unlock(db: Session, username: str) -> None:
    """An admin clears a username's failed sign-ins and lock."""
    throttle.clear(db, user_key(username))


def locks(db: Session, usernames: list[str], now: datetime) -> dict[str, SignInThrottle]:
    """Usernames locked now, or with failed sign-ins in their current window, and their counters."""
    rows = throttle.recent(db, [user_key(name) for name in usernames], security.USERNAME_LIMIT, now)
    return {key.removeprefix("user:"): row for key, row in rows.items()}
