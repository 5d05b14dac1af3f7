"""The risk check against its evaluation set (tests/nlp/risk_eval), and language ID's edge cases.

`tune`, `dev` and `train` were looked at while the rules and the model were made, so they must
stay near perfect; `extra` (written blind by another author) trains the model only. `test` and
`holdout2` (a second blind author) were never tuned or trained on, so their figures are the
honest ones (benchmarks/risk.py prints them) and here they only guard against getting worse.
"""
from pathlib import Path

import pytest

from nlp.risk import detect, evaluate, language

EVAL = Path(__file__).parent / "risk_eval"
TUNED = [p for p in ("tune", "dev", "train") if (EVAL / f"{p}.yaml").exists()]


@pytest.mark.parametrize("part", TUNED)
def test_the_parts_looked_at_are_heard(part):
    score = evaluate.score(evaluate.load(EVAL / f"{part}.yaml"), detect)
    # 0.95, not 1: the model leaves messages of under 6 words to the rules (short complaints paged nobody)
    assert score.recall >= 0.95, score.missed
    assert score.false_alarm_rate <= 0.05, score.false


# Both held-out parts together, measured on 2026-12-05 after training on `extra` (recall 0.915,
# false alarms 0.068; test alone 0.937 / 0.045, holdout2 0.896 / 0.086), less a margin for noise.
# Before `extra` the same parts gave 0.907 / 0.086: this guard would have failed that model.
HELD_OUT = ("test", "holdout2")
HELD_OUT_RECALL_FLOOR = 0.90
HELD_OUT_FALSE_ALARM_CEILING = 0.08


def test_the_held_out_parts_do_not_get_worse():
    score = evaluate.score([m for part in HELD_OUT for m in evaluate.load(EVAL / f"{part}.yaml")], detect)
    assert score.recall >= HELD_OUT_RECALL_FLOOR, score.missed
    assert score.false_alarm_rate <= HELD_OUT_FALSE_ALARM_CEILING, score.false


def test_the_evaluation_set_is_big_enough_and_balanced():
    messages = [m for part in ("tune", "test") for m in evaluate.load(EVAL / f"{part}.yaml")]
    risk = [m for m in messages if m["expect"] in evaluate.RISK]
    assert len(messages) >= 400 and 0.4 <= len(risk) / len(messages) <= 0.65
    kinds = {m["kind"] for m in risk}
    assert {"suicide-plan", "suicide-passive", "carer", "abuse", "danger", "language"} <= kinds


@pytest.mark.parametrize("text", ["gud", "v gd", "ta luv x", "nah im ok", "ye ok m8", "omg ty", "staff r gr8 tbh",
                                  "Its ok i guess", "poor tbh", "cheers", "da appt ws gd", "no ta"])
def test_short_txt_english_is_never_taken_for_another_language(text):
    assert language.identify(text) is None


@pytest.mark.parametrize("text,name", [("Dziękuję, pielęgniarki były bardzo miłe", "Polish"),
                                       ("Mulțumesc, asistentele au fost foarte amabile", "Romanian"),
                                       ("Roedd y staff yn garedig iawn wrthyf", "Welsh"),
                                       ("عملے کا رویہ بہت اچھا تھا", "Urdu"),
                                       ("কর্মীরা খুব ভালো ছিলেন", "Bengali")])
def test_a_message_in_another_language_is_flagged_for_a_human_with_the_language_named(text, name):
    r = detect(text)
    assert r is not None and r.language == name and r.category == "other-language" and name in r.reason
