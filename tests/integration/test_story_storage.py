"""Stories on a real database: held open for their later parts, sealed after the window, never linked.

The server's own settings here: parts of a story within 2 minutes are joined, and a service is
remembered for 24 hours after its conversation ends (tests elsewhere turn both off).
"""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from service.conversations import receive
from service.jobs import close_stories, expire_conversations, write_answer_batches
from storage import pending
from storage.models import Answer, Contact, PendingResponse, Response, ResponseOwner
from tests.conftest import kept
from tests.integration import test_linkage

NOW = datetime(2026, 11, 26, 14, 37, tzinfo=timezone.utc)
PHONE = "+447700900123"
JOIN = timedelta(minutes=2)
STORY = "The nurses on the ward were kind to me but nobody told me when I could go home."


@pytest.fixture
def settings(settings):
    return replace(settings, story_join=JOIN, recent_service=timedelta(hours=24))


def say(rt, text: str, now: datetime, address: str = PHONE, bot=None) -> list[str]:
    received = rt.write(lambda conn: receive(conn, bot or rt.bot, channel="sms", address=address, text=text,
                                             provider_id=None, now=now))
    return [r.text for r in received.replies]


def count(rt, model) -> int:
    with rt.factory() as session:
        return session.scalar(select(func.count()).select_from(model))


def person(rt, address: str = PHONE) -> Contact:
    with rt.factory() as session:
        return session.scalar(select(Contact).where(Contact.address == address))


def written(rt) -> list[dict[str, str]]:
    with rt.factory() as session:
        return [dict(session.execute(select(Answer.question_id, Answer.value).where(Answer.response_id == r)).all())
                for r in session.scalars(select(Response.id))]


def test_a_story_is_held_open_for_its_window_then_sealed_and_written_by_the_batch_job(runtime, services):
    say(runtime, "FEEDBACK OAKLANDS", NOW)
    say(runtime, "4", NOW + timedelta(seconds=20))
    say(runtime, STORY, NOW + timedelta(seconds=40))
    say(runtime, "and the food was cold.", NOW + timedelta(seconds=43))
    held = person(runtime)
    assert held.state_updated_at is not None, "the jobs come back to a row with a story open"
    assert count(runtime, Response) == 0 and count(runtime, PendingResponse) == 1
    assert write_answer_batches(runtime.factory, runtime.bot, NOW + timedelta(seconds=43) + JOIN
                                - timedelta(seconds=1)) == 0, "still open: a part may yet come"
    assert write_answer_batches(runtime.factory, runtime.bot, NOW + timedelta(seconds=43) + JOIN) == 1
    assert written(runtime) == [{"fft": "4", "why": STORY + " and the food was cold."}]
    assert count(runtime, PendingResponse) == 0
    assert person(runtime).state == {"recent": {"service": "OAKLANDS",
                                                "until": (NOW + timedelta(seconds=40, hours=24)).isoformat()}}


def test_a_message_after_the_window_seals_the_story_itself(runtime, services):
    say(runtime, STORY, NOW)
    [reply] = say(runtime, "hello", NOW + JOIN + timedelta(seconds=1))
    assert reply.startswith("Hello, this is YourSay")
    assert "story" not in person(runtime).state
    assert written(runtime) == [{"story": STORY}], "sealed and written (a batch of one, in tests)"


def test_a_part_whose_story_was_sealed_meanwhile_is_kept_as_a_story_of_its_own(runtime, services):
    say(runtime, STORY, NOW)
    ref = runtime.bot.stored_ref(person(runtime).state["story"]["ref"])
    runtime.write(lambda conn: pending.seal(conn, runtime.bot.holding, ref, NOW))  # as a job racing the message
    assert say(runtime, "and the food was cold.", NOW + timedelta(seconds=3)) == []
    runtime.write(lambda conn: pending.write_batches(conn, runtime.bot.holding, NOW, force=True))
    assert sorted(r["story"] for r in written(runtime)) == sorted([STORY, "and the food was cold."]), "nothing lost"


