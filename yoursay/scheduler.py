"""Wires scheduled jobs into APScheduler. Only the process holding the lease runs them."""
from __future__ import annotations

import logging
from datetime import timedelta

from apscheduler.schedulers.background import BackgroundScheduler

from bot.delivery import drain
from bot.jobs import expire_conversations, forget_message_text, remind_unfinished
from storage.leases import acquire
from yoursay.runtime import Runtime

log = logging.getLogger(__name__)
LEASE_NAME = "scheduler"


def tick(rt: Runtime) -> bool:
    """One round of scheduled work, if this process holds the lease. True if it ran."""
    now = rt.now()
    ttl = timedelta(seconds=max(30.0, rt.settings.scheduler_interval * 6))
    with rt.factory.begin() as session:
        if not acquire(session, LEASE_NAME, rt.worker, now, ttl):
            return False
    for name, transport in rt.transports.items():
        try:
            drain(rt.factory, transport, rt.policy(name), rt.worker)
        except Exception:  # one channel's trouble must not stop the other's
            log.exception("sending %s messages failed", name)
    remind_unfinished(rt.factory, rt.bot.surveys, rt.bot.texts, rt.now(), rt.settings.conversation_timeout)
    expire_conversations(rt.factory, rt.bot.surveys, rt.now(), rt.settings.conversation_timeout)
    forget_message_text(rt.factory, rt.settings.message_text_retention, rt.now())
    return True


def start(rt: Runtime) -> BackgroundScheduler:
    scheduler = BackgroundScheduler(timezone="UTC")
    scheduler.add_job(tick, "interval", args=[rt], seconds=rt.settings.scheduler_interval,
                      id="tick", max_instances=1, coalesce=True)
    scheduler.start()
    return scheduler
