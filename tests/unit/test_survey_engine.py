"""Every shipped survey, walked through the engine along every branch, on SMS and Telegram.

No I/O: the engine is driven as a person would drive it. The walks are worked out from the
survey definitions themselves (each question's options and `when`), so a new question or a
new branch in a survey file is walked without this file changing.
"""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot import engine, gsm7
from bot.keywords import normalise
from bot.engine import START_WORDS, Context, NoteInterest, OptIn, OptOut, RecordAnswer
from bot.keywords import is_stop
from bot.flow import Question, Registry, Survey
from bot.surveys import parse, shipped
from bot.texts import Texts

T0 = datetime(2026, 11, 26, 10, 0, tzinfo=timezone.utc)
SERVICES = (("OAKLANDS", "Oaklands Ward"), ("CRISIS", "Crisis Team"))
TEXTS = Texts(trust_name="Riverside NHS Foundation Trust")
SURVEYS = [versions[0] for _, versions in sorted(shipped().surveys.items())]
SKIP = "SKIP"
CHANNELS = ["sms", "sms-words", "telegram"]  # SMS answered by number, SMS answered in words, Telegram by button


class Person:
    """One person talking to the engine; keeps every reply and effect."""

    def __init__(self, channel: str = "sms", services=SERVICES, surveys: Registry | None = None, **ctx):
        self.channel, self.services, self.ctx = channel, services, ctx
        self.surveys = surveys or shipped()
        self.state: dict = {}
        self.now = T0
        self.effects: list = []
        self.sent = 0

    def says(self, text: str) -> list[engine.Reply]:
        self.sent += 1
        ctx = Context(now=self.now, channel=self.channel, ref=f"ref-{self.sent}", texts=TEXTS,
                      services=self.services, surveys=self.surveys, **self.ctx)
        result = engine.handle(self.state, text, ctx)
        self.state, self.last = result.state, result
        self.effects.extend(result.effects)
        if self.channel == "sms":
            for reply in result.replies:
                assert gsm7.fits(reply.text), f"over the SMS budget: {reply.text!r}"
        return result.replies

    def texts(self, text: str) -> list[str]:
        return [r.text for r in self.says(text)]

    def recorded(self) -> dict[str, str]:
        return {e.question_id: e.value for e in self.effects if isinstance(e, RecordAnswer)}

    def records(self) -> list[RecordAnswer]:
        return [e for e in self.effects if isinstance(e, RecordAnswer)]


# --- what a survey file says should happen ---------------------------------------------------

def numeric_scale(question: Question) -> bool:
    """Long lists of numbers are asked as "a number from X to Y" and answered with the number."""
    return len(question.options) > 6 and all(o.value.lstrip("-").isdigit() for o in question.options)


def shown(question: Question, given: dict[str, str]) -> bool:
    when = question.when
    if when is None:
        return True
    answer = given.get(when.question)
    return answer is not None and bool(set(answer.split(",")) & set(when.any_of))


def default_answer(question: Question) -> str:
    return question.options[0].value if question.options else f"My answer to {question.id}, in my own words."


def expected_path(survey: Survey, plan: dict[str, str]) -> list[tuple[Question, str]]:
    """The questions asked, in order, and the answer (or SKIP) given to each, for a plan."""
    given, path = {}, []
    for question in survey.questions:
        if not shown(question, given):
            continue
        answer = plan.get(question.id, default_answer(question))
        path.append((question, answer))
        if answer != SKIP:
            given[question.id] = answer
    return path


def branch_sources(survey: Survey) -> list[Question]:
    ids = {q.when.question for q in survey.questions if q.when}
    return [q for q in survey.questions if q.id in ids]


def reaching(survey: Survey, question: Question) -> dict[str, str]:
    """Answers that make a (possibly nested) conditional question come up."""
    if question.when is None:
        return {}
    source = survey.question(question.when.question)
    return {**reaching(survey, source), source.id: question.when.any_of[0]}


def plans(survey: Survey) -> dict[str, dict[str, str]]:
    """A walk answering every first option, one every last option, one skipping all it can, and
    for every question another branches on, a walk for each of its answers (and for skipping it)."""
    out = {
        "first-options": {},
        "last-options": {q.id: q.options[-1].value for q in survey.questions if q.options},
        "skip-everything-optional": {q.id: SKIP for q in survey.questions if q.optional},
    }
    for source in branch_sources(survey):
        base = reaching(survey, source)
        for option in source.options:
            out[f"{source.id}={option.value}"] = {**base, source.id: option.value}
        if source.optional:
            out[f"{source.id}=SKIP"] = {**base, source.id: SKIP}
    return out


