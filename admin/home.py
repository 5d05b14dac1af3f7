"""The admin home: safeguarding first, the most urgent flag at the top, then the longest waiting."""
from __future__ import annotations

from flask import Blueprint, current_app, render_template
from flask_login import current_user
from sqlalchemy import func, select

from admin import security
from admin.flags import hours_words, review_limit, triage_rows
from storage import safeguarding
from storage.models import SafeguardingFlag

bp = security.protect(Blueprint("home", __name__, url_prefix="/admin"))
QUEUE_SIZE = 50


@bp.get("/")
def index():
    rt = current_app.extensions["yoursay"]
    with rt.factory() as db:
        waiting = db.scalar(select(func.count()).select_from(SafeguardingFlag)
                            .where(SafeguardingFlag.status == "open"))
        flags, rows = [], []
        if current_user.can("reviewer"):  # flags hold people's own words and contacts
            flags = safeguarding.triage_queue(db, QUEUE_SIZE)
            rows = triage_rows(db, flags, rt.now())
    return render_template("admin/home.html", title="Home", section="home", waiting=waiting, flags=flags,
                           rows=rows, now=rt.now(), review_hours=hours_words(review_limit()))
