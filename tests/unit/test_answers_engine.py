"""The engine with replies read the way people write them: the why that comes with an answer, "Did you
mean ...?", a double-sent answer, the service question, ADBORTH and replies in another language."""
from __future__ import annotations

from datetime import timedelta

import pytest

from bot import engine
from bot.engine import RecordAnswer
from bot.flow import Registry
from bot.surveys import parse, shipped
from bot.texts import YES_NO
from tests.unit.test_survey_engine import Person

FFT_QUESTION = "Overall, how was your experience of our service?"
WHY = "Please can you tell us why you gave your answer?"
THANKS = "Thank you for your feedback"


def fft(channel: str = "sms", **kw) -> Person:
    person = Person(channel, **kw)
    [question] = person.texts("FEEDBACK OAKLANDS")
    assert FFT_QUESTION in question
    return person


def walk(person: Person, *texts: str) -> list[list[str]]:
    return [person.texts(t) for t in texts]


# --- an answer with words after it: the words are the why --------------------------------------

def test_an_answer_with_words_after_it_records_both_and_the_why_is_not_asked():
    person = fft()
    [thanks] = person.texts("2 and the staff were lovely")
    assert thanks.startswith(THANKS)
    assert person.recorded() == {"fft": "2", "why": "the staff were lovely"}
    assert {r.ref for r in person.records()} == {"ref-2"} and {r.service for r in person.records()} == {"OAKLANDS"}
    assert person.state == {}


def test_in_the_longer_survey_the_why_is_skipped_and_the_next_question_comes():
    person = Person()
    person.texts("SURVEY OAKLANDS")
    [listened] = person.texts("1 - the nurses were brilliant")
    assert "listen carefully" in listened
    assert person.recorded() == {"fft": "1", "why": "the nurses were brilliant"}
    [why] = person.texts("back")
    assert WHY in why  # BACK still reaches the question the words answered


def test_words_after_a_later_answer_go_to_the_next_free_text_question_which_is_then_not_asked():
    survey = shipped().latest("4pi")
    person = Person()
    person.texts("4PI")
    person.texts("partly, nobody paid my expenses on time")
    for _ in range(len(survey.questions) - 2):
        last = person.texts("yes")
    assert last == [survey.closing]
    assert person.recorded()["comments"] == "nobody paid my expenses on time"
    assert person.recorded()["principles"] == "partly"


def test_words_that_are_only_hedges_are_not_kept_as_a_why():
    person = fft()
    [why] = person.texts("poor tbh")
    assert WHY in why
    assert person.recorded() == {"fft": "4"}


# --- "Did you mean ...?" ------------------------------------------------------------------------

def test_not_great_is_asked_about_then_yes_records_poor():
    person = fft()
    [asked] = person.texts("not great")
    assert asked == "Did you mean Poor? Reply YES or a number."
    assert person.last.replies[0].buttons == YES_NO
    assert person.recorded() == {}
    [why] = person.texts("YES")
    assert WHY in why
    assert person.recorded() == {"fft": "4"}


@pytest.mark.parametrize("reply, value", [("5", "5"), ("very poor", "5"), ("1", "1"), ("no, it was 3", "3")])
def test_at_did_you_mean_a_number_or_an_answer_answers_again(reply, value):
    person = fft()
    person.texts("not bad")
    [why] = person.texts(reply)
    assert WHY in why
    assert person.recorded() == {"fft": value}


def test_at_did_you_mean_no_asks_the_question_again_and_records_nothing():
    person = fft("telegram")
    person.texts("\U0001F621")
    [again] = person.texts("no")
    assert again.startswith("OK, please choose again.") and FFT_QUESTION in again
    assert [b[1] for b in person.last.replies[0].buttons] == ["1", "2", "3", "4", "5", "6"]
    assert person.recorded() == {} and "confirm" not in person.state


