"""Split stories under load: many people at once send a long story in three texts, seconds apart.

Each simulated person texts FEEDBACK OAKLANDS, answers 2, then sends a 1,698-character "why" in
three parts 3 seconds apart, as a phone that cannot join long texts does, all as signed Twilio
webhooks to `yoursay serve` (its receiver process and its own scheduler, as in service). Then it
waits for the join window to pass and the scheduler to seal and write the stories, and reads the
database: how many stories were kept whole as one, split, or lost a part, and how many replies
the people got. Figures are counts and ratios, never absolute timings. Run it with

    .venv/bin/python benchmarks/story_join.py [--people 120] [--join-minutes 0.5]
"""
from __future__ import annotations

import argparse
import http.client
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
import xml.etree.ElementTree as ET
from pathlib import Path

from sqlalchemy import create_engine, func, select

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from storage.models import Answer, PendingResponse, Response  # noqa: E402
from webhook_load import TOKEN, free_port, signed_body, wait_until_up  # noqa: E402

GAP = 3.0  # seconds between the parts of one story
SENTENCES = [
    "I was admitted to Oaklands in the spring.", "The night staff were friendly and the ward was clean and quiet.",
    "My tablets were changed twice without a word from the doctor.",
    "My mum rang the ward every day and was told different things by different people.",
    "The activities coordinator was brilliant and the art group was the best part of my week.",
    "When I was discharged I had no follow-up call for three weeks, and I had to chase the team myself.",
]


def story(n: int, length: int = 1698) -> str:
    """Person n's own story, exactly `length` characters, with their number in it so it can be found."""
    text = f"Person {n:04d} here. " + " ".join(random.Random(n).sample(SENTENCES * 8, 40))
    cut = text[:length - 1].rstrip()
    return cut + "." * (length - len(cut))


