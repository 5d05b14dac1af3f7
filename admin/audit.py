"""The audit log: who viewed original text, exported, changed tags, reviewed flags or managed users."""
from __future__ import annotations

from flask import current_app
from flask_login import current_user
from sqlalchemy import insert
from sqlalchemy.orm import Session

from storage.models import AuditEntry

ACTIONS = {
    "sign_in": "Signed in",
    "sign_in_failed": "Sign-in failed",
    "account_locked": "Account locked",
    "sign_out": "Signed out",
    "view_original": "Viewed original text",
    "view_flag": "Viewed a safeguarding flag",
    "close_flag": "Closed a safeguarding flag",
    "change_tags": "Changed themes",
    "export": "Exported",
    "link_qi": "Linked stories to a QI project",
    "user_create": "Created a user",
    "user_update": "Changed a user",
}


def record(session: Session, action: str, target: str = "", detail: str = "", username: str | None = None) -> None:
    """Add an entry in the caller's transaction, so the action and its record stand or fall together."""
    who = username or (current_user.username if current_user.is_authenticated else "anonymous")
    session.execute(insert(AuditEntry).values(username=who[:80], action=action[:40], target=target[:120],
                                              detail=detail, created_at=current_app.extensions["yoursay"].now()))