def test_append_adds_to_a_held_answer_and_refuses_a_sealed_one(runtime):
    holding = runtime.bot.holding
    runtime.write(lambda conn: pending.hold(conn, holding, "r1", "why", "one", survey_id="fft", survey_version=1,
                                            service=None, mode="Online", store="feedback", owner=None))
    assert runtime.write(lambda conn: pending.append(conn, holding, "r1", "why", "two"))
    assert runtime.write(lambda conn: pending.append(conn, holding, "r1", "also", "three", joiner="\n"))
    assert [k["answers"] for k in kept(runtime)] == [{"why": "one two", "also": "three"}]
    runtime.write(lambda conn: pending.seal(conn, holding, "r1", NOW))
    assert not runtime.write(lambda conn: pending.append(conn, holding, "r1", "why", "four"))
    assert [k["answers"] for k in kept(runtime)] == [{"why": "one two", "also": "three"}]


def test_a_late_story_after_the_expiry_job_keeps_the_service_and_no_link(runtime, services):
    say(runtime, "FEEDBACK OAKLANDS", NOW)
    say(runtime, "4", NOW + timedelta(minutes=1))
    later = NOW + timedelta(hours=25)
    assert expire_conversations(runtime.factory, runtime.bot, later) == 1
    state = person(runtime).state
    assert set(state) == {"recent"} and state["recent"]["service"] == "OAKLANDS", "the service only, for a while"
    [reply] = say(runtime, "Sorry for the late reply, I was in hospital. The ward staff were lovely.",
                  later + timedelta(hours=1))
    assert "passed your words on" in reply
    write_answer_batches(runtime.factory, runtime.bot, later + timedelta(hours=2))
    with runtime.factory() as session:
        responses = {r.survey_id: r for r in session.scalars(select(Response))}
        assert session.scalar(select(func.count()).select_from(ResponseOwner)) == 0
    assert set(responses) == {"fft", "story"} and responses["story"].service_code == "OAKLANDS"
    assert responses["fft"].id != responses["story"].id
    assert sorted(map(sorted, written(runtime))) == [["fft"], ["story"]], "two responses: nothing joins them"


def test_the_recent_service_is_forgotten_by_the_expiry_job_after_its_time(runtime, services):
    say(runtime, "FEEDBACK OAKLANDS", NOW)
    say(runtime, "4", NOW + timedelta(minutes=1))
    say(runtime, "SKIP", NOW + timedelta(minutes=2))
    assert set(person(runtime).state) == {"recent"}
    expire_conversations(runtime.factory, runtime.bot, NOW + timedelta(hours=23))
    assert set(person(runtime).state) == {"recent"}
    expire_conversations(runtime.factory, runtime.bot, NOW + timedelta(hours=24, minutes=3))
    contact = person(runtime)
    assert contact.state == {} and contact.state_updated_at is None


def test_closing_stories_leaves_an_open_survey_alone(runtime, services):
    say(runtime, "SURVEY OAKLANDS", NOW)
    say(runtime, "2", NOW + timedelta(seconds=20))
    say(runtime, STORY, NOW + timedelta(seconds=40))  # the why: the survey moves on, the story is open
    state = person(runtime).state
    assert state["story"]["ref"] == state["ref"]
    with runtime.factory.begin() as session:
        assert close_stories(session, runtime.bot, NOW + timedelta(minutes=10)) == 1
    state = person(runtime).state
    assert "story" not in state and state["step"] == "question" and count(runtime, PendingResponse) == 1
    assert [k["answers"] for k in kept(runtime)] == [{"fft": "2", "why": STORY}], "still open, not sealed"


def test_the_linkage_attack_stays_at_chance_with_stories_held_open(runtime, services):
    """tests/integration/test_linkage.py's attack, with each story held for the join window first."""
    assert runtime.bot.story_join == JOIN
    told = test_linkage.run_clinic(runtime, min_batch=5)
    assert count(runtime, Response) == test_linkage.PEOPLE and count(runtime, PendingResponse) == 0
    links = test_linkage.linked(runtime, told)
    assert max(links.values()) <= test_linkage.PEOPLE * 0.35, links


def test_nobody_can_be_invited_to_the_story_survey(runtime, services, tmp_path):
    from tests.integration.test_survey_files import invite

    result = invite(runtime, tmp_path, "story")
    assert result.exit_code != 0 and "no survey 'story'" in result.output
    assert "story" not in result.output.split("known:")[1], "it is never asked"
    with runtime.factory() as session:
        assert session.scalar(select(func.count()).select_from(Contact)) == 0
