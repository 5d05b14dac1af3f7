"""Thousands of random replies: the engine never raises, always answers, and honours STOP."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from hypothesis import given, settings
from hypothesis import strategies as st

from bot import engine, gsm7
from bot.engine import START_WORDS, Context
from bot.keywords import is_stop
from bot.texts import Texts

T0 = datetime(2026, 11, 26, 10, 0, tzinfo=timezone.utc)
SERVICES = (("OAKLANDS", "Oaklands Ward"), ("CRISIS", "Crisis Team"), ("EIP", "Early Intervention"))
MEANINGFUL = ["FEEDBACK", "feedback oaklands", "/start", "/start EIP", "STOP", "stop", "START", "YES", "UNSTOP",
              "HELP", "/help", "/stop", "skip", "1", "2", "6", "0", "7", "v good", "5 - very poor", "",
              "end", "quit", "info", "dont know", "FEEDBACK NOWHERE"]
messages = st.one_of(st.sampled_from(MEANINGFUL), st.text(max_size=200))
gaps = st.sampled_from([0, 60, 3600, 90000])


@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(messages, gaps), min_size=1, max_size=25))
def test_random_conversations_never_raise_always_answer_and_stay_silent_after_stop(turns):
    state, now = {}, T0
    for i, (text, gap) in enumerate(turns):
        now += timedelta(seconds=gap)
        ctx = Context(now=now, channel="sms", ref=f"r{i}", texts=Texts(), services=SERVICES)
        was_opted_out = bool(state.get("opted_out"))
        result = engine.handle(state, text, ctx)
        word = text.strip().lower()
        normalised = " ".join(word.replace(".", " ").split())
        if was_opted_out and normalised not in START_WORDS and not word.startswith("/start"):
            assert result.replies == [], f"sent {result.replies} after STOP, in reply to {text!r}"
            assert result.effects == []
        elif not was_opted_out:
            assert result.replies, f"no answer to {text!r} in state {state}"
        for reply in result.replies:
            assert gsm7.fits(reply.text), f"over the SMS budget: {reply.text!r}"
        if is_stop(normalised) and not was_opted_out:
            assert result.state.get("opted_out")
        state = result.state
