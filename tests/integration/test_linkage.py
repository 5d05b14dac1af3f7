"""The linkage attack (issue 12): with a full copy of the database, match anonymous answers to people.

Thirty people give feedback one after another, through the engine every channel uses, while the
scheduled job writes waiting answers as it does in service. The attacker then has everything a
copy of the database holds: who texted and when (the message log, in order), and every column of
the responses and answers, and the order the rows are stored in (SQLite's rowid, PostgreSQL's
ctid). They rank the people by when they finished and the responses by each thing a copy offers,
and pair them off. Batches of five, shuffled, leave them at chance (about one in five).
"""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone

from sqlalchemy import func, select, text

from service.conversations import receive
from service.jobs import write_answer_batches
from storage.models import Answer, Contact, Message, PendingResponse, Response

START = datetime(2026, 11, 26, 9, 0, tzinfo=timezone.utc)
PEOPLE = 30
WORDS = ("kind", "late", "rushed", "helpful", "cold", "clean", "noisy", "calm", "slow", "warm")


def run_clinic(rt, min_batch: int) -> dict[str, str]:
    """Thirty people one after another; returns each story and who told it."""
    bot = replace(rt.bot, holding=replace(rt.bot.holding, min_batch=min_batch))
    plan = []  # (seconds after START, address, text)
    for n in range(PEOPLE):
        address, begin = f"+4477009002{n:02d}", n * 40
        story = f"visit {n}: staff were {WORDS[n % 10]} and {WORDS[(n * 3 + 1) % 10]}"
        plan += [(begin, address, "FEEDBACK OAKLANDS"), (begin + 8, address, str(n % 5 + 1)),
                 (begin + 20, address, story)]
    told = {p[2]: p[1] for p in plan if p[2].startswith("visit")}
    last = plan[-1][0] + 180
    for second in range(0, last, 5):  # the scheduler's tick, every 5 seconds
        now = START + timedelta(seconds=second)
        for at, address, said in plan:
            if second <= at < second + 5:
                rt.write(lambda conn: receive(conn, bot, channel="sms", address=address, text=said,
                                              provider_id=f"SM{address}{at}", now=START + timedelta(seconds=at)))
        write_answer_batches(rt.factory, bot, now)
    return told


def orderings(rt) -> dict[str, list[int]]:
    """Every order of the responses a copy of the database gives (each a list of response ids)."""
    physical = "ctid" if rt.engine.dialect.name == "postgresql" else "rowid"
    with rt.engine.connect() as conn:
        by = {
            "id": conn.scalars(select(Response.id).order_by(Response.id)).all(),
            "batch": conn.scalars(select(Response.id).order_by(Response.batch, Response.id)).all(),
            "created_at": conn.scalars(select(Response.id).order_by(Response.created_at, Response.id)).all(),
            "stored order": conn.scalars(text(f"SELECT id FROM responses ORDER BY {physical}")).all(),
            "answer id": conn.scalars(select(Answer.response_id).group_by(Answer.response_id)
                                      .order_by(func.min(Answer.id))).all(),
            "answers' stored order": conn.scalars(text(
                f"SELECT response_id FROM answers WHERE question_id = 'why' ORDER BY {physical}")).all(),
        }
    return by


def linked(rt, told: dict[str, str], extra: dict[str, list[int]] | None = None) -> dict[str, int]:
    """How many people each ordering links to their own story, by rank."""
    with rt.factory() as session:
        finished = session.execute(select(Contact.address, func.max(Message.id)).join(Message, Message.contact_id == Contact.id)
                                   .where(Message.direction == "in").group_by(Contact.address)
                                   .order_by(func.max(Message.id))).all()
        story_of = dict(session.execute(select(Answer.response_id, Answer.value).where(Answer.question_id == "why")).all())
    people = [address for address, _ in finished]
    return {name: sum(told[story_of[rid]] == person for rid, person in zip(ids, people))
            for name, ids in {**orderings(rt), **(extra or {})}.items()}


def test_a_copy_of_the_database_links_no_more_than_chance(runtime, services):
    told = run_clinic(runtime, min_batch=5)
    with runtime.factory() as session:
        assert session.scalar(select(func.count()).select_from(Response)) == PEOPLE, "every answer is written"
        assert session.scalar(select(func.count()).select_from(PendingResponse)) == 0
    links = linked(runtime, told)
    assert max(links.values()) <= PEOPLE * 0.35, links


def test_the_attack_links_everyone_given_the_order_they_answered_in(runtime, services):
    told = run_clinic(runtime, min_batch=5)
    order = list(told)  # the stories in the order they were told
    with runtime.factory() as session:
        story_of = dict(session.execute(select(Answer.value, Answer.response_id).where(Answer.question_id == "why")).all())
    links = linked(runtime, told, {"truth": [story_of[story] for story in order]})
    assert links["truth"] == PEOPLE, "given the real order, the attack links everyone"
