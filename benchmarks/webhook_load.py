"""Load: full FFT conversations as signed Twilio webhooks against `yoursay serve`.

In the same run, the same load goes to a bare Flask endpoint that only returns an empty
TwiML reply, on the same server stack (waitress, same thread count). Prints messages/s
and p50/p99 latency for both, and the ratio between them. Run it with

    .venv/bin/python benchmarks/webhook_load.py [--connections 16] [--seconds 15]
    .venv/bin/python benchmarks/webhook_load.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres

`yoursay serve` handles messages in its receiver process (yoursay/receiver.py); --in-process
measures it with YOURSAY_RECEIVER_PROCESS=off, every message handled by the web process itself.
"""
from __future__ import annotations

import argparse
import http.client
import multiprocessing as mp
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from pathlib import Path

from twilio.request_validator import RequestValidator

HERE = Path(__file__).resolve().parent
TOKEN = "bench-auth-token"
CONVERSATION = ["FEEDBACK OAKLANDS", "2", "The staff were kind but I waited a long time to be seen."]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listening on {port} after {timeout}s")


def signed_body(url: str, params: dict) -> tuple[bytes, str]:
    signature = RequestValidator(TOKEN).compute_signature(url, params)
    return urllib.parse.urlencode(params).encode(), signature


def worker(port: int, path: str, public_url: str, seconds: float, threads: int, index: int, queue) -> None:
    """One process of the load: several threads, each a keep-alive connection."""
    latencies, errors = [], []
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def run(thread_no: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine, bad, n = [], 0, 0
        while time.monotonic() < stop_at:
            phone = f"+4477009{index:02d}{thread_no:02d}{n % 1000:03d}"[:13]
            n += 1
            for text in CONVERSATION:
                params = {"MessageSid": "SM" + uuid.uuid4().hex, "From": phone, "To": "+447700900000",
                          "Body": text, "AccountSid": "AC" + "0" * 32, "NumMedia": "0"}
                body, signature = signed_body(public_url + path, params)
                headers = {"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": signature}
                started = time.perf_counter()
                try:
                    conn.request("POST", path, body=body, headers=headers)
                    response = conn.getresponse()
                    response.read()
                    ok = response.status == 200
                except (OSError, http.client.HTTPException):
                    ok = False
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                mine.append(time.perf_counter() - started)
                bad += 0 if ok else 1
        with lock:
            latencies.extend(mine)
            errors.append(bad)

    pool = [threading.Thread(target=run, args=(t,)) for t in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    queue.put((latencies, sum(errors)))


def drive(port: int, path: str, public_url: str, connections: int, seconds: float) -> dict:
    processes = min(4, connections)
    per = [connections // processes + (1 if i < connections % processes else 0) for i in range(processes)]
    queue = mp.Queue()
    started = time.perf_counter()
    procs = [mp.Process(target=worker, args=(port, path, public_url, seconds, per[i], i, queue))
             for i in range(processes)]
    for p in procs:
        p.start()
    results = [queue.get() for _ in procs]
    for p in procs:
        p.join()
    elapsed = time.perf_counter() - started
    latencies = sorted(x for lats, _ in results for x in lats)
    return {
        "messages": len(latencies),
        "errors": sum(e for _, e in results),
        "per_second": len(latencies) / elapsed,
        "p50_ms": 1000 * statistics.median(latencies),
        "p99_ms": 1000 * latencies[int(0.99 * (len(latencies) - 1))],
    }


def start(args: list[str], env: dict) -> subprocess.Popen:
    return subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def postgres_database(url: str, name: str, create: bool) -> str:
    """Create (or drop) a database of our own on the PostgreSQL server at url."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"' if create else f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()
    return make_url(url).set(database=name).render_as_string(hide_password=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--threads", type=int, default=16, help="server threads, the same for both")
    parser.add_argument("--database-url", help="PostgreSQL server URL; default: a fresh SQLite file")
    parser.add_argument("--in-process", action="store_true", help="no receiver process (YOURSAY_RECEIVER_PROCESS=off)")
    opts = parser.parse_args()

    tmp = tempfile.mkdtemp(prefix="yoursay-bench-")
    pg_name = f"yoursay_bench_{uuid.uuid4().hex[:8]}"
    db_url = postgres_database(opts.database_url, pg_name, True) if opts.database_url else f"sqlite:///{tmp}/bench.db"
    yoursay_port, bare_port = free_port(), free_port()
    env = {**os.environ, "DATABASE_URL": db_url, "YOURSAY_MODE": "dev", "TWILIO_ACCOUNT_SID": "AC" + "0" * 32,
           "TWILIO_AUTH_TOKEN": TOKEN, "TWILIO_FROM_NUMBER": "+447700900000", "YOURSAY_SCHEDULER": "off",
           "YOURSAY_PUBLIC_URL": f"http://127.0.0.1:{yoursay_port}", "TELEGRAM_BOT_TOKEN": "",
           "YOURSAY_RECEIVER_PROCESS": "off" if opts.in_process else "on"}
    bin_dir = Path(sys.executable).parent
    if opts.database_url:
        subprocess.run([str(bin_dir / "yoursay"), "db", "upgrade"], env=env, check=True, capture_output=True)
    subprocess.run([str(bin_dir / "yoursay"), "services", "add", "OAKLANDS", "Oaklands Ward"], env=env,
                   check=True, capture_output=True)
    servers = [
        start([str(bin_dir / "yoursay"), "serve", "--port", str(yoursay_port), "--threads", str(opts.threads)], env),
        start([sys.executable, str(HERE / "bare_app.py"), str(bare_port), str(opts.threads)], env),
    ]
    try:
        wait_until_up(yoursay_port)
        wait_until_up(bare_port)
        drive(bare_port, "/sms/inbound", f"http://127.0.0.1:{bare_port}", opts.connections, 2)  # warm up
        bare = drive(bare_port, "/sms/inbound", f"http://127.0.0.1:{bare_port}", opts.connections, opts.seconds)
        ours = drive(yoursay_port, "/sms/inbound", f"http://127.0.0.1:{yoursay_port}", opts.connections,
                     opts.seconds)
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=10)
        if opts.database_url:
            postgres_database(opts.database_url, pg_name, False)
    kind = "PostgreSQL" if opts.database_url else "SQLite"
    receiver = "messages handled in the web process" if opts.in_process else "with its receiver process"
    print(f"{opts.connections} connections, {opts.seconds:.0f}s each, waitress with {opts.threads} threads, {kind}, "
          f"{receiver}")
    for name, r in (("bare TwiML endpoint", bare), ("YourSay /sms/inbound", ours)):
        print(f"{name:22} {r['per_second']:8.1f} msg/s  p50 {r['p50_ms']:6.1f} ms  p99 {r['p99_ms']:6.1f} ms  "
              f"errors {r['errors']} of {r['messages']}")
    print(f"ratio (YourSay / bare): {ours['per_second'] / bare['per_second']:.2f}")


if __name__ == "__main__":
    main()
