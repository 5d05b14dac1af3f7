"""Signing in and out: /admin/login and /admin/logout."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from admin import accounts, audit, security, sign_in
from admin.forms import Errors
from storage.models import User

bp = security.protect(Blueprint("auth", __name__, url_prefix="/admin"), public=("auth.login",))

BAD_CREDENTIALS = "Enter a correct username and password"
LOCKED = (f"This account is locked after {security.MAX_FAILURES} failed sign-ins. Try again in "
          f"{security.LOCK_MINUTES} minutes, or ask an admin to unlock it")
THROTTLED = f"Too many failed sign-ins from this network. Wait {security.LOCK_MINUTES} minutes and try again"


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
    """Sign in, or say why not."""
    rt = current_app.extensions["yoursay"]
    address = request.remote_addr if current_app.config["SIGN_IN_LIMIT_BY_ADDRESS"] else None
    outcome = sign_in.check(rt.factory, username, password, address, rt.now())
    if outcome.user is None:
        return {sign_in.LOCKED: LOCKED, sign_in.THROTTLED: THROTTLED}.get(outcome.problem, BAD_CREDENTIALS)
    session.clear()  # a fresh session, so one planted before sign-in is worth nothing
    login_user(outcome.user)
    session.permanent = True
    return None


@bp.post("/logout")
def logout():
    """Sign out here, and end every other session of this user too: a copied cookie stops working."""
    rt = current_app.extensions["yoursay"]
    with rt.factory.begin() as db:
        user = db.get(User, current_user.id)
        if user is not None:
            accounts.end_sessions(user)
        audit.record(db, "sign_out", current_user.username)
    logout_user()
    session.clear()
    flash("You have signed out")
    return redirect(url_for("auth.login"))
