"""The safeguarding risk check against its evaluation set: recall per kind, false alarms per kind
of look-alike, and speed.

    .venv/bin/python benchmarks/risk.py [--part test] [--show]

tests/nlp/risk_eval/ holds parts written by different people: `tune` (the rules were tuned on it),
`dev` (looked at while tuning) and `test` (held out: never tuned on). Quote the `test` figures.
Speed is a ratio against the engine's own handling of the same messages, in the same process.
"""
from __future__ import annotations

import argparse
import resource
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot import engine  # noqa: E402
from bot.engine import Context  # noqa: E402
from nlp import risk  # noqa: E402
from nlp.risk import evaluate  # noqa: E402

EVAL = ROOT / "tests" / "nlp" / "risk_eval"


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def report(name: str, score: evaluate.Score, show: bool) -> None:
    print(f"\n== {name}: recall {score.recall:.3f}, false alarms {score.false_alarm_rate:.3f}")
    print("recall by kind:")
    for kind, (hit, n) in sorted(score.caught.items()):
        print(f"  {kind:18} {hit:3}/{n:<3} {hit / n:.2f}")
    print("false alarms by kind of look-alike:")
    for kind, (bad, n) in sorted(score.alarms.items()):
        print(f"  {kind:18} {bad:3}/{n:<3} {bad / n:.2f}")
    if show:
        for kind, text in score.missed:
            print(f"  MISSED {kind}: {text}")
        for kind, text, why in score.false:
            print(f"  FALSE  {kind}: {text}  [{why}]")


def speed(texts: list[str], rounds: int) -> None:
    now = datetime(2026, 12, 1, 12, tzinfo=timezone.utc)
    state = engine.first_state(engine.shipped().latest("fft"), None, now)
    state = {**state, "q": "why"}
    ctx = Context(now=now, channel="sms", ref="r")
    timings = {}
    for name, run in (("engine", lambda t: engine.handle(state, t, ctx)), ("risk check", risk.detect)):
        start = time.perf_counter()
        for _ in range(rounds):
            for t in texts:
                run(t)
        timings[name] = (time.perf_counter() - start) / (rounds * len(texts))
    print(f"\nspeed over {len(texts)} messages x {rounds}: risk check {1 / timings['risk check']:,.0f} msg/s, "
          f"the engine's own handling {1 / timings['engine']:,.0f} msg/s; "
          f"risk check / engine = {timings['risk check'] / timings['engine']:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--part", action="append", help="tune, dev or test (default: all there are)")
    parser.add_argument("--show", action="store_true", help="list every miss and false alarm")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    before = rss_mb()
    risk.preload(language_models=False)
    rules = rss_mb()
    risk.preload()
    print(f"memory: rules {rules - before:.0f} MB, language models {rss_mb() - rules:.0f} MB (peak RSS {rss_mb():.0f} MB)")
    parts = args.part or [p.stem for p in sorted(EVAL.glob("*.yaml"))]
    texts = []
    for part in parts:
        messages = evaluate.load(EVAL / f"{part}.yaml")
        texts += [m["text"] for m in messages]
        report(part, evaluate.score(messages, risk.detect), args.show)
    speed(texts, args.rounds)


if __name__ == "__main__":
    main()
