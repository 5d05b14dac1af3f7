"""Who may do what in the admin: sign-in required, roles, sessions, CSRF, password hashing, sign-in limits."""
from __future__ import annotations

import secrets
from datetime import timedelta
from functools import lru_cache, wraps

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import Blueprint, abort, current_app, request
from flask_login import LoginManager, UserMixin, current_user
from flask_wtf.csrf import CSRFProtect

from storage.models import User
from storage.throttle import Limit

ROLES = ("viewer", "reviewer", "admin")  # each can do all that the ones before it can
RANK = {role: rank for rank, role in enumerate(ROLES)}
MIN_PASSWORD = 12
MAX_FAILURES = 5  # failed sign-ins for one username (known or not) within LOCK_MINUTES lock it
LOCK_MINUTES = 15
ADDRESS_MAX_FAILURES = 50  # from one client address, counted only behind YOURSAY_TRUSTED_PROXIES
USERNAME_LIMIT = Limit(MAX_FAILURES, timedelta(minutes=LOCK_MINUTES), timedelta(minutes=LOCK_MINUTES))
ADDRESS_LIMIT = Limit(ADDRESS_MAX_FAILURES, timedelta(minutes=LOCK_MINUTES), timedelta(minutes=LOCK_MINUTES))

csrf = CSRFProtect()
login_manager = LoginManager()
hasher = PasswordHasher()  # Argon2id with argon2-cffi's current recommended parameters


def hash_password(password: str) -> str:
    return hasher.hash(password)


@lru_cache(maxsize=4)
def _dummy_hash(with_hasher: PasswordHasher) -> str:
    """A hash no password matches, made with the hasher's own costs the first time one is needed."""
    return with_hasher.hash(secrets.token_urlsafe(32))


def verify_password(stored: str | None, password: str) -> bool:
    """True if the password matches. No stored hash still costs one Argon2 check, so timing tells nothing."""
    try:
        return hasher.verify(stored or _dummy_hash(hasher), password) and stored is not None
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
        self.id, self.username, self.role, self.version = row.id, row.username, row.role, row.session_version

    def get_id(self) -> str:
        """What the session cookie holds: the id and the session version, so raising the version ends it."""
        return f"{self.id}:{self.version}"

    def can(self, role: str) -> bool:
        return RANK.get(self.role, -1) >= RANK[role]


@login_manager.user_loader
def _load_user(token: str) -> StaffUser | None:
    """On every request: the cookie's user, only if still active and the session version still matches."""
    rt = current_app.extensions["yoursay"]
    try:
        key, version = (int(part) for part in token.split(":"))
    except ValueError:
        return None
    with rt.factory() as session:
        row = session.get(User, key)
        if row is None or not row.active or row.role not in RANK or row.session_version != version:
            return None
        return StaffUser(row)


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