WALKS = [(survey, name, plan) for survey in SURVEYS for name, plan in plans(survey).items()]


def keyword(survey: Survey) -> str:
    return survey.keywords[0].upper() if survey.keywords else "/start"


def closing(survey: Survey, sms: bool) -> str:
    return (survey.closing_sms if sms and survey.closing_sms else survey.closing) or TEXTS.thanks()


def assert_asks(reply: engine.Reply, question: Question, sms: bool) -> None:
    """The reply puts this question as the channel should: wording, options, SKIP, buttons."""
    wording = question.sms_text if sms and question.sms_text else question.text
    assert wording in reply.text, f"{question.id} not asked in {reply.text!r}"
    if sms and question.sms_text and question.sms_text not in question.text:
        assert question.text not in reply.text, f"{question.id}: the long wording was sent by SMS"
    if not sms and question.sms_text and question.sms_text not in question.text:
        assert question.sms_text not in reply.text, f"{question.id}: the SMS wording was used on Telegram"
    lines = reply.text.splitlines()
    if numeric_scale(question):
        assert (f"Reply with a number from {question.options[0].label} to {question.options[-1].label}."
                in lines)
    else:
        for n, option in enumerate(question.options, 1):
            assert f"{n} {option.label}" in lines, f"{question.id}: option {n} missing from {reply.text!r}"
    assert ("(Or reply SKIP.)" in lines) == question.optional
    if not sms:
        if question.type in ("multi", "text") or not question.options:
            assert reply.buttons == ()
        elif numeric_scale(question):
            assert reply.buttons == tuple((o.value, o.value) for o in question.options)
        else:
            assert reply.buttons == tuple((f"{n} {o.label}", str(n)) for n, o in enumerate(question.options, 1))


def reply_with(question: Question, answer: str, channel: str, reply: engine.Reply) -> str:
    """What the person sends to give this answer on this channel."""
    if answer == SKIP or not question.options:
        return answer
    values = answer.split(",")
    positions = [next(n for n, o in enumerate(question.options, 1) if o.value == v) for v in values]
    if question.type == "multi":
        return " and ".join(str(n) for n in positions)
    [position] = positions
    option = question.options[position - 1]
    if channel == "telegram":
        data = option.value if numeric_scale(question) else str(position)
        assert data in [d for _, d in reply.buttons], f"no button for {option.label!r}"
        return data  # a button press sends its callback data
    if channel == "sms-words" and not numeric_scale(question):
        return option.label
    return option.value if numeric_scale(question) else str(position)


def walk(survey: Survey, plan: dict[str, str], channel: str) -> Person:
    """Start the survey by its keyword and answer every question the plan's way, checking each step."""
    sms = channel != "telegram"
    person = Person("sms" if sms else "telegram")
    if not survey.keywords:  # a survey only ever sent as an invitation starts at its first question
        person.state = engine.invitation_state(survey, None, person.now)
        first = survey.question(person.state["q"])
        replies, service = [engine.question_reply(first, sms)], None
    else:
        replies, service = person.says(keyword(survey)), None
    if survey.asks_service and survey.keywords:
        [which] = replies
        assert "Which service" in which.text and "1 Oaklands Ward" in which.text
        replies, service = person.says("1"), "OAKLANDS"
    intro = survey.intro_sms if sms and survey.intro_sms else survey.intro
    if intro and survey.keywords:
        assert len(replies) == 2 and replies[0].text.endswith(intro)
        if sms and survey.intro_sms and survey.intro_sms != survey.intro:
            assert survey.intro not in replies[0].text
    else:
        assert len(replies) == 1
    if service:
        assert replies[0].text.startswith("About: Oaklands Ward\n")

    expected = []
    for question, answer in expected_path(survey, plan):
        asked = replies[-1]
        assert_asks(asked, question, sms)
        assert person.state["q"] == question.id
        replies = person.says(reply_with(question, answer, channel, asked))
        assert len(replies) == 1, [r.text for r in replies]
        if answer == SKIP:
            continue
        if question.effect == "participation_interest":
            expected.append(NoteInterest(answer == "yes"))
        else:
            expected.append(RecordAnswer("?", survey.id, survey.version, service, question.id, answer,
                                         survey.store, survey.anonymous))
    assert [r.text for r in replies] == [closing(survey, sms)]
    assert person.state == {}, "the conversation ends with the closing text, and its ref is forgotten"

    refs = {e.ref for e in person.effects if isinstance(e, RecordAnswer)}
    assert len(refs) <= 1, "one response per walk"
    ref = refs.pop() if refs else "?"
    assert person.effects == [replace(e, ref=ref) if isinstance(e, RecordAnswer) else e for e in expected]
    return person


