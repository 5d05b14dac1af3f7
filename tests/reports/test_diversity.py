from datetime import date

import pytest

from admin.reports import diversity
from admin.reports.suppression import SUPPRESSED
from bot.surveys import shipped
from storage.models import EqualityAnswer, EqualityResponse

SURVEY = shipped().latest("about-you")
MARCH = date(2026, 3, 1)


def add(session, survey_id, month, **answers):
    response = EqualityResponse(survey_id=survey_id, month=month)
    session.add(response)
    session.flush()
    session.add_all(EqualityAnswer(response_id=response.id, question_id=q, value=v) for q, v in answers.items())


@pytest.fixture
def answers(runtime):
    with runtime.factory.begin() as s:
        for _ in range(12):
            add(s, "about-you", MARCH, sex="female", ethnic_group="white", ethnicity_white="A")
        for _ in range(8):
            add(s, "about-you", MARCH, sex="male", ethnic_group="white", ethnicity_white="B")
        for _ in range(3):
            add(s, "about-you", MARCH, sex="prefer_not_to_say", ethnic_group="mixed", ethnicity_mixed="D")
        add(s, "about-you", MARCH, sex="female", ethnic_group="asian", ethnicity_asian="H")
        for _ in range(6):
            add(s, "about-you", MARCH, ethnic_group="black", ethnicity_black="N")
        add(s, "about-you", date(2026, 1, 1), sex="female")  # outside the period
        add(s, "about-you", MARCH, sex="intersex")  # not an option of this version
        for _ in range(6):
            add(s, "about-you-participants", MARCH, sex="female")


def rows(report, question):
    q = next(q for q in report["questions"] if q["id"] == question)
    return {r["value"]: r for r in q["rows"]}, q["totals"]


def test_respondents_with_small_numbers_hidden_and_baseline(runtime, answers):
    baseline = diversity.load_baseline(diversity.EXAMPLE_BASELINE)
    with runtime.factory() as db:
        report = diversity.diversity_report(db, SURVEY, baseline, MARCH, MARCH)
    sex, totals = rows(report, "sex")
    assert totals["respondents"] == 25
    assert sex["female"]["respondents"] == 13 and sex["female"]["respondents_percent"] == 52.0
    assert sex["female"]["baseline_percent"] == 51.0
    # 3 "prefer not to say" and 1 unknown answer are hidden, and together they are still under 5,
    # so the next smallest (male, 8) goes too.
    assert sex["prefer_not_to_say"]["respondents"] == SUPPRESSED
    assert sex[diversity.OTHER]["respondents"] == SUPPRESSED
    assert sex["male"]["respondents"] == SUPPRESSED and sex["male"]["respondents_percent"] == SUPPRESSED
    assert sex["female"]["participants"] is None
    assert report["columns"][1]["collected"] is False
    assert "cannot be taken from the respondents" in report["columns"][1]["meaning"]


def test_a_follow_up_is_hidden_when_its_group_is(runtime, answers):
    with runtime.factory() as db:
        report = diversity.diversity_report(db, SURVEY, None, MARCH, MARCH)
    groups, _ = rows(report, "ethnic_group")
    assert groups["mixed"]["respondents"] == SUPPRESSED and groups["asian"]["respondents"] == SUPPRESSED
    assert groups["black"]["respondents"] == SUPPRESSED  # 3 + 1 is still a small group: the next smallest goes
    black, totals = rows(report, "ethnicity_black")
    assert totals["respondents"] == SUPPRESSED  # else its total would give away the hidden 6
    mixed, totals = rows(report, "ethnicity_mixed")
    assert totals["respondents"] == SUPPRESSED and {r["respondents"] for r in mixed.values()} == {SUPPRESSED}
    white, totals = rows(report, "ethnicity_white")
    assert white["A"]["respondents"] == 12 and white["B"]["respondents"] == 8 and totals["respondents"] == 20
    assert groups["white"]["baseline_percent"] is None


def test_participants_come_only_from_their_own_survey(runtime, answers):
    with runtime.factory() as db:
        report = diversity.diversity_report(db, SURVEY, None, MARCH, MARCH,
                                            participant_surveys=("about-you-participants",))
    sex, totals = rows(report, "sex")
    assert sex["female"]["participants"] == 6 and totals["participants"] == 6
    assert sex["female"]["respondents"] == 13
    assert report["columns"][1]["collected"] is True


def test_a_bad_baseline_file_is_reported(tmp_path):
    path = tmp_path / "baseline.yaml"
    path.write_text("questions:\n  sex:\n    female: lots\n")
    with pytest.raises(diversity.BaselineError):
        diversity.load_baseline(path)
    with pytest.raises(diversity.BaselineError):
        diversity.load_baseline(tmp_path / "missing.yaml")