def test_at_did_you_mean_anything_else_asks_it_again_once_then_offers_a_way_out():
    person = fft()
    person.texts("\U0001F44D")
    [again] = person.texts("what do you mean")
    assert again == "Sorry, I didn't catch that. Did you mean Good? Reply YES, NO or a number."
    [way_out] = person.texts("hmm")
    assert "SKIP to leave the survey" in way_out and "STOP" in way_out
    [still] = person.texts("yes")  # no longer at "Did you mean ...?": "yes" is not an answer to the FFT
    assert "SKIP to leave the survey" in still
    assert person.recorded() == {}


def test_at_did_you_mean_help_keeps_the_question_stop_opts_out_and_back_asks_again():
    person = fft()
    person.texts("not great")
    [help_] = person.texts("HELP")
    assert "YourSay" in help_
    person.texts("yes")
    assert person.recorded() == {"fft": "4"}

    person = fft()
    person.texts("not great")
    [first] = person.texts("BACK")
    assert FFT_QUESTION in first and "confirm" not in person.state

    person = fft()
    person.texts("not great")
    [stopped] = person.texts("STOP")
    assert "opted out" in stopped and person.state == {"opted_out": True}
    assert person.recorded() == {}


def test_the_survey_keyword_at_did_you_mean_carries_on_with_the_question():
    person = fft()
    person.texts("not great")
    [again] = person.texts("FEEDBACK")
    assert again.startswith("Welcome back") and FFT_QUESTION in again
    person.texts("yes")
    assert person.recorded() == {}


def test_an_uncertain_answer_with_words_keeps_the_words_at_once_and_the_answer_once_confirmed():
    person = fft()
    person.texts("not great, the wait was long")
    assert person.recorded() == {"why": "the wait was long"}
    [thanks] = person.texts("yes")
    assert thanks.startswith(THANKS)
    assert person.recorded() == {"fft": "4", "why": "the wait was long"}


def test_an_emoji_on_a_yes_no_question_is_asked_about_too():
    person = Person()
    person.texts("SURVEY OAKLANDS")
    while person.state["q"] != "takes_medication":
        person.texts("SKIP" if person.state["q"] != "fft" else "1")
    [asked] = person.texts("\U0001F44D")
    assert asked == "Did you mean Yes? Reply YES or a number."
    person.texts("yes")
    assert person.recorded()["takes_medication"] == "yes"


def test_yes_after_a_reminder_may_have_gone_out_asks_did_you_mean_again_rather_than_confirming():
    person = Person()
    person.texts("SURVEY OAKLANDS")
    person.texts("not great")
    person.now += shipped().latest("experience").reminder_after
    [again] = person.texts("yes")  # to "Reply to carry on where you left off"
    assert again == "Did you mean Poor? Reply YES or a number." and person.recorded() == {}
    person.texts("yes")
    assert person.recorded() == {"fft": "4"}


def test_the_confirm_step_keeps_no_words_of_the_person_in_the_conversation_state():
    person = fft()
    person.texts("not great, the wait was long")
    assert "the wait" not in repr(person.state)


# --- a double-sent answer is not the story ---------------------------------------------------

def test_a_double_sent_5_is_the_same_answer_not_the_story():
    person = fft()
    person.texts("5")
    person.now += timedelta(seconds=3)
    [again] = person.texts("5")
    assert WHY in again
    assert person.recorded() == {"fft": "5"}
    person.texts("Nobody called me back")
    assert person.recorded() == {"fft": "5", "why": "Nobody called me back"}


def test_a_different_bare_answer_at_once_corrects_the_first():
    person = fft()
    person.texts("5")
    person.now += timedelta(seconds=20)
    person.texts("4")
    assert person.recorded() == {"fft": "4"} and person.state["q"] == "why"


def test_a_bare_number_long_after_is_the_why_as_written():
    person = fft()
    person.texts("5")
    person.now += engine.REPEAT_WITHIN + timedelta(seconds=1)
    person.texts("5")
    assert person.recorded() == {"fft": "5", "why": "5"}