# --- 1. every survey, every branch, both channels -------------------------------------------

@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize("survey, name, plan", WALKS, ids=[f"{s.id}:{n}" for s, n, _ in WALKS])
def test_every_shipped_survey_walked_to_the_end_along_every_branch(survey, name, plan, channel):
    walk(survey, plan, channel)


def test_the_walks_take_every_branch_both_ways():
    """Each question shown only on some answers is asked in one walk and passed over in another."""
    for survey in SURVEYS:
        paths = [[q.id for q, _ in expected_path(survey, plan)] for plan in plans(survey).values()]
        for question in survey.questions:
            if question.when:
                assert any(question.id in p for p in paths), f"{survey.id}: {question.id} is never asked"
                assert any(question.id not in p for p in paths), f"{survey.id}: {question.id} is always asked"
    assert {s.id for s in SURVEYS} >= {"fft", "experience", "about-you", "4pi"}


@pytest.mark.parametrize("channel", ["sms", "telegram"])
@pytest.mark.parametrize("takes, asked", [("yes", True), ("no", False), (SKIP, False)])
def test_experience_asks_about_medicines_only_of_people_who_take_them(channel, takes, asked):
    person = walk(shipped().latest("experience"), {"takes_medication": takes}, channel)
    recorded = person.recorded()
    assert ("medication_purpose" in recorded and "medication_side_effects" in recorded) == asked
    assert recorded.get("takes_medication") == (None if takes == SKIP else takes)
    assert "family_involvement" in recorded, "the survey carries on after the branch"


# NHS Data Dictionary ethnic category codes, by the broad group they are asked under (R, Chinese,
# is offered under Asian as in the 2021 Census, and under Other as in the Data Dictionary).
ETHNIC_CODES = {"white": ("ethnicity_white", "ABC"), "mixed": ("ethnicity_mixed", "DEFG"),
                "asian": ("ethnicity_asian", "HJKRL"), "black": ("ethnicity_black", "MNP"),
                "other": ("ethnicity_other", "RS")}
DATA_DICTIONARY = set("ABCDEFGHJKLMNPRSZ")


@pytest.mark.parametrize("channel", ["sms", "sms-words", "telegram"])
@pytest.mark.parametrize("group", sorted(ETHNIC_CODES))
def test_about_you_asks_the_follow_up_for_each_ethnic_group_with_data_dictionary_codes(group, channel):
    follow_up, codes = ETHNIC_CODES[group]
    survey = shipped().latest("about-you")
    question = survey.question(follow_up)
    assert [o.value for o in question.options] == [*codes, "Z"]
    assert {o.value for o in question.options} <= DATA_DICTIONARY
    for code in [*codes, "Z"]:
        person = walk(survey, {"ethnic_group": group, follow_up: code}, channel)
        recorded = person.recorded()
        assert recorded["ethnic_group"] == group and recorded[follow_up] == code
        others = {q for q, _ in ETHNIC_CODES.values()} - {follow_up}
        assert not others & set(recorded), "only the follow-up for the group chosen is asked"
        assert {r.store for r in person.records()} == {"equality"}


@pytest.mark.parametrize("channel", ["sms", "telegram"])
@pytest.mark.parametrize("how", ["number", "words"])
def test_about_you_prefer_not_to_say_ethnic_group_is_z_and_asks_no_follow_up(channel, how):
    survey = shipped().latest("about-you")
    person = Person(channel)
    person.says("ABOUT YOU")
    for _ in range(4):  # age, sex, gender identity, sexual orientation
        person.says("SKIP")
    assert person.state["q"] == "ethnic_group"
    [reply] = person.texts("6" if how == "number" else "Prefer not to say")
    assert survey.question("religion").text in reply
    assert person.recorded() == {"ethnic_group": "Z"}


