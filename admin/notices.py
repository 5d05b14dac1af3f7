"""Staff notices: sign-ups, withdrawals and erasures that PPT should know about, newest first."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from sqlalchemy import func, select, update

from admin import params, security
from admin.views import rt
from storage.models import StaffNotice

bp = security.protect(Blueprint("notices", __name__, url_prefix="/admin/notices"))
PAGE = 50
KINDS = {"new_participant": "New participant", "signup": "Sign-up", "withdrawal": "Withdrawal",
         "erasure": "Data deleted"}


@bp.get("/")
@security.role_required("reviewer")
def index():
    before = params.parse_id(request.args.get("before"))
    query = select(StaffNotice).order_by(StaffNotice.id.desc())
    if before is not None:
        query = query.where(StaffNotice.id < before)
    with rt().factory() as db:
        notices = list(db.scalars(query.limit(PAGE + 1)))
        unread = db.scalar(select(func.count()).select_from(StaffNotice).where(StaffNotice.read_at.is_(None)))
    more = len(notices) > PAGE
    notices = notices[:PAGE]
    return render_template("admin/notices.html", title="Staff notices", section="notices", notices=notices,
                           unread=unread, older=notices[-1].id if more else None, kinds=KINDS)


@bp.post("/read")
@security.role_required("reviewer")
def mark_read():
    """Mark one notice (notice_id) or all of them as read."""
    notice_id = request.form.get("notice_id", "")
    query = update(StaffNotice).where(StaffNotice.read_at.is_(None))
    if notice_id:  # one notice; an id no notice could have marks none
        query = query.where(StaffNotice.id == (params.parse_id(notice_id) or 0))
    with rt().factory.begin() as db:
        count = db.execute(query.values(read_at=rt().now())).rowcount
    flash(f"{count} notice{'' if count == 1 else 's'} marked as read")
    return redirect(url_for("notices.index"))
