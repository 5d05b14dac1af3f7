"""Every message the bot can send fits 2 GSM-7 segments: no emoji, no curly quotes."""
from __future__ import annotations

import inspect
import itertools
from datetime import datetime, timezone

import pytest

from bot import answers, engine, gsm7, safeguarding
from bot.surveys import shipped
from bot.engine import Context
from bot.texts import Texts

LONG_TRUST = "Riverside and Northfield Partnership NHS Foundation Trust"
LONG_SERVICE = "Community Mental Health Team for Older Adults (North)"
CONFIGS = [
    Texts(),
    Texts(trust_name=LONG_TRUST, local_crisis_line="Mental Healthline 0800 123 4567"),
]


LONGEST_LABEL = max((o.label for s in shipped().surveys.values() for q in s[0].questions for o in q.options), key=len)
ARGS = {"service_name": LONG_SERVICE, "numbered": "\n".join(f"{n} Ward {n}" for n in range(1, 9)),
        "how_to_answer": max((answers.retry_text(q) for s in shipped().surveys.values() for q in s[0].questions),
                             key=len),
        "count": 18, "first": LONGEST_LABEL, "last": LONGEST_LABEL, "optional": True,
        "first_prompt": max((answers.prompt_text(s[0].questions[0], sms=True) for s in shipped().surveys.values()),
                            key=len),
        "title": max((s[0].title for s in shipped().surveys.values()), key=len),
        "intro": max((s[0].intro_sms or s[0].intro or "" for s in shipped().surveys.values()), key=len)}


# Arguments that choose between texts: every choice is checked (every kind of risk, in every language).
CHOICES = {"category": list(safeguarding.CATEGORIES), "paused": [True, False],
           "language": [None, "Portuguese", "a language we could not name"]}


def every_message(texts: Texts) -> dict[str, str]:
    """Call every text-producing method of Texts with the longest realistic arguments."""
    out = {}
    for name, member in inspect.getmembers(Texts):
        if name.startswith("_"):
            continue
        if isinstance(member, property):
            if isinstance(value := getattr(texts, name), str):  # not the settings object itself
                out[name] = value
        elif callable(member):
            params = list(inspect.signature(member).parameters)[1:]
            for args in itertools.product(*[CHOICES.get(p, [ARGS.get(p)]) for p in params]):
                result = member(texts, *args)
                for n, text in enumerate([result] if isinstance(result, str) else result):
                    out[f"{name}{args}[{n}]"] = text
    return out


@pytest.mark.parametrize("texts", CONFIGS, ids=["default", "long-names"])
def test_every_text_the_bot_can_send_fits_two_gsm7_segments(texts):
    messages = every_message(texts)
    assert len(messages) >= 15, "every_message() should see all of Texts"
    for name, text in messages.items():
        assert gsm7.is_gsm7(text), f"{name} has characters outside GSM-7: {text!r}"
        assert gsm7.segments(text) <= 2, f"{name} takes {gsm7.segments(text)} segments: {text!r}"


def test_a_long_list_of_services_is_cut_to_fit_the_budget():
    services = tuple((f"S{n}", f"{LONG_SERVICE} {n}") for n in range(8))
    ctx = Context(now=datetime(2026, 1, 1, tzinfo=timezone.utc), channel="sms", ref="r", services=services)
    reply = engine.handle({}, "FEEDBACK", ctx).replies[0].text
    assert gsm7.fits(reply)
    assert "1 " + LONG_SERVICE in reply


@pytest.mark.parametrize("text,count", [("a" * 160, 1), ("a" * 161, 2), ("a" * 306, 2), ("a" * 307, 3),
                                        ("{" * 80, 1), ("{" * 81, 2), ("\u2019", 1)])
def test_segments_are_counted_as_carriers_count_them(text, count):
    assert gsm7.segments(text) == count


def test_curly_quotes_and_emoji_are_outside_the_budget():
    assert not gsm7.fits("Don\u2019t know")
    assert not gsm7.fits("Thanks \U0001F642")


@pytest.mark.parametrize("survey_id", sorted(shipped().surveys))
def test_every_question_of_every_shipped_survey_fits_with_its_retry_and_intro(survey_id):
    survey = shipped().latest(survey_id)
    texts = [survey.intro_sms or survey.intro, survey.closing_sms or survey.closing]
    for question in survey.questions:
        texts += [answers.prompt_text(question, sms=True), Texts().retry(answers.retry_text(question))]
    for text in filter(None, texts):
        assert gsm7.fits(text), f"{survey_id}: over the SMS budget: {text!r}"


# --- alerts, digests and broadcasts to participants -----------------------------------------

def longest_opportunity(**changes):
    """An opportunity with every field as long as an import allows."""
    from datetime import date

    from bot.opportunities import TYPES
    from storage.models import Opportunity

    fields = dict(id=1, title="T" * 60 + " " + "x" * 59, summary=("word " * 70)[:306].strip(), description="",
                  type=max(TYPES, key=lambda t: len(t[1]))[0], area="A" * 80, venue="Somewhere",
                  starts_at=datetime(2026, 9, 30, 10, 30, tzinfo=timezone.utc), ends_at=None, places=None,
                  payment="voluntary", accessibility="", closes_on=date(2026, 9, 1), status="published")
    return Opportunity(**{**fields, **changes})


@pytest.mark.parametrize("trust", [Texts().trust_name, LONG_TRUST])
@pytest.mark.parametrize("changes", [{}, {"title": "Short", "area": "North"}, {"venue": "online"},
                                     {"summary": "Don\u2019t miss it \U0001F642 \u2013 " + "y" * 290},
                                     {"title": "Caf\u00e9 \u201cchat\u201d", "starts_at": None}],
                         ids=["longest", "short-title", "online", "odd-characters", "no-date"])
def test_every_alert_fits_two_gsm7_segments(trust, changes):
    from service.alerts import ALERT_TAIL, alert_text

    text = alert_text(longest_opportunity(**changes), trust, sms=True)
    assert gsm7.fits(text), f"{gsm7.segments(text)} segments: {text!r}"
    assert text.startswith("New from ") and text.endswith(ALERT_TAIL)


@pytest.mark.parametrize("trust", [Texts().trust_name, LONG_TRUST])
@pytest.mark.parametrize("count", [1, 3, 8, 40])
def test_every_digest_fits_two_gsm7_segments_and_says_how_many_more(trust, count):
    from service.alerts import digest_text

    titles = [f"Opportunity number {n} with a long and descriptive title \u2013 {'z' * 50}" for n in range(count)]
    text = digest_text(titles, trust, sms=True)
    assert gsm7.fits(text), f"{gsm7.segments(text)} segments: {text!r}"
    shown = text.count("\n- ")
    assert shown >= 1 or count > 3
    if shown < count:
        assert f"and {count - shown} more: text JOIN to see them" in text or f"{count} new opportunities" in text