# --- 2. SKIP, BACK and "prefer not to say" ---------------------------------------------------

def start_experience(channel="sms") -> Person:
    person = Person(channel)
    person.says("SURVEY OAKLANDS")
    assert person.state["q"] == "fft"
    return person


def test_skip_passes_over_an_optional_question_and_records_nothing_for_it():
    survey = shipped().latest("experience")
    person = start_experience()
    person.says("2")
    [reply] = person.texts("SKIP")  # why: free text, optional
    assert survey.question("listened_to").text in reply
    [reply] = person.texts("skip")  # listened_to: a scale, optional
    assert survey.question("views_taken_into_account").text in reply
    [reply] = person.texts("Pass")
    assert survey.question("care_plan_involvement").text in reply
    assert person.recorded() == {"fft": "2"}
    assert person.state["q"] == "care_plan_involvement"


@pytest.mark.parametrize("word", ["SKIP", "pass", "next", "no comment"])
def test_skip_at_the_required_first_question_of_experience_leaves_the_survey(word):
    person = start_experience()
    [reply] = person.texts(word)
    assert reply == TEXTS.left_survey()
    assert person.state == {} and person.effects == []


def test_back_asks_the_previous_question_again_and_the_new_answer_replaces_the_old():
    survey = shipped().latest("experience")
    person = start_experience()
    person.says("2")
    person.says("The wait was long")
    assert person.state["q"] == "listened_to"
    [reply] = person.texts("BACK")
    assert survey.question("why").text in reply and person.state["q"] == "why"
    [reply] = person.texts("Actually the wait was fine, the staff were kind")
    assert survey.question("listened_to").text in reply
    whys = [e for e in person.records() if e.question_id == "why"]
    assert [e.value for e in whys] == ["The wait was long", "Actually the wait was fine, the staff were kind"]
    assert len({e.ref for e in person.records()}) == 1, "the same response: storing it again replaces it"
    assert person.recorded()["why"] == "Actually the wait was fine, the staff were kind"


def test_back_twice_then_forward_again():
    survey = shipped().latest("experience")
    person = start_experience()
    person.says("3")
    person.says("SKIP")
    person.says("1")
    assert person.state["q"] == "views_taken_into_account"
    person.says("go back")
    [reply] = person.texts("previous")
    assert survey.question("why").text in reply
    person.says("skip")
    [reply] = person.texts("2")
    assert survey.question("views_taken_into_account").text in reply
    assert [(e.question_id, e.value) for e in person.records()] == [
        ("fft", "3"), ("listened_to", "yes_definitely"), ("listened_to", "yes_to_some_extent")]


@pytest.mark.parametrize("channel", ["sms", "telegram"])
def test_back_across_a_branch_lets_the_person_change_the_branch(channel):
    survey = shipped().latest("experience")
    person = start_experience(channel)
    for answer in ["1", "SKIP", "SKIP", "SKIP", "SKIP", "SKIP", "SKIP", "SKIP"]:
        person.says(answer)
    assert person.state["q"] == "takes_medication"
    [reply] = person.texts("no")
    family = survey.question("family_involvement")
    assert (family.sms_text if channel == "sms" else family.text) in reply, "no medicines: no questions on them"
    [reply] = person.texts("BACK")
    assert survey.question("takes_medication").text in reply
    [reply] = person.texts("yes")
    assert survey.question("medication_purpose").text in reply
    assert [e.value for e in person.records() if e.question_id == "takes_medication"] == ["no", "yes"]


@pytest.mark.parametrize("channel", ["sms", "telegram"])
def test_back_at_the_first_question_says_it_is_the_first_and_asks_it_again(channel):
    survey = shipped().latest("experience")
    person = start_experience(channel)
    [reply] = person.says("BACK")
    assert reply.text.startswith(TEXTS.first_question())
    assert survey.question("fft").text in reply.text
    if channel == "telegram":
        assert [d for _, d in reply.buttons] == ["1", "2", "3", "4", "5", "6"]
    assert person.state["q"] == "fft" and person.effects == []
    person.says("1")
    assert person.recorded() == {"fft": "1"}


