"""Every message the bot can send fits 2 GSM-7 segments: no emoji, no curly quotes.

The walk calls every public method of Texts (bot/texts.py, where every fixed reply lives) with
the longest arguments it can meet, so a new text is checked without adding it here; a text that
takes an argument with no worst case below fails until it is given one. Where a text shortens
itself to fit (fit(), the loops in my_data, details, alert, digest), the walk runs that path.
"""
from __future__ import annotations

import inspect
import itertools
import reprlib
from dataclasses import fields
from datetime import date, datetime, timedelta, timezone

import pytest

from bot import answers, engine, gsm7, safeguarding
from bot import participation as p
from bot.engine import Context
from bot.opportunities import TYPES
from bot.surveys import shipped
from bot.texts import ALERT_TAIL, STATUS_WORDS, Texts, fit
from storage.models import Opportunity

LONG_TRUST = "Riverside and Northfield Partnership NHS Foundation Trust"
LONG_SERVICE = "Community Mental Health Team for Older Adults (North)"
CONFIGS = [
    Texts(),
    Texts(trust_name=LONG_TRUST, local_crisis_line="Mental Healthline 0800 123 4567"),
    Texts(trust_name=LONG_TRUST, safeguarding=safeguarding.load(
        local_crisis_line="Mental Healthline, free, any time: 0800 123 4567",
        safeguarding_line="Adult Social Care on 01234 567890", review_time="within 24 hours")),
]
CONFIG_IDS = ["default", "long-names", "local-lines"]

# Opportunities and participants as long as storage and the CSV import allow.
T0 = datetime(2026, 9, 30, 13, 30, tzinfo=timezone.utc)
LONG_TITLE = ("Service user and carer representative on the community mental health transformation board, "
              "Northfield and Riverside")[:120]  # title: at most 120
LONG_AREA = ("Northfield, Southfield and the villages of the upper Riverside valley " * 2)[:80]  # area: String(80)
LONG_VENUE = ("The Recovery College, Riverside House, 12 Long Lane, Northfield " * 4)[:200]  # venue: String(200)
LONG_SUMMARY = ("Help us reshape crisis care for people in the north of the county, with lunch and travel paid. " * 4
                )[:306]  # summary: fits 2 segments, checked on import
LONGEST_WHEN = "Wed 30 Sep 14:30"  # bot.participation's day()
LONGEST_PAYMENT = "expenses"  # "Expenses paid"
LONGEST_TYPE = max(TYPES, key=lambda t: len(t[1]))[0]


def opening(**changes) -> p.Opening:
    fields_ = dict(id=1, title=LONG_TITLE, summary=LONG_SUMMARY, type=LONGEST_TYPE, area=LONG_AREA, venue=LONG_VENUE,
                   payment=LONGEST_PAYMENT, starts_at=T0, places_left=None, closes_on=date(2026, 9, 30),
                   accessibility="Step-free access, a hearing loop and a quiet room. " * 20, description="More. " * 300)
    return p.Opening(**{**fields_, **changes})


def longest_opportunity(**changes) -> Opportunity:
    """An opportunity as storage holds it, with every field as long as an import allows."""
    fields_ = dict(id=1, title="T" * 60 + " " + "x" * 59, summary=("word " * 70)[:306].strip(), description="",
                   type=LONGEST_TYPE, area="A" * 80, venue="Somewhere", starts_at=T0, ends_at=None, places=None,
                   payment="voluntary", accessibility="", closes_on=date(2026, 9, 1), status="published")
    return Opportunity(**{**fields_, **changes})


MEMBER = p.Member(name="A" * 80, consent_at=T0 - timedelta(days=30), interests=tuple(code for code, _, _ in TYPES),
                  areas=tuple(f"{LONG_AREA[:70]} {n}" for n in range(12)), access_needs="needs " * 170,
                  alerts="weekly", places=tuple(p.Place(n, n, LONG_TITLE, "confirmed") for n in range(30)))
SURVEYS = [versions[0] for versions in shipped().surveys.values()]
LONGEST_LABEL = max((o.label for s in SURVEYS for q in s.questions for o in q.options), key=len)

