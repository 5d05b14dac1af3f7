"""One keyword set: no survey may claim a reserved word, however it is written."""
from __future__ import annotations

import pytest

from bot.keywords import normalise
from bot.keywords import PARTICIPATION_WORDS, RESERVED, is_stop, near_reserved, one_typo
from bot.surveys import SurveyError, parse, shipped


def survey_claiming(*keywords: str) -> dict:
    return {"id": "carers", "version": 1, "title": "Carers", "keywords": list(keywords),
            "questions": [{"id": "q", "type": "text", "text": "Anything to add"}]}


@pytest.mark.parametrize("word", sorted(RESERVED))
def test_every_reserved_word_is_refused_as_a_survey_keyword(word):
    with pytest.raises(SurveyError) as refused:
        parse(survey_claiming("CARERS", word.upper()), "carers.yaml")
    assert refused.value.errors == [f"carers.yaml: keyword {word.upper()!r} is "
                                    + ("a reserved word, kept for getting involved" if word in PARTICIPATION_WORDS
                                       else "kept for STOP, START, HELP, SKIP and BACK")]


@pytest.mark.parametrize("written", ["Get Involved!", "sign-me-up", "/deletemydata", "Delete  me."])
def test_a_reserved_word_is_refused_however_it_is_written(written):
    with pytest.raises(SurveyError, match="kept for getting involved"):
        parse(survey_claiming(written), "carers.yaml")


def test_a_keyword_that_is_not_reserved_is_kept():
    assert parse(survey_claiming("Carers", "get involved now")).keywords == ("carers", "get involved now")


def test_no_shipped_survey_claims_a_reserved_word():
    claimed = {k for versions in shipped().surveys.values() for s in versions for k in s.keywords}
    assert claimed and not claimed & {normalise(w) for w in RESERVED}


@pytest.mark.parametrize("keyword", ["JOIN CARERS", "Opportunities Leeds", "/join now"])
def test_a_keyword_that_starts_like_join_is_refused_because_join_would_take_it(keyword):
    with pytest.raises(SurveyError, match="kept for getting involved"):
        parse(survey_claiming(keyword), "carers.yaml")


@pytest.mark.parametrize("said", ["please stop texting me", "Stop messaging me please!", "don't text me again",
                                  "no more texts thanks", "take me off your list", "remove my number", "STOP",
                                  "Stop sending me these", "pls stop", "stop pls", "enough, stop", "I want to stop",
                                  "no stop it", "Stopp", "leave me alone", "i don't want these texts",
                                  "stop I've changed my mind", "Please stop. I'm fine, just don't want texts",
                                  "wrong number, stop", "go away", "no more messages", "Can you stop texting me",
                                  "ok just STOP", "unsubscribe from this", "opt out please", "Stop the texts",
                                  "stop calling me", "I dont want any more messages thanks", "Stop now pls",
                                  "just leave me alone please", "stopit", "I said stop", "unsub", "quit"])
def test_stop_in_a_persons_own_words_is_stop(said):
    assert is_stop(normalise(said))


@pytest.mark.parametrize("said", ["the nurse told me to stop texting the ward at night", "stop", "stopping my meds",
                                  "I had to stop", "they never stop messaging me about appointments and it is a lot",
                                  "stop changing my meds without asking", "I want to stop taking my tablets",
                                  "make it stop", "please don't stop my medication", "stop my meds", "I tried to stop",
                                  "the staff wouldn't leave me alone", "I need to cancel my appointment tomorrow",
                                  "i can't stop crying", "they need to stop discharging people so early",
                                  "quit my job because of the stress", "stop them from discharging me",
                                  "the ward should stop being so noisy at night", "I won't stop coming here",
                                  "nobody ever told me to stop smoking on the ward but the doctor said no more "
                                  "texts from the team"])
def test_a_sentence_that_only_mentions_stopping_is_not_stop(said):
    assert is_stop(normalise(said)) == (normalise(said) == "stop")


@pytest.mark.parametrize("typed, meant", [("feedbak", "feedback"), ("fedback", "feedback"), ("feedbcak", "feedback"),
                                          ("feedbackk", "feedback"), ("oaklnds", "oaklands"), ("oaklamds", "oaklands")])
def test_one_typo_in_a_long_word_is_near(typed, meant):
    assert one_typo(typed, meant)


@pytest.mark.parametrize("typed, meant", [("feedback", "feedback"), ("fedbak", "feedback"), ("stopp", "stop"),
                                          ("jion", "join"), ("bakcfeed", "feedback"), ("carer", "cares")])
def test_an_exact_word_two_typos_or_a_short_word_is_not_near(typed, meant):
    assert not one_typo(typed, meant)


@pytest.mark.parametrize("typed", ["unsubscrbe", "opportunties", "withdrw", "stop", "signup"])
def test_a_word_that_is_or_nearly_is_a_reserved_word_is_near_reserved(typed):
    assert near_reserved(typed)
