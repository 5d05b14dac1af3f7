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
    "assign_flag": "Assigned a safeguarding flag",
    "start_flag": "Marked a safeguarding flag in progress",
    "reply_flag": "Replied to a person from a safeguarding flag",
    "change_tags": "Changed themes",
    "export": "Exported",
    "link_qi": "Linked stories to a QI project",
    "user_create": "Created a user",
    "user_update": "Changed a user",
    "unlink_qi": "Removed evidence from a QI project",
    "qi_create": "Added a QI project",
    "qi_update": "Changed a QI project",
    "ysd_create": "Wrote a You said, we did entry",
    "ysd_update": "Changed a You said, we did entry",
    "ysd_publish": "Published a You said, we did entry",
    "ysd_unpublish": "Unpublished a You said, we did entry",
    "board_shortlist": "Shortlisted a story for the board",
    "board_remove": "Took a story off the board shortlist",
    "board_update": "Changed a board story",
    "board_consent": "Recorded consent for a board story",
    "board_add_story": "Added a story to a board story",
    "board_remove_story": "Took a story off a board story",
    "opportunity_create": "Added an opportunity",
    "opportunity_update": "Changed an opportunity",
    "opportunity_publish": "Published an opportunity",
    "opportunity_close": "Closed an opportunity",
    "signup_status": "Changed a sign-up's status",
    "broadcast": "Sent Participation News",
    "dashboard_refresh": "Refreshed the dashboard's figures",
    "service_update": "Changed a service's settings",
    "fft_submitted": "Recorded the FFT return as submitted",
    "fft_submission_removed": "Removed the record of an FFT return's submission",
    "pack_download": "Downloaded a service's monthly pack",
}


def record(session: Session, action: str, target: str = "", detail: str = "", username: str | None = None) -> None:
    """Add an entry in the caller's transaction, so the action and its record stand or fall together."""
    who = username or (current_user.username if current_user.is_authenticated else "anonymous")
    session.execute(insert(AuditEntry).values(username=who[:80], action=action[:40], target=target[:120],
                                              detail=detail, created_at=current_app.extensions["yoursay"].now()))