BRANCHING = parse({"id": "visit", "version": 1, "title": "Visit", "keywords": ["VISIT"], "questions": [
    {"id": "seen", "type": "yesno", "text": "Were you seen on time?"},
    {"id": "how_long", "type": "text", "text": "How long did you wait?", "when": {"question": "seen", "is": "no"}},
    {"id": "anything", "type": "text", "text": "Anything else?", "optional": True},
]}, "visit.yaml")


def test_a_different_bare_answer_at_once_to_a_branching_question_changes_the_branch():
    person = Person(services=(), surveys=Registry({"visit": [BRANCHING]}))
    person.texts("VISIT")
    [how_long] = person.texts("2")
    assert "How long did you wait?" in how_long
    [anything] = person.texts("1")  # "yes" after all: the question about waiting no longer applies
    assert "Anything else?" in anything
    assert person.recorded() == {"seen": "yes"} and person.state["answers"] == {"seen": "yes"}


# --- the service question ---------------------------------------------------------------------

def test_a_second_miss_at_the_service_question_says_plainly_that_there_will_be_no_service():
    person = Person()
    person.texts("FEEDBACK")
    [retry] = person.texts("the one by the park")
    assert "Sorry, please reply with one number" in retry
    [question] = person.texts("the big building")
    assert question.startswith("We couldn't match that to a service, so we'll record your feedback without one.")
    assert FFT_QUESTION in question
    person.texts("2")
    assert [r.service for r in person.records()] == [None]


def test_an_answer_in_words_at_the_service_question_is_kept_and_the_survey_goes_on_without_a_service():
    person = Person()
    person.texts("FEEDBACK")
    [why] = person.texts("gud")
    assert why.startswith("We couldn't match that to a service") and WHY in why
    assert person.recorded() == {"fft": "2"} and [r.service for r in person.records()] == [None]


@pytest.mark.parametrize("reply", ["2 and the staff were lovely", "not great", "\U0001F44D"])
def test_a_number_or_an_uncertain_answer_at_the_service_question_is_not_taken_as_the_fft_answer(reply):
    person = Person()
    person.texts("FEEDBACK")
    [retry] = person.texts(reply)
    assert "Sorry, please reply with one number" in retry and person.recorded() == {}


@pytest.mark.parametrize("reply", ["0", "not sure", "no idea", "dunno", "Not sure sorry"])
def test_not_sure_of_the_service_is_an_answer_that_needs_no_apology(reply):
    person = Person()
    person.texts("FEEDBACK")
    [question] = person.texts(reply)
    assert question.startswith(FFT_QUESTION) or question.startswith("About") is False
    assert "couldn't match" not in question


@pytest.mark.parametrize("reply", ["2", "2.", "number 2", "Crisis team"])
def test_the_service_is_read_however_its_number_is_written(reply):
    person = Person()
    person.texts("FEEDBACK")
    [question] = person.texts(reply)
    assert "Crisis Team" in question


def test_the_note_goes_on_its_own_when_it_would_push_the_first_message_over_budget():
    long_services = tuple((f"S{n}", f"Community Mental Health Team for Older Adults {n}") for n in range(3))
    person = Person(services=long_services)
    person.texts("SURVEY")
    person.texts("nowhere")
    replies = person.texts("still nowhere")
    assert replies[0].startswith("We couldn't match that to a service")
    assert any("experience of our service" in r for r in replies[1:])


# --- ADBORTH and other languages --------------------------------------------------------------

@pytest.mark.parametrize("keyword", ["ADBORTH", "adborth", "Adborth oaklands"])
def test_adborth_welsh_for_feedback_starts_the_fft(keyword):
    person = Person()
    [reply] = person.texts(keyword)
    assert "Which service" in reply or FFT_QUESTION in reply
    assert person.state["survey"] == "fft"


