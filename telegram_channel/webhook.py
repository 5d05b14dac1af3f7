"""POST /telegram/webhook: checks the secret header and hands the update to the channel."""
from __future__ import annotations

import hmac
import logging

from flask import Blueprint, Response, current_app, request

log = logging.getLogger(__name__)


def blueprint() -> Blueprint:
    """POST /telegram/webhook, checked against TELEGRAM_WEBHOOK_SECRET."""
    bp = Blueprint("telegram", __name__, url_prefix="/telegram")

    @bp.post("/webhook")
    def webhook():
        rt = current_app.extensions["yoursay"]
        if "telegram" not in rt.transports:
            return Response("Telegram is not configured on this server\n", status=503, mimetype="text/plain")
        secret = rt.settings.telegram_webhook_secret
        given = request.headers.get("X-Telegram-Bot-Api-Secret-Token", "")
        if not secret or not hmac.compare_digest(given.encode(), secret.encode()):
            return Response("forbidden\n", status=403, mimetype="text/plain")
        data = request.get_json(silent=True)
        if not isinstance(data, dict) or "update_id" not in data:
            log.warning("ignored a malformed Telegram update")
            return Response("ignored\n", status=200, mimetype="text/plain")
        rt.transports["telegram"].handle(data)
        return Response("ok\n", status=200, mimetype="text/plain")

    return bp
