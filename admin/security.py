"""Who may do what in the admin: sign-in required, roles, CSRF, password hashing, sign-in throttling."""
from __future__ import annotations

import threading
import time
from collections import deque
from functools import wraps

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import Blueprint, abort, current_app, request
from flask_login import LoginManager, UserMixin, current_user
from flask_wtf.csrf import CSRFProtect

from storage.models import User

ROLES = ("viewer", "reviewer", "admin")  # each can do all that the ones before it can
RANK = {role: rank for rank, role in enumerate(ROLES)}
MIN_PASSWORD = 12
MAX_FAILURES = 5  # failed sign-ins in a row before an account is locked
LOCK_MINUTES = 15

csrf = CSRFProtect()
login_manager = LoginManager()
hasher = PasswordHasher()  # Argon2id with argon2-cffi's current recommended parameters
_DUMMY_HASH = hasher.hash("a password nobody has, so unknown names take as long as known ones")


def hash_password(password: str) -> str:
    return hasher.hash(password)


def verify_password(stored: str | None, password: str) -> bool:
    """True if the password matches; an unknown user still costs one hash, so timing tells nothing."""
    try:
        return hasher.verify(stored or _DUMMY_HASH, password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


def password_problem(password: str, confirm: str | None = None) -> str | None:
    """Why a new password is not acceptable, or None."""
    if len(password) < MIN_PASSWORD:
        return f"Password must be {MIN_PASSWORD} characters or more"
    if len(password) > 256:
        return "Password must be 256 characters or fewer"
    if confirm is not None and password != confirm:
        return "Passwords must match"
    return None


class StaffUser(UserMixin):
    """The signed-in member of staff, as Flask-Login sees them (a detached copy of the row)."""

    def __init__(self, row: User):
        self.id, self.username, self.role = row.id, row.username, row.role

    def can(self, role: str) -> bool:
        return RANK.get(self.role, -1) >= RANK[role]


@login_manager.user_loader
def _load_user(user_id: str) -> StaffUser | None:
    rt = current_app.extensions["yoursay"]
    try:
        key = int(user_id)
    except ValueError:
        return None
    with rt.factory() as session:
        row = session.get(User, key)
        return StaffUser(row) if row is not None and row.active and row.role in RANK else None


def role_required(role: str):
    """Refuse (403) anyone signed in below this role. Sign-in itself is checked by protect()."""
    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not current_user.can(role):
                abort(403)
            return view(*args, **kwargs)
        return wrapped
    return decorator


def protect(bp: Blueprint, public: tuple[str, ...] = ()) -> Blueprint:
    """Every view of this blueprint needs sign-in (except the named endpoints), and every POST a CSRF token."""
    @bp.before_request
    def _check():
        csrf.protect()  # only checks unsafe methods (POST and the like)
        if request.endpoint in public:
            return None
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        return None
    return bp


class Throttle:
    """Failed sign-ins per client address in a sliding window, in this process."""

    def __init__(self, limit: int = 20, window: float = 15 * 60):
        self.limit, self.window = limit, window
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        times = self._failures.setdefault(key, deque())
        while times and times[0] <= now - self.window:
            times.popleft()
        return times

    def blocked(self, key: str) -> bool:
        with self._lock:
            return len(self._recent(key, time.monotonic())) >= self.limit

    def fail(self, key: str) -> None:
        with self._lock:
            now = time.monotonic()
            self._recent(key, now).append(now)
            if len(self._failures) > 10_000:  # forget the quiet ones so memory stays bounded
                for stale in [k for k, v in self._failures.items() if not v or v[-1] <= now - self.window]:
                    del self._failures[stale]
