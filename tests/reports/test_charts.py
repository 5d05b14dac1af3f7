import re
import xml.etree.ElementTree as ET

from admin.reports import charts

SVG = "{http://www.w3.org/2000/svg}"


def parse(chart):
    root = ET.fromstring(chart.svg)
    assert root.get("role") == "img"
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    return root, title.text, desc.text


def texts(root):
    return [t.text for t in root.iter(f"{SVG}text")]


def test_bar_chart_labels_every_bar_and_has_a_table():
    chart = charts.bar_chart("Top themes", "Stories per theme, March 2026", ["Timeliness of care", "<Staff>"],
                             [12, 3])
    root, title, desc = parse(chart)
    assert title == "Top themes" and desc.startswith("Stories per theme")
    assert {"Timeliness of care", "<Staff>", "12", "3"} <= set(texts(root))
    assert "&lt;Staff&gt;" in chart.svg
    assert chart.table["rows"] == [["Timeliness of care", "12"], ["<Staff>", "3"]]


def test_line_chart_tells_series_apart_without_colour():
    chart = charts.line_chart("FFT", "Percent positive and negative by month", ["Jan", "Feb", "Mar"],
                              [("Positive", [80.0, 82.5, None]), ("Negative", [10.0, 8.0, 9.0])], unit="%")
    root, _, _ = parse(chart)
    paths = [p for p in root.iter(f"{SVG}path") if p.get("fill") == "none"]
    assert len({p.get("stroke-dasharray") for p in paths}) == 2  # one solid, one dashed
    assert "Positive 82.5%" in texts(root) and "Negative 9%" in texts(root)  # named at the line's end
    assert chart.table["header"] == ["", "Jan", "Feb", "Mar"]
    assert chart.table["rows"][0] == ["Positive", "80%", "82.5%", "no data"]


def test_stacked_bar_uses_patterns_and_a_legend():
    chart = charts.stacked_bar_chart("Sentiment", "Stories by sentiment per month", ["Jan", "Feb"],
                                     [("Positive", [6, 0]), ("Neutral", [2, 1]), ("Negative", [2, 3])])
    root, _, _ = parse(chart)
    assert len(list(root.iter(f"{SVG}pattern"))) >= 3
    fills = {r.get("fill") for r in root.iter(f"{SVG}rect") if r.get("fill", "").startswith("url(")}
    assert len(fills) == 3
    assert {"Positive", "Neutral", "Negative", "60%"} <= set(texts(root))
    assert chart.table["rows"] == [["Jan", 6, 2, 2, 10], ["Feb", 0, 1, 3, 4]]


def test_an_empty_chart_still_draws():
    parse(charts.bar_chart("Nothing", "No data yet", [], []))
    parse(charts.line_chart("Nothing", "No data yet", [], []))
    parse(charts.stacked_bar_chart("Nothing", "No data yet", [], []))


def test_a_month_with_no_data_is_a_gap_not_zero():
    chart = charts.line_chart("Gaps", "d", ["Jan", "Feb", "Mar", "Apr"], [("A", [10.0, None, 20.0, 30.0])])
    path = re.search(r'<path d="([^"]+)" fill="none"', chart.svg).group(1)
    assert path.count("M") == 2 and path.count("L") == 1  # Jan alone, then Mar to Apr
    assert chart.table["rows"][0][2] == "no data"


def test_month_labels_and_line_names_never_overlap():
    labels = [f"M{i:02d} 2026" for i in range(36)]
    series = [(f"Theme {n}", [5.0] * 36) for n in range(5)]  # all end at the same point
    chart = charts.line_chart("Many", "d", labels, series)
    shown = re.findall(r'<text x="([\d.]+)" y="[\d.]+" text-anchor="middle"[^>]*>([^<]+)</text>', chart.svg)
    xs = [float(x) for x, _ in shown]
    assert shown[-1][1] == "M35 2026" and len(shown) < 36
    assert all(b - a >= 60 for a, b in zip(xs, xs[1:]))
    ends = [float(y) for y in re.findall(r'<text x="[\d.]+" y="([\d.]+)" fill="#212b32" font-size="12">Theme', chart.svg)]
    assert len(ends) == 5 and all(b - a >= 15 for a, b in zip(sorted(ends), sorted(ends)[1:]))
