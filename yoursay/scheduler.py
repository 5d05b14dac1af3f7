"""Wires scheduled jobs into APScheduler. Only the process holding the lease runs them."""
from __future__ import annotations

import logging
from datetime import timedelta

from apscheduler.schedulers.background import BackgroundScheduler

from admin.reports import summary
from service.alerts import send_digests
from outbox.delivery import drain
from service.jobs import expire_conversations, forget_message_text, remind_unfinished, write_answer_batches
from storage import throttle
from service.erasure import forget_erased_contacts
from storage.leases import acquire
from yoursay.mail import email_staff_notices
from yoursay.on_duty import notify_on_duty, remind_on_duty
from yoursay.pack_mail import email_packs, pdf_maker
from yoursay.rising_mail import email_rising_themes
from yoursay.runtime import Runtime
from yoursay.tagging import tag_new

log = logging.getLogger(__name__)
LEASE_NAME = "scheduler"
CHANNELS = ("sms", "telegram")
LEASE_TTL = timedelta(minutes=2)  # renewed before each job, and by senders between batches


def tick(rt: Runtime) -> bool:
    """One round of scheduled work, if this process holds the lease. True if it ran."""
    if not _renew(rt):
        return False
    s = rt.settings
    jobs = [
        ("telling the on-duty contact about safeguarding flags", lambda: notify_on_duty(rt.factory, s, rt.now(),
                                                                                     rt.bot.texts.safeguarding_settings
                                                                                     .alert_priorities())),
        ("reminding the on-duty contact of flags waiting too long",
         lambda: remind_on_duty(rt.factory, s, rt.now(), rt.bot.texts.safeguarding_settings.alert_priorities())),
        ("reminders", lambda: remind_unfinished(rt.factory, rt.bot.surveys, rt.bot.texts, rt.now(),
                                                s.conversation_timeout)),
        ("expiry", lambda: expire_conversations(rt.factory, rt.bot, rt.now(), s.conversation_timeout)),
        ("writing anonymous answers", lambda: write_answer_batches(rt.factory, rt.bot, rt.now())),
        ("forgetting erased contacts", lambda: forget_erased_contacts(rt.factory, rt.now())),
        ("forgetting message text", lambda: forget_message_text(rt.factory, s.message_text_retention, rt.now())),
        ("forgetting old failed sign-ins", lambda: throttle.forget(rt.factory, rt.now())),
        ("weekly digests", lambda: send_digests(rt.factory, rt.now(), s.trust_name, s.digest_at, s.timezone)),
        ("e-mailing staff notices", lambda: email_staff_notices(rt.factory, s, rt.now())),
        ("weekly rising themes e-mail", lambda: email_rising_themes(rt.factory, s, rt.now(), lambda: _renew(rt))),
        ("monthly packs e-mail", lambda: email_packs(rt.factory, s, rt.now(), pdf_maker(rt), lambda: _renew(rt))),
        ("tagging stories", lambda: tag_new(rt)),
        ("dashboard figures", lambda: summary.refresh(rt.factory, rt.now(), tz=s.timezone, budget=summary.BUDGET)),
    ]
    for name, job in jobs:
        if not _renew(rt):  # never run on beside a new holder
            return True
        try:
            job()
        except Exception:  # one job's trouble must not stop the others
            log.exception("scheduled job failed: %s", name)
    return True


def send(rt: Runtime, channel: str) -> int:
    """Send what is due on one channel, for as long as there is some and this process holds the lease.

    Each channel has a job (and a thread) of its own, so a long broadcast on SMS holds up
    neither Telegram nor the other jobs, and goes out at the channel's full rate.
    """
    transport = rt.transports.get(channel)
    if transport is None or not _renew(rt):
        return 0
    return drain(rt.factory, transport, rt.policy(channel), rt.worker, pacer=rt.pacer(channel),
                 keep_going=lambda: _renew(rt))


def _renew(rt: Runtime) -> bool:
    with rt.factory.begin() as session:
        return acquire(session, LEASE_NAME, rt.worker, rt.now(), LEASE_TTL)


def start(rt: Runtime) -> BackgroundScheduler:
    scheduler = BackgroundScheduler(timezone="UTC")
    scheduler.add_job(tick, "interval", args=[rt], seconds=rt.settings.scheduler_interval,
                      id="tick", max_instances=1, coalesce=True)
    for channel in CHANNELS:  # Telegram's transport may come later (long polling adds it when it starts)
        scheduler.add_job(_logged(send), "interval", args=[rt, channel],
                          seconds=min(1.0, rt.settings.scheduler_interval),
                          id=f"send-{channel}", max_instances=1, coalesce=True)
    scheduler.start()
    return scheduler


def _logged(job):
    def run(rt, channel):
        try:
            return job(rt, channel)
        except Exception:  # logged; the job runs again in a second
            log.exception("sending %s messages failed", channel)
    return run
