"""Staff accounts, with no Flask: used by the admin's user pages and by `yoursay users create`."""
from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from admin.security import ROLES, hash_password, password_problem
from storage.models import User

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,79}$")


def username_problem(session: Session, username: str) -> str | None:
    if not USERNAME.match(username):
        return "Username must be 2 to 80 lower-case letters, digits, dots, dashes or underscores"
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        return f"There is already a user called {username}"
    return None


def create(session: Session, username: str, role: str, password: str, now: datetime) -> User:
    """Add a user; raises ValueError saying what is wrong."""
    username = username.strip().lower()
    problem = (username_problem(session, username)
               or (None if role in ROLES else f"Role must be one of {', '.join(ROLES)}")
               or password_problem(password))
    if problem:
        raise ValueError(problem)
    user = User(username=username, password_hash=hash_password(password), role=role, active=True,
                session_version=0, created_at=now)
    session.add(user)
    session.flush()
    return user


def end_sessions(user: User) -> None:
    """Every session the user has open ends at its next request (see security.StaffUser.get_id)."""
    user.session_version += 1
