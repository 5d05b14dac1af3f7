from datetime import date

import pytest

from admin.reports import public
from storage.models import QIEvidence, QIProject, Service, YouSaidWeDid
from tests.admin import world_factories as make
from tests.reports.conftest import at


def entry(session, text, status="published", service="OAKLANDS", day=date(2026, 3, 1)):
    session.add(YouSaidWeDid(you_said=text, we_did="We changed it", service_code=service, happened_on=day,
                             status=status, created_by="ppt", created_at=at("2026-03-01 09:00"),
                             published_at=at("2026-03-02 09:00") if status == "published" else None))


@pytest.fixture
def screen_on(runtime, services):
    """Oaklands' screen switched on, showing figures from 5 answers (the lowest minimum), as these tests need."""
    make.screen(runtime, "OAKLANDS", minimum=5)


@pytest.fixture
def setup(runtime, services, feedback, screen_on):
    s = feedback.session
    entry(s, "Visiting times were too short", day=date(2026, 2, 1))
    entry(s, "Draft not for the public", status="draft")
    entry(s, "The garden was locked", day=date(2026, 3, 5))
    entry(s, "Crisis line was slow", service="CRISIS")
    return s


def test_only_published_entries_newest_first(runtime, setup):
    setup.commit()
    with runtime.factory() as db:
        entries = public.you_said_we_did(db, service="OAKLANDS")
    assert [e["you_said"] for e in entries] == ["The garden was locked", "Visiting times were too short"]
    assert entries[0]["service"] == "Oaklands Ward"


def test_public_screen_hides_the_split_when_there_are_too_few_answers(runtime, setup, feedback):
    for value in (1, 2, 5, 1):
        feedback.response("2026-03-20 12:00", fft=value)
    setup.commit()
    with runtime.factory() as db:
        few = public.public_screen(db, "OAKLANDS", at("2026-03-31 12:00"))
    assert few["enough"] is False and few["percent_positive"] is None and few["counts"] is None
    assert few["service_name"] == "Oaklands Ward" and len(few["entries"]) == 2
    for value in (6, 1, 1, 5, 2):  # five more: the next step
        feedback.response("2026-03-21 12:00", fft=value)
    feedback.session.commit()
    with runtime.factory() as db:
        screen = public.public_screen(db, "OAKLANDS", at("2026-03-31 12:00"), entries=1)
    assert screen["enough"] and screen["total"] == 9 and screen["percent_positive"] == 66.7
    assert [e["you_said"] for e in screen["entries"]] == ["The garden was locked"]


def figures(runtime, when: str, **kwargs) -> tuple:
    """What the screen shows, as a visitor would read it (and kept, as the page keeps it)."""
    with runtime.factory() as db:
        shown = public.public_screen(db, "OAKLANDS", at(when), **kwargs)
        db.commit()
    return shown["total"], shown["percent_positive"], shown["percent_negative"], shown["counts"]


def test_one_more_answer_does_not_change_the_public_screen_and_the_fifth_does(runtime, services, feedback, screen_on):
    for value in (1, 1, 2, 4, 5, 1):
        feedback.response("2026-03-10 12:00", fft=value)
    feedback.session.commit()
    first = figures(runtime, "2026-03-20 12:00")
    assert first[:3] == (6, 66.7, 33.3)
    for n, value in enumerate((5, 5, 5, 5), start=1):  # someone answers "very poor", then three more
        feedback.response("2026-03-20 13:00", fft=value)
        feedback.session.commit()
        assert figures(runtime, f"2026-03-20 1{3 + n}:00") == first, f"{n} new answer(s) showed"
    feedback.response("2026-03-20 18:00", fft=1)  # the fifth since the screen last changed
    feedback.session.commit()
    assert figures(runtime, "2026-03-20 19:00")[:3] == (11, 45.5, 54.5)


def test_the_public_screen_can_change_once_a_day_instead(runtime, services, feedback, screen_on):
    for value in (1, 1, 2, 4, 5, 1):
        feedback.response("2026-03-10 12:00", fft=value)
    feedback.session.commit()
    first = figures(runtime, "2026-03-20 09:00", update="daily")
    feedback.response("2026-03-20 10:00", fft=5)
    feedback.session.commit()
    assert figures(runtime, "2026-03-20 23:30", update="daily") == first  # 23:30 UTC: still the 20th in London
    assert figures(runtime, "2026-03-21 00:30", update="daily")[:3] == (7, 57.1, 42.9)


def test_the_public_screen_still_hides_a_small_number_published_in_a_step(runtime, services, feedback, screen_on):
    for value in (1, 2):
        feedback.response("2026-03-10 12:00", fft=value)
    feedback.session.commit()
    assert figures(runtime, "2026-03-20 12:00")[0] is None
    for value in (5, 5, 5, 5, 5):  # the old two leave the 30 days; five new make five in all
        feedback.response("2026-04-15 12:00", fft=value)
    feedback.session.commit()
    assert figures(runtime, "2026-04-16 12:00")[:3] == (5, 0.0, 100.0)


def test_qi_evidence_and_services_backed_by_feedback(runtime, setup, feedback):
    story = feedback.response("2026-03-10 12:00", story="Sam never called back", sentiment="negative",
                              themes=["Being kept informed, clarity & consistency of information"]).story_id
    feedback.response("2026-03-11 12:00", story="No updates", themes=["Being kept informed, clarity & consistency of information"])
    feedback.response("2026-03-11 12:00", story="No updates", service="CRISIS",
                      themes=["Being kept informed, clarity & consistency of information"])
    s = feedback.session
    backed = QIProject(title="Calling back", service_code="OAKLANDS", lead="Jo", aims="Call back in a day",
                       created_at=at("2026-03-01 09:00"))
    bare = QIProject(title="Menus", service_code="OAKLANDS", created_at=at("2026-03-01 09:00"))
    s.add_all([backed, bare, Service(code="OLD", name="Old ward", active=False)])
    s.flush()
    s.add_all([QIEvidence(project_id=backed.id, answer_id=story, linked_by="ppt", created_at=at("2026-03-12 09:00")),
               QIEvidence(project_id=backed.id, theme="Being kept informed, clarity & consistency of information",
                          linked_by="ppt", created_at=at("2026-03-12 09:00"))])
    s.commit()
    with runtime.factory() as db:
        evidence = public.project_evidence(db, backed.id)
        services = public.qi_by_service(db)
        assert public.project_evidence(db, 999999) is None
    assert [st["redacted"] for st in evidence["stories"]] == ["[name] never called back"]
    assert evidence["themes"][0]["stories"] == 2 and evidence["themes"][0]["major_category"] == \
        "Communication & involvement"
    oaklands = next(x for x in services if x["service_code"] == "OAKLANDS")
    assert oaklands["backed_projects"] == 1
    assert [(p["title"], p["backed"], p["stories"], p["themes"]) for p in oaklands["projects"]] == [
        ("Calling back", True, 1, 1), ("Menus", False, 0, 0)]
    assert {x["service_code"] for x in services} == {"OAKLANDS", "CMHTNORTH", "CRISIS"}


def test_the_trust_sets_the_step_but_never_below_five_answers():
    from yoursay import config

    assert config.load({}).screen_update == 5
    assert config.load({"YOURSAY_SCREEN_UPDATE": "20"}).screen_update == 20
    assert config.load({"YOURSAY_SCREEN_UPDATE": "Daily"}).screen_update == "daily"
    for bad in ("1", "4", "hourly", "-5"):
        with pytest.raises(config.ConfigError, match="YOURSAY_SCREEN_UPDATE"):
            config.load({"YOURSAY_SCREEN_UPDATE": bad})
