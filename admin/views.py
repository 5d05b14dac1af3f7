"""Small helpers the admin's pages share: the runtime, service choices, redaction."""
from __future__ import annotations

from flask import current_app
from sqlalchemy import select

from storage.models import Service


def rt():
    return current_app.extensions["yoursay"]


def services(db, *, active_only: bool = False) -> list[tuple[str, str]]:
    """[(code, name)] by name, for selects and labels."""
    query = select(Service.code, Service.name).order_by(Service.name)
    if active_only:
        query = query.where(Service.active.is_(True))
    return [(code, name) for code, name in db.execute(query)]


def redact(text: str) -> str:
    """Text with names and contact details removed by the NLP's redaction (as stories are)."""
    from nlp.redact import redact as nlp_redact

    return nlp_redact(text)
