"""Who may open and do what on the QI, You said we did, board, reports and participation pages."""
from __future__ import annotations

import pytest

from tests.admin import world_factories as make
from tests.admin.conftest import ROLES, csrf_token

RANK = {role: n for n, role in enumerate(ROLES)}
# (url, the lowest role that may open it)
GETS = [
    ("/admin/qi/", "viewer"), ("/admin/qi/{project}", "viewer"), ("/admin/qi/new", "reviewer"),
    ("/admin/qi/{project}/edit", "reviewer"), ("/admin/services/", "viewer"), ("/admin/services/OAKLANDS", "viewer"),
    ("/admin/you-said-we-did/", "viewer"), ("/admin/you-said-we-did/{entry}", "viewer"),
    ("/admin/you-said-we-did/new", "reviewer"), ("/admin/you-said-we-did/{entry}/edit", "reviewer"),
    ("/admin/board/", "viewer"), ("/admin/board/{board}", "viewer"),
    ("/admin/board/{board}/edit", "reviewer"), ("/admin/board/{board}/print", "viewer"),
    ("/admin/dashboard/", "viewer"), ("/admin/reports/", "viewer"), ("/admin/reports/diversity", "viewer"),
    ("/admin/reports/exports", "viewer"), ("/admin/notices/", "reviewer"),
    ("/admin/opportunities/", "admin"), ("/admin/opportunities/new", "admin"),
    ("/admin/opportunities/{opportunity}", "admin"), ("/admin/opportunities/{opportunity}/edit", "admin"),
    ("/admin/broadcast/", "admin"),
    ("/admin/services/OAKLANDS/pack", "viewer"), ("/admin/services/OAKLANDS/pack.pdf", "viewer"),
    ("/admin/services/OAKLANDS/settings", "viewer"), ("/admin/fft-return", "viewer"),
]
POSTS = [
    ("/admin/qi/new", "reviewer"), ("/admin/qi/{project}/edit", "reviewer"), ("/admin/qi/{project}/themes", "reviewer"),
    ("/admin/qi/{project}/evidence/1/remove", "reviewer"),
    ("/admin/you-said-we-did/new", "reviewer"), ("/admin/you-said-we-did/{entry}/edit", "reviewer"),
    ("/admin/you-said-we-did/{entry}/publish", "reviewer"), ("/admin/you-said-we-did/{entry}/unpublish", "reviewer"),
    ("/admin/board/shortlist/{story}", "reviewer"), ("/admin/board/{board}/remove", "reviewer"),
    ("/admin/board/{board}/edit", "reviewer"), ("/admin/board/{board}/stories", "reviewer"),
    ("/admin/board/add/{story}", "reviewer"), ("/admin/board/{board}/stories/{story}/remove", "reviewer"),
    ("/admin/notices/read", "reviewer"), ("/admin/reports/exports/feedback", "reviewer"),
    ("/admin/reports/exports/fft-return", "viewer"), ("/admin/reports/exports/diversity", "viewer"),
    ("/admin/reports/exports/participants", "admin"),
    ("/admin/opportunities/new", "admin"), ("/admin/opportunities/{opportunity}/edit", "admin"),
    ("/admin/opportunities/{opportunity}/publish", "admin"), ("/admin/opportunities/{opportunity}/close", "admin"),
    ("/admin/opportunities/{opportunity}/signups/{signup}", "admin"),
    ("/admin/broadcast/", "admin"), ("/admin/broadcast/preview", "admin"), ("/admin/broadcast/send", "admin"),
    ("/admin/services/OAKLANDS/settings", "admin"), ("/admin/fft-return/download", "viewer"),
    ("/admin/fft-return/submitted", "reviewer"), ("/admin/fft-return/submitted/remove", "reviewer"),
    ("/admin/feedback/searches", "viewer"), ("/admin/feedback/searches/1/delete", "viewer"),
]
PUBLIC = ["/you-said-we-did", "/screen/OAKLANDS"]


@pytest.fixture
def world(runtime, seed, staff):
    story = seed.story("Jo Bloggs on Oaklands was kind", redacted="[NAME] on Oaklands was kind")
    project = seed.project()
    seed.link(project, story)
    opportunity = make.opportunity(runtime)
    person = make.participant(runtime)
    return {"story": story, "project": project, "entry": make.entry(runtime), "board": make.board_story(runtime, story, **make.READY),
            "opportunity": opportunity, "signup": make.signup(runtime, person, opportunity)}


@pytest.mark.parametrize("role", ROLES)
def test_each_page_opens_for_its_roles_and_no_one_below(as_role, world, role):
    client = as_role(role)
    got = {url: client.get(url.format(**world)).status_code for url, _ in GETS}
    assert got == {url: 200 if RANK[role] >= RANK[lowest] else 403 for url, lowest in GETS}


def test_each_page_sends_a_stranger_to_sign_in(client, world):
    for url, _ in GETS:
        response = client.get(url.format(**world))
        assert response.status_code == 302 and response.headers["Location"].startswith("/admin/login"), url


def test_each_action_needs_csrf_and_sign_in(client, world):
    token = csrf_token(client)
    for url, _ in POSTS:
        url = url.format(**world)
        assert client.post(url, data={}).status_code == 400, url
        response = client.post(url, data={"csrf_token": token})
        assert response.status_code == 302 and response.headers["Location"].startswith("/admin/login"), url


@pytest.mark.parametrize("role", ROLES[:2])
def test_each_action_is_refused_to_roles_below_it(as_role, world, role):
    client = as_role(role)
    token = csrf_token(client, "/admin/")
    below = [url.format(**world) for url, lowest in POSTS if RANK[role] < RANK[lowest]]
    assert below
    for url in below:
        assert client.post(url, data={"csrf_token": token}).status_code == 403, url
        assert client.post(url, data={}).status_code == 400, url  # CSRF is checked first


@pytest.mark.parametrize("url", PUBLIC)
def test_the_public_pages_need_no_sign_in(client, world, url):
    response = client.get(url)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Sign out" not in page and "csrf_token" not in page


def test_the_navigation_shows_each_role_only_what_it_may_open(as_role, world):
    viewer = as_role("viewer").get("/admin/").get_data(as_text=True)
    reviewer = as_role("reviewer").get("/admin/").get_data(as_text=True)
    admin = as_role("admin").get("/admin/").get_data(as_text=True)
    for page in (viewer, reviewer, admin):
        for link in ("/admin/dashboard/", "/admin/qi/", "/admin/you-said-we-did/", "/admin/board/", "/admin/reports/"):
            assert f'href="{link}"' in page
    assert 'href="/admin/notices/"' not in viewer and 'href="/admin/notices/"' in reviewer
    for link in ("/admin/opportunities/", "/admin/broadcast/"):
        assert f'href="{link}"' not in reviewer and f'href="{link}"' in admin
