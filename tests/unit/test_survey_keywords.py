"""One keyword set: no survey may claim a reserved word, however it is written."""
from __future__ import annotations

import pytest

from bot.answers import normalise
from bot.keywords import PARTICIPATION_WORDS, RESERVED, is_stop
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
                                  "no more texts thanks", "take me off your list", "remove my number", "STOP"])
def test_stop_in_a_persons_own_words_is_stop(said):
    assert is_stop(normalise(said))


@pytest.mark.parametrize("said", ["the nurse told me to stop texting the ward at night", "stop", "stopping my meds",
                                  "I had to stop", "they never stop messaging me about appointments and it is a lot"])
def test_a_sentence_that_only_mentions_stopping_is_not_stop(said):
    assert is_stop(normalise(said)) == (normalise(said) == "stop")
