"""Safeguarding flags: the triage queue, one flag with its conversation, assigning, replying, closing with a note."""
from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select

from admin import audit, security, views
from admin.forms import Errors
from bot import gsm7
from bot.safeguarding import review_hours
from bot.texts import FLAG_REPLIES
from storage import safeguarding
from storage.models import AuditEntry, Contact, Message, Outbox, SafeguardingFlag, User

bp = security.protect(Blueprint("flags", __name__, url_prefix="/admin/flags"))
PAGE = 100
NOTE_MAX = 5000
SNIPPET = 120
REVIEWERS = ("reviewer", "admin")


@bp.get("/")
@security.role_required("reviewer")
def queue():
    status = "closed" if request.args.get("status") == "closed" else "open"
    rt = current_app.extensions["yoursay"]
    with rt.factory() as db:
        total = db.scalar(select(func.count()).select_from(SafeguardingFlag).where(SafeguardingFlag.status == status))
        if status == "open":
            flags = safeguarding.triage_queue(db, PAGE)
        else:
            flags = list(db.scalars(select(SafeguardingFlag).where(SafeguardingFlag.status == status)
                                    .order_by(SafeguardingFlag.reviewed_at.desc(), SafeguardingFlag.id.desc())
                                    .limit(PAGE)))
        rows = triage_rows(db, flags, rt.now(), overdue=status == "open")
    return render_template("admin/flags.html", title="Safeguarding flags", section="flags", flags=flags, rows=rows,
                           status=status, total=total, now=rt.now(), review_hours=hours_words(review_limit()),
                           overdue=sum(r["overdue"] for r in rows))


def triage_rows(db, flags: list[SafeguardingFlag], now, overdue: bool = True) -> list[dict]:
    """What the triage table shows of each flag: its service's name, a redacted snippet, and whether it is overdue."""
    names, hours = dict(views.services(db)), review_limit()
    return [{"flag": f, "service": names.get(f.service_code, f.service_code) if f.service_code else None,
             "snippet": _snippet(f.text), "overdue": overdue and now - f.created_at > timedelta(hours=hours)}
            for f in flags]


def review_limit() -> float:
    """N of "waiting more than N hours": YOURSAY_SAFEGUARDING_REVIEW_HOURS, else 24."""
    return review_hours(current_app.extensions["yoursay"].settings.safeguarding_review)


def hours_words(hours: float) -> str:
    n = int(hours) if hours == int(hours) else hours
    return f"{n} hour{'' if n == 1 else 's'}"


def _snippet(text: str) -> str:
    redacted = views.redact(text)
    return redacted if len(redacted) <= SNIPPET else redacted[:SNIPPET].rsplit(" ", 1)[0] + "..."


def _render_flag(flag_id: int, errors: Errors | None = None, note: str = "", status: int = 200,
                 choice: str = "", message: str = ""):
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
        sent = _replies_sent(db, flag.id)
        _, cannot_reply = safeguarding.reply_target(db, flag)
        reviewers = list(db.scalars(select(User.username).where(User.active.is_(True), User.role.in_(REVIEWERS))
                                    .order_by(User.username)))
        service = views.services(db)
        service_name = dict(service).get(flag.service_code, flag.service_code) if flag.service_code else None
        if errors is None:  # viewing the person's own words is recorded
            audit.record(db, "view_flag", f"flag:{flag.id}")
        db.expunge_all()
    return render_template("admin/flag.html", title=f"Safeguarding flag {flag.id}", section="flags", flag=flag,
                           contact=contact, others=others, messages=messages, errors=errors or Errors(),
                           note=note, now=rt.now(), cannot_reply=cannot_reply, reviewer_options=[(u, u) for u in reviewers],
                           service_name=service_name, replies=FLAG_REPLIES, choice=choice, message=message, sent=sent,
                           max_chars=306), status


OUTBOX_WORDS = {"pending": "Waiting to send", "sending": "Sending", "sent": "Sent", "delivered": "Delivered",
                "cancelled": "Not sent", "failed": "Failed"}