def test_a_reply_in_another_language_that_cannot_be_read_gets_plain_english_and_the_interpreter_lines():
    person = fft("telegram")
    [reply] = person.texts("bardzo \u017ale")
    assert "could not read" in reply and "999" in reply and "111" in reply and "interpreters" in reply
    assert [b[1] for b in person.last.replies[0].buttons] == ["1", "2", "3", "4", "5", "6"]
    assert person.recorded() == {}


def test_welsh_words_for_the_fft_answers_are_asked_about_first():
    person = fft()
    [asked] = person.texts("Da iawn")
    assert asked == "Did you mean Very good? Reply YES or a number."


def test_every_record_is_to_a_real_question_of_its_survey():
    person = fft()
    walk(person, "not great, the wait was long", "yes")
    for record in person.records():
        assert isinstance(record, RecordAnswer)
        assert shipped().get(record.survey_id, record.survey_version).question(record.question_id) is not None


# --- a slip corrected at the why, contradictions, thanks at the why, services in words ----------

@pytest.mark.parametrize("first, again, value", [("1", "wait no i meant 4 sorry", "4"),
                                                 ("5", "sorry pressed wrong one, meant 2", "2"),
                                                 ("2", "oops wrong button, should be very poor", "5")])
def test_a_slip_said_at_the_why_answers_the_question_again_and_is_not_the_why(first, again, value):
    person = fft()
    [why] = person.texts(first)
    assert WHY in why
    [why] = person.texts(again)
    assert WHY in why
    assert person.recorded() == {"fft": value}
    [thanks] = person.texts("the wait was long")
    assert thanks.startswith(THANKS) and person.recorded() == {"fft": value, "why": "the wait was long"}


def test_words_at_the_why_that_only_mention_a_mistake_are_the_why():
    person = fft()
    person.texts("4")
    [thanks] = person.texts("they had the wrong number for me 3 times")
    assert thanks.startswith(THANKS)
    assert person.recorded() == {"fft": "4", "why": "they had the wrong number for me 3 times"}


@pytest.mark.parametrize("text, label", [("5 - they were excellent", "Very poor"), ("1 being very poor", "Very poor")])
def test_a_number_with_words_that_say_the_opposite_is_asked_about(text, label):
    person = fft()
    [asked] = person.texts(text)
    assert asked == f"Did you mean {label}? Reply YES or a number."
    assert "fft" not in person.recorded()


@pytest.mark.parametrize("text", ["thanks", "Thank you!", "ok"])
def test_thanks_at_the_why_ends_the_survey_and_stores_no_why(text):
    person = fft()
    person.texts("2")
    [thanks] = person.texts(text)
    assert thanks.startswith(THANKS)
    assert person.recorded() == {"fft": "2"} and person.state == {}


DEMO = (("OAKLANDS", "Oaklands Ward"), ("CMHTNORTH", "Community Mental Health Team North"),
        ("CRISIS", "Crisis Resolution and Home Treatment"))


@pytest.mark.parametrize("text, code", [("the crisis team", "CRISIS"), ("north cmht", "CMHTNORTH"),
                                        ("oaklands ward pls", "OAKLANDS"), ("oaklands", "OAKLANDS")])
def test_a_service_is_found_by_the_words_of_its_code_or_name(text, code):
    person = engine_person(DEMO)
    [question] = person.texts(text)
    assert FFT_QUESTION in question
    person.texts("2")
    assert {r.service for r in person.records()} == {code}


@pytest.mark.parametrize("text", ["the team", "it was the ward in the hospital"])
def test_a_service_reply_that_matches_none_or_several_is_asked_again(text):
    person = engine_person(DEMO)
    [again] = person.texts(text)
    assert FFT_QUESTION not in again and person.state.get("step") == "service"


def engine_person(services) -> Person:
    person = Person(services=services)
    person.texts("FEEDBACK")
    assert person.state.get("step") == "service"
    return person
