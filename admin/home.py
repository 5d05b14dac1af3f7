"""The admin home: safeguarding first, the oldest unreviewed flag at the top."""
from __future__ import annotations

from flask import Blueprint, current_app, render_template
from flask_login import current_user
from sqlalchemy import func, select

from admin import security
from storage.models import SafeguardingFlag

bp = security.protect(Blueprint("home", __name__, url_prefix="/admin"))
QUEUE_SIZE = 50


@bp.get("/")
def index():
    rt = current_app.extensions["yoursay"]
    with rt.factory() as db:
        waiting = db.scalar(select(func.count()).select_from(SafeguardingFlag)
                            .where(SafeguardingFlag.status == "open"))
        flags = []
        if current_user.can("reviewer"):  # flags hold people's own words and contacts
            flags = list(db.scalars(select(SafeguardingFlag).where(SafeguardingFlag.status == "open")
                                    .order_by(SafeguardingFlag.created_at, SafeguardingFlag.id).limit(QUEUE_SIZE)))
    return render_template("admin/home.html", title="Home", section="home", waiting=waiting, flags=flags,
                           now=rt.now())
