"""The conversation on a real database: anonymity, deduplication, opt-out, migrations."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, select

from service.conversations import receive
from service.jobs import expire_conversations
from storage import outbox
from storage.models import Answer, Base, Contact, Message, Outbox, PendingResponse, Response

NOW = datetime(2026, 11, 26, 14, 37, tzinfo=timezone.utc)


def say(rt, text, address="+447700900123", channel="sms", sid=None, now=NOW):
    return rt.write(lambda conn: receive(conn, rt.bot, channel=channel, address=address, text=text,
                                         provider_id=sid, now=now))


def test_migrations_create_exactly_the_schema_the_models_describe(runtime):
    with runtime.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_an_fft_answer_is_stored_with_service_mode_and_time_but_no_link_to_the_person(runtime, services):
    say(runtime, "FEEDBACK OAKLANDS", sid="SM1")
    say(runtime, "4", sid="SM2")
    say(runtime, "Nobody rang me back", sid="SM3")
    with runtime.factory() as session:
        [response] = session.scalars(select(Response)).all()
        answers = {a.question_id: a.value for a in session.scalars(select(Answer))}
        inbound = session.scalars(select(Message).where(Message.direction == "in")).all()
        contact = session.scalar(select(Contact))
    assert (response.survey_id, response.service_code, response.mode) == ("fft", "OAKLANDS", "SMS/text message")
    assert response.created_at == NOW.replace(hour=0, minute=0), "only the day is kept (Nov: London is on UTC)"
    assert answers == {"fft": "4", "why": "Nobody rang me back"}
    response_columns = {c["name"] for c in inspect(runtime.engine).get_columns("responses")}
    assert not response_columns & {"contact_id", "address", "phone", "chat_id"}
    assert all(m.body is None for m in inbound), "inbound text must not sit next to the sender in the log"
    assert contact.state == {} and "ref" not in contact.state
    assert "Nobody rang me back" not in repr(contact.state)


def test_a_repeated_provider_id_gets_the_same_reply_and_changes_nothing(runtime, services):
    say(runtime, "FEEDBACK OAKLANDS", sid="SM1")
    first = say(runtime, "2", sid="SM2")
    again = say(runtime, "2", sid="SM2")
    assert again.duplicate and [r.text for r in again.replies] == [r.text for r in first.replies]
    say(runtime, "Fine", sid="SM3")
    with runtime.factory() as session:
        assert sorted(session.execute(select(Answer.question_id, Answer.value)).all()) == [("fft", "2"), ("why", "Fine")]
        assert len(session.scalars(select(Message).where(Message.direction == "in")).all()) == 3


def test_telegram_replies_go_through_the_outbox_and_stop_cancels_what_is_waiting(runtime, services):
    say(runtime, "/start OAKLANDS", address="555", channel="telegram", sid="1")
    with runtime.factory() as session:
        [row] = session.scalars(select(Outbox)).all()
    assert row.status == "pending" and "Overall, how was your experience" in row.body
    say(runtime, "/stop", address="555", channel="telegram", sid="2")
    with runtime.factory() as session:
        statuses = sorted(o.status for o in session.scalars(select(Outbox)))
    assert statuses == ["cancelled", "pending"], "the question is cancelled; only the STOP confirmation goes"


def test_idle_conversations_are_forgotten_by_the_scheduled_job(runtime, services):
    say(runtime, "FEEDBACK OAKLANDS", sid="SM1")
    say(runtime, "1", sid="SM2")
    assert expire_conversations(runtime.factory, runtime.bot, NOW + timedelta(hours=1)) == 0
    assert expire_conversations(runtime.factory, runtime.bot, NOW + timedelta(hours=25)) == 1, "the FFT expires in 24h"
    with runtime.factory() as session:
        assert session.scalar(select(Contact)).state == {}
        assert session.scalar(select(Answer)).value == "1"


def test_an_outbox_row_is_claimed_by_one_worker_only(runtime, services):
    say(runtime, "/start OAKLANDS", address="555", channel="telegram", sid="1")
    with runtime.factory.begin() as session:
        first = outbox.claim(session, "telegram", "worker-a", NOW)
    with runtime.factory.begin() as session:
        second = outbox.claim(session, "telegram", "worker-b", NOW)
    assert len(first) == 1 and second == []
    with runtime.factory.begin() as session:
        after_crash = outbox.claim(session, "telegram", "worker-b", NOW + outbox.LEASE + timedelta(seconds=1))
    assert [c.id for c in after_crash] == [first[0].id], "a crashed worker's claim is picked up again"


def test_the_bots_words_in_the_log_are_forgotten_after_a_week(runtime, services):
    from service.jobs import forget_message_text

    say(runtime, "FEEDBACK OAKLANDS", sid="SM1")
    assert forget_message_text(runtime.factory, timedelta(days=7), NOW + timedelta(days=6)) == 0
    assert forget_message_text(runtime.factory, timedelta(days=7), NOW + timedelta(days=8)) == 1
    with runtime.factory() as session:
        [reply] = session.scalars(select(Message).where(Message.direction == "out")).all()
    assert reply.body is None and reply.status == "replied"


def test_an_open_conversation_cannot_be_joined_to_its_answers_from_the_database_alone(runtime, services):
    say(runtime, "FEEDBACK OAKLANDS", sid="SM1")
    say(runtime, "4", sid="SM2")  # the "why" is still to come: the conversation holds a reference
    with runtime.factory() as session:
        held = session.scalar(select(Contact)).state["ref"]
        assert session.scalars(select(Response)).all() == [], "nothing is written while the survey is open"
        [waiting] = session.scalars(select(PendingResponse)).all()
    assert held and waiting.id != held and not waiting.sealed
    assert waiting.id == runtime.bot.stored_ref(held), "the app itself can still find the answers"
    assert b"fft" not in waiting.payload and b"OAKLANDS" not in waiting.payload, "they wait encrypted"
    assert runtime.bot.holding.unlock(waiting.payload)["answers"] == {"fft": "4"}
