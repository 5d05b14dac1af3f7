"""Staff write "You said, we did" entries and publish them to the public page. Text is redacted when saved."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from admin import audit, params, security
from admin.forms import Errors
from admin.views import redact, rt, services
from storage.models import YouSaidWeDid

bp = security.protect(Blueprint("ysd", __name__, url_prefix="/admin/you-said-we-did"))
MAX_TEXT = 2000


def _form() -> tuple[dict, Errors]:
    form = {k: request.form.get(k, "").strip() for k in
            ("you_said", "we_did", "service_code", "happened_on-day", "happened_on-month", "happened_on-year")}
    errors = Errors()
    for name, label in (("you_said", "what people said"), ("we_did", "what changed")):
        if not form[name]:
            errors.add(name, f"Enter {label}")
        elif len(form[name]) > MAX_TEXT:
            errors.add(name, f"{label.capitalize()} must be {MAX_TEXT} characters or fewer")
    with rt().factory() as db:
        known = {code for code, _ in services(db)}
    if form["service_code"] and form["service_code"] not in known:
        errors.add("service_code", "Select a service from the list")
    form["happened_on"] = None
    parts = [form[f"happened_on-{p}"] for p in ("day", "month", "year")]
    if not any(parts):
        errors.add("happened_on-day", "Enter the date the change happened")
    else:
        try:
            day, month, year = (int(p) for p in parts)
            form["happened_on"] = date(year, month, day)
            if not params.in_years(form["happened_on"]):
                raise ValueError
        except ValueError:
            errors.add("happened_on-day", "The date the change happened must be a real date, like 27 3 2026")
            form["happened_on"] = None
    return form, errors


def _fill(entry: YouSaidWeDid) -> dict:
    d = entry.happened_on
    return {"you_said": entry.you_said, "we_did": entry.we_did, "service_code": entry.service_code or "",
            "happened_on-day": str(d.day), "happened_on-month": str(d.month), "happened_on-year": str(d.year)}


def _edit_page(form: dict, errors: Errors, entry_id: int | None = None):
    with rt().factory() as db:
        choices = services(db)
    title = "Edit a \u201cYou said, we did\u201d entry" if entry_id else "Write a \u201cYou said, we did\u201d entry"
    return render_template("admin/ysd_edit.html", title=title, section="ysd", form=form, errors=errors,
                           services=choices, entry_id=entry_id), 400 if errors else 200


@bp.get("/")
def index():
    with rt().factory() as db:
        entries = list(db.scalars(select(YouSaidWeDid).order_by(YouSaidWeDid.happened_on.desc(),
                                                                YouSaidWeDid.id.desc())))
        names = dict(services(db))
    return render_template("admin/ysd_list.html", title="You said, we did", section="ysd", entries=entries,
                           names=names)


@bp.route("/new", methods=["GET", "POST"])
@security.role_required("reviewer")
def new():
    if request.method == "GET":
        today = rt().now().date()
        return _edit_page({"you_said": "", "we_did": "", "service_code": "", "happened_on-day": str(today.day),
                           "happened_on-month": str(today.month), "happened_on-year": str(today.year)}, Errors())
    form, errors = _form()
    if errors:
        return _edit_page(form, errors)
    with rt().factory.begin() as db:
        entry = YouSaidWeDid(you_said=redact(form["you_said"]), we_did=redact(form["we_did"]),
                             service_code=form["service_code"] or None, happened_on=form["happened_on"],
                             status="draft", created_by=current_user.username, created_at=rt().now())
        db.add(entry)
        db.flush()
        audit.record(db, "ysd_create", f"ysd:{entry.id}")
        entry_id = entry.id
    flash("Entry saved as a draft. Check it below, then publish it.")
    return redirect(url_for("ysd.show", entry_id=entry_id))


@bp.get("/<int:entry_id>")
def show(entry_id: int):
    with rt().factory() as db:
        entry = db.get(YouSaidWeDid, entry_id) or abort(404)
        names = dict(services(db))
    return render_template("admin/ysd_show.html", title="You said, we did", section="ysd", entry=entry,
                           service=names.get(entry.service_code, entry.service_code))


@bp.route("/<int:entry_id>/edit", methods=["GET", "POST"])
@security.role_required("reviewer")
def edit(entry_id: int):
    if request.method == "GET":
        with rt().factory() as db:
            form = _fill(db.get(YouSaidWeDid, entry_id) or abort(404))
        return _edit_page(form, Errors(), entry_id)
    form, errors = _form()
    if errors:
        return _edit_page(form, errors, entry_id)
    with rt().factory.begin() as db:
        entry = db.get(YouSaidWeDid, entry_id) or abort(404)
        entry.you_said, entry.we_did = redact(form["you_said"]), redact(form["we_did"])
        entry.service_code, entry.happened_on = form["service_code"] or None, form["happened_on"]
        audit.record(db, "ysd_update", f"ysd:{entry_id}")
        published = entry.status == "published"
    flash("Entry saved" + (": the public page shows the change now" if published else ""))
    return redirect(url_for("ysd.show", entry_id=entry_id))


@bp.post("/<int:entry_id>/publish")
@security.role_required("reviewer")
def publish(entry_id: int):
    with rt().factory.begin() as db:
        entry = db.get(YouSaidWeDid, entry_id) or abort(404)
        if entry.status != "published":
            entry.you_said, entry.we_did = redact(entry.you_said), redact(entry.we_did)
            entry.status, entry.published_at = "published", rt().now()
            audit.record(db, "ysd_publish", f"ysd:{entry_id}")
    flash("Published on the public \u201cYou said, we did\u201d page")
    return redirect(url_for("ysd.show", entry_id=entry_id))


@bp.post("/<int:entry_id>/unpublish")
@security.role_required("reviewer")
def unpublish(entry_id: int):
    with rt().factory.begin() as db:
        entry = db.get(YouSaidWeDid, entry_id) or abort(404)
        if entry.status == "published":
            entry.status, entry.published_at = "draft", None
            audit.record(db, "ysd_unpublish", f"ysd:{entry_id}")
    flash("Taken off the public page. The entry is a draft again.")
    return redirect(url_for("ysd.show", entry_id=entry_id))