@pytest.mark.parametrize("question_id, reply, value", [
    ("gender_identity", "Prefer not to say", "prefer_not_to_say"),
    ("gender_identity", "prefer not", "prefer_not_to_say"),
    ("gender_identity", "3", "prefer_not_to_say"),
    ("sex", "Prefer not to say", "prefer_not_to_say"),
    ("sex", "rather not say", "prefer_not_to_say"),
    ("religion", "prefer not to say", "prefer_not_to_say"),
    ("ethnic_group", "Prefer not to say", "Z"),
    ("long_term_condition", "I'd rather not say", "prefer_not_to_say"),
    ("carer", "PREFER NOT TO SAY", "prefer_not_to_say"),
])
def test_prefer_not_to_say_is_an_answer_not_a_skip(question_id, reply, value):
    survey = shipped().latest("about-you")
    person = Person()
    person.says("ABOUT YOU")
    while person.state["q"] != question_id:
        person.says("SKIP")
    [next_question] = person.texts(reply)
    assert person.recorded() == {question_id: value}
    assert "Prefer not to say" in next_question or next_question == closing(survey, sms=True)


# --- 3. question types no shipped survey uses ------------------------------------------------

PREFS = parse({
    "id": "prefs", "version": 3, "title": "How we keep in touch", "keywords": ["PREFS"], "store": "feedback",
    "questions": [
        {"id": "ways", "type": "multi", "text": "How would you like to hear from us?",
         "options": ["Text message", "Email", "Letter", "Phone call"], "optional": True},
        {"id": "email_often", "type": "choice", "text": "How often should we email?",
         "options": ["Weekly", "Monthly"], "when": {"question": "ways", "is": "email"}, "optional": True},
        {"id": "likely", "type": "scale", "text": "How likely are you to recommend us?", "min": 0, "max": 10,
         "min_label": "not at all", "max_label": "extremely"},
        {"id": "mood", "type": "scale", "text": "How do you feel today?", "min": -5, "max": 5,
         "min_label": "very low", "max_label": "very good", "optional": True},
        {"id": "bothered", "type": "scale", "text": "How often have you been bothered by this?",
         "min": 0, "max": 3, "optional": True},
    ]}, "prefs.yaml")
PREFS_REGISTRY = Registry({"prefs": [PREFS]})


def prefs_person(channel="sms") -> Person:
    person = Person(channel, services=(), surveys=PREFS_REGISTRY)
    [reply] = person.texts("PREFS")
    assert "How would you like to hear from us?" in reply
    assert "Reply with the numbers of all that apply, e.g. 1,3:" in reply
    return person


@pytest.mark.parametrize("reply, value", [
    ("1,3", "text_message,letter"), ("1 3", "text_message,letter"), ("1 and 3", "text_message,letter"),
    ("3, 1", "text_message,letter"), ("1,3.", "text_message,letter"), ("4", "phone_call"),
    ("1,1,3", "text_message,letter"), ("Letter", "letter"), ("1 2 3 4", "text_message,email,letter,phone_call"),
])
def test_a_multi_select_question_takes_several_numbers_in_any_usual_form(reply, value):
    person = prefs_person()
    person.says(reply)
    assert person.recorded() == {"ways": value}


@pytest.mark.parametrize("reply", ["1,9", "0", "1 and", "letters and emails", "1,,x"])
def test_a_multi_select_reply_that_cannot_all_be_read_is_asked_again(reply):
    person = prefs_person()
    [retry] = person.texts(reply)
    assert "Please reply with the numbers of all that apply" in retry
    assert person.recorded() == {} and person.state["q"] == "ways"


def test_a_question_shown_on_one_of_several_choices_is_asked_when_that_choice_is_among_them():
    person = prefs_person()
    [reply] = person.texts("2 and 4")
    assert "How often should we email?" in reply
    person = prefs_person()
    [reply] = person.texts("1,3")
    assert "How likely are you to recommend us?" in reply


def test_multi_select_has_no_buttons_on_telegram():
    person = Person("telegram", services=(), surveys=PREFS_REGISTRY)
    [reply] = person.says("PREFS")
    assert reply.buttons == ()


@pytest.mark.parametrize("reply, value", [("0", "0"), ("7", "7"), ("10", "10"), ("1", "1"), ("7.", "7")])
def test_a_0_to_10_scale_takes_the_number_itself_not_its_position(reply, value):
    person = prefs_person()
    person.says("1")
    assert person.state["q"] == "likely"
    person.says(reply)
    assert person.recorded()["likely"] == value


