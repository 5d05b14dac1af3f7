"""Fan-out: one opportunity's alert queued to 100,000 subscribers, then a sample sent at each channel's limit.

Prints how long queueing the alerts took (one INSERT ... SELECT, in the publish's
transaction), then drains a sample of each channel through the product's own transports
(python-telegram-bot via TelegramChannel, the twilio client via TwilioTransport) to local fakes
of the Telegram Bot API and Twilio, running in another process, and reports the rate the
fakes measured against the limit: over the whole sample, and the most in any 1-second window.

    .venv/bin/python benchmarks/fanout.py --db sqlite
    .venv/bin/python benchmarks/fanout.py --db postgres [--subscribers 100000] [--sample 1500]
"""
from __future__ import annotations

import argparse
import tempfile
import threading
import time
from pathlib import Path

from benchlib import NOW, database, fake_providers, provider_env, received, seed

from service.alerts import publish_and_alert
from outbox.delivery import drain
from outbox.pacing import most_in_any_window
from storage.models import Opportunity
from yoursay import config
from yoursay.app import create_app
from yoursay.runtime import build


class Counting:
    """A transport that counts what it sent, so a drain can stop after a sample."""

    def __init__(self, inner):
        self.inner, self.channel, self.sent = inner, inner.channel, 0

    def send(self, item):
        result = self.inner.send(item)
        self.sent += 1
        return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--subscribers", type=int, default=100_000)
    parser.add_argument("--sample", type=int, default=1500, help="messages to send per channel")
    parser.add_argument("--sms-rate", type=float, default=20.0)
    parser.add_argument("--telegram-rate", type=float, default=30.0)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder, database(args.db) as url:
        out = Path(folder) / "received.jsonl"
        started = time.perf_counter()
        seed(url, args.subscribers)
        print(f"{args.db}: seeded {args.subscribers:,} subscribers in {time.perf_counter() - started:.1f}s")
        with fake_providers(out) as urls:
            env = provider_env(urls, url, YOURSAY_SMS_RATE=str(args.sms_rate),
                               YOURSAY_TELEGRAM_RATE=str(args.telegram_rate))
            settings = config.load(env)
            rt = build(settings)
            app = create_app(settings, rt)
            with rt.factory.begin() as session:
                opportunity = Opportunity(title="Working Together group - North", summary="Help shape crisis care.",
                                          type="working_together", area="North", venue="Riverside House",
                                          payment="paid", status="draft", created_at=NOW)
                session.add(opportunity)
            started = time.perf_counter()
            with rt.factory.begin() as session:
                _, counts = publish_and_alert(session, opportunity.id, rt.now(), settings.trust_name, 3)
            enqueue = time.perf_counter() - started
            print(f"{args.db}: publish + queue alerts to {counts.alerts:,} subscribers: {enqueue:.2f}s "
                  f"({counts.alerts / enqueue:,.0f} rows/s)")

            transports = app.extensions["yoursay"].transports
            transports["telegram"].start()
            counting = {name: Counting(t) for name, t in transports.items()}
            threads = [threading.Thread(target=drain, args=(rt.factory, t, rt.policy(name), rt.worker),
                                        kwargs={"pacer": rt.pacer(name),
                                                "keep_going": lambda t=t: t.sent < args.sample})
                       for name, t in counting.items()]
            started = time.perf_counter()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            elapsed = time.perf_counter() - started
            transports["telegram"].stop()
            rt.close()
        got = received(out)
        limits = {"sms": args.sms_rate, "telegram": args.telegram_rate}
        for channel, limit in limits.items():
            times = sorted(m["t"] for m in got if m["channel"] == channel)
            rate = (len(times) - 1) / (times[-1] - times[0])
            peak = most_in_any_window(times)
            print(f"{args.db}: {channel}: {len(times):,} sent in {times[-1] - times[0]:.1f}s: {rate:.2f}/s, "
                  f"limit {limit:g}/s, ratio {rate / limit:.3f}; most in any 1s window {peak} "
                  f"({'within' if peak <= limit else 'OVER'} the limit)")
        print(f"{args.db}: drained {len(got):,} in {elapsed:.1f}s on both channels at once")


if __name__ == "__main__":
    main()
