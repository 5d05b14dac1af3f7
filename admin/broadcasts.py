"""Participation News: write a message, preview it as a text message with its segments, confirm, queue."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from sqlalchemy import and_, func, select

from admin import audit, security
from admin.forms import Errors
from admin.views import rt
from bot import gsm7
from storage.models import Broadcast, Contact, Participant

bp = security.protect(Blueprint("broadcasts", __name__, url_prefix="/admin/broadcast"))
CHANNELS = ("sms", "telegram")
AUDIENCES = {"subscribers": "Participants with alerts on (not paused)",
             "participants": "Everyone who has agreed to be contacted"}


def audience_size(db, audience: str) -> int:
    """How many people the broadcast would go to (the same rule as storage.alerts.queue_broadcast)."""
    who = [Contact.opted_out.is_(False), Contact.channel.in_(CHANNELS)]
    if audience == "subscribers":
        who += [Participant.alerts != "off", Participant.alerts_paused.is_(False)]
    return db.scalar(select(func.count()).select_from(Participant)
                     .join(Contact, Contact.id == Participant.contact_id).where(and_(*who))) or 0


def _problem(body: str) -> str | None:
    from service.alerts import broadcast_problem

    problem = broadcast_problem(body)
    return problem[0].upper() + problem[1:] if problem else None


def _form() -> tuple[str, str, Errors]:
    body = request.form.get("body", "").strip().replace("\r\n", "\n")
    audience = request.form.get("audience", "")
    errors = Errors()
    problem = _problem(body)
    if problem:
        errors.add("body", "Enter the message" if not body else problem)
    if audience not in AUDIENCES:
        errors.add("audience", "Select who the message goes to")
    return body, audience, errors


def _page(body: str = "", audience: str = "subscribers", errors: Errors | None = None):
    with rt().factory() as db:
        recent = list(db.scalars(select(Broadcast).order_by(Broadcast.created_at.desc(), Broadcast.id.desc())
                                 .limit(10)))
    return render_template("admin/broadcast.html", title="Participation News", section="broadcasts", body=body,
                           audience=audience, audiences=AUDIENCES, errors=errors or Errors(), recent=recent,
                           max_chars=153 * gsm7.MAX_SEGMENTS), 400 if errors else 200


@bp.route("/", methods=["GET", "POST"])
@security.role_required("admin")
def new():
    """The form; a POST (from "Change the message") fills it in again."""
    if request.method == "POST":
        audience = request.form.get("audience", "")
        return _page(request.form.get("body", ""), audience if audience in AUDIENCES else "subscribers")
    return _page()


@bp.post("/preview")
@security.role_required("admin")
def preview():
    body, audience, errors = _form()
    if errors:
        return _page(body, audience or "subscribers", errors)
    with rt().factory() as db:
        people = audience_size(db, audience)
    return render_template("admin/broadcast_confirm.html", title="Check the message", section="broadcasts",
                           body=body, audience=audience, audiences=AUDIENCES, people=people,
                           segments=gsm7.segments(body), chars=gsm7.septets(body), errors=Errors())


@bp.post("/send")
@security.role_required("admin")
def send():
    from service.alerts import broadcast

    body, audience, errors = _form()
    if errors or request.form.get("confirm") != "yes":
        return _page(body, audience or "subscribers", errors)
    with rt().factory.begin() as db:
        broadcast_id, queued = broadcast(db, body, audience, rt().now())
        audit.record(db, "broadcast", f"broadcast:{broadcast_id}", f"{queued} queued to {audience}")
    flash(f"Participation News queued to {queued} {'person' if queued == 1 else 'people'}. "
          "It goes out at the sending pace, outside quiet hours.")
    return redirect(url_for("broadcasts.new"))
