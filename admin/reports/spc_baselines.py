"""The SPC baselines file: which months a chart's limits are worked out from, and where they are recalculated.

YAML, pointed at by YOURSAY_SPC_BASELINES (settings.spc_baselines); see spc_baselines_example.yaml:

    trust:                      # the chart for the whole trust
      from: 2025-04             # the baseline months, both included ('to' left out: every month from 'from')
      to: 2026-03
      recalculate:              # a step change: new limits from each month given
        - 2026-09               # ... worked out from every month from it
        - {from: 2027-04, to: 2028-03}   # ... or from these months
    services:
      CODE: {from: ..., to: ..., recalculate: [...]}
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import yaml

EXAMPLE_BASELINES = Path(__file__).with_name("spc_baselines_example.yaml")


@dataclass(frozen=True)
class Segment:
    """Limits that apply from index `start` on, worked out from the points first..last (indices, inclusive)."""

    start: int
    first: int
    last: int


class SpcBaselineError(ValueError):
    """The SPC baselines file cannot be read."""


@dataclass(frozen=True)
class Baseline:
    """Fixed limits for one chart: from the months first..last, recalculated at each of `recalculate`.

    recalculate: [(from month, baseline last month or None for every month from it)].
    """

    first: date | None = None
    last: date | None = None
    recalculate: tuple[tuple[date, date | None], ...] = ()


def parse_month(value, where: str) -> date:
    """The first day of a month given as YYYY-MM (or a date); SpcBaselineError if it is not one."""
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.replace(day=1)
    try:
        return datetime.strptime(str(value).strip(), "%Y-%m").date()
    except ValueError:
        raise SpcBaselineError(f"{where}: {value!r} is not a month written as YYYY-MM, e.g. 2025-04") from None


def _baseline(entry, where: str) -> Baseline:
    if not isinstance(entry, dict):
        raise SpcBaselineError(f"{where}: expected 'from', 'to' and optionally 'recalculate'")
    unknown = set(entry) - {"from", "to", "recalculate"}
    if unknown:
        raise SpcBaselineError(f"{where}: unknown setting {', '.join(sorted(map(str, unknown)))} "
                               "(use from, to and recalculate)")
    first = parse_month(entry["from"], f"{where}, from") if entry.get("from") is not None else None
    last = parse_month(entry["to"], f"{where}, to") if entry.get("to") is not None else None
    if first and last and last < first:
        raise SpcBaselineError(f"{where}: 'to' ({last:%Y-%m}) is before 'from' ({first:%Y-%m})")
    steps = entry.get("recalculate") or []
    if not isinstance(steps, list):
        raise SpcBaselineError(f"{where}, recalculate: expected a list of months, or of from/to")
    recalc = []
    for n, step in enumerate(steps, 1):
        here = f"{where}, recalculate {n}"
        if isinstance(step, dict):
            if set(step) - {"from", "to"} or "from" not in step:
                raise SpcBaselineError(f"{here}: expected a month, or 'from' and optionally 'to'")
            start = parse_month(step["from"], here)
            end = parse_month(step["to"], here) if step.get("to") is not None else None
            if end and end < start:
                raise SpcBaselineError(f"{here}: 'to' is before 'from'")
            recalc.append((start, end))
        else:
            recalc.append((parse_month(step, here), None))
    if first and any(start <= first for start, _ in recalc):
        raise SpcBaselineError(f"{where}: a recalculation must come after the baseline's first month")
    return Baseline(first, last, tuple(sorted(recalc)))


def load_baselines(path: str | Path) -> dict[str | None, Baseline]:
    """Read a baselines file: {None (the trust): Baseline, service code: Baseline}. Raises SpcBaselineError."""
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise SpcBaselineError(f"cannot read the SPC baselines file {path}: {exc}") from exc
    data = data or {}
    if not isinstance(data, dict) or set(data) - {"trust", "services"}:
        raise SpcBaselineError(f"the SPC baselines file {path} must have only 'trust' and 'services' at the top")
    out: dict[str | None, Baseline] = {}
    if data.get("trust") is not None:
        out[None] = _baseline(data["trust"], f"{path}: trust")
    services = data.get("services") or {}
    if not isinstance(services, dict):
        raise SpcBaselineError(f"{path}: 'services' must map service codes to baselines")
    for code, entry in services.items():
        out[str(code)] = _baseline(entry, f"{path}: services, {code}")
    return out


def segments(months: list[date], baseline: Baseline | None) -> list[Segment]:
    """A chart's segments (see xmr) for these months from a configured baseline; one over them all by default."""
    n = len(months)
    if baseline is None or (baseline.first and baseline.first > months[-1]):  # not begun yet: as by default
        return [Segment(0, 0, n - 1)]
    index = {m: i for i, m in enumerate(months)}

    def at(month: date | None, default: int) -> int:
        if month is None:
            return default
        return index.get(month, 0 if month < months[0] else n - 1 if month > months[-1] else default)

    out = [Segment(0, at(baseline.first, 0), at(baseline.last, n - 1))]
    for start, last in baseline.recalculate:
        if start > months[-1]:
            continue
        i = at(start, 0)
        out = [s for s in out if s.start < i] or []
        out.append(Segment(i, i, at(last, n - 1)))
    return out