# Every argument a text takes, by name: each value is tried (the worst ones, and every choice
# that picks different words). ("method", "argument") wins over "argument".
WORST = {
    # surveys
    "service_name": [LONG_SERVICE], "numbered": ["\n".join(f"{n} Ward {n}" for n in range(1, 9))],
    "how_to_answer": [max((answers.retry_text(q) for s in SURVEYS for q in s.questions), key=len)],
    "count": [0, 18, 999], "first": [LONGEST_LABEL], "last": [LONGEST_LABEL], "optional": [True, False],
    "first_prompt": [max((answers.prompt_text(s.questions[0], sms=True) for s in SURVEYS), key=len)],
    "survey_title": [max((s.title for s in SURVEYS), key=len)],
    "intro": [None, max((s.intro_sms or s.intro or "" for s in SURVEYS), key=len)],
    # safeguarding: every kind of risk in the file, in every language
    "category": sorted(safeguarding.shipped().replies), "paused": [True, False],
    "language": [None, "Portuguese", safeguarding.UNNAMED_LANGUAGE], "bot_username": [None, "y" * 32],
    # getting involved
    "sms": [True], "tz": ["Europe/London"], "address": ["", "+123456789012345"],
    "title": [LONG_TITLE], "name": ["", "B" * 80], "when": ["", LONGEST_WHEN], "status": list(STATUS_WORDS),
    "waiting": [True, False], "for_alerts": [True, False], "joined": [True, False], "more": [True, False],
    "selected": [True, False], "unmatched": [True, False], "wrapped": [True, False],
    "number": [p.MAX_LISTED], "highest": [p.MAX_LISTED], "start": [p.MAX_LISTED - 1], "total": [p.MAX_LISTED],
    "signups": [0, 1, 999], "places_left": [None, 0, 1, 999],
    "opening": [opening(), opening(venue="Online", starts_at=None, closes_on=None, accessibility="")],
    "member": [MEMBER, p.Member(name="", consent_at=T0, alerts="off"),
               p.Member(name="Sam", consent_at=T0, alerts="instant", paused=True)],
    "interests": [(), tuple(code for code, _, _ in TYPES)], "areas": [(), MEMBER.areas],
    # A list the caller shortens until the SMS fits is checked at one item, which must always fit.
    ("listing", "lines"): [[Texts().opening_line(p.MAX_LISTED, opening(), LONGEST_WHEN, sms=True)]],
    ("choose_areas", "areas"): [[LONG_AREA]],
    ("withdraw_which", "places"): [[p.Place(1, 1, LONG_TITLE, "confirmed")]],
    # alerts and digests: titles and summaries with characters SMS cannot carry are made plain
    "opportunity": [longest_opportunity(), longest_opportunity(title="Short", area="North"),
                    longest_opportunity(venue="online"),
                    longest_opportunity(title="Caf\u00e9 \u201cchat\u201d", starts_at=None),
                    longest_opportunity(summary="Don\u2019t miss it \U0001F642 \u2013 " + "y" * 290)],
    "titles": [[f"Opportunity number {n} with a long and descriptive title \u2013 {'z' * 50}" for n in range(count)]
               for count in (0, 1, 3, 8, 40)],
}
NOT_TEXTS = {"safeguarding_settings"} | {f.name for f in fields(Texts)}  # settings, not words


def worst(method: str, parameter: str) -> list:
    for key in ((method, parameter), parameter):
        if key in WORST:
            return WORST[key]
    raise LookupError(f"Texts.{method}({parameter}): give it its worst cases in WORST")


def every_message(texts: Texts) -> list[tuple[str, str]]:
    """(which call, message) for every public method and property of Texts, with every worst case."""
    out = []
    for name, member in inspect.getmembers(type(texts)):
        if name.startswith("_") or name in NOT_TEXTS:
            continue
        if isinstance(member, property):
            out.append((name, getattr(texts, name)))
            continue
        assert callable(member), f"Texts.{name} is neither a text nor listed in NOT_TEXTS"
        params = list(inspect.signature(member).parameters)[1:]
        for args in itertools.product(*[worst(name, param) for param in params]):
            result = getattr(texts, name)(*args)
            for n, text in enumerate([result] if isinstance(result, str) else result):
                out.append((f"{name}{reprlib.repr(args)}[{n}]", text))
    return out