@pytest.mark.parametrize("reply", ["11", "-1", "seven", "100"])
def test_a_number_off_the_0_to_10_scale_is_asked_again(reply):
    person = prefs_person()
    person.says("1")
    [retry] = person.texts(reply)
    assert "Please reply with a number from 0 to 10." in retry
    assert person.state["q"] == "likely" and "likely" not in person.recorded()


def test_a_0_to_10_scale_is_asked_as_a_range_with_a_button_per_number():
    for channel in ("sms", "telegram"):
        person = Person(channel, services=(), surveys=PREFS_REGISTRY)
        person.says("PREFS")
        [reply] = person.says("1")
        assert "Reply with a number from 0 (not at all) to 10 (extremely)." in reply.text
        assert "(Or reply SKIP.)" not in reply.text, "the scale question is required"
        if channel == "telegram":
            assert reply.buttons == tuple((str(n), str(n)) for n in range(11))
        person.says(reply.buttons[3][1] if channel == "telegram" else "3")
        assert person.recorded()["likely"] == "3"


def test_skip_on_a_required_scale_leaves_the_survey():
    person = prefs_person()
    person.says("1")
    [reply] = person.texts("skip")
    assert reply == TEXTS.left_survey()
    assert person.recorded() == {"ways": "text_message"}


def at_question(question_id: str, channel: str) -> tuple[Person, engine.Reply]:
    person = Person(channel, services=(), surveys=PREFS_REGISTRY)
    replies = person.says("PREFS")
    for answer in ["1", "5", "skip"]:
        if person.state["q"] == question_id:
            break
        replies = person.says(answer)
    assert person.state["q"] == question_id
    return person, replies[-1]


@pytest.mark.parametrize("channel", ["sms", "telegram"])
def test_a_short_0_to_3_scale_is_asked_as_numbers_and_records_the_number_given(channel):
    """Asked as "a number from 0 to 3": the number typed, or the button pressed, is the value."""
    person, reply = at_question("bothered", channel)
    assert "How often have you been bothered by this?" in reply.text
    assert "Reply with a number from 0" in reply.text and "to 3" in reply.text
    if channel == "telegram":
        assert [b[1] for b in reply.buttons] == ["0", "1", "2", "3"]
    for value in "0123":
        trial = Person(channel, services=(), surveys=PREFS_REGISTRY)
        trial.state, trial.now = dict(person.state), person.now
        trial.says(value)
        assert trial.recorded() == {"bothered": value}, f"typed {value}"


@pytest.mark.parametrize("reply, value", [("-5", "-5"), ("-3", "-3"), (" -1 ", "-1"), ("0", "0"), ("3", "3"),
                                          ("5", "5")])
def test_a_scale_below_zero_takes_negative_numbers_as_typed(reply, value):
    person, question = at_question("mood", "sms")
    assert "Reply with a number from -5 (very low) to 5 (very good)." in question.text
    person.says(reply)
    assert person.recorded()["mood"] == value


def test_a_scale_below_zero_has_a_button_per_value():
    person, question = at_question("mood", "telegram")
    assert question.buttons == tuple((str(n), str(n)) for n in range(-5, 6))
    person.says("-4")
    assert person.recorded()["mood"] == "-4"


def test_a_number_off_a_scale_below_zero_is_asked_again():
    person, _ = at_question("mood", "sms")
    [retry] = person.texts("-6")
    assert "Please reply with a number from -5 to 5." in retry and "mood" not in person.recorded()


@pytest.mark.parametrize("channel", ["sms", "telegram"])
def test_a_long_numbered_choice_is_read_the_way_it_is_asked(channel):
    """Eleven options numbered 0 to 10 are asked as a range, so the number typed is the value."""
    survey = parse({"id": "nps", "version": 1, "title": "Recommend", "keywords": ["NPS"], "questions": [
        {"id": "score", "type": "choice", "text": "How likely are you to recommend us?",
         "options": [{"value": str(n), "label": str(n)} for n in range(11)]}]})
    for sent, value in [("0", "0"), ("10", "10"), ("4", "4")]:
        person = Person(channel, services=(), surveys=Registry({"nps": [survey]}))
        [question] = person.says("NPS")
        assert "Reply with a number from 0 to 10." in question.text
        if channel == "telegram":
            assert (value, value) in question.buttons
        person.says(sent)
        assert person.recorded() == {"score": value}


