"""Signing in and out: /admin/login and /admin/logout."""
from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select

from admin import audit, security
from admin.forms import Errors
from storage.models import User

bp = security.protect(Blueprint("auth", __name__, url_prefix="/admin"), public=("auth.login",))

BAD_CREDENTIALS = "Enter a correct username and password"
LOCKED = (f"This account is locked after {security.MAX_FAILURES} failed sign-ins. Try again in "
          f"{security.LOCK_MINUTES} minutes, or ask an admin to unlock it")
THROTTLED = f"Too many failed sign-ins from this device. Wait {security.LOCK_MINUTES} minutes and try again"


def _safe_next(target: str | None) -> str:
    """Only a path inside the admin: never another site."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/admin") and "\\" not in target:
            return target
    return url_for("home.index")


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated and request.method == "GET":
        return redirect(url_for("home.index"))
    errors, username, status = Errors(), "", 200
    if request.method == "POST":
        username = request.form.get("username", "").strip().lower()[:80]
        password = request.form.get("password", "")
        if not username:
            errors.add("username", "Enter your username")
        if not password:
            errors.add("password", "Enter your password")
        if not errors:
            problem = _sign_in(username, password)
            if problem is None:
                return redirect(_safe_next(request.args.get("next")))
            errors.add("username", problem)
            status = 429 if problem == THROTTLED else 200
    return render_template("admin/login.html", errors=errors, username=username), status


def _sign_in(username: str, password: str) -> str | None:
    """Sign in, or say why not. Every failure is counted, by account and by client address."""
    rt = current_app.extensions["yoursay"]
    throttle: security.Throttle = current_app.extensions["yoursay_throttle"]
    client = request.remote_addr or "unknown"
    if throttle.blocked(client):
        return THROTTLED
    now = rt.now()
    with rt.factory.begin() as db:
        user = db.scalars(select(User).where(User.username == username).with_for_update()).first()
        if user is not None and user.locked_until is not None and user.locked_until > now:
            throttle.fail(client)
            audit.record(db, "sign_in_failed", username, "account locked", username=username)
            return LOCKED
        if user is None or not user.active or not security.verify_password(
                user.password_hash if user else None, password):
            throttle.fail(client)
            audit.record(db, "sign_in_failed", username, "unknown user" if user is None else "wrong password or "
                         "inactive", username=username)
            if user is not None:
                user.failed_logins += 1
                if user.failed_logins >= security.MAX_FAILURES:
                    user.locked_until, user.failed_logins = now + timedelta(minutes=security.LOCK_MINUTES), 0
                    audit.record(db, "account_locked", username, f"after {security.MAX_FAILURES} failures",
                                 username=username)
                    return LOCKED
            return BAD_CREDENTIALS
        user.failed_logins, user.locked_until, user.last_login_at = 0, None, now
        if security.hasher.check_needs_rehash(user.password_hash):
            user.password_hash = security.hash_password(password)
        staff = security.StaffUser(user)
        audit.record(db, "sign_in", username, username=username)
    session.clear()  # a fresh session, so one planted before sign-in is worth nothing
    login_user(staff)
    session.permanent = True
    return None


@bp.post("/logout")
def logout():
    rt = current_app.extensions["yoursay"]
    with rt.factory.begin() as db:
        audit.record(db, "sign_out", current_user.username)
    logout_user()
    session.clear()
    flash("You have signed out")
    return redirect(url_for("auth.login"))
