"""The composition root: builds the Flask app and wires every part together."""
from __future__ import annotations

import logging

from flask import Flask, jsonify
from sqlalchemy import text
from werkzeug.middleware.proxy_fix import ProxyFix

import admin
from sms.webhook import bp as sms_bp
from telegram_channel import webhook as telegram_webhook
from yoursay import config
from yoursay.runtime import Runtime, build

log = logging.getLogger(__name__)
DEV_SECRET = "dev-only-secret-never-use-in-production"


def create_app(settings: config.Settings | None = None, runtime: Runtime | None = None) -> Flask:
    """Build the app. Nothing starts running here: see yoursay.serve for that."""
    settings = settings or (runtime.settings if runtime else config.load())
    rt = runtime or build(settings)
    app = Flask("yoursay")
    app.config["SECRET_KEY"] = settings.secret_key or DEV_SECRET
    app.config["MAX_CONTENT_LENGTH"] = 1024 * 1024
    if settings.trusted_proxies:  # the client's address as the nearest proxies saw it, for sign-in limits
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=settings.trusted_proxies)
    app.extensions["yoursay"] = rt
    app.register_blueprint(sms_bp)
    app.register_blueprint(telegram_webhook.blueprint())
    admin.init_app(app, settings)  # the admin's pages, sign-in and CSRF (checked on admin pages only)

    @app.get("/health")
    def health():
        try:
            with rt.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except Exception:  # the health check reports, it does not crash
            log.exception("health check: database unreachable")
            return jsonify(status="error", database="unreachable"), 503
        return jsonify(status="ok", database="ok")

    return app
