"""Score the risk check against a labelled evaluation file (tests/nlp/risk_eval/*.yaml).

Each message has a kind (suicide-plan, carer, idiom, ...) and what it expects:
- alert: must be flagged urgent or high (a human is told now);
- distress: must be flagged at all (a low flag and a gentle reply are enough);
- review: not English, harmless: a human-review flag is right, an urgent alert is a false alarm;
- low-ok: negated or long past: a low flag is fine, urgent or high is a false alarm;
- none: any urgent or high flag is a false alarm.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import yaml

RISK = ("alert", "distress")


@dataclass
class Score:
    caught: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))   # kind: [hit, n]
    alarms: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))   # kind: [false, n]
    missed: list[tuple[str, str]] = field(default_factory=list)
    false: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def recall(self) -> float:
        hit, n = (sum(v[i] for v in self.caught.values()) for i in (0, 1))
        return hit / n if n else 1.0

    @property
    def false_alarm_rate(self) -> float:
        bad, n = (sum(v[i] for v in self.alarms.values()) for i in (0, 1))
        return bad / n if n else 0.0


def load(path: Path) -> list[dict]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))["messages"]


def score(messages: list[dict], detect: Callable) -> Score:
    out = Score()
    for m in messages:
        r, expect, kind = detect(m["text"]), m["expect"], m["kind"]
        if expect in RISK:
            hit = r is not None and (r.alert or expect == "distress")
            out.caught[kind][0] += hit
            out.caught[kind][1] += 1
            if not hit:
                out.missed.append((kind, m["text"]))
        else:
            false = r is not None and (r.priority == "urgent" if expect == "review" else r.alert)
            out.alarms[kind][0] += false
            out.alarms[kind][1] += 1
            if false:
                out.false.append((kind, m["text"], f"{r.category}/{r.priority}: {r.phrase}"))
    return out
