"""The conversation engine on its own: no database, no network."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from bot import engine
from bot.engine import Context, OptIn, OptOut, RecordAnswer
from bot.surveys import shipped, with_question_text
from bot.texts import Texts

T0 = datetime(2026, 11, 26, 10, 0, tzinfo=timezone.utc)
SERVICES = (("OAKLANDS", "Oaklands Ward"), ("CRISIS", "Crisis Team"))


class Person:
    """Drives one conversation, as errbot's testbot does: say something, read the replies."""

    def __init__(self, services=SERVICES, channel="sms", **ctx):
        self.state: dict = {}
        self.now = T0
        self.effects: list = []
        self.services, self.channel, self.ctx = services, channel, ctx
        self.refs = 0

    def says(self, text: str) -> list[str]:
        self.refs += 1
        ctx = Context(now=self.now, channel=self.channel, ref=f"ref-{self.refs}", services=self.services,
                      texts=Texts(trust_name="Riverside NHS Foundation Trust"), **self.ctx)
        result = engine.handle(self.state, text, ctx)
        self.state = result.state
        self.effects.extend(result.effects)
        self.last = result
        return [r.text for r in result.replies]

    def answers(self) -> dict:
        return {e.question_id: e.value for e in self.effects if isinstance(e, RecordAnswer)}


def test_feedback_keyword_with_service_code_asks_the_exact_fft_question():
    person = Person()
    [reply] = person.says("FEEDBACK OAKLANDS")
    assert "Overall, how was your experience of our service?" in reply
    assert "Oaklands Ward" in reply
    labels = ["Very good", "Good", "Neither good nor poor", "Poor", "Very poor", "Don't know"]
    positions = [reply.index(f"{n} {label}") for n, label in enumerate(labels, 1)]
    assert positions == sorted(positions), "the six answers must come in NHS England's order"
    assert [b[1] for b in person.last.replies[0].buttons] == ["1", "2", "3", "4", "5", "6"]


@pytest.mark.parametrize("answer,code", [
    ("1", "1"), ("5 - very poor", "5"), ("V GOOD", "1"), ("very gd", "1"), ("dont know", "6"),
    ("Good.", "2"), ("  neither good nor poor ", "3"), ("Don't know", "6"), ("4) poor", "4"),
])
def test_the_number_the_words_and_everyday_variants_are_accepted(answer, code):
    person = Person()
    person.says("feedback oaklands")
    [reply] = person.says(answer)
    assert "Please can you tell us why you gave your answer?" in reply
    assert person.answers() == {"fft": code}


def test_an_unrecognised_answer_is_reasked_once_with_help_then_offers_to_stop():
    person = Person()
    person.says("FEEDBACK OAKLANDS")
    [first] = person.says("hmm")
    assert "Please reply with a number from 1 to 6" in first
    [second] = person.says("eh?")
    assert "SKIP to leave the survey" in second and "STOP" in second
    [left] = person.says("skip")
    assert "left the survey" in left
    assert person.answers() == {}


def test_words_with_no_answer_in_them_are_kept_as_the_why_and_the_question_asked_again():
    person = Person()
    person.says("FEEDBACK OAKLANDS")
    kept, again = person.says("it was alright I suppose, the staff tried")
    assert "kept what you wrote" in kept and "Overall, how was your experience" in again
    assert person.answers() == {"why": "it was alright I suppose, the staff tried"}
    [thanks] = person.says("3")  # the why is already answered: not asked again
    assert thanks.startswith("Thank you for your feedback")
    assert person.answers() == {"why": "it was alright I suppose, the staff tried", "fft": "3"}


def test_a_number_that_contradicts_its_words_is_not_guessed():
    person = Person()
    person.says("FEEDBACK OAKLANDS")
    person.says("1 - very poor")
    assert person.answers() == {}


def test_the_why_is_recorded_with_the_score_under_one_response_and_then_thanks():
    person = Person()
    person.says("FEEDBACK OAKLANDS")
    person.says("2")
    [thanks] = person.says("The nurses were kind but the wait was long")
    assert thanks.startswith("Thank you for your feedback")
    records = [e for e in person.effects if isinstance(e, RecordAnswer)]
    assert {r.ref for r in records} == {"ref-2"}
    assert {r.service for r in records} == {"OAKLANDS"}
    assert person.answers() == {"fft": "2", "why": "The nurses were kind but the wait was long"}
    assert person.state.get("step") is None and "ref" not in person.state


def test_skip_at_the_follow_up_says_thank_you_and_keeps_the_score():
    person = Person()
    person.says("FEEDBACK OAKLANDS")
    person.says("1")
    [thanks] = person.says("Skip")
    assert "Thank you" in thanks
    assert person.answers() == {"fft": "1"}


def test_the_follow_up_question_is_configurable():
    surveys = with_question_text(shipped(), "fft", "why", "What made it that way?")
    ctx = Context(now=T0, channel="sms", ref="r", surveys=surveys, services=SERVICES)
    state = engine.handle({}, "FEEDBACK OAKLANDS", ctx).state
    reply = engine.handle(state, "1", ctx).replies[0].text
    assert "What made it that way?" in reply


