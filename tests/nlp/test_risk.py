"""The safeguarding rules against a hand-written test set (tests/nlp/risk_cases.yaml)."""
from pathlib import Path

import pytest
import yaml

from nlp.risk import CATEGORIES, PRIORITIES, detect

CASES = yaml.safe_load((Path(__file__).parent / "risk_cases.yaml").read_text(encoding="utf-8"))


def test_test_set_is_big_enough():
    assert len(CASES["risk"]) >= 60
    assert len(CASES["safe"]) >= 60


def test_recall_and_false_alarms():
    flagged = [c for c in CASES["risk"] if (r := detect(c["text"])) is not None and (r.alert or c["category"] == "distress")]
    recall = len(flagged) / len(CASES["risk"])
    false_alarms = [t for t in CASES["safe"] if (r := detect(t)) is not None and r.alert]
    rate = len(false_alarms) / len(CASES["safe"])
    assert recall >= 0.95, [c["text"] for c in CASES["risk"] if c not in flagged]
    assert rate <= 0.10, false_alarms


def test_categories_mostly_right():
    right = sum(1 for c in CASES["risk"] if (r := detect(c["text"])) and r.category == c["category"])
    assert right / len(CASES["risk"]) >= 0.9


@pytest.mark.parametrize("text", ["The wait was killing me", "the food was to die for",
                                  "My back is killing me", "I'm dying for a cup of tea"])
def test_idioms_are_not_flagged_at_all(text):
    assert detect(text) is None


def test_negation_lowers_priority_but_keeps_the_flag():
    r = detect("I'm not suicidal, just want my appointment moved")
    assert r is not None and r.category == "suicide"
    assert r.priority == "low" and r.negated and not r.alert
    assert "suicidal" in r.phrase


@pytest.mark.parametrize("text,category", [("kms", "suicide"), ("wanna die", "suicide"),
                                           ("kill myslef", "suicide"), ("took 20 paracetamol", "suicide"),
                                           ("I'm not safe", "unsafe"), ("staff hit me", "abuse")])
def test_slang_typos_and_methods(text, category):
    r = detect(text)
    assert r is not None and r.alert and r.category == category
    assert r.category in CATEGORIES and r.priority in PRIORITIES
    assert r.phrase and "not a clinical" in r.reason


def test_empty_text():
    assert detect("") is None
    assert detect(None) is None
