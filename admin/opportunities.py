"""Admins manage participation opportunities: add, edit, publish (which queues alerts), close, and sign-ups."""
from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from sqlalchemy import func, select

from admin import audit, params, security
from admin.forms import Errors
from admin.views import rt
from bot import gsm7
from bot.opportunities import PAYMENTS, TYPES, type_label
from storage.models import Opportunity, Participant, SignUp

bp = security.protect(Blueprint("opportunities", __name__, url_prefix="/admin/opportunities"))
STATUSES = ("draft", "published", "closed")
SIGNUP_STATUSES = {"interested": "Interested", "confirmed": "Confirmed", "waiting": "Waiting list",
                   "withdrawn": "Withdrawn", "attended": "Attended"}
PAYMENT_CHOICES = (("paid", "Paid"), ("expenses", "Expenses only"), ("voluntary", "Voluntary"))
FIELDS = ("title", "summary", "description", "type", "area", "venue", "starts_at", "ends_at", "places", "payment",
          "accessibility", "closes_on")


def _local_input(value: datetime | None, tz: str) -> str:
    return value.astimezone(ZoneInfo(tz)).strftime("%Y-%m-%dT%H:%M") if value else ""


def _parse_when(raw: str, tz: str) -> datetime | None:
    value = datetime.fromisoformat(raw)
    if not params.in_years(value):
        raise ValueError(f"{value.year} is outside the years we accept")
    return (value if value.tzinfo else value.replace(tzinfo=ZoneInfo(tz))).astimezone(timezone.utc)


def _form(tz: str) -> tuple[dict, dict, Errors]:
    """(what was typed, the values to store, errors)."""
    form = {k: request.form.get(k, "").strip() for k in FIELDS}
    errors, values = Errors(), {}
    for name, label in (("title", "a title"), ("summary", "a summary"), ("type", None), ("area", "the area"),
                        ("venue", "the venue, or online"), ("payment", None)):
        if not form[name]:
            errors.add(name, f"Enter {label}" if label else f"Select the {name}")
    if len(form["title"]) > 120:
        errors.add("title", "Title must be 120 characters or fewer")
    if form["summary"] and not gsm7.fits(form["summary"]):
        errors.add("summary", "Summary must fit 2 text messages in plain characters (no emoji or curly quotes): "
                              f"it is {gsm7.segments(form['summary'])} text messages now")
    if form["type"] and form["type"] not in {code for code, _, _ in TYPES}:
        errors.add("type", "Select the type")
    if form["payment"] and form["payment"] not in PAYMENTS.values():
        errors.add("payment", "Select paid, expenses only or voluntary")
    for name in ("area", "venue"):
        if len(form[name]) > (80 if name == "area" else 200):
            errors.add(name, f"{name.capitalize()} is too long")
    for name, label in (("starts_at", "Start"), ("ends_at", "End")):
        try:
            values[name] = _parse_when(form[name], tz) if form[name] else None
        except ValueError:
            errors.add(name, f"{label} must be a date and time, like 2026-12-01 10:00")
            values[name] = None
    if values.get("starts_at") and values.get("ends_at") and values["ends_at"] <= values["starts_at"]:
        errors.add("ends_at", "End must be after the start")
    values["closes_on"] = params.parse_day(form["closes_on"]) if form["closes_on"] else None
    if form["closes_on"] and values["closes_on"] is None:
        errors.add("closes_on", "Closing date must be a real date, like 2026-11-30")
    if form["places"] and (not form["places"].isdigit() or not 0 < int(form["places"]) < 100_000):
        errors.add("places", "Places must be a whole number from 1, or empty for no limit")
    values.update({k: form[k] for k in ("title", "summary", "description", "type", "area", "venue", "payment",
                                        "accessibility")})
    values["places"] = int(form["places"]) if form["places"].isdigit() else None
    return form, values, errors


def _edit_page(form: dict, errors: Errors, opportunity_id: int | None = None):
    title = "Edit opportunity" if opportunity_id else "Add an opportunity"
    return render_template("admin/opportunity_edit.html", title=title, section="opportunities", form=form,
                           errors=errors, opportunity_id=opportunity_id, types=[(c, label) for c, label, _ in TYPES],
                           payments=PAYMENT_CHOICES,
                           segments=gsm7.segments(form["summary"]) if form.get("summary") else 0
                           ), 400 if errors else 200


@bp.get("/")
@security.role_required("admin")
def index():
    status = request.args.get("status", "")
    query = select(Opportunity).order_by(Opportunity.created_at.desc(), Opportunity.id.desc())
    if status in STATUSES:
        query = query.where(Opportunity.status == status)
    with rt().factory() as db:
        rows = list(db.scalars(query.limit(500)))
        counts: dict[int, dict[str, int]] = {}
        for oid, st, n in db.execute(select(SignUp.opportunity_id, SignUp.status, func.count())
                                     .group_by(SignUp.opportunity_id, SignUp.status)):
            counts.setdefault(oid, {})[st] = n
    return render_template("admin/opportunities.html", title="Opportunities", section="opportunities",
                           rows=rows, counts=counts, status=status if status in STATUSES else "",
                           type_label=type_label)


