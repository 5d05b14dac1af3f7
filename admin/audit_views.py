"""Admins read the audit log, newest first, paged by keyset."""
from __future__ import annotations

from flask import Blueprint, current_app, render_template, request
from sqlalchemy import select

from admin import audit, params, security
from storage.models import AuditEntry

bp = security.protect(Blueprint("audit", __name__, url_prefix="/admin/audit"))
PAGE = 50


@bp.get("/")
@security.role_required("admin")
def index():
    rt = current_app.extensions["yoursay"]
    before = params.parse_id(request.args.get("before"))
    user = request.args.get("user", "").strip()[:80]
    action = request.args.get("action", "")
    query = select(AuditEntry).order_by(AuditEntry.id.desc())
    if before is not None:
        query = query.where(AuditEntry.id < before)
    if user:
        query = query.where(AuditEntry.username == user)
    if action in audit.ACTIONS:
        query = query.where(AuditEntry.action == action)
    else:
        action = ""
    with rt.factory() as db:
        entries = list(db.scalars(query.limit(PAGE + 1)))
    more = len(entries) > PAGE
    entries = entries[:PAGE]
    return render_template("admin/audit.html", title="Audit log", section="audit", entries=entries,
                           older=entries[-1].id if more else None, user=user, action=action,
                           actions=audit.ACTIONS)
