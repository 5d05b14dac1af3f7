"""What fanout.py and kill_test.py share: a fresh database, many subscribers fast, the fake providers."""
from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import tempfile
import uuid
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, insert, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from storage import migrate  # noqa: E402
from storage.models import Contact, Participant  # noqa: E402

PG_SERVER = os.environ.get("YOURSAY_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
NOW = datetime.now(timezone.utc)


@contextlib.contextmanager
def database(kind: str):
    """A migrated, empty database for one run, removed afterwards."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            url = f"sqlite:///{folder}/bench.db"
            migrate.upgrade(url)
            yield url
        return
    name = f"yoursay_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_SERVER, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(PG_SERVER).set(database=name).render_as_string(hide_password=False)
    try:
        migrate.upgrade(url)
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def seed(url: str, count: int, chunk: int = 10_000) -> None:
    """count participants with instant alerts, alternately on SMS and Telegram, in bulk inserts."""
    engine = create_engine(url)
    with engine.begin() as conn:
        for start in range(0, count, chunk):
            rows = []
            for n in range(start, min(count, start + chunk)):
                sms = n % 2 == 0
                rows.append({"channel": "sms" if sms else "telegram",
                             "address": f"+447{n:09d}" if sms else str(5_000_000_000 + n),
                             "opted_out": False, "state": {}, "created_at": NOW})
            conn.execute(insert(Contact.__table__), rows)
        ids = conn.execute(select(Contact.id).order_by(Contact.id)).scalars().all()
        for start in range(0, len(ids), chunk):
            conn.execute(insert(Participant.__table__), [
                {"contact_id": i, "name": "", "consent_at": NOW, "consent_text": "I agree", "interests": [],
                 "areas": [], "access_needs": "", "alerts": "instant", "alerts_paused": False, "created_at": NOW,
                 "updated_at": NOW} for i in ids[start:start + chunk]])
    engine.dispose()


@contextlib.contextmanager
def fake_providers(out: Path, latency: float = 0.0):
    """The fake Telegram and Twilio servers in another process; yields their base URLs."""
    process = subprocess.Popen([sys.executable, str(ROOT / "benchmarks" / "fake_providers.py"), "--out", str(out),
                                "--latency", str(latency)],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        urls = json.loads(process.stdout.readline())
        yield urls
    finally:
        process.stdin.close()
        process.wait(timeout=30)


def received(out: Path) -> list[dict]:
    if not out.exists():
        return []
    return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines() if line.strip()]


def provider_env(urls: dict, url: str, **extra) -> dict:
    """The environment a YourSay process needs to send to the fakes."""
    from fake_providers import TELEGRAM_TOKEN, TWILIO_SID, TWILIO_TOKEN

    return {**os.environ, "DATABASE_URL": url, "YOURSAY_MODE": "dev", "YOURSAY_QUIET_HOURS": "off",
            "TWILIO_ACCOUNT_SID": TWILIO_SID, "TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
            "TWILIO_FROM_NUMBER": "+447700900000", "TWILIO_API_BASE_URL": urls["twilio"],
            "TELEGRAM_BOT_TOKEN": TELEGRAM_TOKEN, "TELEGRAM_API_BASE_URL": urls["telegram"], **extra}
