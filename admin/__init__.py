"""The People Participation Team's admin: NHS.UK design system pages behind sign-in."""
from __future__ import annotations

import secrets
from datetime import timedelta

from flask import Blueprint, Flask, g, render_template
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import CSRFError
from jinja2 import BytecodeCache, ChainableUndefined, ChoiceLoader, PackageLoader

from admin import params, security
from admin.filters import register_filters

# /assets: the NHS.UK frontend (copied from npm by `make frontend`) and our own CSS and JS. Public,
# so the sign-in page and the public pages are styled too.
assets = Blueprint("assets", __name__, static_folder="static", static_url_path="/assets", template_folder="templates")


class _PageSessions(SecureCookieSessionInterface):
    """Session cookies for pages only: a webhook (Twilio, Telegram) never reads or sets one."""

    webhooks = ("/sms/", "/telegram/")

    def open_session(self, app, request):
        if request.path.startswith(self.webhooks):
            return None  # Flask gives the request a null session: nothing to read, nothing written
        return super().open_session(app, request)


class _ProcessBytecodeCache(BytecodeCache):
    """Compiled templates shared by every app built in this process (the NHS macros take a second to compile)."""

    store: dict[str, bytes] = {}

    def load_bytecode(self, bucket) -> None:
        if bucket.key in self.store:
            bucket.bytecode_from_string(self.store[bucket.key])

    def dump_bytecode(self, bucket) -> None:
        self.store[bucket.key] = bucket.bytecode_to_string()


def init_app(app: Flask, settings) -> None:
    """Wire the admin into the app: templates, sessions, sign-in, CSRF, security headers, blueprints."""
    from admin import audit_views, auth, feedback, flags, home, users
    from admin import fft_return, service_settings
    from admin import (board, broadcasts, dashboard_views, notices, opportunities, public_pages, qi, reports_views,
                       ysd)
    from admin import services as service_pages

    # nhsuk-frontend-jinja needs ChainableUndefined; set before anything builds the Jinja environment.
    # autoescape=True everywhere, as nhsuk-frontend-jinja asks: by file name Flask would escape only .html, and
    # text passed to the NHS macros (.jinja files) would reach the page as HTML.
    app.jinja_options = {**app.jinja_options, "undefined": ChainableUndefined, "autoescape": True,
                         "bytecode_cache": _ProcessBytecodeCache(),
                         "loader": ChoiceLoader([app.create_global_jinja_loader(),
                                                 PackageLoader("nhsuk_frontend_jinja")])}
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=(settings.public_url or "").startswith("https://"),
        SESSION_COOKIE_NAME="yoursay_session",
        PERMANENT_SESSION_LIFETIME=timedelta(hours=8),
        WTF_CSRF_CHECK_DEFAULT=False,  # checked by admin blueprints only: webhooks must not need it
        WTF_CSRF_TIME_LIMIT=None,      # a token lives as long as the session
        SIGN_IN_LIMIT_BY_ADDRESS=settings.trusted_proxies > 0,  # only behind a proxy is the address worth keying on
    )
    app.session_interface = _PageSessions()
    app.url_map.converters.update(params.CONVERTERS)  # before the routes: ids too big for a column are 404s
    security.csrf.init_app(app)
    security.login_manager.init_app(app)
    security.login_manager.login_view = "auth.login"
    security.login_manager.login_message = "Sign in to see that page"
    security.login_manager.session_protection = "strong"
    register_filters(app)

    app.register_blueprint(assets)
    for module in (auth, home, flags, feedback, users, audit_views, qi, ysd, board,
                   dashboard_views, reports_views, opportunities, broadcasts, notices, public_pages, service_pages):
        app.register_blueprint(module.bp)
    app.register_blueprint(fft_return.bp)
    app.register_blueprint(service_settings.bp)

    @app.template_global()
    def csp_nonce() -> str:
        """This response's script nonce, made when a page first asks for one (webhooks never do)."""
        if "csp_nonce" not in g:
            g.csp_nonce = secrets.token_urlsafe(16)
        return g.csp_nonce

    @app.after_request
    def _headers(response):
        nonce = g.get("csp_nonce")
        scripts = f"'self' 'nonce-{nonce}'" if nonce else "'self'"
        response.headers.setdefault(
            "Content-Security-Policy",
            f"default-src 'self'; script-src {scripts}; style-src 'self'; img-src 'self' data:; "
            "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if response.mimetype == "text/html":
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    @app.errorhandler(CSRFError)
    def _csrf_error(error):
        return render_template("admin/error.html", title="Your form has expired",
                               message="For your security, the form could not be sent. Go back, reload the "
                                       "page and try again."), 400

    @app.errorhandler(403)
    def _forbidden(error):
        return render_template("admin/error.html", title="You do not have access to this page",
                               message="Your role does not allow this. Ask an admin if you need it."), 403

    @app.errorhandler(405)
    def _wrong_method(error):  # e.g. reloading the address a form was sent to, after an error on it
        return render_template("admin/error.html", title="This page cannot be opened on its own",
                               message="It is where a form is sent. Go back to the page with the form and "
                                       "try again."), 405

    @app.errorhandler(404)
    def _not_found(error):
        return render_template("admin/error.html", title="Page not found",
                               message="If you typed the web address, check it is correct."), 404
