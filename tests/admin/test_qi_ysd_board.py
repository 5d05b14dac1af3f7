"""QI projects and their evidence, QI per service, "You said, we did", board stories and the public screen."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from storage.models import AuditEntry, BoardStory, QIEvidence, QIProject, YouSaidWeDid
from tests.admin import world_factories as make
from tests.admin.conftest import post

EVIL = '<script>alert("x")</script>'


def audit_actions(runtime) -> list[str]:
    with runtime.factory() as db:
        return list(db.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


@pytest.fixture
def reviewer(as_role):
    return as_role("reviewer")


# QI projects -------------------------------------------------------------------------------------

def test_a_reviewer_adds_a_qi_project_and_it_is_listed(reviewer, runtime):
    response = post(reviewer, "/admin/qi/new", {"title": "Faster call backs", "service_code": "CMHTNORTH",
                                                "lead": "Team manager", "status": "proposed",
                                                "aims": "Call back in 2 days"})
    assert response.status_code == 302
    with runtime.factory() as db:
        project = db.scalars(select(QIProject)).one()
    assert (project.title, project.service_code, project.status) == ("Faster call backs", "CMHTNORTH", "proposed")
    assert response.headers["Location"] == f"/admin/qi/{project.id}"
    listing = reviewer.get("/admin/qi/").get_data(as_text=True)
    assert "Faster call backs" in listing and "Community Mental Health Team North" in listing
    assert "qi_create" in audit_actions(runtime)


def test_a_qi_project_form_shows_nhs_errors(reviewer, runtime):
    response = post(reviewer, "/admin/qi/new", {"title": "", "service_code": "NOPE", "status": "maybe"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "nhsuk-error-summary" in page and "<title>Error: " in page
    for href, text in (("#title", "Enter the project"), ("#service_code", "Select a care delivery service"),
                       ("#status", "Select the project")):
        assert f'href="{href}"' in page and text in page
    with runtime.factory() as db:
        assert db.scalars(select(QIProject)).first() is None


def test_editing_a_project_changes_it(reviewer, seed, runtime):
    project = seed.project("Kinder discharge")
    page = reviewer.get(f"/admin/qi/{project}/edit").get_data(as_text=True)
    assert 'value="Kinder discharge"' in page
    post(reviewer, f"/admin/qi/{project}/edit", {"title": "Kinder discharge", "service_code": "", "lead": "Matron",
                                                 "status": "completed", "aims": ""})
    with runtime.factory() as db:
        row = db.get(QIProject, project)
    assert (row.status, row.service_code, row.lead) == ("completed", None, "Matron")


def test_a_project_page_shows_its_stories_redacted_and_its_themes(as_role, seed, runtime):
    story = seed.story("Jo Bloggs helped me plan going home", redacted="[NAME] helped me plan going home",
                       themes={"Discharge": 0.9})
    seed.story("Discharge was rushed", themes={"Discharge": 0.8})
    seed.story("Discharge elsewhere", themes={"Discharge": 0.8}, service="CRISIS")
    project = seed.project("Kinder discharge", "OAKLANDS")
    seed.link(project, story)
    reviewer = as_role("reviewer")
    assert post(reviewer, f"/admin/qi/{project}/themes", {"theme": "Discharge"}).status_code == 302
    post(reviewer, f"/admin/qi/{project}/themes", {"theme": "Discharge"})  # twice: still one link
    with runtime.factory() as db:
        assert db.scalar(select(QIEvidence.id).where(QIEvidence.theme == "Discharge")) is not None
        assert len(list(db.scalars(select(QIEvidence).where(QIEvidence.theme == "Discharge")))) == 1
    page = as_role("viewer").get(f"/admin/qi/{project}").get_data(as_text=True)
    assert "[NAME] helped me plan going home" in page and "Jo Bloggs" not in page
    assert "Discharge" in page and "Patient journey &amp; service coordination" in page
    themes_table = page[page.index("Themes linked to this project"):page.index("Stories (")]
    assert ">2<" in themes_table  # two Oaklands stories have the theme; the Crisis one is not counted
    assert "Remove" not in page and "Link a theme" not in page  # viewers only look


def test_an_unknown_theme_is_refused_with_an_error(reviewer, seed, runtime):
    project = seed.project()
    response = post(reviewer, f"/admin/qi/{project}/themes", {"theme": EVIL})
    assert response.status_code == 400 and 'href="#theme"' in response.get_data(as_text=True)
    with runtime.factory() as db:
        assert db.scalars(select(QIEvidence)).first() is None


def test_evidence_can_be_removed(reviewer, seed, runtime):
    story = seed.story()
    project = seed.project()
    seed.link(project, story)
    with runtime.factory() as db:
        evidence = db.scalars(select(QIEvidence.id)).one()
    other = seed.project("Another")
    assert post(reviewer, f"/admin/qi/{other}/evidence/{evidence}/remove").status_code == 404  # not its evidence
    post(reviewer, f"/admin/qi/{project}/evidence/{evidence}/remove")
    with runtime.factory() as db:
        assert db.scalars(select(QIEvidence)).first() is None
    assert "unlink_qi" in audit_actions(runtime)


def test_the_service_pages_show_which_projects_feedback_backs(as_role, seed):
    story = seed.story()
    backed, unbacked = seed.project("Backed", "OAKLANDS"), seed.project("Not backed", "OAKLANDS")
    seed.link(backed, story)
    viewer = as_role("viewer")
    overview = viewer.get("/admin/services/").get_data(as_text=True)
    assert "Oaklands Ward" in overview and "Crisis Team" in overview  # every active service, projects or not
    page = viewer.get("/admin/services/OAKLANDS").get_data(as_text=True)
    assert "1 of 2 QI projects is backed by service user feedback" in page
    assert "No: no feedback linked yet" in page and f"/admin/qi/{unbacked}" in page
    assert viewer.get("/admin/services/NOWHERE").status_code == 404


def test_a_project_page_links_to_its_service_instead_of_showing_the_html(reviewer, runtime):
    post(reviewer, "/admin/qi/new", {"title": "Faster call backs", "service_code": "CMHTNORTH", "status": "active"})
    with runtime.factory() as db:
        project = db.scalars(select(QIProject)).one()
    page = reviewer.get(f"/admin/qi/{project.id}").get_data(as_text=True)
    assert '<a href="/admin/services/CMHTNORTH">Community Mental Health Team North</a>' in page
    assert "&lt;a href" not in page


def test_project_text_is_shown_as_text(reviewer, runtime):
    post(reviewer, "/admin/qi/new", {"title": EVIL, "status": "active", "aims": EVIL})
    page = reviewer.get("/admin/qi/").get_data(as_text=True)
    assert EVIL not in page and "&lt;script&gt;" in page


# You said, we did ---------------------------------------------------------------------------------

def entry_form(**changes) -> dict:
    form = {"you_said": "It was hard to get through by phone", "we_did": "We added a second phone line",
            "service_code": "OAKLANDS", "happened_on-day": "20", "happened_on-month": "2", "happened_on-year": "2026"}
    return {**form, **changes}


def test_an_entry_is_written_as_a_draft_and_only_published_entries_are_public(reviewer, client, runtime):
    response = post(reviewer, "/admin/you-said-we-did/new", entry_form())
    assert response.status_code == 302
    with runtime.factory() as db:
        entry = db.scalars(select(YouSaidWeDid)).one()
    assert entry.status == "draft" and entry.happened_on.isoformat() == "2026-02-20" and entry.created_by == "reviewer"
    assert "second phone line" not in client.get("/you-said-we-did").get_data(as_text=True)

    post(reviewer, f"/admin/you-said-we-did/{entry.id}/publish")
    public = client.get("/you-said-we-did").get_data(as_text=True)
    assert "We added a second phone line" in public and "20 February 2026" in public and "Oaklands Ward" in public
    assert "reviewer" not in public  # who wrote it is not public

    post(reviewer, f"/admin/you-said-we-did/{entry.id}/unpublish")
    assert "second phone line" not in client.get("/you-said-we-did").get_data(as_text=True)
    assert audit_actions(runtime)[-3:] == ["ysd_create", "ysd_publish", "ysd_unpublish"]


def test_entries_are_redacted_when_saved(reviewer, runtime):
    post(reviewer, "/admin/you-said-we-did/new",
         entry_form(you_said="Call me on 07700 900123 or email jo.bloggs@example.com"))
    with runtime.factory() as db:
        entry = db.scalars(select(YouSaidWeDid)).one()
    assert "07700 900123" not in entry.you_said and "jo.bloggs@example.com" not in entry.you_said
    assert "[PHONE]" in entry.you_said and "[EMAIL]" in entry.you_said


def test_an_entry_needs_both_texts_and_a_real_date(reviewer, runtime):
    response = post(reviewer, "/admin/you-said-we-did/new",
                    entry_form(you_said="", we_did=" ", **{"happened_on-day": "31", "happened_on-month": "2"}))
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    for href in ("#you_said", "#we_did", "#happened_on-day"):
        assert f'href="{href}"' in page
    assert "must be a real date" in page
    with runtime.factory() as db:
        assert db.scalars(select(YouSaidWeDid)).first() is None


def test_the_public_page_filters_by_service_and_shows_text_as_text(client, runtime, services):
    make.entry(runtime, you_said=EVIL, we_did="Fixed the lift", service="OAKLANDS", status="published")
    make.entry(runtime, you_said="Crisis line was slow", we_did="More staff at night", service="CRISIS",
               status="published")
    page = client.get("/you-said-we-did").get_data(as_text=True)
    assert EVIL not in page and "&lt;script&gt;" in page and "More staff at night" in page
    crisis = client.get("/you-said-we-did?service=CRISIS").get_data(as_text=True)
    assert "More staff at night" in crisis and "Fixed the lift" not in crisis


# Board stories --------------------------------------------------------------------------------------

def test_a_reviewer_shortlists_a_story_and_its_printable_page_is_redacted(as_role, seed, runtime):
    story = seed.story("Jo Bloggs on Oaklands saved my life", redacted="[NAME] on Oaklands saved my life",
                       themes={"Staff manner & personal attributes": 0.9})
    reviewer = as_role("reviewer")
    assert "Shortlist for the Trust Board" in reviewer.get(f"/admin/feedback/{story}").get_data(as_text=True)
    assert "Shortlist for the Trust Board" not in as_role("viewer").get(f"/admin/feedback/{story}").get_data(
        as_text=True)
    response = post(reviewer, f"/admin/board/shortlist/{story}", {"note": "Shows what kindness does"})
    post(reviewer, f"/admin/board/shortlist/{story}")  # again: still one
    with runtime.factory() as db:
        board = db.scalars(select(BoardStory)).one()
    assert response.headers["Location"] == f"/admin/board/{board.id}"
    page = as_role("viewer").get(f"/admin/board/{board.id}").get_data(as_text=True)
    assert "[NAME] on Oaklands saved my life" in page and "Jo Bloggs" not in page
    assert "Shows what kindness does" in page and "Oaklands Ward" in page
    assert "app-no-print" in page  # navigation and buttons are left off the printout (admin.css @media print)
    assert "board_shortlist" in audit_actions(runtime)
    post(reviewer, f"/admin/board/{board.id}/remove")
    with runtime.factory() as db:
        assert db.scalars(select(BoardStory)).first() is None


def test_only_analysed_stories_can_go_to_the_board(reviewer, seed, runtime):
    story = seed.story(analysed=False)
    assert post(reviewer, f"/admin/board/shortlist/{story}").status_code == 404


# The public screen ----------------------------------------------------------------------------------

def test_the_public_screen_shows_the_last_30_days_and_refreshes_itself(client, seed, runtime):
    make.screen(runtime, "OAKLANDS", minimum=5)  # switched on by PPT, showing figures from 5 answers
    now = runtime.now()
    for fft in ("1", "1", "2", "4", "6"):
        seed.story(fft=fft, created_at=now - timedelta(days=3))
    seed.story(fft="5", created_at=now - timedelta(days=40))  # too old
    seed.story(fft="5", service="CRISIS", created_at=now - timedelta(days=1))  # another service
    make.entry(runtime, you_said="Visiting times were too short", we_did="Longer visiting", status="published")
    make.entry(runtime, you_said="A draft", we_did="Not public yet")
    response = client.get("/screen/OAKLANDS")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<meta http-equiv="refresh" content="300">' in page
    assert "60%" in page and "20%" in page and "From 5 answers" in page
    assert "Longer visiting" in page and "Not public yet" not in page
    assert "<script" not in page.replace("<script nonce=", "")  # only the NHS frontend's one-line class setter
    assert "Sign in" not in page and "The staff were kind" not in page  # no stories, no personal data


def screen_figures(client) -> str:
    page = client.get("/screen/OAKLANDS").get_data(as_text=True)
    return page.split('id="fft-heading"')[1].split('id="ysd-heading"')[0]


def test_one_more_answer_does_not_change_the_public_screen_and_the_fifth_does(client, seed, runtime):
    make.screen(runtime, "OAKLANDS", minimum=5)
    now = runtime.now()
    for fft in ("1", "1", "2", "4", "6"):
        seed.story(fft=fft, created_at=now - timedelta(days=3))
    before = screen_figures(client)
    assert "60%" in before and "20%" in before and "From 5 answers" in before and "Updated " in before
    for n in range(1, 5):  # someone in the waiting room answers "very poor", then three more people answer
        seed.story(fft="5", created_at=now - timedelta(hours=n))
        assert screen_figures(client) == before, f"the screen changed after {n} new answer(s)"
    seed.story(fft="1", created_at=now - timedelta(minutes=5))  # the fifth since the screen last changed
    after = screen_figures(client)
    assert "40%" in after and "50%" in after and "From 10 answers" in after


def test_the_public_screen_hides_results_from_too_few_answers(client, seed, runtime):
    make.screen(runtime, "OAKLANDS", minimum=5)
    for fft in ("1", "5"):
        seed.story(fft=fft)
    seed.story(fft="1", created_at=runtime.now() - timedelta(days=1))
    page = client.get("/screen/OAKLANDS").get_data(as_text=True)
    assert "Not enough answers" in page and "%" not in page.split("</head>")[1].split("You said")[0]
    assert client.get("/screen/NOWHERE").status_code == 404