# --- 4. leaving and coming back --------------------------------------------------------------

def half_way(channel="sms") -> Person:
    person = start_experience(channel)
    for answer in ["2", "Kind staff", "1", "2"]:
        person.now += timedelta(minutes=2)
        person.says(answer)
    assert person.state["q"] == "care_plan_involvement"
    return person


@pytest.mark.parametrize("channel", ["sms", "telegram"])
def test_an_answer_ten_hours_later_carries_on_where_they_left_off(channel):
    survey = shipped().latest("experience")
    person = half_way(channel)
    person.now += timedelta(hours=10)
    [reply] = person.texts("1")
    assert survey.question("crisis_contact").text in reply
    assert person.recorded()["care_plan_involvement"] == "yes_definitely"
    assert len({e.ref for e in person.records()}) == 1, "still the same response"


@pytest.mark.parametrize("channel", ["sms", "telegram"])
def test_the_keyword_again_ten_hours_later_says_welcome_back_and_asks_the_same_question(channel):
    survey = shipped().latest("experience")
    person = half_way(channel)
    before = len(person.effects)
    person.now += timedelta(hours=10)
    [reply] = person.says("SURVEY")
    assert reply.text.startswith("Welcome back")
    assert survey.question("care_plan_involvement").text in reply.text
    if channel == "telegram":
        assert [d for _, d in reply.buttons] == ["1", "2", "3", "4"]
    assert person.state["q"] == "care_plan_involvement" and len(person.effects) == before
    person.says("3")
    assert person.recorded()["care_plan_involvement"] == "no"
    assert len({e.ref for e in person.records()}) == 1, "the answers after coming back join the same response"


def test_coming_back_renews_the_time_the_survey_stays_open():
    person = half_way()
    person.now += timedelta(hours=60)
    person.says("survey")
    person.now += timedelta(hours=60)  # 120 hours after starting, 60 after the last message
    person.says("1")
    assert person.recorded()["care_plan_involvement"] == "yes_definitely"


@pytest.mark.parametrize("channel", ["sms", "telegram"])
def test_after_72_hours_the_survey_has_closed(channel):
    person = half_way(channel)
    given = person.recorded()
    person.now += timedelta(hours=72, minutes=1)
    [reply] = person.texts("1")
    assert reply == TEXTS.expired()
    assert person.recorded() == given and person.state == {}


def test_the_keyword_after_72_hours_starts_a_new_response():
    person = half_way()
    old = {e.ref for e in person.records()}
    person.now += timedelta(hours=73)
    replies = person.texts("SURVEY")
    assert not any(r.startswith("Welcome back") for r in replies)
    assert "Which service" in replies[0]
    person.says("2")
    person.says("4")
    assert person.records()[-1].question_id == "fft" and person.records()[-1].ref not in old
    assert person.records()[-1].service == "CRISIS"


def test_exactly_72_hours_is_still_open():
    person = half_way()
    person.now += timedelta(hours=72)
    person.says("1")
    assert person.recorded()["care_plan_involvement"] == "yes_definitely"


# --- 5. the offer to get involved ------------------------------------------------------------

def at_participation(channel="sms") -> Person:
    person = start_experience(channel)
    person.says("1")
    while person.state["q"] != "participation":
        person.says("SKIP")
    return person


@pytest.mark.parametrize("channel", ["sms", "telegram"])
@pytest.mark.parametrize("reply, interested", [("yes", True), ("1", True), ("Yes please", True), ("y", True),
                                               ("no", False), ("2", False), ("no thanks", False)])
def test_the_participation_question_notes_interest_and_is_not_stored_as_an_answer(channel, reply, interested):
    survey = shipped().latest("experience")
    person = at_participation(channel)
    [thanks] = person.texts(reply)
    assert thanks == closing(survey, sms=channel == "sms")
    assert person.effects[-1] == NoteInterest(interested)
    assert [e for e in person.effects if isinstance(e, NoteInterest)] == [NoteInterest(interested)]
    assert "participation" not in person.recorded()
    assert person.recorded() == {"fft": "1"}


def test_skipping_the_participation_question_notes_nothing():
    person = at_participation()
    person.says("SKIP")
    assert not [e for e in person.effects if isinstance(e, NoteInterest)]
    assert person.state == {}


