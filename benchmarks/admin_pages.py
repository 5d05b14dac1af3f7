"""Time the admin's busiest pages on a seeded database (benchmarks/admin_seed.py first).

    python benchmarks/admin_pages.py --url postgresql+psycopg://postgres@127.0.0.1:5432/yoursay_admin_bench

Through the Flask test client, signed in as a reviewer: the inbox with three filters
(service, sentiment and theme; first page and a page deep in the set), a story page, and
the dashboard page (/admin/dashboard/, all services and one), and a service's month and its printable
pack (/admin/services/SVC03 and .../pack, and the pack as a PDF). Prints the median and 95th
percentile of each, in milliseconds, and each median as a ratio to a baseline timed in the same
process: the sign-in page, which renders the NHS.UK layout and reads nothing from the database (this
machine is shared and noisy: the ratios travel better than the milliseconds).

The dashboard reads its monthly figures from the summaries the scheduler keeps (admin.reports.summary),
so first the summaries are brought up to date as the scheduler would: every month if none were made
yet (as `yoursay reports refresh` after a bulk load), then timed as the scheduler's routine run every
few minutes (this month and the last). The page is then timed with every month fresh, as it is
while the scheduler runs. With --live, the same figures counted live (as the page did before the
summaries, and does for any month whose summary is not fresh) are timed too.
"""
from __future__ import annotations

import argparse
import random
import re
import statistics
import sys
import time
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select  # noqa: E402

from admin import accounts  # noqa: E402
from admin.reports import summary  # noqa: E402
from admin.reports.dashboard import dashboard  # noqa: E402
from storage.models import StoryAnalysis, User  # noqa: E402
from yoursay import config  # noqa: E402
from yoursay.app import create_app  # noqa: E402
from yoursay.runtime import build  # noqa: E402

PASSWORD = "benchmark-password-long-enough-1"
THREE_FILTERS = {"service": "SVC03", "sentiment": "negative", "theme": "Timeliness of care"}
TARGETS = {"inbox": 300, "inbox, deep page": 300, "story": 300, "dashboard": 1000, "dashboard, one service": 1000,
           "summaries, routine run": 60_000, "dashboard data, live": 1000, "… one service, live": 1000,
           "service page": 1000, "service pack": 1000, "service pack PDF": 10_000, "baseline: sign-in page": 1000}


def timed(fn, runs: int, warmup: int = 2) -> list[float]:
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(1000 * (time.perf_counter() - start))
    return times


def p95(times: list[float]) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def sign_in(client) -> None:
    page = client.get("/admin/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', page)
    response = client.post("/admin/login", data={"username": "bench", "password": PASSWORD,
                                                 "csrf_token": token.group(1)})
    assert response.status_code == 302, response.status_code


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--live", action="store_true", help="also time the figures counted live (slow)")
    args = parser.parse_args()
    settings = replace(config.load({"YOURSAY_MODE": "dev", "DATABASE_URL": args.url}), run_scheduler=False)
    rt = build(settings)
    with rt.factory.begin() as db:
        if not db.scalar(select(User.id).where(User.username == "bench")):
            accounts.create(db, "bench", "reviewer", PASSWORD, rt.now())
    with rt.factory() as db:
        stories = db.scalar(select(func.count()).select_from(StoryAnalysis))
        top = db.scalar(select(func.max(StoryAnalysis.answer_id)))
    tz = settings.timezone
    started = time.perf_counter()
    made = summary.refresh(rt.factory, rt.now(), tz=tz)  # every month the first time; else what changed
    print(f"summaries: {len(made)} months made in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    routine = timed(lambda: summary.refresh(rt.factory, rt.now(), tz=tz, every=timedelta(0)), 3, warmup=0)
    app = create_app(settings, rt)
    client = app.test_client()
    client.environ_base["wsgi.url_scheme"] = "https"  # as behind the HTTPS proxy: Secure cookies come back
    sign_in(client)
    anonymous = app.test_client()  # the baseline: a page with the full layout and no database work
    rng = random.Random(3)

    def get(url, **query):
        response = client.get(url, query_string=query)
        assert response.status_code == 200, (url, response.status_code)
        return response

    def story():
        get(f"/admin/feedback/{2 * rng.randint(1, top // 2)}")

    def dash(service=None):
        page = get("/admin/dashboard/", **({"service": service} if service else {})).get_data(as_text=True)
        assert "Figures as of" in page

    def live(service=None):  # the figures counted live, as the page did before the summaries
        with rt.factory() as db:
            data = dashboard(db, rt.now(), tz=tz, service=service, use_summary=False)
        assert data["live_months"] == data["months"]

    with rt.factory() as db:
        fresh = dashboard(db, rt.now(), tz=tz)
    assert fresh["live_months"] == [], f"months counted live: {fresh['live_months']}"

    results = {
        "inbox": timed(lambda: get("/admin/feedback/", **THREE_FILTERS), args.runs),
        "inbox, deep page": timed(lambda: get("/admin/feedback/", **THREE_FILTERS, after=top // 2), args.runs),
        "story": timed(story, args.runs),
        "dashboard": timed(dash, args.runs),
        "dashboard, one service": timed(lambda: dash("SVC03"), args.runs),
        "service page": timed(lambda: get("/admin/services/SVC03"), args.runs),  # last month: FFT, SPC, themes, ...
        "service pack": timed(lambda: get("/admin/services/SVC03/pack"), args.runs),  # the same, to print
        "service pack PDF": timed(lambda: get("/admin/services/SVC03/pack.pdf"), max(3, args.runs // 5)),
        "baseline: sign-in page": timed(lambda: anonymous.get("/admin/login"), args.runs),
        "summaries, routine run": routine,
    }
    if args.live:
        results["dashboard data, live"] = timed(live, 3, warmup=0)
        results["… one service, live"] = timed(lambda: live("SVC03"), 3, warmup=0)
    print(f"{settings.database_url.split(':')[0]}, {stories:,} stories")
    base = statistics.median(results["baseline: sign-in page"])
    print(f"{'page':<26}{'median ms':>10}{'p95 ms':>10}{'x baseline':>11}{'target':>9}  runs")
    for name, times in results.items():
        ok = "ok" if p95(times) < TARGETS[name] else "SLOW"
        print(f"{name:<26}{statistics.median(times):>10.1f}{p95(times):>10.1f}{statistics.median(times) / base:>11.1f}"
              f"{TARGETS[name]:>9} {ok:<4} {len(times)}")
    print("(the summaries' routine run is the scheduler's background work every few minutes, not a page)")
    rt.close()


if __name__ == "__main__":
    main()
