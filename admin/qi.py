"""QI projects: list, add and edit them, and link stories and themes as evidence (per service: admin.services)."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import delete, func, select

from admin import audit, inbox, security
from admin.forms import Errors
from admin.reports import public
from admin.views import rt, services
from storage.models import QIEvidence, QIProject

bp = security.protect(Blueprint("qi", __name__, url_prefix="/admin"))
STATUSES = {"proposed": "Proposed", "active": "Active", "completed": "Completed", "stopped": "Stopped"}
LIMITS = {"title": 200, "lead": 120, "aims": 5000}


def _form() -> tuple[dict, Errors]:
    form = {k: request.form.get(k, "").strip() for k in ("title", "service_code", "lead", "status", "aims")}
    errors = Errors()
    if not form["title"]:
        errors.add("title", "Enter the project's title")
    for name, limit in LIMITS.items():
        if len(form[name]) > limit:
            errors.add(name, f"{name.capitalize()} must be {limit} characters or fewer")
    with rt().factory() as db:
        known = {code for code, _ in services(db)}
    if form["service_code"] and form["service_code"] not in known:
        errors.add("service_code", "Select a care delivery service from the list")
    if form["status"] not in STATUSES:
        errors.add("status", "Select the project's status")
    return form, errors


def _edit_page(form: dict, errors: Errors, project_id: int | None = None):
    with rt().factory() as db:
        choices = services(db)
    title = "Edit QI project" if project_id else "Add a QI project"
    return render_template("admin/qi_edit.html", title=title, section="qi", form=form, errors=errors,
                           services=choices, statuses=STATUSES, project_id=project_id), 400 if errors else 200


@bp.get("/qi/")
def index():
    with rt().factory() as db:
        counts = {pid: (stories, themes) for pid, stories, themes in db.execute(
            select(QIEvidence.project_id, func.count(QIEvidence.answer_id), func.count(QIEvidence.theme))
            .group_by(QIEvidence.project_id))}
        projects = list(db.scalars(select(QIProject).order_by(QIProject.title)))
        names = dict(services(db))
    return render_template("admin/qi_list.html", title="QI projects", section="qi", projects=projects,
                           counts=counts, names=names, statuses=STATUSES)


@bp.route("/qi/new", methods=["GET", "POST"])
@security.role_required("reviewer")
def new():
    if request.method == "GET":
        return _edit_page({"title": "", "service_code": "", "lead": "", "status": "active", "aims": ""}, Errors())
    form, errors = _form()
    if errors:
        return _edit_page(form, errors)
    with rt().factory.begin() as db:
        project = QIProject(title=form["title"], service_code=form["service_code"] or None, lead=form["lead"],
                            status=form["status"], aims=form["aims"], created_at=rt().now())
        db.add(project)
        db.flush()
        audit.record(db, "qi_create", f"qi:{project.id}", form["title"])
        project_id = project.id
    flash(f"QI project \u201c{form['title']}\u201d added")
    return redirect(url_for("qi.project", project_id=project_id))


@bp.route("/qi/<int:project_id>/edit", methods=["GET", "POST"])
@security.role_required("reviewer")
def edit(project_id: int):
    if request.method == "GET":
        with rt().factory() as db:
            project = db.get(QIProject, project_id) or abort(404)
            form = {"title": project.title, "service_code": project.service_code or "", "lead": project.lead,
                    "status": project.status, "aims": project.aims}
        return _edit_page(form, Errors(), project_id)
    form, errors = _form()
    if errors:
        return _edit_page(form, errors, project_id)
    with rt().factory.begin() as db:
        project = db.get(QIProject, project_id) or abort(404)
        project.title, project.service_code, project.lead = form["title"], form["service_code"] or None, form["lead"]
        project.status, project.aims = form["status"], form["aims"]
        audit.record(db, "qi_update", f"qi:{project_id}", f"status {form['status']}")
    flash("QI project saved")
    return redirect(url_for("qi.project", project_id=project_id))


def _project_page(project_id: int, errors: Errors | None = None, theme: str = ""):
    with rt().factory() as db:
        evidence = public.project_evidence(db, project_id)
        if evidence is None:
            abort(404)
        names = dict(services(db))
        ids = dict(db.execute(select(QIEvidence.theme, QIEvidence.id).where(
            QIEvidence.project_id == project_id, QIEvidence.theme.is_not(None))).all())
        story_ids = dict(db.execute(select(QIEvidence.answer_id, QIEvidence.id).where(
            QIEvidence.project_id == project_id, QIEvidence.answer_id.is_not(None))).all())
    p = evidence["project"]
    return render_template("admin/qi_project.html", title=p["title"], section="qi", evidence=evidence, p=p,
                           service=names.get(p["service_code"], p["service_code"]), statuses=STATUSES,
                           categories=inbox.CATEGORIES, errors=errors or Errors(), theme=theme,
                           theme_ids=ids, story_ids=story_ids), 400 if errors else 200


@bp.get("/qi/<int:project_id>")
def project(project_id: int):
    return _project_page(project_id)


@bp.post("/qi/<int:project_id>/themes")
@security.role_required("reviewer")
def link_theme(project_id: int):
    """Link a theme (QDC v6) as evidence: every story with it, for the project's service, backs the project."""
    theme = request.form.get("theme", "")
    if theme not in inbox.THEMES:
        errors = Errors()
        errors.add("theme", "Select a theme")
        return _project_page(project_id, errors)
    with rt().factory.begin() as db:
        project_row = db.get(QIProject, project_id) or abort(404)
        already = db.scalar(select(QIEvidence.id).where(QIEvidence.project_id == project_id,
                                                        QIEvidence.theme == theme))
        if already is None:
            db.add(QIEvidence(project_id=project_id, theme=theme, linked_by=current_user.username,
                              created_at=rt().now()))
            audit.record(db, "link_qi", f"qi:{project_id}", f"theme {theme}")
        title = project_row.title
    flash(f"The theme \u201c{theme}\u201d is now evidence for \u201c{title}\u201d")
    return redirect(url_for("qi.project", project_id=project_id))


@bp.post("/qi/<int:project_id>/evidence/<int:evidence_id>/remove")
@security.role_required("reviewer")
def unlink(project_id: int, evidence_id: int):
    with rt().factory.begin() as db:
        row = db.get(QIEvidence, evidence_id)
        if row is None or row.project_id != project_id:
            abort(404)
        what = f"theme {row.theme}" if row.theme else f"answer {row.answer_id}"
        db.execute(delete(QIEvidence).where(QIEvidence.id == evidence_id))
        audit.record(db, "unlink_qi", f"qi:{project_id}", what)
    flash("Evidence removed from the project")
    return redirect(url_for("qi.project", project_id=project_id))

