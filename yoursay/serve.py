"""Run the app for real: migrations, background threads and the WSGI server."""
from __future__ import annotations

import logging
from dataclasses import dataclass

from flask import Flask

from nlp import risk
from storage import migrate
from yoursay import config, logs, receiver, scheduler
from yoursay.app import create_app
from yoursay.runtime import build

log = logging.getLogger(__name__)


@dataclass
class Background:
    """The threads a serving process runs beside the web app."""

    app: Flask
    scheduler: object | None = None

    def stop(self) -> None:
        if self.scheduler:
            self.scheduler.shutdown(wait=True)
        rt = self.app.extensions["yoursay"]
        for transport in rt.transports.values():
            if hasattr(transport, "stop"):
                transport.stop()
        rt.close()


def prepare(settings: config.Settings) -> Flask:
    """Check settings and schema, then build the app. SQLite is migrated automatically."""
    settings.check_can_serve()
    rt = build(settings)
    if settings.is_sqlite:
        migrate.upgrade(settings.database_url)
    elif not migrate.is_current(rt.engine):
        raise config.ConfigError("the database schema is out of date: run `yoursay db upgrade` first")
    if rt.bot.risk_check:  # load the risk rules now, not on someone's first message; the language models
        risk.preload(language_models=not settings.receiver_process)  # only where messages are read
    return create_app(settings, rt)


def start_receiver(app: Flask) -> None:
    """Handle inbound messages in a process of their own (see yoursay.receiver); in-process if it cannot start."""
    rt = app.extensions["yoursay"]
    try:
        rt.receiver = receiver.ReceiverProcess(rt.settings).start()
    except Exception:
        log.exception("the receiver process did not start: inbound messages are handled in this process")


def start_background(app: Flask) -> Background:
    """Start the Telegram loop and the scheduler for a serving process."""
    rt = app.extensions["yoursay"]
    for transport in rt.transports.values():
        if hasattr(transport, "start"):
            transport.start()
    jobs = scheduler.start(rt) if rt.settings.run_scheduler else None
    return Background(app, jobs)


def wsgi_app() -> Flask:
    """For another WSGI server, e.g. gunicorn -w 4 'yoursay.serve:wsgi_app()'."""
    settings = config.load()
    if not logging.getLogger().handlers:  # else the server's own logging stays, with secrets masked
        logs.configure(logging.WARNING, logging.INFO)
    logs.hide(*logs.secrets_of(settings))
    app = prepare(settings)
    start_background(app)
    return app


def run(settings: config.Settings, host: str, port: int, threads: int = 16) -> None:
    import waitress

    app = prepare(settings)
    if settings.receiver_process:
        start_receiver(app)
    background = start_background(app)
    log.info("YourSay serving on http://%s:%s (%s mode)", host, port, settings.mode)
    try:
        waitress.serve(app, host=host, port=port, threads=threads, ident="YourSay")
    finally:
        background.stop()