def test_without_a_service_code_the_person_picks_from_a_short_numbered_list():
    person = Person()
    [reply] = person.says("FEEDBACK")
    assert "1 Oaklands Ward" in reply and "2 Crisis Team" in reply and "0 Not sure" in reply
    [question] = person.says("2")
    assert "Crisis Team" in question
    person.says("1")
    assert [e.service for e in person.effects] == ["CRISIS"]


def test_not_sure_of_the_service_is_recorded_as_unknown():
    person = Person()
    person.says("FEEDBACK")
    person.says("0")
    person.says("3")
    assert [e.service for e in person.effects] == [None]


def test_an_unknown_service_code_asks_from_the_list_and_a_second_miss_records_unknown():
    person = Person()
    [reply] = person.says("FEEDBACK NOWHERE")
    assert "Which service" in reply
    person.says("the one by the park")
    [question] = person.says("no idea")
    assert "Overall, how was your experience of our service?" in question


def test_with_no_services_set_up_the_question_comes_straight_away():
    person = Person(services=())
    [reply] = person.says("FEEDBACK")
    assert reply.startswith("Overall, how was your experience of our service?")


def test_telegram_start_with_a_deep_link_payload_names_the_service():
    person = Person(channel="telegram")
    [reply] = person.says("/start OAKLANDS")
    assert "About: Oaklands Ward" in reply


@pytest.mark.parametrize("word", ["STOP", "stopall", "Unsubscribe", "CANCEL", "end", "QUIT", "stop.", "/stop"])
def test_every_opt_out_keyword_works_at_any_point(word):
    person = Person()
    person.says("FEEDBACK OAKLANDS")
    [confirmation] = person.says(word)
    assert "opted out" in confirmation
    assert any(isinstance(e, OptOut) for e in person.effects)


def test_stop_means_no_further_messages_until_start():
    person = Person()
    person.says("FEEDBACK")
    person.says("STOP")
    for text in ["hello?", "FEEDBACK", "HELP", "1", "STOP", "/help", ""]:
        assert person.says(text) == [], f"sent something after STOP in reply to {text!r}"
    [welcome] = person.says("START")
    assert "opted back in" in welcome
    assert any(isinstance(e, OptIn) for e in person.effects)
    assert person.says("FEEDBACK OAKLANDS")


@pytest.mark.parametrize("word", ["YES", "unstop", "/start"])
def test_yes_unstop_and_telegram_start_opt_back_in(word):
    person = Person()
    person.says("STOP")
    assert person.says(word)
    assert not person.state.get("opted_out")


def test_stop_already_confirmed_by_twilio_is_recorded_but_not_confirmed_twice():
    person = Person(provider_replied=True)
    assert person.says("STOP") == []
    assert person.effects == [OptOut(confirmed=False)]
    assert person.state["opted_out"]


def test_help_says_who_we_are_that_it_is_anonymous_how_to_stop_and_where_to_get_urgent_help():
    person = Person()
    [reply] = person.says("HELP")
    for words in ("YourSay", "Riverside NHS Foundation Trust", "anonymous", "STOP", "111", "116 123", "999"):
        assert words in reply


def test_help_mid_survey_keeps_the_conversation_going():
    person = Person()
    person.says("FEEDBACK OAKLANDS")
    person.says("info")
    person.says("1")
    assert person.answers() == {"fft": "1"}


def test_a_conversation_left_idle_expires_but_answers_already_given_are_kept():
    person = Person()
    person.says("FEEDBACK OAKLANDS")
    person.says("4")
    person.now += timedelta(hours=25)
    [reply] = person.says("5")
    assert "survey has closed" in reply
    assert person.answers() == {"fft": "4"}, "a late answer does not carry on the survey"
    [kept] = person.says("the staff were rude to me")  # a story, though: kept on its own (tests/unit/test_stories.py)
    assert "passed your words on to the team anonymously" in kept
    assert person.answers() == {"fft": "4", "story": "the staff were rude to me"}
    assert len({e.ref for e in person.effects if isinstance(e, RecordAnswer)}) == 2, "not linked to the answers"


def test_the_idle_timeout_is_configurable():
    person = Person(timeout=timedelta(hours=1))
    person.says("FEEDBACK OAKLANDS")
    person.now += timedelta(minutes=90)
    [reply] = person.says("1")
    assert "survey has closed" in reply
    assert person.answers() == {}


def test_a_story_that_starts_with_the_keyword_is_not_mistaken_for_a_restart():
    person = Person()
    person.says("FEEDBACK OAKLANDS")
    person.says("3")
    person.says("Feedback is that nobody called me back")
    assert person.answers()["why"] == "Feedback is that nobody called me back"


def test_an_empty_message_gets_a_clear_answer():
    person = Person()
    [reply] = person.says("   ")
    assert "empty" in reply


def test_an_invitation_starts_the_conversation_at_the_question():
    person = Person()
    person.state = engine.invitation_state(shipped().latest("fft"), "CRISIS", T0)
    person.says("2")
    assert person.answers() == {"fft": "2"}
    assert person.effects[0].service == "CRISIS"


@pytest.mark.parametrize("words", ["please stop", "Stop please.", "/stop@YourSayBot", "STOP IT"])
def test_everyday_ways_of_saying_stop_work_too(words):
    person = Person()
    person.says("FEEDBACK OAKLANDS")
    [confirmation] = person.says(words)
    assert "opted out" in confirmation
