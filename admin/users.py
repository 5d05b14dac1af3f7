"""Admins manage staff accounts: add, change role, deactivate, unlock, reset a password."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user
from sqlalchemy import select

from admin import accounts, audit, security, sign_in
from admin.forms import Errors
from storage.models import User

bp = security.protect(Blueprint("users", __name__, url_prefix="/admin/users"))
ROLE_HINTS = {"viewer": "Sees figures and redacted stories",
              "reviewer": "Also acts on feedback, safeguarding flags, themes and QI links",
              "admin": "Also manages users, opportunities and broadcasts, and reads the audit log"}


@bp.get("/")
@security.role_required("admin")
def index():
    rt = current_app.extensions["yoursay"]
    with rt.factory() as db:
        users = list(db.scalars(select(User).order_by(User.username)))
        locks = sign_in.locks(db, [u.username for u in users], rt.now())
    locked = {name for name, row in locks.items() if row.locked_until}
    return render_template("admin/users.html", title="Users", section="users", users=users, locked=locked)


@bp.route("/new", methods=["GET", "POST"])
@security.role_required("admin")
def new():
    rt = current_app.extensions["yoursay"]
    errors, form = Errors(), {"username": "", "role": ""}
    if request.method == "POST":
        form = {"username": request.form.get("username", "").strip().lower(), "role": request.form.get("role", "")}
        password, confirm = request.form.get("password", ""), request.form.get("confirm", "")
        with rt.factory.begin() as db:
            problem = accounts.username_problem(db, form["username"])
            if problem:
                errors.add("username", problem)
            if form["role"] not in security.ROLES:
                errors.add("role", "Select a role")
            problem = security.password_problem(password, confirm)
            if problem:
                errors.add("confirm" if problem == "Passwords must match" else "password", problem)
            if not errors:
                accounts.create(db, form["username"], form["role"], password, rt.now())
                audit.record(db, "user_create", f"user:{form['username']}", f"role {form['role']}")
                flash(f"User {form['username']} added as {form['role']}")
                return redirect(url_for("users.index"))
    return render_template("admin/user_new.html", title="Add a user", section="users", errors=errors, form=form,
                           roles=security.ROLES, hints=ROLE_HINTS), 400 if errors else 200


@bp.route("/<int:user_id>", methods=["GET", "POST"])
@security.role_required("admin")
def edit(user_id: int):
    rt = current_app.extensions["yoursay"]
    errors = Errors()
    with rt.factory.begin() as db:
        user = db.get(User, user_id)
        if user is None:
            abort(404)
        lock = sign_in.locks(db, [user.username], rt.now()).get(user.username)
        if request.method == "POST":
            role = request.form.get("role", user.role)
            active = request.form.get("active") == "yes"
            password = request.form.get("password", "")
            if role not in security.ROLES:
                errors.add("role", "Select a role")
            if user.id == current_user.id and (role != "admin" or not active):
                errors.add("role", "You cannot remove your own admin role or deactivate yourself")
            if password:
                problem = security.password_problem(password, request.form.get("confirm", ""))
                if problem:
                    errors.add("confirm" if problem == "Passwords must match" else "password", problem)
            if not errors:
                unlock = request.form.get("unlock") == "yes" and lock is not None
                changes = _change(db, user, role, active, password, unlock)
                if changes:
                    audit.record(db, "user_update", f"user:{user.username}", "; ".join(changes))
                    flash(f"User {user.username}: {'; '.join(changes)}")
                if user.id == current_user.id:  # e.g. their own new password: other sessions end, not this one
                    login_user(security.StaffUser(user))
                return redirect(url_for("users.index"))
        db.expunge(user)
        if lock is not None:
            db.expunge(lock)
    return render_template("admin/user_edit.html", title=f"User {user.username}", section="users", user=user,
                           lock=lock, errors=errors, roles=security.ROLES, hints=ROLE_HINTS), \
        400 if errors else 200


def _change(db, user: User, role: str, active: bool, password: str, unlock: bool) -> list[str]:
    """Make the changes and say what they were. A new role, access or password ends the user's sessions."""
    changes = []
    if role != user.role:
        changes.append(f"role {user.role} -> {role}")
        user.role = role
    if active != user.active:
        changes.append("activated" if active else "deactivated")
        user.active = active
    if unlock:
        sign_in.unlock(db, user.username)
        changes.append("unlocked")
    if password:
        user.password_hash = security.hash_password(password)
        sign_in.unlock(db, user.username)
        changes.append("password reset")
    if changes and changes != ["unlocked"]:
        accounts.end_sessions(user)
    return changes
