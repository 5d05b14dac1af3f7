"""A service's settings: its name, ODS site code, manager's e-mail, public screen and whether it is active.

Everyone signed in can read them; only admins change them, and every change is in the audit log
with the old and new values.
"""
from __future__ import annotations

import re

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from admin import audit, security
from admin.forms import Errors
from admin.reports.fft_sites import normalise_ods
from admin.reports.public import MIN_PUBLIC
from admin.views import rt
from storage.models import Service

bp = security.protect(Blueprint("service_settings", __name__, url_prefix="/admin/services"))
EMAIL = re.compile(r"[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>.]+")
WHOLE = re.compile(r"[0-9]{1,9}")
MAX_NAME, MAX_EMAIL = 200, 254
MIN_SCREEN, MAX_SCREEN = MIN_PUBLIC, 10_000  # fewer than MIN_PUBLIC answers could single someone out
LABELS = {"name": "name", "ods_code": "ODS site code", "manager_email": "manager's email",
          "screen_enabled": "public screen", "screen_min_answers": "screen's minimum answers", "active": "active"}


def _service(db, code: str) -> Service:
    return db.scalar(select(Service).where(Service.code == code)) or abort(404)


def _values(service: Service) -> dict:
    return {k: getattr(service, k) for k in LABELS}


def _read(form) -> tuple[dict, dict, Errors]:
    """(what was typed, the values to save, errors) from the posted form."""
    typed = {k: form.get(k, "").strip() for k in ("name", "ods_code", "manager_email", "screen_min_answers")}
    typed.update(screen_enabled=form.get("screen_enabled") == "yes", active=form.get("active") == "yes")
    errors = Errors()
    if not typed["name"]:
        errors.add("name", "Enter the service's name")
    elif len(typed["name"]) > MAX_NAME:
        errors.add("name", f"Name must be {MAX_NAME} characters or fewer")
    ods = normalise_ods(typed["ods_code"]) if typed["ods_code"] else None
    if typed["ods_code"] and ods is None:
        errors.add("ods_code", "ODS site code must be 3 to 10 letters and numbers only, like RX2AB")
    email = typed["manager_email"]
    if email and (len(email) > MAX_EMAIL or not EMAIL.fullmatch(email)):
        errors.add("manager_email", "Enter the manager's email address in the correct format, like name@nhs.net")
    minimum = int(typed["screen_min_answers"]) if WHOLE.fullmatch(typed["screen_min_answers"]) else None
    if minimum is None:
        errors.add("screen_min_answers", "Enter the minimum number of answers as a whole number, like 20")
    elif minimum < MIN_SCREEN:
        errors.add("screen_min_answers", f"Minimum number of answers must be {MIN_SCREEN} or more, so that no "
                                         "one person's answer can be picked out")
    elif minimum > MAX_SCREEN:
        errors.add("screen_min_answers", f"Minimum number of answers must be {MAX_SCREEN:,} or fewer")
    values = {"name": typed["name"], "ods_code": ods, "manager_email": email or None,
              "screen_enabled": typed["screen_enabled"], "screen_min_answers": minimum, "active": typed["active"]}
    return typed, values, errors


def _show(value) -> str:
    if value is None or value == "":
        return "(none)"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def changes(old: dict, new: dict) -> str:
    """What changed, for the audit log: 'ODS site code: (none) -> RX2AB; active: yes -> no'."""
    return "; ".join(f"{LABELS[k]}: {_show(old[k])} \u2192 {_show(new[k])}" for k in LABELS if old[k] != new[k])


def _page(code: str, form: dict, errors: Errors, status: int = 200):
    return render_template("admin/service_settings.html", title=f"Settings: {form['name'] or code}",
                           section="services", code=code, form=form, errors=errors, min_screen=MIN_SCREEN,
                           max_screen=MAX_SCREEN), status


@bp.get("/<code>/settings")
def settings(code: str):
    with rt().factory() as db:
        form = _values(_service(db, code))
    form["ods_code"], form["manager_email"] = form["ods_code"] or "", form["manager_email"] or ""
    return _page(code, form, Errors())


@bp.post("/<code>/settings")
@security.role_required("admin")
def save(code: str):
    typed, values, errors = _read(request.form)
    if errors:
        with rt().factory() as db:
            _service(db, code)  # a 404 for no such service, before any error message
        return _page(code, typed, errors, 400)
    with rt().factory.begin() as db:
        service = _service(db, code)
        old = _values(service)
        detail = changes(old, values)
        if detail:
            for key, value in values.items():
                setattr(service, key, value)
            audit.record(db, "service_update", f"service:{code}", detail)
    flash(f"Settings for {values['name']} saved" if detail else "Nothing changed")
    return redirect(url_for("service_settings.settings", code=code))
