"""No admin page shows HTML as text where a link was meant, while what people wrote stays escaped."""
from __future__ import annotations

import re

import pytest

from tests.admin import world_factories as make
from tests.admin.conftest import post
from tests.admin.test_access import MATRIX
from tests.admin.test_access_by_role import GETS

# Markup the templates meant to render, shown as text instead (e.g. "Care delivery service" on a QI project).
ESCAPED_MARKUP = re.compile(r"&lt;/?(a|span|strong|p|br|ul|li|div)[\s&/]|&lt;/(a|span|strong|p|div)&gt;"
                            r"|&amp;lt;|&amp;(ldquo|rdquo|middot|mdash);")
SCRIPT = "<script>alert('x')</script>"
PAGES = sorted({url for url, _ in GETS if not url.endswith(".pdf")}  # a PDF is not markup
               | {url for method, url, _ in MATRIX if method == "GET"}
               | {"/admin/", "/admin/feedback/?flagged=yes", "/admin/services/CRISIS", "/admin/notices/"})


def escaped_markup(html: str) -> list[str]:
    return [m.group(0) for m in ESCAPED_MARKUP.finditer(html)]


@pytest.fixture
def world(runtime, seed, staff):
    story = seed.story(f"Jo said {SCRIPT} on Oaklands", redacted=f"[NAME] said {SCRIPT} on Oaklands",
                       risk="self-harm")
    project = seed.project(f"Kinder discharge {SCRIPT}")
    seed.link(project, story)
    seed.project("Crisis line", service="CRISIS")
    opportunity = make.opportunity(runtime)
    person = make.participant(runtime)
    make.notice(runtime, body=f"Sam wrote {SCRIPT}")
    return {"story": story, "project": project, "entry": make.entry(runtime, you_said=f"Said {SCRIPT}"),
            "board": make.board_story(runtime, story, **make.READY), "opportunity": opportunity,
            "signup": make.signup(runtime, person, opportunity), "flag": seed.flag(f"Flag text {SCRIPT}"),
            "viewer": staff["viewer"]}


def test_the_detector_finds_a_link_shown_as_text():
    assert escaped_markup('<dd>&lt;a href="/admin/services/X"&gt;Oaklands&lt;/a&gt;</dd>')
    assert escaped_markup("&lt;span class=\"x\"&gt;")
    assert not escaped_markup("<a href='/x'>Oaklands</a> &lt;script&gt;alert(1)&lt;/script&gt;")


def test_no_page_an_admin_can_open_shows_escaped_markup(as_role, world):
    admin = as_role("admin")
    opened = 0
    for url in PAGES:
        response = admin.get(url.format(**world))
        assert response.status_code == 200, url
        html = response.get_data(as_text=True)
        assert escaped_markup(html) == [], url
        assert "<script>alert" not in html, url
        opened += 1
    assert opened >= 25


def test_the_bulk_confirmations_show_no_escaped_markup(as_role, world):
    admin = as_role("admin")
    for url, form in [("/admin/feedback/bulk", {"project_id": str(world["project"])}),
                      ("/admin/feedback/export", {}), ("/admin/feedback/export", {"include_flagged": "yes"})]:
        html = post(admin, url, form).get_data(as_text=True)
        assert escaped_markup(html) == [] and "<script>alert" not in html, url


def test_what_people_wrote_is_still_shown_escaped(as_role, world):
    html = as_role("admin").get(f"/admin/feedback/{world['story']}").get_data(as_text=True)
    assert "&lt;script&gt;alert(" in html and "<script>alert" not in html
