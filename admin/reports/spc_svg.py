"""An SPC chart drawn on the server as accessible SVG, in the style of admin.reports.charts.

role="img" with a title and description; special-cause points differ by marker shape (a
triangle pointing the way they went) as well as colour, a legend names every mark, and the
same figures come as a table. Every text is escaped here, so the markup is safe to show.
"""
from __future__ import annotations

from html import escape

from markupsafe import Markup

from admin.reports import charts
from admin.reports.xmr import RULES, VARIATIONS, Analysis, Point

DARK, GREY, LINE, WHITE = charts.DARK, charts.GREY, "#4c6272", charts.WHITE
LEFT, PLOT_W, RIGHT, TOP, PLOT_H, BOTTOM = 56, 600, 200, 44, 260, 40


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}%"


def _scale(analysis: Analysis) -> tuple[float, float, float]:
    """(low, high, tick step) of the y axis: the values and limits with some room, within 0 to 100."""
    seen = [p.value for p in analysis.points if p.value is not None]
    for lim in analysis.limits:
        seen += [lim.upper, lim.lower, lim.mean]
    low, high = (min(seen), max(seen)) if seen else (0.0, 100.0)
    room = max((high - low) * 0.08, 2.0)
    low, high = max(low - room, 0.0), min(high + room, 100.0)
    step = next((s for s in (1, 2, 5, 10, 20, 25) if (high - low) / s <= 6), 25)
    return step * (low // step), min(step * -(-high // step), 100.0), step


def _marker(p: Point, x: float, y: float) -> str:
    """Common cause: a grey dot. Improvement: a blue triangle pointing the way it went; concern: an orange one."""
    colour = VARIATIONS[p.variation][2]
    if p.variation in ("improvement", "concern"):
        up = "high" in p.signals.values() and ("low" not in p.signals.values() or p.value > p.limits.mean)
        d = (f"M{x} {y - 7} L{x + 7} {y + 5} L{x - 7} {y + 5} Z" if up
             else f"M{x} {y + 7} L{x + 7} {y - 5} L{x - 7} {y - 5} Z")
        return f'<path d="{d}" fill="{colour}" stroke="{DARK}" stroke-width="1.5"/>'
    if p.variation == "common":
        return f'<circle cx="{x}" cy="{y}" r="4" fill="{colour}" stroke="{DARK}" stroke-width="1"/>'
    return f'<circle cx="{x}" cy="{y}" r="4" fill="{WHITE}" stroke="{LINE}" stroke-width="2"/>'


def _legend() -> str:
    """Each mark with its words, across the top."""
    items = [
        (f'<circle cx="6" cy="0" r="4" fill="{VARIATIONS["common"][2]}" stroke="{DARK}"/>', "Common cause"),
        (f'<path d="M6 -7 L13 5 L-1 5 Z" fill="{VARIATIONS["improvement"][2]}" stroke="{DARK}" stroke-width="1.5"/>',
         "Special cause: improvement"),
        (f'<path d="M6 7 L13 -5 L-1 -5 Z" fill="{VARIATIONS["concern"][2]}" stroke="{DARK}" stroke-width="1.5"/>',
         "Special cause: concern"),
        (f'<line x1="-4" y1="0" x2="16" y2="0" stroke="{DARK}" stroke-width="2"/>', "Mean"),
        (f'<line x1="-4" y1="0" x2="16" y2="0" stroke="{LINE}" stroke-width="2" stroke-dasharray="6 4"/>',
         "Process limits"),
    ]
    out, x = [], LEFT
    for mark, words in items:
        out.append(f'<g transform="translate({x} 18)">{mark}<text x="22" y="5" fill="{DARK}" font-size="13">'
                   f'{escape(words)}</text></g>')
        x += 40 + 7 * len(words)
    return "".join(out)


def draw(chart) -> Markup:
    """The chart's SVG (an spc.SpcChart with its analysis, id, title and desc)."""
    analysis, cid = chart.analysis, chart.id
    points = analysis.points
    low, high, step = _scale(analysis)
    dx = PLOT_W / max(len(points) - 1, 1)

    def x_at(i: int) -> float:
        return round(LEFT + i * dx, 1)

    def y_at(v: float) -> float:
        return round(TOP + PLOT_H - PLOT_H * (v - low) / ((high - low) or 1), 1)

    width, height = LEFT + PLOT_W + RIGHT, TOP + PLOT_H + BOTTOM
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="yoursay-chart app-spc-chart" role="img" '
           f'aria-labelledby="{cid}-title {cid}-desc" viewBox="0 0 {width} {height}" width="100%" '
           f'font-family="Frutiger W01, Arial, sans-serif" font-size="14">',
           f'<title id="{cid}-title">{escape(chart.title)}</title>',
           f'<desc id="{cid}-desc">{escape(chart.desc)}</desc>',
           _legend()]
    tick = low
    while tick <= high + 1e-9:  # gridlines with their values
        y = y_at(tick)
        out.append(f'<line x1="{LEFT}" y1="{y}" x2="{LEFT + PLOT_W}" y2="{y}" stroke="#d8dde0"/>'
                   f'<text x="{LEFT - 6}" y="{y + 4}" text-anchor="end" fill="{GREY}" font-size="12">{tick:g}%</text>')
        tick += step
    every = charts.tick_every(len(points), PLOT_W)
    for i, p in enumerate(points):
        if (len(points) - 1 - i) % every:  # counted back from the latest, which is always labelled
            continue
        out.append(f'<text x="{x_at(i)}" y="{TOP + PLOT_H + 22}" text-anchor="middle" fill="{DARK}" '
                   f'font-size="12">{escape(p.label)}</text>')
    ends = []
    for first, last, lim in _limit_runs(points):  # mean and limits, stepped where they were recalculated
        x1, x2 = x_at(first), x_at(last)
        if first > 0:
            out.append(f'<line x1="{x1 - dx / 2}" y1="{TOP}" x2="{x1 - dx / 2}" y2="{TOP + PLOT_H}" stroke="{DARK}" '
                       f'stroke-dasharray="2 3"/><text x="{x1 - dx / 2 + 4}" y="{TOP + 12}" fill="{DARK}" '
                       f'font-size="12">Limits recalculated</text>')
        if x2 == x1:
            x1, x2 = x1 - 4, x2 + 4
        out.append(f'<line x1="{x1}" y1="{y_at(lim.mean)}" x2="{x2}" y2="{y_at(lim.mean)}" stroke="{DARK}" '
                   f'stroke-width="2"/>')
        for value in (lim.upper, lim.lower):
            out.append(f'<line x1="{x1}" y1="{y_at(value)}" x2="{x2}" y2="{y_at(value)}" stroke="{LINE}" '
                       f'stroke-width="2" stroke-dasharray="6 4"/>')
        if last == len(points) - 1:
            ends = [[y_at(lim.upper) + 4, f"Upper limit {_pct(lim.upper)}"],
                    [y_at(lim.mean) + 4, f"Mean {_pct(lim.mean)}"],
                    [y_at(lim.lower) + 4, f"Lower limit {_pct(lim.lower)}"]]
    path = " ".join(f"{'M' if i == 0 or points[i - 1].value is None else 'L'}{x_at(i)} {y_at(p.value)}"
                    for i, p in enumerate(points) if p.value is not None)  # a gap stops the line
    if "L" in path:
        out.append(f'<path d="{path}" fill="none" stroke="{LINE}" stroke-width="2"/>')
    for i, p in enumerate(points):
        if p.value is None:
            continue
        words = f"{p.label}: {_pct(p.value)}"
        if p.signals:
            words += f", special cause {p.variation} ({'; '.join(RULES[r] for r in p.signals)})"
        out.append(f'<g>{_marker(p, x_at(i), y_at(p.value))}<title>{escape(words)}</title></g>')
    latest = analysis.latest
    if latest is not None:
        ends.append([y_at(latest.value) + 4, f"{latest.label} {_pct(latest.value)}"])
    for y, text in charts.spread(ends, 15, TOP + 8, TOP + PLOT_H + 8):
        out.append(f'<text x="{LEFT + PLOT_W + 12}" y="{y}" fill="{DARK}" font-size="12">{escape(text)}</text>')
    out.append("</svg>")
    return Markup("".join(out))  # noqa: S704 (every text escaped above)


