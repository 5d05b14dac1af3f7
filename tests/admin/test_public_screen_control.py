"""The public screen under PPT's control: off until switched on, a minimum number of answers, approved entries only."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from storage.models import PublicScreen, YouSaidWeDid
from tests.admin import world_factories as make
from tests.admin.conftest import post


def answers(seed, runtime, values: str, service: str = "OAKLANDS", days_ago: int = 3) -> None:
    """One FFT answer per character: 1 very good ... 5 very poor, 6 don't know."""
    for value in values:
        seed.story(fft=value, service=service, created_at=runtime.now() - timedelta(days=days_ago))


def figures(client, code: str = "OAKLANDS") -> str:
    """The FFT panel of the screen, as someone in the waiting room reads it."""
    response = client.get(f"/screen/{code}")
    assert response.status_code == 200
    return response.get_data(as_text=True).split("</head>")[1].split('id="ysd-heading"')[0]


def test_a_screen_shows_nothing_until_ppt_switch_it_on(client, seed, runtime):
    answers(seed, runtime, "1111122224" * 3)  # 30 answers: plenty
    make.entry(runtime, we_did="Longer visiting hours", status="published")
    response = client.get("/screen/OAKLANDS")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "This screen is not switched on" in page
    assert "%" not in page.split("</head>")[1] and "30 answers" not in page
    assert "Longer visiting hours" not in page  # nothing at all: no entries either
    assert '<meta http-equiv="refresh" content="300">' in page  # it starts showing by itself once switched on
    with runtime.factory() as db:
        assert db.scalars(select(PublicScreen)).first() is None  # nothing published for a screen that is off
    assert client.get("/screen/NOWHERE").status_code == 404

    make.screen(runtime, "OAKLANDS")
    shown = figures(client)
    assert "This screen is not switched on" not in shown and "From 30 answers" in shown and "90%" in shown


def test_the_issue_example_16_answers_never_show_75_percent_poor(client, seed, runtime):
    make.screen(runtime, "OAKLANDS")  # on, with the usual minimum of 20
    answers(seed, runtime, "4444445555551122")  # 16 answers, 12 of them poor or very poor: 75%
    shown = figures(client)
    assert "Not enough answers yet to show" in shown and "at least 20 people" in shown
    assert "75%" not in shown and "%" not in shown and "16" not in shown


def test_with_enough_answers_the_screen_shows_its_figures(client, seed, runtime):
    make.screen(runtime, "OAKLANDS")
    answers(seed, runtime, "11111222444444555555")  # 20 answers: 8 good or very good, 12 poor or very poor
    shown = figures(client)
    assert "Not enough answers" not in shown
    assert "40%" in shown and "60%" in shown and "From 20 answers" in shown


def test_each_service_sets_its_own_minimum(client, seed, runtime):
    answers(seed, runtime, "111112222444")  # 12 answers
    make.screen(runtime, "OAKLANDS", minimum=15)
    assert "Not enough answers yet to show" in figures(client) and "at least 15 people" in figures(client)
    make.screen(runtime, "OAKLANDS", minimum=12)  # the same published figures, now enough
    shown = figures(client)
    assert "From 12 answers" in shown and "75%" in shown and "25%" in shown


def test_the_minimum_is_never_below_five_whatever_is_stored(client, seed, runtime):
    answers(seed, runtime, "4451")
    make.screen(runtime, "OAKLANDS", minimum=1)
    shown = figures(client)
    assert "Not enough answers yet to show" in shown and "at least 5 people" in shown and "%" not in shown


def test_another_services_switch_and_answers_do_not_count(client, seed, runtime):
    make.screen(runtime, "CRISIS", minimum=5)
    answers(seed, runtime, "11111", service="CRISIS")
    answers(seed, runtime, "44444")
    assert "This screen is not switched on" in figures(client, "OAKLANDS")
    assert "From 5 answers" in figures(client, "CRISIS") and "100%" in figures(client, "CRISIS")


def test_reaching_the_minimum_still_waits_for_the_next_step(client, seed, runtime):
    make.screen(runtime, "OAKLANDS")
    answers(seed, runtime, "1" * 18)
    assert "Not enough answers" in figures(client)  # 18 published
    answers(seed, runtime, "44", days_ago=1)  # 20 now, but only 2 new since the screen last changed
    assert "Not enough answers" in figures(client)
    answers(seed, runtime, "444", days_ago=1)  # the fifth new answer: the next step, with 23
    shown = figures(client)
    assert "From 23 answers" in shown and "78%" in shown and "22%" in shown


def test_only_published_you_said_we_did_for_that_service_is_shown(as_role, client, seed, runtime):
    make.screen(runtime, "OAKLANDS")
    entry = make.entry(runtime, you_said="Nights felt lonely", we_did="A nurse checks in every hour")  # a draft
    make.entry(runtime, we_did="Crisis line open all night", service="CRISIS", status="published")
    make.entry(runtime, we_did="A trust-wide change", service=None, status="published")
    page = client.get("/screen/OAKLANDS").get_data(as_text=True)
    assert "A nurse checks in every hour" not in page and "Crisis line open all night" not in page
    assert "A trust-wide change" not in page and "Changes made because of your feedback will appear here" in page

    reviewer = as_role("reviewer")
    post(reviewer, f"/admin/you-said-we-did/{entry}/publish")  # PPT approve it by publishing it
    assert "A nurse checks in every hour" in client.get("/screen/OAKLANDS").get_data(as_text=True)
    post(reviewer, f"/admin/you-said-we-did/{entry}/unpublish")
    assert "A nurse checks in every hour" not in client.get("/screen/OAKLANDS").get_data(as_text=True)
    with runtime.factory() as db:
        assert db.get(YouSaidWeDid, entry).status == "draft"


def test_switching_a_screen_off_takes_its_figures_down(client, seed, runtime):
    make.screen(runtime, "OAKLANDS", minimum=5)
    answers(seed, runtime, "11112")
    assert "100%" in figures(client)
    make.screen(runtime, "OAKLANDS", on=False)
    shown = figures(client)
    assert "This screen is not switched on" in shown and "%" not in shown


def test_the_switch_and_minimum_set_on_the_service_settings_page_are_honoured(as_role, client, seed, runtime):
    answers(seed, runtime, "1111122224" * 2)  # 20 answers
    url = "/admin/services/OAKLANDS/settings"
    settings = {"name": "Oaklands Ward", "ods_code": "", "manager_email": "", "active": "yes"}
    admin = as_role("admin")
    assert post(admin, url, {**settings, "screen_enabled": "yes", "screen_min_answers": "25"},
                token_from=url).status_code == 302
    assert "at least 25 people" in figures(client)
    post(admin, url, {**settings, "screen_enabled": "yes", "screen_min_answers": "20"}, token_from=url)
    assert "From 20 answers" in figures(client)
    post(admin, url, {**settings, "screen_enabled": "", "screen_min_answers": "20"}, token_from=url)
    assert "This screen is not switched on" in figures(client)


def test_the_screen_says_what_to_text_and_where_so_the_feedback_is_filed_under_the_ward(client, seed, runtime):
    make.screen(runtime, "OAKLANDS")
    page = client.get("/screen/OAKLANDS").get_data(as_text=True)
    assert "text <strong>FEEDBACK OAKLANDS</strong> to <strong>07700 900000</strong>" in page
