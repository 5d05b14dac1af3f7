from admin.reports.dashboard import dashboard
from tests.reports.conftest import at


def test_dashboard_has_every_figure_and_chart(runtime, feedback):
    feedback.response("2026-03-10 12:00", fft=1, story="Kind staff", sentiment="positive",
                      themes=["Staff manner & personal attributes"])
    feedback.response("2026-02-10 12:00", fft=5, story="Slow", sentiment="negative", themes=["Timeliness of care"])
    feedback.session.commit()
    with runtime.factory() as db:
        data = dashboard(db, at("2026-03-20 12:00"), months=3)
    assert [r["percent_positive"] for r in data["fft"]] == [None, 0.0, 100.0]
    assert {t["theme"] for t in data["top_themes"]} == {"Staff manner & personal attributes", "Timeliness of care"}
    assert [r["total"] for r in data["sentiment"]] == [0, 1, 1]
    assert set(data["charts"]) == {"fft", "themes", "sentiment", "participants"}
    assert all(c.svg.startswith("<svg") and c.table["rows"] for c in data["charts"].values())
