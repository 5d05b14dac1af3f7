"""The PPT admin. For now a placeholder page; the admin issue builds it out."""
from __future__ import annotations

from flask import Blueprint, render_template

bp = Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates")


@bp.get("/")
def home():
    return render_template("admin_home.html")
