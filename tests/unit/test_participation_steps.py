"""The participation conversation's step table is complete: every step it can enter has a handler, and back."""
from __future__ import annotations

import ast
import inspect
from datetime import datetime, timedelta, timezone

from bot import participation as p
from bot.keywords import normalise

T0 = datetime(2026, 11, 26, 10, 0, tzinfo=timezone.utc)
OPENINGS = (p.Opening(1, "Working Together group", "Shape crisis care.", "working_together", "North", "Oak House",
                      "paid", places_left=5),
            p.Opening(2, "Expert by Experience training", "Learn to teach.", "ebe_training", "South", "online",
                      "paid", places_left=0))
MEMBER = p.Member(name="Sam", consent_at=T0 - timedelta(days=3), alerts="instant",
                  places=(p.Place(7, 1, "Working Together group", "confirmed"), p.Place(8, 2, "EbE", "waiting")))
# Conversations that between them go through every step.
WALKS = [(None, ["JOIN", "2", "SIGN UP", "YES", "YES", "Sam", "none", "no"]),
         (MEMBER, ["ALERTS", "4", "ALERTS", "5", "2", "WITHDRAW", "1", "DELETE MY DATA", "no"])]


def entered_in_source() -> tuple[set[str], list[str]]:
    """The steps the handlers can put into the state, read from the code: self.at("x"), step="x", {"step": "x"}."""
    tree = ast.parse(inspect.getsource(p))
    helper = next(n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.name == "at")
    inside_helper = {id(n) for n in ast.walk(helper)}  # at(step) itself writes {"step": step}
    steps, unreadable = set(), []
    for node in ast.walk(tree):
        if id(node) in inside_helper:
            continue
        values = []
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "at":
            values.append(node.args[0])
        if isinstance(node, ast.Call):
            values += [k.value for k in node.keywords if k.arg == "step"]
        if isinstance(node, ast.Dict):
            values += [v for k, v in zip(node.keys, node.values) if isinstance(k, ast.Constant) and k.value == "step"]
        for value in values:
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                steps.add(value.value)
            else:
                unreadable.append(ast.unparse(value))
    return steps, unreadable


def walk(member: p.Member | None, texts: list[str]) -> list[dict]:
    """Each state the conversation passes through."""
    snap = p.Snapshot(openings=OPENINGS, member=member, areas=("North", "South"), address="+447700900123")
    state, states = {}, []
    for text in texts:
        result = p.handle(state, normalise(text), text, snap, True, T0, "the trust")
        assert result.replies, f"no reply to {text!r} at {state.get('step')}"
        state = result.state
        states.append(state)
    return states


def test_every_step_a_handler_can_enter_has_a_handler_in_the_table():
    entered, unreadable = entered_in_source()
    assert not unreadable, f"a step the test cannot read (name it with a literal): {unreadable}"
    assert entered - set(p.STEPS) == set()


def test_every_step_in_the_table_is_entered_by_some_handler():
    entered, _ = entered_in_source()
    assert set(p.STEPS) - entered == set()


def test_every_handler_of_a_step_is_in_the_table_and_nothing_is_found_by_name():
    handlers = {f for name, f in vars(p._Talk).items() if name.startswith("on_")}
    assert set(p.STEPS.values()) == handlers
    assert "getattr" not in inspect.getsource(p._Talk.run)


def test_the_walks_reach_every_step_and_each_step_answers_anything():
    reached = {}
    for member, texts in WALKS:
        for state in walk(member, texts):
            reached.setdefault(state.get("step"), (member, state))
    assert set(p.STEPS) <= set(reached)
    snap = p.Snapshot(openings=OPENINGS, areas=("North", "South"))
    for step in p.STEPS:
        member, state = reached[step]
        result = p.handle(state, "hmm", "hmm", p.Snapshot(snap.openings, member, snap.areas), True, T0, "the trust")
        assert result.replies, f"{step}: no answer to something unexpected"
        assert result.state.get("step") in (*p.STEPS, None), f"{step}: left in a step with no handler"