@bp.route("/new", methods=["GET", "POST"])
@security.role_required("admin")
def new():
    tz = rt().settings.timezone
    if request.method == "GET":
        return _edit_page({k: "" for k in FIELDS}, Errors())
    form, values, errors = _form(tz)
    if errors:
        return _edit_page(form, errors)
    with rt().factory.begin() as db:
        opportunity = Opportunity(**values, status="draft", created_at=rt().now())
        db.add(opportunity)
        db.flush()
        audit.record(db, "opportunity_create", f"opportunity:{opportunity.id}", values["title"])
        oid = opportunity.id
    flash("Opportunity saved as a draft. Publish it when it is ready: that sends the alerts.")
    return redirect(url_for("opportunities.show", opportunity_id=oid))


@bp.route("/<int:opportunity_id>/edit", methods=["GET", "POST"])
@security.role_required("admin")
def edit(opportunity_id: int):
    tz = rt().settings.timezone
    if request.method == "GET":
        with rt().factory() as db:
            o = db.get(Opportunity, opportunity_id) or abort(404)
            form = {k: getattr(o, k) for k in FIELDS}
            form.update(starts_at=_local_input(o.starts_at, tz), ends_at=_local_input(o.ends_at, tz),
                        closes_on=o.closes_on.isoformat() if o.closes_on else "",
                        places=str(o.places) if o.places else "")
        return _edit_page(form, Errors(), opportunity_id)
    form, values, errors = _form(tz)
    if errors:
        return _edit_page(form, errors, opportunity_id)
    with rt().factory.begin() as db:
        o = db.get(Opportunity, opportunity_id) or abort(404)
        for k, v in values.items():
            setattr(o, k, v)
        audit.record(db, "opportunity_update", f"opportunity:{opportunity_id}")
    flash("Opportunity saved")
    return redirect(url_for("opportunities.show", opportunity_id=opportunity_id))


@bp.get("/<int:opportunity_id>")
@security.role_required("admin")
def show(opportunity_id: int):
    with rt().factory() as db:
        o = db.get(Opportunity, opportunity_id) or abort(404)
        signups = list(db.execute(select(SignUp, Participant.name, Participant.access_needs)
                                  .join(Participant, Participant.id == SignUp.participant_id)
                                  .where(SignUp.opportunity_id == opportunity_id)
                                  .order_by(SignUp.created_at, SignUp.id)))
        db.expunge_all()
    return render_template("admin/opportunity.html", title=o.title, section="opportunities", o=o, signups=signups,
                           statuses=SIGNUP_STATUSES, type_label=type_label, payments=dict(PAYMENT_CHOICES))


@bp.post("/<int:opportunity_id>/publish")
@security.role_required("admin")
def publish(opportunity_id: int):
    """Publish and queue the alerts in one transaction, as `yoursay opportunities publish` does."""
    from service.alerts import publish_and_alert

    runtime = rt()
    s = runtime.settings
    try:
        with runtime.factory.begin() as db:
            _, counts = publish_and_alert(db, opportunity_id, runtime.now(), s.trust_name,
                                          s.alerts_weekly_cap, s.timezone)
            audit.record(db, "opportunity_publish", f"opportunity:{opportunity_id}",
                         f"{counts.alerts} alerts queued, {counts.digest} to digests")
    except ValueError as exc:
        flash(f"Not published: {exc}")
        return redirect(url_for("opportunities.show", opportunity_id=opportunity_id))
    flash(f"Published. {counts.alerts} alert{'' if counts.alerts == 1 else 's'} queued, and "
          f"{counts.digest} {'person' if counts.digest == 1 else 'people'} will hear in the weekly digest.")
    return redirect(url_for("opportunities.show", opportunity_id=opportunity_id))


@bp.post("/<int:opportunity_id>/close")
@security.role_required("admin")
def close(opportunity_id: int):
    with rt().factory.begin() as db:
        o = db.get(Opportunity, opportunity_id) or abort(404)
        if o.status != "closed":
            o.status = "closed"
            audit.record(db, "opportunity_close", f"opportunity:{opportunity_id}")
    flash("Opportunity closed: people can no longer sign up")
    return redirect(url_for("opportunities.show", opportunity_id=opportunity_id))


@bp.post("/<int:opportunity_id>/signups/<int:signup_id>")
@security.role_required("admin")
def signup_status(opportunity_id: int, signup_id: int):
    status = request.form.get("status", "")
    if status not in SIGNUP_STATUSES:
        flash("Select a status for the sign-up")
        return redirect(url_for("opportunities.show", opportunity_id=opportunity_id))
    with rt().factory.begin() as db:
        signup = db.get(SignUp, signup_id)
        if signup is None or signup.opportunity_id != opportunity_id:
            abort(404)
        if signup.status != status:
            audit.record(db, "signup_status", f"signup:{signup_id}", f"{signup.status} -> {status}")
            signup.status, signup.updated_at = status, rt().now()
    flash(f"Sign-up {signup_id} is now: {SIGNUP_STATUSES[status].lower()}")
    return redirect(url_for("opportunities.show", opportunity_id=opportunity_id) + f"#signup-{signup_id}")