def _limit_runs(points: list[Point]) -> list[tuple[int, int, object]]:
    """[(first index, last index, limits)] for each stretch of points under the same limits."""
    runs: list[list] = []
    for i, p in enumerate(points):
        if p.limits is None:
            continue
        if runs and runs[-1][2] is p.limits:
            runs[-1][1] = i
        elif p.value is not None:  # the lines begin at a month with answers
            runs.append([i, i, p.limits])
    return [tuple(r) for r in runs]


def icon(variation: str, higher_is_better: bool = True) -> Markup:
    """MDC's variation icon: a coloured circle, with H or L for a special cause that went higher or lower.

    Hidden from screen readers: the words are always shown beside it.
    """
    colour = VARIATIONS[variation][2]
    out = ['<svg xmlns="http://www.w3.org/2000/svg" class="app-spc-icon" viewBox="0 0 48 48" width="48" height="48" '
           f'aria-hidden="true" focusable="false"><circle cx="24" cy="24" r="21" fill="{WHITE}" stroke="{colour}" '
           'stroke-width="4"/>']
    if variation == "common":
        out.append(f'<path d="M10 26 L17 21 L24 28 L31 20 L38 25" fill="none" stroke="{colour}" stroke-width="3"/>')
    elif variation in ("improvement", "concern"):
        high = (variation == "improvement") == higher_is_better
        out.append(f'<text x="24" y="32" text-anchor="middle" font-family="Arial, sans-serif" font-size="22" '
                   f'font-weight="bold" fill="{DARK}">{"H" if high else "L"}</text>')
    else:
        out.append(f'<text x="24" y="31" text-anchor="middle" font-family="Arial, sans-serif" font-size="20" '
                   f'fill="{DARK}">?</text>')
    out.append("</svg>")
    return Markup("".join(out))  # noqa: S704 (no text from outside)


def table(analysis: Analysis) -> dict:
    """The chart's figures: month, % positive, answers, moving range, mean, limits and signals."""
    rows = []
    for p in analysis.points:
        lim = p.limits
        if p.value is None:
            signals = "Too few answers: a gap" if p.answers else "No answers: a gap"
        elif not p.signals:
            signals = "Common cause" if lim else "-"
        else:
            kind = "Improvement" if p.variation == "improvement" else "Concern"
            signals = f"{kind}: " + "; ".join(f"{RULES[r]} ({'higher' if w == 'high' else 'lower'})"
                                             for r, w in p.signals.items())
        lim = lim if p.value is not None else None  # a gap has no place against the limits
        rows.append([p.label, _pct(p.value), p.answers if p.answers is not None else "-",
                     "-" if p.moving_range is None else f"{p.moving_range:.1f}",
                     _pct(lim.mean if lim else None), _pct(lim.lower if lim else None),
                     _pct(lim.upper if lim else None), signals])
    return {"caption": "FFT % positive by month, with the process limits and special-cause signals",
            "header": ["Month", "% positive", "Answers", "Moving range (% points)", "Mean", "Lower limit",
                       "Upper limit", "Signals"], "rows": rows}
