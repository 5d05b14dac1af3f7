"""Kill test: a broadcast to 2,000 subscribers, its sender SIGKILLed mid-drain a few times, then let finish.

The sender is `yoursay send-outbox`, a process of its own, sending through the real twilio
client and python-telegram-bot to local fakes of Twilio and the Telegram Bot API in another
process, which note every message they accept. Each trial kills the sender at random
moments, restarts it, lets the last one finish, and reports duplicates (a subscriber who got
the message more than once) and losses (one who never got it) as the fakes saw them, and how
many rows the kills left in doubt (a request under way when the sender died), and how many
duplicates were not of those (the journal's job: should be 0), each per channel. An SMS in doubt
is sent again only if Twilio's Messages list does not have it; a Telegram message in doubt is
always sent again (at least once), so duplicates on SMS should be 0 and on Telegram need not be.
--without-lookup runs the senders without asking Twilio, as before, for a comparison.

    .venv/bin/python benchmarks/kill_test.py --db sqlite [--trials 3] [--kills 3] [--latency 0.2] [--without-lookup]
    .venv/bin/python benchmarks/kill_test.py --db postgres
"""
from __future__ import annotations

import argparse
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from benchlib import NOW, database, fake_providers, provider_env, received, seed

from sqlalchemy import create_engine, func, select

from service.alerts import broadcast
from storage.db import make_engine, make_sessionmaker
from storage.models import Contact, Outbox

BODY = "Participation News: December. Text JOIN to see what is open."
SENDER = [sys.executable, "-c", "from yoursay.cli import main; main()", "send-outbox"]
NO_LOOKUP = [sys.executable, "-c", "from sms.sender import TwilioTransport; del TwilioTransport.sent_since; "
             "from yoursay.cli import main; main()", "send-outbox"]
CHANNELS = ("sms", "telegram")


def recipients(url: str) -> set[tuple[str, str]]:
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(select(Contact.channel, Contact.address).join(Outbox, Outbox.contact_id == Contact.id))
        found = {(channel, address) for channel, address in rows}
    engine.dispose()
    return found


def in_doubt(url: str) -> set[tuple[str, str]]:
    """Recipients of rows a killed sender left in doubt (its request had started, no answer was noted)."""
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(select(Contact.channel, Contact.address).join(Outbox, Outbox.contact_id == Contact.id)
                            .where(Outbox.last_error.like("in doubt%")))
        found = {(channel, address) for channel, address in rows}
    engine.dispose()
    return found


def statuses(url: str) -> dict[str, int]:
    engine = create_engine(url)
    with engine.connect() as conn:
        counts = dict(conn.execute(select(Outbox.status, func.count()).group_by(Outbox.status)).all())
    engine.dispose()
    return counts


