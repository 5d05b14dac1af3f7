"""The rule for "Labelling not possible", the question changing "Nothing", and clear sentiment."""
import pytest

from nlp import analyse
from nlp.labels import NOT_POSSIBLE, THEMES, labelling_not_possible, question_group


@pytest.mark.parametrize("text", ["", "   ", None, "Did not answer", "did not answer.", "DID NOT ANSWER",
                                  "Not answered", "No answer given", "...", "-"])
def test_labelling_not_possible_rule(text):
    assert labelling_not_possible(text)
    a = analyse(text)
    assert [name for name, _ in a.themes] == [NOT_POSSIBLE]
    assert a.sentiment == "neutral"


@pytest.mark.parametrize("text", ["Nothing", "No", "Good", "❤️", "The staff were kind", "n/a"])
def test_text_is_labelled(text):
    assert not labelling_not_possible(text)
    themes = [name for name, _ in analyse(text).themes]
    assert themes and NOT_POSSIBLE not in themes


def test_question_groups():
    assert question_group("What was good?") == "good"
    assert question_group("What could we do better?") == "better"
    assert question_group("How could we improve?") == "better"
    assert question_group("FFT Why?") == "why"
    assert question_group(None) == "unknown"


def test_question_changes_the_meaning_of_nothing():
    good = analyse("Nothing", question="What was good?")
    better = analyse("Nothing", question="What could we do better?")
    assert good.sentiment == "negative"
    assert better.sentiment == "positive"
    assert "Negative experience & dissatisfaction" in [n for n, _ in good.themes]
    assert "Positive experience & gratitude" in [n for n, _ in better.themes]


@pytest.mark.parametrize("text,question,expected", [
    ("The staff were amazing, so kind and caring. Thank you so much", None, "positive"),
    ("Excellent service, very helpful and friendly", "What was good?", "positive"),
    ("Waited 6 hours for an ambulance, nobody called back, absolutely disgraceful", None, "negative"),
    ("Rude staff who did not listen to me at all", "What could we do better?", "negative"),
])
def test_sentiment_clear_cases(text, question, expected):
    assert analyse(text, question).sentiment == expected


def test_themes_are_qdc_names_with_confidence():
    a = analyse("The ambulance took four hours to arrive", question="How could we improve?")
    names = [n for n, _ in a.themes]
    assert "Timeliness of care" in names
    for name, confidence in a.themes:
        assert name in THEMES
        assert 0.0 <= confidence <= 1.0


@pytest.mark.parametrize("text", ["None", "Nothing at all", "nothing really.", "Absolutely nothing!"])
def test_nothing_like_answers_follow_the_question(text):
    assert not labelling_not_possible(text)
    good = analyse(text, question="What was good?")
    better = analyse(text, question="What could we do better?")
    assert ([n for n, _ in good.themes], good.sentiment) == (["Negative experience & dissatisfaction"], "negative")
    assert ([n for n, _ in better.themes], better.sentiment) == (["Positive experience & gratitude"], "positive")


def test_na_is_labelled_not_assigned_not_labelling_not_possible():
    for question in ("What was good?", "What could we do better?", "FFT Why?"):
        assert [n for n, _ in analyse("N/A", question).themes] == ["Not assigned"]
