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


@pytest.mark.parametrize("text", ["Overdosed on chocolate at the christmas party lol", "i overdosed on mince pies",
                                  "OD'd on netflix this weekend", "took an overdose of sweets haha",
                                  "overdosed on the new album lol"])
def test_overdosing_on_something_that_is_not_a_drug_is_a_figure_of_speech(text):
    r = detect(text)
    assert r is None or r.category == "other-language", r


@pytest.mark.parametrize("text", ["overdosed on paracetamol", "I'm going to overdose", "overdosed on my tablets lol",
                                  "overdosed on my meds last night haha", "overdosed on vodka and pills lol",
                                  "i want to overdose on chocolate and then all my sertraline"])
def test_an_overdose_of_a_drug_is_still_urgent_laughing_or_not(text):
    r = detect(text)
    assert r is not None and r.priority == "urgent" and r.category == "suicide", r


@pytest.mark.parametrize("text", ["😭😭 i cant anymore 🔪", "i cant anymore 💊💊", "🔪 i can't do this any more",
                                  "had enough 💊", "i give up 😢 🪢"])
def test_a_means_shown_beside_despair_is_self_harm_at_least_high(text):
    r = detect(text)
    assert r is not None and r.priority in ("urgent", "high") and r.category in ("self-harm", "suicide"), r


@pytest.mark.parametrize("text", ["i love my new knife 🔪 for cooking",
                                  "had enough of waiting for my pills", "🔪🍴 great food on the ward"])
def test_a_means_emoji_without_despair_is_not_an_alert(text):
    r = detect(text)
    assert r is None or not r.alert, r


@pytest.mark.parametrize("text", ["poor, nobody called me back for 3 days",
                                  "is this anonymous? will my nurse see what i write",
                                  "I need to cancel my appointment tomorrow with Dr Patel"])
def test_when_only_the_model_is_unsure_the_flag_is_quiet(text):
    r = detect(text)
    assert r is None or (r.priority == "low" and r.quiet), r


def test_a_rule_finding_is_never_quiet():
    assert not detect("I want to end it all").quiet and not detect("not suicidal, just fed up").quiet
