"""The quick check that lets most messages skip the matcher never changes what is flagged."""
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from nlp import risk
from nlp.risk import phrases

CASES = yaml.safe_load((Path(__file__).parent / "risk_cases.yaml").read_text(encoding="utf-8"))
TEXTS = [c["text"] for c in CASES["risk"]] + list(CASES["safe"])


def without_prefilter(text):
    saved = phrases._triggers
    phrases._triggers = lambda: None  # every message goes through the matcher
    try:
        return risk.detect(text)
    finally:
        phrases._triggers = saved


def test_every_rule_has_a_trigger_word():
    assert phrases._triggers() is not None  # else the quick check is off and every message pays for the matcher


@pytest.mark.parametrize("text", TEXTS)
def test_the_same_result_on_the_test_set(text):
    assert risk.detect(text) == without_prefilter(text)


WORDS = sorted(phrases._triggers() or ()) + ["i", "my", "self", "harm", "kms", "wanna", "o.d.", "2", "co-codamol",
                                          "can't", "cannot", "gonna", "myslef", "tablets", "not", "never", "."]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(WORDS), min_size=1, max_size=8).map(" ".join))
def test_the_same_result_on_jumbled_trigger_words(text):
    assert risk.detect(text) == without_prefilter(text)


def test_an_ordinary_message_skips_the_matcher():
    assert phrases._triggers().isdisjoint(phrases._WORD_RE.findall(risk.normalise("Parking was hard, staff lovely")))
