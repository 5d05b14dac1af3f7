"""Safeguarding flags: the queue, one flag with its conversation, and closing it with a note."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select

from admin import audit, security
from admin.forms import Errors
from storage import safeguarding
from storage.models import Contact, Message, SafeguardingFlag

bp = security.protect(Blueprint("flags", __name__, url_prefix="/admin/flags"))
PAGE = 100
NOTE_MAX = 5000


@bp.get("/")
@security.role_required("reviewer")
def queue():
    status = "closed" if request.args.get("status") == "closed" else "open"
    rt = current_app.extensions["yoursay"]
    query = select(SafeguardingFlag).where(SafeguardingFlag.status == status)
    query = (query.order_by(SafeguardingFlag.created_at, SafeguardingFlag.id) if status == "open"
             else query.order_by(SafeguardingFlag.reviewed_at.desc(), SafeguardingFlag.id.desc()))
    with rt.factory() as db:
        total = db.scalar(select(func.count()).select_from(SafeguardingFlag).where(SafeguardingFlag.status == status))
        flags = list(db.scalars(query.limit(PAGE)))
    return render_template("admin/flags.html", title="Safeguarding flags", section="flags", flags=flags,
                           status=status, total=total, now=rt.now())


def _render_flag(flag_id: int, errors: Errors | None = None, note: str = "", status: int = 200):
    rt = current_app.extensions["yoursay"]
    with rt.factory.begin() as db:
        flag = db.get(SafeguardingFlag, flag_id)
        if flag is None:
            abort(404)
        contact = db.get(Contact, flag.contact_id) if flag.contact_id else None
        others, messages = [], []
        if contact is not None:
            others = list(db.scalars(select(SafeguardingFlag).where(SafeguardingFlag.contact_id == contact.id,
                                                                    SafeguardingFlag.id != flag.id)
                                     .order_by(SafeguardingFlag.created_at.desc()).limit(20)))
            messages = list(reversed(db.scalars(select(Message).where(Message.contact_id == contact.id)
                                                .order_by(Message.created_at.desc(), Message.id.desc())
                                                .limit(30)).all()))
        if errors is None:  # viewing the person's own words is recorded
            audit.record(db, "view_flag", f"flag:{flag.id}")
        db.expunge_all()
    return render_template("admin/flag.html", title=f"Safeguarding flag {flag.id}", section="flags", flag=flag,
                           contact=contact, others=others, messages=messages, errors=errors or Errors(),
                           note=note, now=rt.now()), status


@bp.get("/<int:flag_id>")
@security.role_required("reviewer")
def show(flag_id: int):
    return _render_flag(flag_id)


@bp.post("/<int:flag_id>/close")
@security.role_required("reviewer")
def close(flag_id: int):
    rt = current_app.extensions["yoursay"]
    note = request.form.get("action_note", "").strip()
    errors = Errors()
    if not note:
        errors.add("action_note", "Enter the action taken before closing the flag")
    elif len(note) > NOTE_MAX:
        errors.add("action_note", f"Action taken must be {NOTE_MAX} characters or fewer")
    if errors:
        return _render_flag(flag_id, errors, note, 400)
    with rt.factory.begin() as db:
        flag = db.get(SafeguardingFlag, flag_id)
        if flag is None:
            abort(404)
        if flag.status == "closed":
            flash(f"Flag {flag_id} was already closed by {flag.reviewed_by}")
            return redirect(url_for("flags.show", flag_id=flag_id))
        safeguarding.close(db, flag_id, current_user.username, note, rt.now())
        audit.record(db, "close_flag", f"flag:{flag_id}", note[:500])
    flash(f"Flag {flag_id} closed")
    return redirect(url_for("home.index"))
