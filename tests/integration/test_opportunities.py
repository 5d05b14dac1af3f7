"""Loading and publishing participation opportunities from the command line."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from storage.models import Opportunity
from yoursay.cli import main

HEADER = "title,summary,type,area,venue,payment,starts_at,ends_at,places,accessibility,closes_on\n"
GOOD = ('Working Together group - North,"Help shape crisis care in the North. Monthly, 2 hours, paid.",'
        "Working Together,North,Riverside House,paid,2030-12-03 14:00,2030-12-03 16:00,12,Step-free access,"
        "2030-12-01\n")


def run(runtime, tmp_path, *args, content: str | None = None):
    env = {"DATABASE_URL": runtime.settings.database_url, "YOURSAY_MODE": "dev"}
    if content is not None:
        path = tmp_path / "opportunities.csv"
        path.write_text(content, encoding="utf-8")
        args = (*args, str(path))
    return CliRunner().invoke(main, ["opportunities", *args], env=env)


def stored(runtime) -> list[Opportunity]:
    with runtime.factory() as session:
        return list(session.scalars(select(Opportunity).order_by(Opportunity.id)))


def test_a_good_row_is_imported_as_a_draft_with_every_field(runtime, tmp_path):
    result = run(runtime, tmp_path, "import", content=HEADER + GOOD)
    assert result.exit_code == 0, result.output
    [o] = stored(runtime)
    assert (o.status, o.type, o.area, o.payment, o.places) == ("draft", "working_together", "North", "paid", 12)
    assert o.starts_at == datetime(2030, 12, 3, 14, 0, tzinfo=timezone.utc)  # December: London is on GMT
    assert o.closes_on == date(2030, 12, 1) and o.accessibility == "Step-free access"


@pytest.mark.parametrize("row,problem", [
    (",A summary,Workshop,North,Online,paid,,,,,\n", "title is missing"),
    ("T,A summary,Knitting circle,North,Online,paid,,,,,\n", "type 'Knitting circle' is not one of"),
    ("T,A summary,Workshop,North,Online,free lunch,,,,,\n", "payment 'free lunch' must be paid"),
    ("T,A summary,Workshop,North,Online,paid,next week,,,,\n", "starts_at and ends_at must look like"),
    ("T,A summary,Workshop,North,Online,paid,2026-12-03 16:00,2026-12-03 14:00,,,\n", "ends_at must be after"),
    ("T,A summary,Workshop,North,Online,paid,,,none,,\n", "places 'none' must be a whole number"),
    ("T,A summary,Workshop,North,Online,paid,,,,,31/11/2026\n", "closes_on '31/11/2026' must be a date"),
    ("T," + "x" * 320 + ",Workshop,North,Online,paid,,,,,\n", "summary must fit 2 SMS segments"),
    ("T,Don\u2019t miss it,Workshop,North,Online,paid,,,,,\n", "summary must fit 2 SMS segments"),
])
def test_a_bad_row_is_named_by_line_and_the_good_rows_still_go_in(runtime, tmp_path, row, problem):
    result = run(runtime, tmp_path, "import", content=HEADER + GOOD + row)
    assert result.exit_code == 1
    assert "line 3: " in result.output and problem in result.output
    assert [o.title for o in stored(runtime)] == ["Working Together group - North"]


def test_a_file_without_the_columns_it_needs_imports_nothing(runtime, tmp_path):
    result = run(runtime, tmp_path, "import", content="name,when\nGroup,Monday\n")
    assert result.exit_code == 1 and "the header needs title, summary, type" in result.output
    assert stored(runtime) == []


def test_publishing_a_draft_makes_it_published_once(runtime, tmp_path):
    run(runtime, tmp_path, "import", content=HEADER + GOOD)
    [o] = stored(runtime)
    first = run(runtime, tmp_path, "publish", str(o.id))
    assert first.exit_code == 0 and f"published {o.id}" in first.output
    assert stored(runtime)[0].status == "published" and stored(runtime)[0].published_at is not None
    again = run(runtime, tmp_path, "publish", str(o.id))
    assert again.exit_code == 1 and "is published, not a draft" in again.output


def test_publishing_something_that_does_not_exist_says_so(runtime, tmp_path):
    result = run(runtime, tmp_path, "publish", "999")
    assert result.exit_code == 1 and "there is no opportunity 999" in result.output


def test_the_list_shows_status_type_and_area(runtime, tmp_path):
    run(runtime, tmp_path, "import", content=HEADER + GOOD)
    result = run(runtime, tmp_path, "list")
    assert "draft\tWorking Together group\tNorth\tWorking Together group - North" in result.output


def test_an_opportunity_whose_closing_date_has_passed_cannot_be_published(runtime, tmp_path):
    run(runtime, tmp_path, "import", content=HEADER + GOOD.replace("2030-12-01", "2020-01-31"))
    [o] = stored(runtime)
    result = run(runtime, tmp_path, "publish", str(o.id))
    assert result.exit_code == 1 and "closed on 31 Jan 2020" in result.output
    assert stored(runtime)[0].status == "draft"