def _replies_sent(db, flag_id: int) -> list[dict]:
    """Messages already sent to the person from this flag (from the audit log), with where each has got to,
    so a second reviewer does not message them again without knowing."""
    rows = db.execute(select(AuditEntry.username, AuditEntry.created_at, AuditEntry.detail)
                      .where(AuditEntry.action == "reply_flag", AuditEntry.target == f"flag:{flag_id}")
                      .order_by(AuditEntry.id)).all()
    out = []
    for who, when, detail in rows:
        ref, _, body = detail.partition(" ")
        row = db.get(Outbox, int(ref.split(":")[1])) if ref.startswith("outbox:") and ref[7:].isdigit() else None
        status = OUTBOX_WORDS.get(row.status, row.status) if row is not None else "Sent"
        out.append({"by": who, "at": when, "body": body, "status": status})
    return out


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


def _open_flag(db, flag_id: int) -> SafeguardingFlag:
    flag = db.get(SafeguardingFlag, flag_id, with_for_update=True)
    if flag is None:
        abort(404)
    return flag


@bp.post("/<int:flag_id>/assign")
@security.role_required("reviewer")
def assign(flag_id: int):
    rt = current_app.extensions["yoursay"]
    username = request.form.get("assigned_to", "").strip() or None
    if username:
        with rt.factory() as db:
            known = db.scalar(select(User.id).where(User.username == username, User.active.is_(True),
                                                    User.role.in_(REVIEWERS)))
        if known is None:
            errors = Errors()
            errors.add("assigned_to", "Choose a reviewer from the list")
            return _render_flag(flag_id, errors, status=400)
    with rt.factory.begin() as db:
        flag = _open_flag(db, flag_id)
        if flag.status != "open":
            flash(f"Flag {flag_id} is closed")
        elif flag.assigned_to != username:
            safeguarding.assign(db, flag_id, username, rt.now())
            audit.record(db, "assign_flag", f"flag:{flag_id}", f"to {username}" if username else "unassigned")
            flash(f"Flag {flag_id} assigned to {username}" if username else f"Flag {flag_id} unassigned")
    return redirect(url_for("flags.show", flag_id=flag_id))


@bp.post("/<int:flag_id>/start")
@security.role_required("reviewer")
def start(flag_id: int):
    rt = current_app.extensions["yoursay"]
    with rt.factory.begin() as db:
        flag = _open_flag(db, flag_id)
        if safeguarding.start(db, flag_id, rt.now()):
            if flag.assigned_to is None:  # whoever starts it has it, unless someone else was given it
                safeguarding.assign(db, flag_id, current_user.username, rt.now())
            audit.record(db, "start_flag", f"flag:{flag_id}")
            flash(f"Flag {flag_id} marked in progress")
    return redirect(url_for("flags.show", flag_id=flag_id))


@bp.post("/<int:flag_id>/reply")
@security.role_required("reviewer")
def reply(flag_id: int):
    rt = current_app.extensions["yoursay"]
    choice = request.form.get("reply", "")
    message = request.form.get("message", "").strip()
    errors = Errors()
    body = ""
    if choice == "own":
        body = message
        if not body:
            errors.add("message", "Enter the message to send")
        elif not gsm7.fits(body):
            errors.add("message", "Your message must fit 2 text messages: at most 306 plain characters, "
                                  "with straight quotes and no emoji")
    elif choice.isdigit() and int(choice) < len(FLAG_REPLIES):
        body = FLAG_REPLIES[int(choice)]
    else:
        errors.add("reply", "Choose a message to send")
    if errors:
        return _render_flag(flag_id, errors, status=400, choice=choice, message=message)
    with rt.factory.begin() as db:
        flag = _open_flag(db, flag_id)
        urgent = flag.priority == "urgent"
        outbox_id = safeguarding.queue_reply(db, flag, body, rt.now())
        if outbox_id is None:
            _, why = safeguarding.reply_target(db, flag)
            flash(f"Nothing was sent. {why}.")
            return redirect(url_for("flags.show", flag_id=flag_id))
        audit.record(db, "reply_flag", f"flag:{flag_id}", f"outbox:{outbox_id} " + body)
    flash("Your message has been queued" + (", to go even in quiet hours" if urgent
                                            else "; in quiet hours it waits until they end"))
    return redirect(url_for("flags.show", flag_id=flag_id))
