"""Accessible charts drawn on the server as SVG: no JavaScript, and colour never carries meaning alone.

Every chart has role="img" with a <title> and <desc>, labels its values directly, tells
series apart by line pattern, marker shape or fill pattern as well as colour, and comes with
the same figures as a table (Chart.table) to show beside it. Templates mark .svg as safe:
every piece of text in it is escaped here.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from html import escape

NHS_BLUE, DARK, GREY, WHITE = "#005eb8", "#212b32", "#4c6272", "#ffffff"
# Colours of the NHS identity, each with a dash pattern, a marker and a fill pattern of its own.
STYLES = (
    {"colour": "#005eb8", "dash": "", "marker": "circle", "fill": "solid"},
    {"colour": "#330072", "dash": "8 4", "marker": "square", "fill": "hatch"},
    {"colour": "#ae2573", "dash": "2 3", "marker": "triangle", "fill": "dots"},
    {"colour": "#006747", "dash": "12 3 2 3", "marker": "diamond", "fill": "cross"},
    {"colour": "#ed8b00", "dash": "4 2", "marker": "circle-open", "fill": "lines"},
)


@dataclass
class Chart:
    svg: str  # markup, everything in it escaped
    table: dict  # {caption, header: [...], rows: [[...]]}: the same figures as a table


def _id(title: str, chart_id: str | None) -> str:
    return chart_id or "chart-" + (re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-") or "x")


def _open(cid: str, title: str, desc: str, width: int, height: int) -> list[str]:
    return [f'<svg xmlns="http://www.w3.org/2000/svg" class="yoursay-chart" role="img" '
            f'aria-labelledby="{cid}-title {cid}-desc" viewBox="0 0 {width} {height}" width="100%" '
            f'style="max-width:{width}px" font-family="Frutiger W01, Arial, sans-serif" font-size="14">',
            f'<title id="{cid}-title">{escape(title)}</title>', f'<desc id="{cid}-desc">{escape(desc)}</desc>']


def _fmt(value, unit: str) -> str:
    if value is None:
        return "no data"
    text = f"{value:.1f}".rstrip("0").rstrip(".") if isinstance(value, float) else str(value)
    return text + unit


def bar_chart(title: str, desc: str, labels: list[str], values: list[float | None], *, unit: str = "",
              chart_id: str | None = None, max_value: float | None = None) -> Chart:
    """Horizontal bars, one colour, each labelled with its category and its value."""
    cid, label_w, bar_w, row_h = _id(title, chart_id), 220, 360, 30
    top = max([v for v in values if v is not None] + [max_value or 0, 1e-9])
    height = row_h * len(labels) + 10
    out = _open(cid, title, desc, label_w + bar_w + 80, height)
    for i, (label, value) in enumerate(zip(labels, values)):
        y = 5 + i * row_h
        out.append(f'<text x="{label_w - 8}" y="{y + 19}" text-anchor="end" fill="{DARK}">{escape(str(label))}</text>')
        w = 0 if value is None else round(bar_w * value / top, 1)
        out.append(f'<rect x="{label_w}" y="{y + 4}" width="{w}" height="{row_h - 10}" fill="{NHS_BLUE}"/>')
        out.append(f'<text x="{label_w + w + 6}" y="{y + 19}" fill="{DARK}">{escape(_fmt(value, unit))}</text>')
    out.append("</svg>")
    return Chart("".join(out), {"caption": title, "header": ["", title],
                                "rows": [[label, _fmt(v, unit)] for label, v in zip(labels, values)]})


def _marker(kind: str, x: float, y: float, colour: str) -> str:
    if kind == "square":
        return f'<rect x="{x - 4}" y="{y - 4}" width="8" height="8" fill="{colour}"/>'
    if kind == "triangle":
        return f'<path d="M{x} {y - 5} L{x + 5} {y + 4} L{x - 5} {y + 4} Z" fill="{colour}"/>'
    if kind == "diamond":
        return f'<path d="M{x} {y - 5} L{x + 5} {y} L{x} {y + 5} L{x - 5} {y} Z" fill="{colour}"/>'
    if kind == "circle-open":
        return f'<circle cx="{x}" cy="{y}" r="4" fill="{WHITE}" stroke="{colour}" stroke-width="2"/>'
    return f'<circle cx="{x}" cy="{y}" r="4" fill="{colour}"/>'


def line_chart(title: str, desc: str, x_labels: list[str], series: list[tuple[str, list[float | None]]], *,
               unit: str = "", chart_id: str | None = None, max_value: float | None = None) -> Chart:
    """Lines over time, each with its own colour, dash pattern and marker, named at its right-hand end."""
    cid = _id(title, chart_id)
    left, plot_w, plot_h, top_pad, right = 50, 560, 240, 15, 230
    width, height = left + plot_w + right, top_pad + plot_h + 40
    values = [v for _, vs in series for v in vs if v is not None]
    top = max(values + [max_value or 0, 1e-9])
    step = plot_w / max(len(x_labels) - 1, 1)

    def xy(i, v):
        return round(left + i * step, 1), round(top_pad + plot_h - plot_h * v / top, 1)

    out = _open(cid, title, desc, width, height)
    for k in range(5):  # gridlines with their values
        v = top * k / 4
        y = round(top_pad + plot_h - plot_h * k / 4, 1)
        out.append(f'<line x1="{left}" y1="{y}" x2="{left + plot_w}" y2="{y}" stroke="#d8dde0"/>')
        out.append(f'<text x="{left - 6}" y="{y + 5}" text-anchor="end" fill="{GREY}" font-size="12">'
                   f'{escape(_fmt(round(v, 1), unit))}</text>')
    every = tick_every(len(x_labels), plot_w)
    for i, label in enumerate(x_labels):
        if (len(x_labels) - 1 - i) % every:  # counted back from the latest, which is always labelled
            continue
        x = round(left + i * step, 1)
        out.append(f'<line x1="{x}" y1="{top_pad + plot_h}" x2="{x}" y2="{top_pad + plot_h + 5}" stroke="{GREY}"/>')
        out.append(f'<text x="{x}" y="{top_pad + plot_h + 22}" text-anchor="middle" fill="{DARK}" '
                   f'font-size="12">{escape(str(label))}</text>')
    ends = []
    for n, (name, vs) in enumerate(series):
        style = STYLES[n % len(STYLES)]
        points = [xy(i, v) for i, v in enumerate(vs) if v is not None]
        # a month with no data is a gap: the line stops before it and starts again after it
        path = " ".join(f"{'M' if i == 0 or vs[i - 1] is None else 'L'}{x} {y}"
                        for i, (x, y) in ((i, xy(i, v)) for i, v in enumerate(vs) if v is not None))
        if "L" in path:
            dash = f' stroke-dasharray="{style["dash"]}"' if style["dash"] else ""
            out.append(f'<path d="{path}" fill="none" stroke="{style["colour"]}" stroke-width="3"{dash}/>')
        out.extend(_marker(style["marker"], x, y, style["colour"]) for x, y in points)
        if points:
            last = [v for v in vs if v is not None][-1]
            ends.append([points[-1][1] + 4, f"{name} {_fmt(last, unit)}"])
    for y, text in spread(ends, 15, top_pad + 8, top_pad + plot_h + 8):  # names at the right, never on top of each other
        out.append(f'<text x="{left + plot_w + 10}" y="{y}" fill="{DARK}" font-size="12">{escape(text)}</text>')
    out.append("</svg>")
    return Chart("".join(out), {"caption": title, "header": [""] + [str(x) for x in x_labels],
                                "rows": [[name] + [_fmt(v, unit) for v in vs] for name, vs in series]})


def tick_every(count: int, plot_w: float, label_w: float = 70) -> int:
    """Label every nth point so that labels about label_w wide never overlap."""
    fits = max(int(plot_w // label_w) + 1, 2)
    return max(math.ceil((count - 1) / (fits - 1)), 1) if count > fits else 1


def spread(labels: list[list], gap: float, low: float, high: float) -> list[tuple[float, str]]:
    """[(y, text)] sorted by y and pushed apart to at least gap, kept within [low, high] where they fit."""
    placed = sorted(([y, text] for y, text in labels), key=lambda yt: yt[0])
    for i, item in enumerate(placed):
        item[0] = max(item[0], low if i == 0 else placed[i - 1][0] + gap)
    overflow = placed[-1][0] - high if placed else 0
    if overflow > 0:  # shift up as a block, then push apart downwards again from the top
        for i, item in enumerate(placed):
            item[0] = max(item[0] - overflow, low + i * gap)
    return [(round(y, 1), text) for y, text in placed]


def _patterns(cid: str) -> str:
    defs = []
    for n, style in enumerate(STYLES):
        c, pid = style["colour"], f"{cid}-p{n}"
        body = {"solid": f'<rect width="8" height="8" fill="{c}"/>',
                "hatch": f'<rect width="8" height="8" fill="{WHITE}"/><path d="M-2 2 L2 -2 M0 8 L8 0 M6 10 L10 6" '
                         f'stroke="{c}" stroke-width="2.5"/>',
                "dots": f'<rect width="8" height="8" fill="{WHITE}"/><circle cx="4" cy="4" r="2.2" fill="{c}"/>',
                "cross": f'<rect width="8" height="8" fill="{WHITE}"/><path d="M0 4 H8 M4 0 V8" stroke="{c}" '
                         f'stroke-width="2"/>',
                "lines": f'<rect width="8" height="8" fill="{WHITE}"/><path d="M0 4 H8" stroke="{c}" stroke-width="3"/>'
                }[style["fill"]]
        defs.append(f'<pattern id="{pid}" width="8" height="8" patternUnits="userSpaceOnUse">{body}</pattern>')
    return "<defs>" + "".join(defs) + "</defs>"


def stacked_bar_chart(title: str, desc: str, labels: list[str], segments: list[tuple[str, list[int]]], *,
                      chart_id: str | None = None, percent: bool = True) -> Chart:
    """One horizontal bar per label, split into segments with their own fill pattern, and a legend.

    With percent=True each bar is its shares of 100%; segments are labelled with their value where they fit.
    """
    cid, label_w, bar_w, row_h = _id(title, chart_id), 120, 440, 34
    legend_h = 30
    height = legend_h + row_h * len(labels) + 10
    out = _open(cid, title, desc, label_w + bar_w + 90, height)
    out.append(_patterns(cid))
    x = label_w
    for n, (name, _) in enumerate(segments):  # legend: the pattern and the name side by side
        out.append(f'<rect x="{x}" y="6" width="16" height="16" fill="url(#{cid}-p{n % len(STYLES)})" '
                   f'stroke="{DARK}"/><text x="{x + 22}" y="19" fill="{DARK}">{escape(name)}</text>')
        x += 30 + 8 * len(name)
    totals = [sum(vs[i] for _, vs in segments) for i in range(len(labels))]
    top = max(totals + [1])
    for i, label in enumerate(labels):
        y = legend_h + 5 + i * row_h
        out.append(f'<text x="{label_w - 8}" y="{y + 20}" text-anchor="end" fill="{DARK}">{escape(str(label))}</text>')
        x = float(label_w)
        whole = totals[i] if percent else top
        for n, (name, vs) in enumerate(segments):
            if not whole or not vs[i]:
                continue
            w = round(bar_w * vs[i] / whole, 1)
            out.append(f'<rect x="{x}" y="{y + 4}" width="{w}" height="{row_h - 10}" '
                       f'fill="url(#{cid}-p{n % len(STYLES)})" stroke="{DARK}" stroke-width="1">'
                       f'<title>{escape(name)}: {vs[i]}</title></rect>')
            if w >= 44:
                text = f"{round(100 * vs[i] / totals[i])}%" if percent else str(vs[i])
                out.append(f'<text x="{x + w / 2}" y="{y + 20}" text-anchor="middle" fill="{DARK}" font-weight="bold" '
                           f'paint-order="stroke" stroke="{WHITE}" stroke-width="4">{escape(text)}</text>')
            x += w
        out.append(f'<text x="{x + 6}" y="{y + 20}" fill="{DARK}">{escape(str(totals[i]))}</text>')
    out.append("</svg>")
    header = [""] + [name for name, _ in segments] + ["Total"]
    rows = [[label] + [vs[i] for _, vs in segments] + [totals[i]] for i, label in enumerate(labels)]
    return Chart("".join(out), {"caption": title, "header": header, "rows": rows})