# --- 6. random replies through every survey --------------------------------------------------

def meaningful(survey: Survey) -> list[str]:
    """Words that mean something to this survey, and to the bot."""
    words = [k.upper() for k in survey.keywords] + [f"{k} oaklands" for k in survey.keywords]
    words += [str(n) for n in range(0, max(len(q.options) for q in survey.questions) + 2)]
    words += sorted({o.label for q in survey.questions for o in q.options})
    words += ["SKIP", "skip", "BACK", "go back", "STOP", "stop", "/stop", "START", "YES", "/start", "HELP", "info",
              "1,3", "1 and 2", "prefer not to say", "", "  ", "FEEDBACK", "no", "yes please"]
    return words


def as_the_engine_reads(text: str) -> str:
    stripped = text.strip()
    return stripped.lower() if stripped.startswith("/") else normalise(text)


GAPS = [0, 0, 0, 60, 60, 3600, 10 * 3600, 25 * 3600, 73 * 3600]


def check_recorded(effect: RecordAnswer) -> None:
    survey = shipped().get(effect.survey_id, effect.survey_version)
    question = survey.question(effect.question_id)
    assert question is not None and question.effect is None
    assert (effect.store, effect.anonymous) == (survey.store, survey.anonymous)
    if question.options:
        assert set(effect.value.split(",")) <= {o.value for o in question.options}, effect
    else:
        assert 0 < len(effect.value) <= question.max_length and effect.value == effect.value.strip()


@pytest.mark.parametrize("channel", ["sms", "telegram"])
@pytest.mark.parametrize("survey", SURVEYS, ids=[s.id for s in SURVEYS])
def test_random_replies_through_every_survey_never_break_the_conversation(survey, channel):
    onwards = st.sampled_from(["1", "2", "3", "SKIP", "skip"])  # replies that move a survey along
    messages = st.one_of(onwards, onwards, onwards, st.sampled_from(meaningful(survey)), st.text(max_size=300))

    @settings(max_examples=120, deadline=None, database=None)
    @given(st.lists(st.sampled_from(["1", "2"]), max_size=len(survey.questions) + 1),
           st.lists(st.tuples(messages, st.sampled_from(GAPS)), min_size=1, max_size=60))
    def conversation(head, turns):
        state, now, opted_out = {}, T0, False
        for i, (text, gap) in enumerate([(keyword(survey), 0), *[(a, 0) for a in head], *turns]):
            now += timedelta(seconds=gap)
            ctx = Context(now=now, channel=channel, ref=f"r{i}", texts=TEXTS, services=SERVICES)
            result = engine.handle(state, text, ctx)
            word = as_the_engine_reads(text)
            if opted_out:
                if word in START_WORDS or word.split(" ")[0] == "/start":
                    assert result.replies and OptIn() in result.effects
                    opted_out = False
                else:
                    assert result.replies == [] and result.effects == [], f"spoke after STOP: {text!r}"
            elif is_stop(word):
                assert result.effects == [OptOut(confirmed=True)] and result.replies
                opted_out = True
            else:
                assert result.replies, f"no answer to {text!r} in state {state}"
                assert not any(isinstance(e, (OptOut, OptIn)) for e in result.effects)
            assert bool(result.state.get("opted_out")) == opted_out
            for effect in result.effects:
                if isinstance(effect, RecordAnswer):
                    check_recorded(effect)
            if channel == "sms":
                for reply in result.replies:
                    assert gsm7.fits(reply.text), f"over the SMS budget: {reply.text!r}"
            state = result.state

    conversation()



def test_a_short_scale_from_zero_is_asked_and_read_as_its_numbers():
    from bot.answers import QUESTION_TYPES, prompt_text
    from bot.surveys import parse

    survey = parse({"id": "s", "version": 1, "title": "S", "questions": [
        {"id": "q", "type": "scale", "text": "How much?", "min": 0, "max": 5, "min_label": "none", "max_label": "lots"}]})
    question = survey.questions[0]
    assert "Reply with a number from 0 (none) to 5 (lots)." in prompt_text(question, sms=True)
    read = QUESTION_TYPES["scale"].parse
    assert [read(question, t) for t in ("0", "1", "5", "6")] == ["0", "1", "5", None]
