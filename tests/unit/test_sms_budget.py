"""Every message the bot can send fits 2 GSM-7 segments: no emoji, no curly quotes.

The walk calls every public method of Texts (bot/texts.py, where every fixed reply lives) with
the longest arguments it can meet, so a new text is checked without adding it here; a text that
takes an argument with no worst case below fails until it is given one. Where a text shortens
itself to fit (fit(), the loops in my_data, details, alert, digest), the walk runs that path.
It also reads every constant and public function bot/texts.py defines (how a question is asked,
button labels, Telegram's command menu): each string in a constant, and each function's result.
"""
from __future__ import annotations

import ast
import inspect
import itertools
import reprlib
from dataclasses import fields
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Protocol

import pytest

from bot import answers, engine, gsm7, safeguarding
from bot import texts as texts_module
from bot import participation as p
from bot.engine import Context
from bot.opportunities import TYPES
from bot.surveys import shipped
from bot.texts import ALERT_TAIL, STATUS_WORDS, Texts, fit, given
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
# What a person or the PPT writes may be in any script: on SMS it is spelt in GSM-7, and may grow as it is
# (one Chinese character is a syllable, one emoji a word), so these are as long as storage allows and then some.
UNICODE_NAME = ("\u0141ukasz Si\u00e2n \u5f20\u4f1f \U0001F600 " * 8)[:80]  # Łukasz Siân 张伟 😀
UNICODE_TITLE = ("\u5f20\u4f1f \u0141\u00f3d\u017a \u2013 \u201ccaf\u00e9\u201d \U0001F642 " * 20)[:120]
UNICODE_AREA = ("\u0141\u00f3d\u017a \u0421\u0435\u0432\u0435\u0440 \u5317\u533a " * 10)[:80]
UNICODE_MEMBER = p.Member(name=UNICODE_NAME, consent_at=T0, interests=tuple(code for code, _, _ in TYPES),
                          areas=tuple(UNICODE_AREA for _ in range(12)), access_needs="\u624b\u8bed " * 333,
                          alerts="instant", places=tuple(p.Place(n, n, UNICODE_TITLE, "waiting") for n in range(30)))
SURVEYS = [versions[0] for versions in shipped().surveys.values()]
LONGEST_LABEL = max((o.label for s in SURVEYS for q in s.questions for o in q.options), key=len)

# Every argument a text takes, by name: each value is tried (the worst ones, and every choice
# that picks different words). ("method", "argument") wins over "argument".
WORST = {
    # surveys
    "service_name": [LONG_SERVICE], "numbered": ["\n".join(f"{n} Ward {n}" for n in range(1, 9))],
    "how_to_answer": [max((answers.retry_text(q) for s in SURVEYS for q in s.questions), key=len)],
    "count": [0, 18, 999], "first": [LONGEST_LABEL], "last": [LONGEST_LABEL], "label": [LONGEST_LABEL], "optional": [True, False],
    "first_prompt": [max((answers.prompt_text(s.questions[0], sms=True) for s in SURVEYS), key=len)],
    "survey_title": [max((s.title for s in SURVEYS), key=len)],
    "intro": [None, max((s.intro_sms or s.intro or "" for s in SURVEYS), key=len)],
    # safeguarding: every kind of risk in the file, in every language
    "category": sorted(safeguarding.shipped().replies), "paused": [True, False],
    "language": [None, "Portuguese", safeguarding.UNNAMED_LANGUAGE], "bot_username": [None, "y" * 32],
    # getting involved
    "sms": [True], "tz": ["Europe/London"], "address": ["", "+123456789012345"],
    "title": [LONG_TITLE, UNICODE_TITLE], "name": ["", "B" * 80, UNICODE_NAME], "when": ["", LONGEST_WHEN], "status": list(STATUS_WORDS),
    "waiting": [True, False], "for_alerts": [True, False], "joined": [True, False], "more": [True, False],
    "selected": [True, False], "unmatched": [True, False], "wrapped": [True, False],
    "number": [p.MAX_LISTED], "highest": [p.MAX_LISTED], "start": [p.MAX_LISTED - 1], "total": [p.MAX_LISTED],
    "signups": [0, 1, 999], "places_left": [None, 0, 1, 999],
    "opening": [opening(), opening(venue="Online", starts_at=None, closes_on=None, accessibility=""),
                opening(title=UNICODE_TITLE, area=UNICODE_AREA, venue=UNICODE_AREA * 3,
                        accessibility=UNICODE_TITLE * 9)],
    "member": [MEMBER, UNICODE_MEMBER, p.Member(name="", consent_at=T0, alerts="off"),
               p.Member(name="Sam", consent_at=T0, alerts="instant", paused=True)],
    "interests": [(), tuple(code for code, _, _ in TYPES)], "areas": [(), MEMBER.areas, UNICODE_MEMBER.areas],
    "topic": [topic for topic, _ in p.QUESTION_TOPICS] + [""],  # a question at consent, or one about anything else
    # A list the caller shortens until the SMS fits is checked at one item, which must always fit.
    ("listing", "lines"): [[Texts().opening_line(p.MAX_LISTED, opening(), LONGEST_WHEN, sms=True)]],
    ("choose_areas", "areas"): [[LONG_AREA], [UNICODE_AREA]],
    ("withdraw_which", "places"): [[p.Place(1, 1, LONG_TITLE, "confirmed")], [p.Place(1, 1, UNICODE_TITLE, "waiting")]],
    # alerts and digests: titles and summaries with characters SMS cannot carry are made plain
    "opportunity": [longest_opportunity(), longest_opportunity(title="Short", area="North"),
                    longest_opportunity(venue="online"),
                    longest_opportunity(title="Caf\u00e9 \u201cchat\u201d", starts_at=None),
                    longest_opportunity(summary="Don\u2019t miss it \U0001F642 \u2013 " + "y" * 290)],
    "titles": [[f"Opportunity number {n} with a long and descriptive title \u2013 {'z' * 50}" for n in range(count)]
               for count in (0, 1, 3, 8, 40)],
}
NOT_TEXTS = {"safeguarding_settings"} | {f.name for f in fields(Texts)}  # settings, not words


