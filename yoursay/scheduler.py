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
LEASE_TTL = timedelta(minutes=2)  # renewed before each job; a drain sends at most a lease's worth


def tick(rt: Runtime) -> bool:
    """One round of scheduled work, if this process holds the lease. True if it ran."""
    if not _renew(rt):
        return False
    jobs = [(f"sending {name} messages", lambda t=transport, n=name: drain(rt.factory, t, rt.policy(n), rt.worker))
            for name, transport in rt.transports.items()]
    jobs += [
        ("reminders", lambda: remind_unfinished(rt.factory, rt.bot.surveys, rt.bot.texts, rt.now(),
                                                rt.settings.conversation_timeout)),
        ("expiry", lambda: expire_conversations(rt.factory, rt.bot.surveys, rt.now(),
                                                rt.settings.conversation_timeout)),
        ("forgetting message text", lambda: forget_message_text(rt.factory, rt.settings.message_text_retention,
                                                                rt.now())),
    ]
    for name, job in jobs:
        if not _renew(rt):  # a long drain may outlast the lease: never run on beside a new holder
            return True
        try:
            job()
        except Exception:  # one job's trouble must not stop the others
            log.exception("scheduled job failed: %s", name)
    return True


def _renew(rt: Runtime) -> bool:
    with rt.factory.begin() as session:
        return acquire(session, LEASE_NAME, rt.worker, rt.now(), LEASE_TTL)


def start(rt: Runtime) -> BackgroundScheduler:
    scheduler = BackgroundScheduler(timezone="UTC")
    scheduler.add_job(tick, "interval", args=[rt], seconds=rt.settings.scheduler_interval,
                      id="tick", max_instances=1, coalesce=True)
    scheduler.start()
    return scheduler
