"""XmR statistical process control sums and rules, the "Making Data Count" way (pure: no database).

The method and its rules are NHS England / NHS Improvement's "Making Data Count" guidance
("Making Data Count: Strengthening your decisions", 2019, revised 2021), as its NHS-R
Community implementation NHSRplotthedots also applies them:

- mean of the baseline points; moving ranges |x(i) - x(i-1)|; MR-bar their mean;
  natural process limits mean +/- 2.66 x MR-bar (2.66 = 3 / 1.128: three sigma);
- special cause when
  1. a point is outside the process limits ("outside");
  2. 7 or more points in a row are above the mean, or below it ("shift"; a point on the mean
     ends a run);
  3. 7 or more points in a row each go up, or each go down ("trend"; an unchanged value ends it);
  4. 2 of 3 points in a row are close to the same process limit: beyond two sigma (2/3 of the
     way from the mean to the limit) but not outside it ("two_of_three"); the close ones are marked.

Choices where the guidance is silent, made plainly:
- A month with no answers is a gap (None), never 0. It is left out, as if the series had only
  the months with answers: moving ranges, runs and trends go from the point before the gap to
  the point after it. The chart still shows the gap.
- By default the limits are worked out from every point shown (from a service's first month with
  answers). A baselines file (admin.reports.spc_baselines) can fix them to chosen months, even
  months before those shown, and recalculate them from a month on (a step change). The rules are applied
  within each period of limits: a run or trend does not carry across a recalculation, and the
  moving range across it is not used.
- Limits from fewer than MIN_POINTS points (12, as NHSRplotthedots warns) are provisional: the
  chart is drawn and says so. With fewer than 2 points there is no moving range, so no limits.
- Moving ranges are not screened for outliers: MR-bar is the plain mean of them, so the limits can
  be checked by hand. (NHSRplotthedots by default leaves out ranges above 3.267 x MR-bar.)
- FFT % positive is worked out from the month's counts, unrounded; the chart and table round it.
- The latest point's variation is read as MDC's icons do: common cause (grey), or special cause
  improvement or concern (blue or orange) by the direction of its signals (for FFT % positive
  higher is better). Signals pointing both ways are settled by the point's side of the mean.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from admin.reports.spc_baselines import Segment

SIGMAS = 2.66  # MR-bar to three sigma: 3 / d2, d2 = 1.128 for ranges of two points
RUN = 7  # points in a row on one side of the mean
TREND = 7  # points in a row each going up, or each going down
MIN_POINTS = 12  # fewer baseline points than this make the limits provisional
RULES = {
    "outside": "Outside the process limits",
    "shift": f"Run of {RUN} or more on one side of the mean",
    "trend": f"Trend of {TREND} or more going up or going down",
    "two_of_three": "2 of 3 close to a process limit",
}
# MDC's variation icons: grey for common cause, blue for improvement, orange for concern.
VARIATIONS = {
    "common": ("Common cause variation: no significant change", "grey", "#768692"),
    "improvement": ("Special cause variation: improvement", "blue", "#005eb8"),
    "concern": ("Special cause variation: concern", "orange", "#ed8b00"),
    "none": ("Not enough data for process limits", "white", "#ffffff"),
}


# ------------------------------------------------------------------------------------ the XmR sums

@dataclass
class Limits:
    start: int  # index of the first point they apply to
    end: int  # index after the last
    baseline: tuple[int, int]  # indices of the first and last baseline point with a value
    points: int  # baseline points with a value
    mean: float
    mr_bar: float
    upper: float
    lower: float
    near_upper: float  # two sigma: 2/3 of the way from the mean to the limit
    near_lower: float

    @property
    def provisional(self) -> bool:
        return self.points < MIN_POINTS


@dataclass
class Point:
    label: str
    value: float | None
    answers: int | None = None
    moving_range: float | None = None
    limits: Limits | None = None
    signals: dict[str, str] = field(default_factory=dict)  # rule: "high" or "low"
    variation: str = "none"  # common, improvement, concern; none without limits or value


@dataclass
class Analysis:
    points: list[Point]
    limits: list[Limits]
    higher_is_better: bool = True

    @property
    def latest(self) -> Point | None:
        """The latest point with a value."""
        return next((p for p in reversed(self.points) if p.value is not None), None)

    @property
    def variation(self) -> str:
        latest = self.latest
        return latest.variation if latest else "none"


def xmr(labels: list[str], values: list[float | None], segments: list[Segment] | None = None, *,
        higher_is_better: bool = True, floor: float | None = None, ceiling: float | None = None) -> Analysis:
    """The XmR chart of a series: limits per segment, each point's moving range, signals and variation.

    By default one segment: limits from every point. Limits are clipped to floor and ceiling
    (e.g. 0 and 100 for a percentage) if given.
    """
    n = len(values)
    points = [Point(label, value) for label, value in zip(labels, values)]
    segments = sorted(segments or [Segment(0, 0, n - 1)], key=lambda s: s.start)
    out = Analysis(points, [], higher_is_better)
    for k, seg in enumerate(segments):
        end = segments[k + 1].start if k + 1 < len(segments) else n
        seen = [i for i in range(seg.start, end) if values[i] is not None]
        for a, b in zip(seen, seen[1:]):
            points[b].moving_range = abs(values[b] - values[a])
        base = [i for i in seen if seg.first <= i <= seg.last]
        if len(base) < 2:
            continue
        mean = sum(values[i] for i in base) / len(base)
        mr_bar = sum(abs(values[b] - values[a]) for a, b in zip(base, base[1:])) / (len(base) - 1)
        width = SIGMAS * mr_bar
        upper, lower = mean + width, mean - width
        if ceiling is not None:
            upper = min(upper, ceiling)
        if floor is not None:
            lower = max(lower, floor)
        limits = Limits(seg.start, end, (base[0], base[-1]), len(base), mean, mr_bar, upper, lower,
                        mean + 2 * width / 3, mean - 2 * width / 3)
        out.limits.append(limits)
        for i in range(seg.start, end):
            points[i].limits = limits
        _signals([points[i] for i in seen], limits, higher_is_better)
    return out


def _signals(seen: list[Point], lim: Limits, higher_is_better: bool) -> None:
    """Mark each point (all with a value, in order, in one segment) with the rules it is part of."""
    values = [p.value for p in seen]
    for p in seen:
        if p.value > lim.upper:
            p.signals["outside"] = "high"
        elif p.value < lim.lower:
            p.signals["outside"] = "low"
    sides = [(v > lim.mean) - (v < lim.mean) for v in values]
    _mark_runs(seen, sides, RUN, "shift")
    steps = [(b > a) - (b < a) for a, b in zip(values, values[1:])]  # step j: from point j to j + 1
    for start, stop, way in _runs(steps):  # a trend of 7 points is 6 steps the same way
        if stop - start + 2 >= TREND:
            for p in seen[start:stop + 2]:
                p.signals["trend"] = "high" if way > 0 else "low"
    close = [("high" if lim.near_upper < v <= lim.upper else "low" if lim.lower <= v < lim.near_lower else None)
             for v in values]
    for i in range(len(seen) - 2):
        for way in ("high", "low"):
            window = [j for j in range(i, i + 3) if close[j] == way]
            if len(window) >= 2:
                for j in window:
                    seen[j].signals["two_of_three"] = way
    good = "high" if higher_is_better else "low"
    for p, side in zip(seen, sides):
        ways = set(p.signals.values())
        if not ways:
            p.variation = "common"
            continue
        way = ways.pop() if len(ways) == 1 else ("high" if side > 0 else "low")
        p.variation = "improvement" if way == good else "concern"


def _runs(signs: list[int]) -> list[tuple[int, int, int]]:
    """[(start, stop, sign)]: maximal runs of the same non-zero sign, stop inclusive."""
    out, start = [], 0
    for i in range(1, len(signs) + 1):
        if i == len(signs) or signs[i] != signs[start]:
            if signs[start]:
                out.append((start, i - 1, signs[start]))
            start = i
    return out


def _mark_runs(seen: list[Point], sides: list[int], length: int, rule: str) -> None:
    for start, stop, way in _runs(sides):
        if stop - start + 1 >= length:
            for p in seen[start:stop + 1]:
                p.signals[rule] = "high" if way > 0 else "low"


def variation_words(variation: str, higher_is_better: bool = True) -> str:
    """MDC's words for a variation, with which way it went (e.g. "... improvement, higher than expected")."""
    words = VARIATIONS[variation][0]
    if variation in ("improvement", "concern"):
        high = (variation == "improvement") == higher_is_better
        words += ", higher than expected" if high else ", lower than expected"
    return words