@pytest.mark.parametrize("texts", CONFIGS, ids=CONFIG_IDS)
def test_every_text_the_bot_can_send_fits_two_gsm7_segments(texts):
    messages = every_message(texts)
    assert len(messages) >= 200, "every_message() should see all of Texts"
    for name, text in messages:
        assert isinstance(text, str) and text.strip(), f"{name} is not a message: {text!r}"
        assert gsm7.is_gsm7(text), f"{name} has characters outside GSM-7: {text!r}"
        assert gsm7.segments(text) <= 2, f"{name} takes {gsm7.segments(text)} segments: {text!r}"


@pytest.mark.parametrize("texts", CONFIGS, ids=CONFIG_IDS)
def test_the_walk_says_every_reply_and_message_of_the_safeguarding_file(texts):
    said = "\n".join(text for _, text in every_message(texts))
    settings = texts.safeguarding_settings
    wording = [settings.reply(c, language) for c in settings.replies for language in (None, "Portuguese")]
    wording += [settings.message(name) for name in settings.messages]
    assert not [w for w in wording if w not in said]


def test_every_method_of_texts_is_walked():
    walked = {name.split("(")[0] for name, _ in every_message(Texts())}
    public = {name for name, _ in inspect.getmembers(Texts) if not name.startswith("_")} - NOT_TEXTS
    assert walked == public
    assert {"booked", "consent", "my_data", "alert", "digest", "stale_button", "last_place_taken"} <= walked


def test_a_new_text_with_an_argument_we_have_no_worst_case_for_fails_the_walk():
    class More(Texts):
        def riddle(self, mystery: str) -> str:
            return mystery

    with pytest.raises(LookupError, match=r"Texts.riddle\(mystery\)"):
        every_message(More())


@pytest.mark.parametrize("method,args", [
    ("booked", (LONG_TITLE, "B" * 80, LONGEST_WHEN, True)),
    ("booked", (LONG_TITLE, "B" * 80, LONGEST_WHEN, False)),
    ("consent", (False,)),
    ("details", (opening(), LONGEST_WHEN, 999)),
    ("my_data", (MEMBER, "+123456789012345")),
    ("alerts_menu", (MEMBER,)),
    ("opening_line", (1, opening(), LONGEST_WHEN)),
])
def test_the_worst_cases_reach_the_shortening_paths(method, args):
    """On Telegram nothing is cut; the walk's SMS is shorter, so it ran the path that cuts."""
    call = getattr(Texts(trust_name=LONG_TRUST), method)
    sms, telegram = call(*args, sms=True), call(*args, sms=False)
    assert sms != telegram and len("".join(sms)) < len("".join(telegram))


def test_fit_drops_the_optional_middle_on_sms_but_keeps_what_to_reply():
    middle = "m" * 300
    assert fit("Thank you.", middle, "Reply YES.", sms=True) == "Thank you. Reply YES."
    assert fit("Thank you.", middle, "Reply YES.", sms=False) == f"Thank you. {middle} Reply YES."
    assert fit("", "Done.", "Reply YES.", sms=True) == "Done. Reply YES."


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

@pytest.mark.parametrize("trust", [Texts().trust_name, LONG_TRUST])
@pytest.mark.parametrize("changes", [{}, {"title": "Short", "area": "North"}, {"venue": "online"},
                                     {"summary": "Don\u2019t miss it \U0001F642 \u2013 " + "y" * 290},
                                     {"title": "Caf\u00e9 \u201cchat\u201d", "starts_at": None}],
                         ids=["longest", "short-title", "online", "odd-characters", "no-date"])
def test_every_alert_fits_two_gsm7_segments(trust, changes):
    text = Texts(trust_name=trust).alert(longest_opportunity(**changes), sms=True)
    assert gsm7.fits(text), f"{gsm7.segments(text)} segments: {text!r}"
    assert text.startswith("New from ") and text.endswith(ALERT_TAIL)


@pytest.mark.parametrize("trust", [Texts().trust_name, LONG_TRUST])
@pytest.mark.parametrize("count", [1, 3, 8, 40])
def test_every_digest_fits_two_gsm7_segments_and_says_how_many_more(trust, count):
    titles = [f"Opportunity number {n} with a long and descriptive title \u2013 {'z' * 50}" for n in range(count)]
    text = Texts(trust_name=trust).digest(titles, sms=True)
    assert gsm7.fits(text), f"{gsm7.segments(text)} segments: {text!r}"
    shown = text.count("\n- ")
    assert shown >= 1 or count > 3
    if shown < count:
        assert f"and {count - shown} more: text JOIN to see them" in text or f"{count} new opportunities" in text
