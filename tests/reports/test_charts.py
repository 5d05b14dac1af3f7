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