def trial(kind: str, subscribers: int, kills: int, env_extra: dict, rng: random.Random, sender: list[str],
          latency: float) -> dict:
    with tempfile.TemporaryDirectory() as folder, database(kind) as url:
        out = Path(folder) / "received.jsonl"
        seed(url, subscribers)
        engine = make_engine(url)
        with make_sessionmaker(engine).begin() as session:
            _, queued = broadcast(session, BODY, "subscribers", NOW)
        engine.dispose()
        expected = recipients(url)
        with fake_providers(out, latency) as urls:
            env = provider_env(urls, url, **env_extra)
            killed_at = []
            for _ in range(kills):
                start = len(received(out))
                process = subprocess.Popen(sender, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                deadline = time.monotonic() + 120
                while len(received(out)) < start + 10 and time.monotonic() < deadline:  # sending is under way
                    time.sleep(0.05)
                time.sleep(rng.uniform(0.0, 3.0))
                before = len(received(out))
                os.kill(process.pid, signal.SIGKILL)
                process.wait()  # reaped: a restarted sender sees the process has gone
                killed_at.append(before)
            runs, started = 0, time.monotonic()
            while True:  # the last sender runs to the end; again if rows are still waiting
                runs += 1
                subprocess.run(sender, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=900)
                left = statuses(url)
                if not left.get("pending") and not left.get("sending"):
                    break
                if time.monotonic() - started > 600:
                    break
                time.sleep(1)
        got = received(out)
        doubtful = in_doubt(url)
    whole = [m for m in got if (m["channel"], m["to"]) in expected and m["text"] == BODY]
    per_person = Counter((m["channel"], m["to"]) for m in whole)
    # A request cut off by the kill can reach the fake half-sent; it accepts what it got (a real
    # provider would refuse it), so it is counted apart: the row is sent again in full later.
    cut_off = len(got) - len(whole)
    twice = {who: n - 1 for who, n in per_person.items() if n > 1}
    by_channel = {channel: {
        "duplicates": sum(n for who, n in twice.items() if who[0] == channel),
        "in_doubt": sum(who[0] == channel for who in doubtful),
        "duplicates_not_in_doubt": sum(n for who, n in twice.items() if who[0] == channel and who not in doubtful),
    } for channel in CHANNELS}
    return {"queued": queued, "received": len(got), "people": len(per_person), "cut_off": cut_off,
            "duplicates": sum(twice.values()), "lost": len(expected - set(per_person)),
            "in_doubt": len(doubtful), "duplicates_not_in_doubt": sum(n for who, n in twice.items()
                                                                       if who not in doubtful),
            "by_channel": by_channel, "killed_after": killed_at, "final_runs": runs,
            "statuses": statuses_summary(left)}


def statuses_summary(counts: dict[str, int]) -> str:
    return ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--subscribers", type=int, default=2000)
    parser.add_argument("--trials", type=int, default=3)
    parser.add_argument("--kills", type=int, default=3)
    parser.add_argument("--sms-rate", default="100")
    parser.add_argument("--telegram-rate", default="30")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--without-lookup", action="store_true", help="do not ask Twilio before sending again")
    parser.add_argument("--latency", type=float, default=0.0,
                        help="seconds the fakes take to answer a send (more kills land mid-request)")
    args = parser.parse_args()
    sender = NO_LOOKUP if args.without_lookup else SENDER
    totals = {channel: {"duplicates": 0, "in_doubt": 0, "duplicates_not_in_doubt": 0} for channel in CHANNELS}
    rng = random.Random(args.seed)
    env_extra = {"YOURSAY_SMS_RATE": args.sms_rate, "YOURSAY_TELEGRAM_RATE": args.telegram_rate}
    total_dup = total_lost = total_doubt = total_other = 0
    for n in range(1, args.trials + 1):
        result = trial(args.db, args.subscribers, args.kills, env_extra, rng, sender, args.latency)
        for channel, figures in result["by_channel"].items():
            for key, value in figures.items():
                totals[channel][key] += value
        total_dup += result["duplicates"]
        total_lost += result["lost"]
        total_doubt += result["in_doubt"]
        total_other += result["duplicates_not_in_doubt"]
        print(f"{args.db} trial {n}: queued {result['queued']}, received {result['received']} by "
              f"{result['people']} people; duplicates {result['duplicates']}, lost {result['lost']}; "
              f"{result['in_doubt']} rows in doubt (killed mid-request), duplicates outside them "
              f"{result['duplicates_not_in_doubt']} "
              f"(and {result['cut_off']} half-sent requests cut off by a kill); "
              f"killed {args.kills} times (after {result['killed_after']} received), "
              f"{result['final_runs']} final run(s); outbox: {result['statuses']}", flush=True)
    print(f"{args.db}: {args.trials} trials, {args.trials * args.kills} kills"
          f"{' (without asking Twilio)' if args.without_lookup else ''}: duplicates {total_dup}, "
          f"lost {total_lost}; rows in doubt {total_doubt}, duplicates outside them {total_other}")
    for channel, figures in totals.items():
        print(f"  {channel}: duplicates {figures['duplicates']}, rows in doubt {figures['in_doubt']}, "
              f"duplicates outside them {figures['duplicates_not_in_doubt']}")


if __name__ == "__main__":
    main()
