"""Anonymous answers wait, encrypted, and are written in shuffled batches (storage.pending)."""
from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import func, select

from service.conversations import receive
from service.jobs import write_answer_batches
from storage import pending
from storage.models import Answer, EqualityResponse, PendingResponse, Response
from yoursay.runtime import build

NOW = datetime(2026, 11, 26, 14, 37, tzinfo=timezone.utc)


def batched(rt, size=5):
    return replace(rt.bot, holding=replace(rt.bot.holding, min_batch=size))


def give_feedback(rt, bot, n: int, now: datetime) -> None:
    address = f"+4477009003{n:02d}"
    for step, said in enumerate(("FEEDBACK OAKLANDS", "2", f"story {n}")):
        rt.write(lambda conn: receive(conn, bot, channel="sms", address=address, text=said,
                                      provider_id=f"SM{n}-{step}", now=now))


def count(rt, model) -> int:
    with rt.factory() as session:
        return session.scalar(select(func.count()).select_from(model))


def test_answers_wait_for_five_then_are_written_together(runtime, services):
    bot = batched(runtime)
    for n in range(4):
        give_feedback(runtime, bot, n, NOW + timedelta(seconds=n))
    assert count(runtime, Response) == 0 and count(runtime, PendingResponse) == 4
    give_feedback(runtime, bot, 4, NOW + timedelta(seconds=4))
    assert count(runtime, Response) == 5 and count(runtime, PendingResponse) == 0
    with runtime.factory() as session:
        assert len(set(session.scalars(select(Response.batch)))) == 1, "one batch"


def test_a_small_batch_is_written_after_a_minute_mixed_with_the_batch_before(runtime, services):
    bot = batched(runtime)
    for n in range(5):
        give_feedback(runtime, bot, n, NOW)
    for n in range(5, 7):
        give_feedback(runtime, bot, n, NOW + timedelta(minutes=5))
    assert write_answer_batches(runtime.factory, bot, NOW + timedelta(minutes=5, seconds=59)) == 0
    assert write_answer_batches(runtime.factory, bot, NOW + timedelta(minutes=6)) == 2
    with runtime.factory() as session:
        batches = list(session.scalars(select(Response.batch)))
        stories = session.scalars(select(Answer.value).where(Answer.question_id == "why")).all()
    assert sorted(stories) == sorted(f"story {n}" for n in range(7)), "nothing lost"
    latest = runtime.write(lambda conn: conn.scalar(select(pending.BATCHES.c.last).where(
        pending.BATCHES.c.store == "feedback")))
    assert batches.count(latest) >= 5, "the two new ones hide among rows of the batch before"


def test_waiting_answers_survive_a_restart_and_a_wrong_key_loses_nothing(runtime, services):
    bot = batched(runtime)
    for n in range(2):
        give_feedback(runtime, bot, n, NOW)
    stranger = replace(bot, holding=replace(bot.holding, key=b"k" * 32))
    assert write_answer_batches(runtime.factory, stranger, NOW + timedelta(hours=1)) == 0
    assert count(runtime, PendingResponse) == 2, "what cannot be read is kept, not dropped"

    restarted = build(runtime.settings)  # a new process: the key comes from SECRET_KEY again
    try:
        assert write_answer_batches(restarted.factory, restarted.bot, NOW + timedelta(hours=1)) == 2
    finally:
        restarted.engine.dispose()
    assert count(runtime, Response) == 2 and count(runtime, PendingResponse) == 0


def test_only_the_local_day_and_month_are_kept(runtime, services):
    just_after_midnight = datetime(2026, 6, 30, 23, 30, tzinfo=timezone.utc)  # 00:30 on 1 July in London
    give_feedback(runtime, runtime.bot, 1, just_after_midnight)
    for step, said in enumerate(("ABOUT YOU", "3")):
        runtime.write(lambda conn: receive(conn, runtime.bot, channel="sms", address="+447700900399", text=said,
                                           provider_id=f"SMeq{step}", now=just_after_midnight))
    from service.jobs import expire_conversations
    expire_conversations(runtime.factory, runtime.bot, just_after_midnight + timedelta(days=4))
    with runtime.factory() as session:
        response = session.scalar(select(Response))
        equality = session.scalar(select(EqualityResponse))
    assert response.created_at == datetime(2026, 6, 30, 23, 0, tzinfo=timezone.utc), "midnight, 1 July, London"
    assert equality.month == date(2026, 7, 1)