def worst(method: str, parameter: str, owner: str = "Texts") -> list:
    for key in ((method, parameter), parameter):
        if key in WORST:
            return WORST[key]
    raise LookupError(f"{owner}.{method}({parameter}): give it its worst cases in WORST")


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


# bot/texts.py's own tools, and the constants in it that are not words the bot says.
HELPERS = {"fit", "given", "plain", "shorten"}
NOT_WORDING = {"_PLAIN", "TELEGRAM_LIMIT"}  # typographic characters and their plain forms; Telegram's length limit


def defined_in(source: str) -> tuple[list[str], list[str]]:
    """(functions and classes, constants) a module's source defines at its top level: not what it imports."""
    code, constants = [], []
    for node in ast.parse(source).body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            code.append(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            constants += [n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)]
    return code, constants


def strings(value) -> list[str]:
    """Every string in a constant: itself, or the items of a tuple, list or set, or the values of a dict."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for item in value.values() for s in strings(item)]
    if isinstance(value, (tuple, list, set, frozenset)):
        return [s for item in value for s in strings(item)]
    return []


def module_wording(source: str, namespace: dict) -> list[tuple[str, str]]:
    """(which name, text) for every string of every constant and every result of every public function."""
    code, constants = defined_in(source)
    out = []
    for name in constants:
        if name not in NOT_WORDING:
            found = strings(namespace[name])
            assert found, f"{name} holds no words: list it in NOT_WORDING if it is not wording"
            out += [(f"{name}[{n}]", text) for n, text in enumerate(found)]
    for name in code:
        member = namespace[name]
        if inspect.isclass(member):  # Texts has a walk of its own; the Protocols only name fields
            assert member is Texts or Protocol in member.__bases__, f"{name}: a class the walk does not know"
            continue
        if name.startswith("_") or name in HELPERS:
            continue
        params = list(inspect.signature(member).parameters)
        for args in itertools.product(*[worst(name, param, owner="bot.texts") for param in params]):
            for n, text in enumerate(strings(member(*args))):
                out.append((f"{name}{reprlib.repr(args)}[{n}]", text))
    return out


def texts_module_wording() -> list[tuple[str, str]]:
    return module_wording(Path(texts_module.__file__).read_text(encoding="utf-8"), vars(texts_module))


def over_budget(messages: list[tuple[str, str]]) -> list[str]:
    """What is wrong with each message that is not a GSM-7 message of at most 2 segments."""
    found = []
    for name, text in messages:
        if not (isinstance(text, str) and text.strip()):
            found.append(f"{name} is not a message: {text!r}")
        elif not gsm7.is_gsm7(text):
            found.append(f"{name} has characters outside GSM-7: {text!r}")
        elif gsm7.segments(text) > 2:
            found.append(f"{name} takes {gsm7.segments(text)} segments: {text!r}")
    return found


@pytest.mark.parametrize("texts", CONFIGS, ids=CONFIG_IDS)
def test_every_text_the_bot_can_send_fits_two_gsm7_segments(texts):
    messages = every_message(texts)
    assert len(messages) >= 200, "every_message() should see all of Texts"
    found = over_budget(messages)
    assert not found, "\n".join(found)


def test_every_constant_and_function_of_the_texts_module_fits_two_gsm7_segments():
    messages = texts_module_wording()
    assert len(messages) >= 60, "module_wording() should see all of bot/texts.py"
    found = over_budget(messages)
    assert not found, "\n".join(found)


def test_every_name_the_texts_module_defines_is_walked_or_set_aside():
    code, constants = defined_in(Path(texts_module.__file__).read_text(encoding="utf-8"))
    walked = {name.split("[")[0].split("(")[0] for name, _ in texts_module_wording()}
    functions = {n for n in code if not inspect.isclass(vars(texts_module)[n]) and not n.startswith("_")}
    assert walked == (set(constants) - NOT_WORDING) | (functions - HELPERS)
    assert {"CHOICE_HINT", "MULTI_HINT", "SKIP_HINT", "MULTI_RETRY", "TEXT_RETRY", "YES_LABEL", "NO_LABEL",
            "PREFER_NOT_LABEL", "scale_hint", "scale_retry", "choice_retry", "YES_NO", "AGREE", "WITHDRAW_BUTTONS",
            "ERASE_BUTTONS", "MORE_BUTTON", "SIGN_UP_BUTTON", "NOT_SURE_BUTTON", "alert_buttons",
            "TELEGRAM_COMMANDS", "URGENT_HELP", "STATUS_WORDS"} <= walked


def test_the_module_walk_fails_a_wording_it_cannot_send_or_a_function_it_has_no_worst_case_for():
    source = 'BAD = ("Don\u2019t", "x" * 307)\ndef riddle(mystery):\n    return mystery\n'
    namespace = {"BAD": ("Don\u2019t", "x" * 307), "riddle": lambda mystery: mystery}
    with pytest.raises(LookupError, match=r"bot\.texts\.riddle\(mystery\)"):
        module_wording(source, namespace)
    found = over_budget(module_wording(source.split("\n")[0], namespace))
    assert len(found) == 2 and "outside GSM-7" in found[0] and "3 segments" in found[1]
    with pytest.raises(AssertionError, match="holds no words"):
        module_wording("LIMIT = 7\n", {"LIMIT": 7})


# Where replies are built from wording: a string there that starts like a sentence or a label is
# wording that belongs in bot/texts.py. (Docstrings, and a time zone, are not said to anyone.)
BUILDERS = ("bot/answers.py", "bot/participation.py", "bot/engine.py")
NOT_SAID = {"Europe/London"}


def inline_wording(source: str) -> list[str]:
    tree = ast.parse(source)
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                  and node.body and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)}
    return [f"line {node.lineno}: {node.value!r}" for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings
            and node.value[:1].isupper() and node.value not in NOT_SAID]


@pytest.mark.parametrize("path", BUILDERS)
def test_the_modules_that_build_replies_take_their_words_from_texts(path):
    found = inline_wording((Path(__file__).resolve().parents[2] / path).read_text(encoding="utf-8"))
    assert not found, f"{path}: wording outside bot/texts.py:\n" + "\n".join(found)


def test_inline_wording_is_found_in_plain_strings_f_strings_and_buttons():
    source = ('"""A docstring."""\ndef f(n):\n    """Its docstring."""\n    tz = "Europe/London"\n'
              '    return f"Please reply with {n}.", (("More", "MORE"),), "lower case"\n')
    assert inline_wording(source) == ["line 5: 'Please reply with '", "line 5: 'More'", "line 5: 'MORE'"]


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


def test_fit_drops_the_optional_parts_on_sms_but_keeps_what_must_be_said():
    middle = "m" * 300
    assert fit("Thank you.", [middle], "Reply YES.", sms=True) == "Thank you. Reply YES."
    assert fit("Thank you.", [middle], "Reply YES.", sms=False) == f"Thank you. {middle} Reply YES."
    assert fit("", "Done.", "Reply YES.", sms=True) == "Done. Reply YES."
    assert fit([""], "Done.", [middle + "m"], sms=True) == "Done."
    # the last optional part goes first, and a part that must be said is never dropped
    assert fit(["Hello."], "You're signed up.", ["m" * 200], ["n" * 200], sms=True) == (
        "Hello. You're signed up. " + "m" * 200)
    assert fit("w" * 300, ["Thanks."], "Reply YES.", sms=True) == "w" * 300 + " Reply YES."  # the caller's to fix


def test_given_text_is_spelt_in_gsm7_and_cut_on_sms_and_kept_whole_on_telegram():
    assert given("\u0141ukasz", sms=True, septets=80) == "Lukasz"
    assert given("Si\u00e2n", sms=True, septets=80) == "Sian"
    gsm7_own = "Ren\u00e9e \u00c5sa Gro\u00df"  # letters GSM-7 has stay as they are
    assert given(gsm7_own, sms=True, septets=80) == gsm7_own
    assert given("Si\u00e2n", sms=False, septets=2) == "Si\u00e2n"
    assert given("\u5f20\u4f1f " * 40, sms=True, septets=21) == "ZhangWei ZhangWei..."
    assert gsm7.fits(given("\U0001F600\u200d\ue000 \u2019`", sms=True, septets=80))


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
