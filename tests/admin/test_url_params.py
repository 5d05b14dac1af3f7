"""Ids, dates and months typed into admin URLs: too big or impossible is a 404 or a clear message, never a 500."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from admin import params
from storage.models import QIEvidence, StaffNotice
from tests.admin import world_factories as make
from tests.admin.conftest import csrf_token, post

HUGE = "99999999999999999999999"
OVER_BIGINT = str(2**63)
LARGEST = {"int": params.INT_MAX, "bigint": params.BIGINT_MAX}
ID_PARAM = re.compile(r"<(\w+)(?:\([^)]*\))?:(\w+)>")


@pytest.fixture
def admin(as_role):
    return as_role("admin")


def id_routes(app) -> list[tuple[str, str]]:
    """(method, rule) for every route with a number in its path."""
    routes = []
    for rule in app.url_map.iter_rules():
        kinds = {kind for kind, _ in ID_PARAM.findall(rule.rule)} - {"path", "string"}
        if kinds:
            assert kinds <= set(LARGEST), f"{rule.rule} uses a converter with no known largest value"
            routes += [(method, rule.rule) for method in sorted(rule.methods & {"GET", "POST"})]
    return routes


def fill(rule: str, value) -> str:
    """The rule with each number in it replaced by value(kind), or by value itself."""
    return ID_PARAM.sub(lambda m: str(value(m[1]) if callable(value) else value), rule)


def call(client, method: str, url: str):
    if method == "GET":
        return client.get(url)
    return client.post(url, data={"csrf_token": csrf_token(client, "/admin/")})


def test_every_route_with_an_id_is_checked_here(app):
    rules = {rule for _, rule in id_routes(app)}
    for expected in ("/admin/feedback/<bigint:answer_id>", "/admin/flags/<int:flag_id>", "/admin/users/<int:user_id>",
                     "/admin/opportunities/<int:opportunity_id>/signups/<int:signup_id>"):
        assert expected in rules
    assert len(rules) >= 20


@pytest.mark.parametrize("number", [HUGE, OVER_BIGINT, "largest + 1"])
def test_an_id_too_big_for_its_column_is_page_not_found_on_every_route(app, admin, number):
    value = (lambda kind: LARGEST[kind] + 1) if number == "largest + 1" else number
    got = {(method, fill(rule, value)): call(admin, method, fill(rule, value)) for method, rule in id_routes(app)}
    assert {key: r.status_code for key, r in got.items()} == {key: 404 for key in got}
    assert all("Page not found" in r.get_data(as_text=True) for r in got.values())


def test_the_largest_id_a_column_holds_is_looked_up_without_an_error(app, admin):
    got = {}
    for method, rule in id_routes(app):
        url = fill(rule, LARGEST.__getitem__)
        got[(method, url)] = call(admin, method, url).status_code
    assert {key: code for key, code in got.items() if code >= 500} == {}
    assert got[("GET", f"/admin/feedback/{params.BIGINT_MAX}")] == 404


def test_a_story_opens_at_its_random_id_which_is_bigger_than_an_integer_column_holds(admin, seed):
    story = seed.story("The nurses listened")
    assert story > params.INT_MAX  # 62 random bits: smaller only once in two billion runs
    assert admin.get(f"/admin/feedback/{story}").status_code == 200
    assert admin.get(f"/admin/feedback/{params.BIGINT_MAX}").status_code == 404


@pytest.mark.parametrize("url, message", [
    ("/admin/feedback/?date_to=9999-12-31", "To date must be a real date"),
    ("/admin/feedback/?date_from=0001-01-01", "From date must be a real date"),
    ("/admin/feedback/?date_from=2026-02-30", "From date must be a real date"),
    ("/admin/dashboard/?to=0001-01", "To must be a month from the list"),
    ("/admin/dashboard/?from=99999999999999999999-1", "From must be a month from the list"),
    ("/admin/dashboard/?from=9999-12", "From must be a month from the list"),
    ("/admin/reports/diversity?to=0001-01", "To must be a month from the list"),
    ("/admin/reports/diversity?from=2026-13", "From must be a month from the list"),
])
def test_an_impossible_date_or_month_in_a_page_address_is_named_on_the_page(admin, url, message):
    response = admin.get(url)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)


@pytest.mark.parametrize("month", ["99999999999999999999-1", "9999-12", "0001-01", "2026-13", "²⁰²⁶-01"])
def test_an_impossible_month_for_the_fft_return_asks_for_a_month(admin, month):
    response = post(admin, "/admin/reports/exports/fft-return", {"month": month}, follow_redirects=True)
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert "Choose a month for the FFT return" in response.get_data(as_text=True)


@pytest.mark.parametrize("url", ["/admin/reports/exports/feedback", "/admin/feedback/export", "/admin/feedback/bulk"])
def test_an_impossible_date_on_an_export_or_bulk_link_is_refused_not_widened(admin, seed, runtime, url):
    seed.story("The nurses listened")
    project = seed.project()
    response = post(admin, url, {"date_to": "9999-12-31", "project_id": str(project), "confirm": "yes"},
                    follow_redirects=True)
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert "Check the dates: To date must be a real date" in response.get_data(as_text=True)
    with runtime.factory() as db:
        assert db.scalar(select(func.count()).select_from(QIEvidence)) == 0


@pytest.mark.parametrize("project_id", [HUGE, OVER_BIGINT, str(params.INT_MAX + 1), "١٢"])
def test_a_qi_project_id_no_project_could_have_asks_for_a_project(admin, seed, project_id):
    story = seed.story("The nurses listened")
    bulk = post(admin, "/admin/feedback/bulk", {"project_id": project_id}, follow_redirects=True)
    assert "Select a QI project to link the stories to" in bulk.get_data(as_text=True)
    one = post(admin, f"/admin/feedback/{story}/qi", {"project_id": project_id})
    assert one.status_code == 400 and "Select a QI project" in one.get_data(as_text=True)


@pytest.mark.parametrize("url", ["/admin/audit/?before=", "/admin/notices/?before=", "/admin/feedback/?after=",
                                 "/admin/feedback/?before="])
@pytest.mark.parametrize("number", [HUGE, OVER_BIGINT, str(params.INT_MAX + 1), "²"])
def test_a_paging_cursor_too_big_for_any_row_shows_the_first_page(admin, url, number):
    assert admin.get(url + number).status_code == 200


def test_marking_a_notice_no_notice_could_have_marks_none(admin, runtime):
    notice = make.notice(runtime)
    post(admin, "/admin/notices/read", {"notice_id": HUGE})
    with runtime.factory() as db:
        assert db.get(StaffNotice, notice).read_at is None
    post(admin, "/admin/notices/read", {"notice_id": str(notice)})
    with runtime.factory() as db:
        assert db.get(StaffNotice, notice).read_at is not None


def test_an_opportunity_or_a_you_said_we_did_entry_in_year_9999_is_refused_with_a_message(admin):
    opportunity = post(admin, "/admin/opportunities/new", {
        "title": "Reading group", "summary": "Read our leaflets", "type": "working_together", "area": "North",
        "venue": "online", "payment": "voluntary", "starts_at": "9999-12-31T10:00", "ends_at": "",
        "closes_on": "9999-12-31"})
    page = opportunity.get_data(as_text=True)
    assert opportunity.status_code == 400
    assert "Start must be a date and time" in page and "Closing date must be a real date" in page
    entry = post(admin, "/admin/you-said-we-did/new", {
        "you_said": "The lift was broken", "we_did": "We fixed it", "service_code": "",
        "happened_on-day": "31", "happened_on-month": "12", "happened_on-year": "9999"})
    assert entry.status_code == 400 and "must be a real date" in entry.get_data(as_text=True)


def test_reloading_the_address_a_form_was_sent_to_explains_itself_in_the_admin_layout(admin):
    response = admin.get("/admin/fft-return/submitted")  # where the "submitted on" form posts
    page = response.get_data(as_text=True)
    assert response.status_code == 405
    assert "This page cannot be opened on its own" in page and "nhsuk-header" in page