def parts_of(text: str, count: int = 3) -> list[str]:
    cuts = [text.index(" ", len(text) * k // count) for k in range(1, count)]
    return [text[a + 1 if a else 0:b] for a, b in zip([0, *cuts], [*cuts, len(text)])]


class Person(threading.Thread):
    """One phone: the FFT's first answer, then a story in three texts, GAP seconds apart."""

    def __init__(self, n: int, port: int, public_url: str, start_in: float):
        super().__init__(daemon=True)
        self.n, self.port, self.public_url, self.start_in = n, port, public_url, start_in
        self.phone = f"+4477009{n:05d}"
        self.replies: list[list[str]] = []
        self.errors = 0
        self.last_part_at = 0.0

    def send(self, conn: http.client.HTTPConnection, text: str) -> list[str]:
        params = {"MessageSid": "SM" + uuid.uuid4().hex, "From": self.phone, "To": "+447700900000", "Body": text,
                  "AccountSid": "AC" + "0" * 32, "NumMedia": "0", "NumSegments": str(len(text) // 153 + 1)}
        body, signature = signed_body(self.public_url + "/sms/inbound", params)
        conn.request("POST", "/sms/inbound", body=body, headers={
            "Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": signature})
        response = conn.getresponse()
        data = response.read()
        if response.status != 200:
            self.errors += 1
            return []
        return [m.text or "" for m in ET.fromstring(data).iter("Message")]

    def run(self) -> None:
        time.sleep(self.start_in)
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        self.send(conn, "FEEDBACK OAKLANDS")
        self.send(conn, "2")
        for k, part in enumerate(parts_of(story(self.n))):
            if k:
                time.sleep(GAP)
            self.replies.append(self.send(conn, part))
        self.last_part_at = time.monotonic()
        conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=120)
    parser.add_argument("--join-minutes", type=float, default=0.5, help="YOURSAY_STORY_JOIN_MINUTES for the run")
    parser.add_argument("--spread", type=float, default=5.0, help="people start within this many seconds")
    parser.add_argument("--threads", type=int, default=16, help="server threads")
    opts = parser.parse_args()
    window = opts.join_minutes * 60

    tmp = tempfile.mkdtemp(prefix="yoursay-stories-")
    db_url, port = f"sqlite:///{tmp}/bench.db", free_port()
    public_url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "DATABASE_URL": db_url, "YOURSAY_MODE": "dev", "TWILIO_ACCOUNT_SID": "AC" + "0" * 32,
           "TWILIO_AUTH_TOKEN": TOKEN, "TWILIO_FROM_NUMBER": "+447700900000", "YOURSAY_PUBLIC_URL": public_url,
           "TELEGRAM_BOT_TOKEN": "", "YOURSAY_SCHEDULER_INTERVAL": "1", "YOURSAY_QUIET_HOURS": "off",
           "YOURSAY_STORY_JOIN_MINUTES": str(opts.join_minutes)}
    bin_dir = Path(sys.executable).parent
    subprocess.run([str(bin_dir / "yoursay"), "services", "add", "OAKLANDS", "Oaklands Ward"], env=env,
                   check=True, capture_output=True)
    server = subprocess.Popen([str(bin_dir / "yoursay"), "serve", "--port", str(port), "--threads",
                               str(opts.threads)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    engine = create_engine(db_url)
    try:
        wait_until_up(port)
        rng = random.Random(7)
        people = [Person(n, port, public_url, rng.uniform(0, opts.spread)) for n in range(opts.people)]
        for p in people:
            p.start()
        for p in people:
            p.join()
        sent_all = max(p.last_part_at for p in people)
        first_last = min(p.last_part_at for p in people)
        with engine.connect() as conn:
            written_early = conn.scalar(select(func.count()).select_from(Response))
        deadline = sent_all + window + 120  # the window, then at most a batch's wait and a tick or two
        written_at = None
        while time.monotonic() < deadline:
            with engine.connect() as conn:
                waiting = conn.scalar(select(func.count()).select_from(PendingResponse))
                written = conn.scalar(select(func.count()).select_from(Response))
            if written >= opts.people and not waiting:
                written_at = time.monotonic()
                break
            time.sleep(0.5)
        with engine.connect() as conn:
            whys = conn.scalars(select(Answer.value).where(Answer.question_id == "why")).all()
            responses = conn.scalar(select(func.count()).select_from(Response))
            waiting = conn.scalar(select(func.count()).select_from(PendingResponse))
    finally:
        server.terminate()
        server.wait(timeout=30)
        engine.dispose()

    expected = {p.n: story(p.n) for p in people}
    whole = sum(1 for n, text in expected.items() if whys.count(text) == 1)
    kept_parts = sum(1 for n, text in expected.items() for part in parts_of(text) if any(part in w for w in whys))
    split = sum(1 for n in expected if sum(f"Person {n:04d}" in w for w in whys) > 1)
    quiet = sum(1 for p in people for r in p.replies[1:] if not r)
    answered_first = sum(1 for p in people if p.replies and len(p.replies[0]) == 1)
    errors = sum(p.errors for p in people)
    parts = 3 * opts.people
    print(f"{opts.people} people at once, each a 1,698-character story in 3 texts {GAP:g}s apart; join window "
          f"{opts.join_minutes:g} min; SQLite, `yoursay serve` with its receiver process and scheduler")
    print(f"stories kept whole as one:    {whole}/{opts.people} ({whole / opts.people:.0%})")
    print(f"stories split in two or more: {split}")
    print(f"parts kept:                   {kept_parts}/{parts} (lost: {parts - kept_parts})")
    print(f"responses written:            {responses}/{opts.people}  (still waiting: {waiting}; "
          f"written before the window passed: {written_early})")
    print(f"replies: first part answered {answered_first}/{opts.people}; later parts with no reply of their own "
          f"{quiet}/{parts - opts.people}; webhook errors {errors}")
    if written_at is not None:
        print(f"all written {(written_at - sent_all) / window:.2f}x the window after the last part was sent "
              f"(sending the last parts took {(sent_all - first_last) / window:.2f}x the window)")
    else:
        print("not all written within the window plus two minutes")


if __name__ == "__main__":
    main()
