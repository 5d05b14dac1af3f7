"""Seed a database with N analysed stories for the admin benchmark (benchmarks/admin_pages.py).

    python benchmarks/admin_seed.py --db postgres --stories 1000000
    python benchmarks/admin_seed.py --db sqlite --stories 1000000 --path /tmp/admin_bench.db

Each story is an FFT response (the rating and a "why" answer), its analysis (sentiment,
1% flagged, redacted text) and one or two QDC themes, spread over the last two years; plus
services, QI projects with evidence, participants and a benchmark user. PostgreSQL is
filled with COPY, SQLite with executemany. Prints the database URL on the last line.
"""
from __future__ import annotations

import argparse
import os
import random
import sqlite3
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from admin.reports.qdc import MAJOR_CATEGORIES  # noqa: E402
from storage import migrate  # noqa: E402

PG_SERVER = os.environ.get("YOURSAY_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
PG_NAME = "yoursay_admin_bench"
NOW = datetime.now(timezone.utc).replace(microsecond=0)
SERVICES = [(f"SVC{n:02d}", f"Service {n}") for n in range(1, 13)]
MODES = ["SMS/text message", "SMS/text message", "SMS/text message", "Online", "Telephone"]
THEMES = [t for ts in MAJOR_CATEGORIES.values() for t in ts]
WORDS = ("staff were kind and listened waited too long for an appointment the ward was clean food was cold "
         "nobody told me about my care plan my nurse explained my medication parking was hard").split()
SENTIMENT_OF = {"1": "positive", "2": "positive", "3": "neutral", "4": "negative", "5": "negative", "6": "neutral"}
BATCH = 50_000


def stories(n: int, seed: int = 1):
    """Rows per story: (response, fft answer, why answer, analysis, [tags]); oldest first."""
    rng = random.Random(seed)
    span = timedelta(days=730).total_seconds()
    tag_id = 0
    for i in range(1, n + 1):
        created = NOW - timedelta(seconds=span * (1 - i / n))
        service = SERVICES[rng.randrange(len(SERVICES))][0]
        rating = rng.choices("123456", weights=(50, 25, 8, 6, 6, 5))[0]
        words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 25)))
        risk = "self-harm" if rng.random() < 0.01 else None
        tags = []
        for theme in rng.sample(THEMES, rng.choice((1, 1, 2))):
            tag_id += 1
            tags.append((tag_id, 2 * i, theme, round(rng.uniform(0.5, 0.99), 2), "model"))
        day = created.replace(hour=0, minute=0, second=0)  # responses keep the day only (privacy)
        yield ((i, "fft", 1, service, rng.choice(MODES), day, 1 + i // 7),
               (2 * i - 1, i, "fft", rating), (2 * i, i, "why", words),
               (2 * i, SENTIMENT_OF[rating], risk, words, "bench", created), tags)


COLUMNS = {
    "responses": ("id", "survey_id", "survey_version", "service_code", "mode", "created_at", "batch"),
    "answers": ("id", "response_id", "question_id", "value"),
    "story_analyses": ("answer_id", "sentiment", "risk", "redacted", "model_version", "analysed_at"),
    "story_tags": ("id", "answer_id", "theme", "confidence", "source"),
}


def batches(n: int):
    """Lists of rows per table, BATCH stories at a time."""
    out = {t: [] for t in COLUMNS}
    for k, (response, fft, why, analysis, tags) in enumerate(stories(n), start=1):
        out["responses"].append(response)
        out["answers"] += [fft, why]
        out["story_analyses"].append(analysis)
        out["story_tags"] += tags
        if k % BATCH == 0:
            yield out
            out = {t: [] for t in COLUMNS}
    if out["responses"]:
        yield out


def extras(n: int) -> dict[str, list[tuple]]:
    """Services, QI projects with evidence, participants: the small tables."""
    rng = random.Random(2)
    projects = [(p, f"QI project {p}", SERVICES[p % len(SERVICES)][0], "Lead", "active", "Aims", NOW)
                for p in range(1, 25)]
    evidence = [(e, rng.randint(1, 24), 2 * rng.randint(1, n), None, "bench", NOW) for e in range(1, 2001)]
    evidence = list({(row[1], row[2]): row for row in evidence}.values())
    evidence += [(10_000 + p, p, None, THEMES[p % len(THEMES)], "bench", NOW) for p in range(1, 25)]
    return {
        "services": [(k + 1, code, name, True) for k, (code, name) in enumerate(SERVICES)],
        "qi_projects": projects,
        "qi_evidence": evidence,
    }


EXTRA_COLUMNS = {
    "services": ("id", "code", "name", "active"),
    "qi_projects": ("id", "title", "service_code", "lead", "status", "aims", "created_at"),
    "qi_evidence": ("id", "project_id", "answer_id", "theme", "linked_by", "created_at"),
}


def seed_postgres(url: str, n: int) -> None:
    engine = create_engine(url)
    raw = engine.raw_connection()
    try:
        conn = raw.driver_connection
        with conn.cursor() as cur:
            small = extras(n)
            for table in ("services", "qi_projects"):
                _copy(cur, table, EXTRA_COLUMNS[table], small[table])
            for done, batch in enumerate(batches(n), start=1):
                for table in COLUMNS:
                    _copy(cur, table, COLUMNS[table], batch[table])
                print(f"  {min(done * BATCH, n):,} stories", file=sys.stderr)
            _copy(cur, "qi_evidence", EXTRA_COLUMNS["qi_evidence"], small["qi_evidence"])  # points at answers
            for table in ("responses", "answers", "story_tags", "services", "qi_projects", "qi_evidence"):
                cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                            f"(SELECT coalesce(max(id), 1) FROM {table}))")
        conn.commit()
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute("VACUUM ANALYZE")
    finally:
        raw.close()
        engine.dispose()


def _copy(cur, table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
    with cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def _sqlite_value(value):
    return value.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f") if isinstance(value, datetime) else value


def seed_sqlite(path: Path, n: int) -> None:
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("PRAGMA journal_mode=MEMORY")
    try:
        def insert(table, columns, rows):
            conn.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
                             ([_sqlite_value(v) for v in row] for row in rows))

        for table, rows in extras(n).items():
            insert(table, EXTRA_COLUMNS[table], rows)
        for done, batch in enumerate(batches(n), start=1):
            for table in COLUMNS:
                insert(table, COLUMNS[table], batch[table])
            print(f"  {min(done * BATCH, n):,} stories", file=sys.stderr)
        conn.commit()
        conn.execute("ANALYZE")
        conn.commit()
    finally:
        conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgres"), required=True)
    parser.add_argument("--stories", type=int, default=1_000_000)
    parser.add_argument("--path", default="/tmp/yoursay_admin_bench.db", help="the SQLite file (replaced)")
    args = parser.parse_args()
    started = time.perf_counter()
    if args.db == "sqlite":
        path = Path(args.path)
        path.unlink(missing_ok=True)
        url = f"sqlite:///{path}"
        migrate.upgrade(url)
        seed_sqlite(path, args.stories)
    else:
        admin = create_engine(PG_SERVER, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{PG_NAME}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{PG_NAME}"'))
        admin.dispose()
        url = make_url(PG_SERVER).set(database=PG_NAME).render_as_string(hide_password=False)
        migrate.upgrade(url)
        seed_postgres(url, args.stories)
    print(f"seeded {args.stories:,} stories in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    print(url)


if __name__ == "__main__":
    main()
