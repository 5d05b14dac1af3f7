"""Survey files as a trust writes them: checked with reasons, refused when wrong, loaded, versioned."""
from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest
import yaml
from click.testing import CliRunner
from sqlalchemy import func, select

from service.conversations import receive
from outbox.delivery import Policy, drain
from bot.surveys import SHIPPED
from storage.models import Answer, Outbox, PendingResponse, Response
from yoursay.cli import main
from yoursay.runtime import build

NOW = datetime(2026, 11, 26, 14, 37, tzinfo=timezone.utc)
SHIPPED_IDS = ("fft", "experience", "about-you", "about-you-participants", "4pi", "story")

# A small survey a trust might add for carers; every malformed case below is a small change to it.
CARERS = """\
id: carers
version: 1
title: Carers' experience
keywords: [CARERS]
intro: Thank you for looking after someone, and for telling us how it went. Reply STOP to stop messages.
questions:
  - id: involved
    type: yesno
    text: Were you involved in decisions about the care of the person you look after?
  - id: support
    type: text
    text: What one thing would have helped you most as a carer?
    optional: true
closing: Thank you. We share what carers tell us with the teams involved.
"""
HEADER = "id: carers\nversion: 1\ntitle: Carers' experience\n"
HOW = "  - id: how\n    type: choice\n    text: How was your visit?\n    options: [Good, Bad]\n"
LONG = ("We would like to know how well the team kept you informed about the care and treatment of the "
        "person you look after, including changes to medication, appointments, and plans for leaving hospital, "
        "and whether you felt listened to when you raised a worry. How well did we do?")
LONG_OPTIONS = [f"{word} - the team kept me fully informed about every part of the care and treatment"
                for word in ("Always", "Mostly", "Sometimes", "Rarely")]


def say(rt, text, address="+447700900123", now=NOW):
    return rt.write(lambda conn: receive(conn, rt.bot, channel="sms", address=address, text=text,
                                         provider_id=None, now=now))


def said(received) -> str:
    return "\n".join(reply.text for reply in received.replies)


def check(tmp_path, *paths, survey_dir=None):
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'check.db'}", "YOURSAY_MODE": "dev",
           "YOURSAY_SURVEY_DIR": str(survey_dir) if survey_dir else None}
    return CliRunner().invoke(main, ["surveys", "check", *map(str, paths)], env=env)


def lines_naming(output: str, path) -> list[str]:
    return [line for line in output.splitlines() if line.startswith(f"{path}: ")]


@pytest.fixture
def survey_dir(tmp_path):
    folder = tmp_path / "surveys"
    folder.mkdir()
    return folder


@pytest.fixture
def runtime_with(runtime):
    """Build a second runtime on the same (emptied) database, with the trust's survey folder."""
    built = []

    def make(folder):
        rt = build(replace(runtime.settings, survey_dir=str(folder)))
        built.append(rt)
        return rt

    yield make
    for rt in built:
        rt.close()


# --- one bad file, one clear reason ---------------------------------------------------------

MALFORMED = [
    ("not-yaml.yaml", "id: carers\nquestions: [unclosed\n", None, "cannot be read as YAML"),
    ("a-list.yaml", "- id: carers\n- version: 1\n", None, "a survey file must be a mapping"),
    ("empty.yaml", "", None, "a survey file must be a mapping"),
    ("no-id.yaml", "version: 1\ntitle: Carers\nquestions:\n" + HOW, None, "missing required field 'id'"),
    ("no-version.yaml", "id: carers\ntitle: Carers\nquestions:\n" + HOW, None, "missing required field 'version'"),
    ("no-title.yaml", "id: carers\nversion: 1\nquestions:\n" + HOW, None, "missing required field 'title'"),
    ("no-questions.yaml", HEADER, None, "missing required field 'questions'"),
    ("bad-id.yaml", HEADER.replace("id: carers", "id: Carers Survey") + "questions:\n" + HOW, None,
     "id 'Carers Survey' must be lower-case letters, digits, - or _"),
    ("version-zero.yaml", HEADER.replace("version: 1", "version: 0") + "questions:\n" + HOW, None,
     "version must be a whole number from 1, not 0"),
    ("version-words.yaml", HEADER.replace("version: 1", "version: two") + "questions:\n" + HOW, None,
     "version must be a whole number from 1, not 'two'"),
    ("version-fraction.yaml", HEADER.replace("version: 1", "version: 1.5") + "questions:\n" + HOW, None,
     "version must be a whole number from 1, not 1.5"),
    ("no-questions-listed.yaml", HEADER + "questions: []\n", None, "questions must be a non-empty list"),
    ("same-question-twice.yaml", HEADER + "questions:\n" + HOW + HOW, "how", "duplicate question id"),
    ("unknown-type.yaml", HEADER + "questions:\n  - id: how\n    type: rating\n    text: How was it?\n", "how",
     "unknown type 'rating' (use choice, scale, yesno, multi, text)"),
    ("choice-no-options.yaml", HEADER + "questions:\n  - id: how\n    type: choice\n    text: How was it?\n", "how",
     "a choice question needs at least two options"),
    ("choice-one-option.yaml", HEADER + "questions:\n" + HOW.replace("[Good, Bad]", "[Good]"), "how",
     "a choice question needs at least two options"),
    ("same-option-twice.yaml", HEADER + "questions:\n" + HOW.replace("[Good, Bad]", "[Good, Bad, good]"), "how",
     "duplicate option value 'good'"),
    ("same-option-value.yaml", HEADER + "questions:\n  - id: how\n    type: choice\n    text: How was it?\n"
     "    options: [{value: ok, label: Fine}, {value: ok, label: Alright}]\n", "how", "duplicate option value 'ok'"),
    ("options-not-a-list.yaml", HEADER + "questions:\n" + HOW.replace("[Good, Bad]", "Good or bad"), "how",
     "options must be a list"),
    ("branch-to-nowhere.yaml", HEADER + "questions:\n" + HOW + "  - id: why\n    type: text\n    text: Why?\n"
     "    when: {question: reason, is: bad}\n", "why",
     "branches on 'reason', which is not an earlier question in this survey"),
    ("branch-forwards.yaml", HEADER + "questions:\n  - id: why\n    type: text\n    text: Why?\n"
     "    when: {question: how, is: bad}\n" + HOW, "why",
     "branches on 'how', which is not an earlier question in this survey"),
    ("branch-on-no-answer.yaml", HEADER + "questions:\n" + HOW + "  - id: why\n    type: text\n    text: Why?\n"
     "    when: {question: how, is: terrible}\n", "why",
     "branches on how being 'terrible', which is not one of its answers (bad, good)"),
    ("long-question.yaml", HEADER + "questions:\n" + HOW.replace("How was your visit?", LONG), "how",
     "(add sms_text for a shorter SMS): is 3 SMS segments; at most 2"),
    ("long-options.yaml", HEADER + "questions:\n" + HOW.replace("[Good, Bad]", str(LONG_OPTIONS)), "how",
     "(add sms_text for a shorter SMS): is 3 SMS segments; at most 2"),
    ("curly-quotes.yaml", HEADER + "questions:\n" + HOW.replace("How was your visit?", "How was the “drop-in”?"),
     "how", "has characters SMS cannot send plainly: '“”'"),
    ("emoji.yaml", HEADER + "questions:\n" + HOW.replace("[Good, Bad]", "[Good 👍, Bad 👎]"), "how",
     "has characters SMS cannot send plainly: '👍👎'"),
    ("long-intro.yaml", HEADER + f"intro: {LONG} {LONG}\nquestions:\n" + HOW, None,
     "intro (add intro_sms for a shorter SMS): is 4 SMS segments; at most 2"),
    ("typo-in-question.yaml", HEADER + "questions:\n" + HOW + "    optinal: true\n", "how",
     "unknown field 'optinal'"),
    ("typo-in-survey.yaml", HEADER + "keyword: CARERS\nquestions:\n" + HOW, None, "unknown field 'keyword'"),
    ("scale-upside-down.yaml", HEADER + "questions:\n  - id: score\n    type: scale\n    text: Score us\n"
     "    min: 5\n    max: 1\n", "score", "a scale needs options, or whole numbers min < max (got 5, 1)"),
    ("scale-flat.yaml", HEADER + "questions:\n  - id: score\n    type: scale\n    text: Score us\n"
     "    min: 3\n    max: 3\n", "score", "a scale needs options, or whole numbers min < max (got 3, 3)"),
    ("late-reminder.yaml", HEADER + "expires_after_hours: 24\nreminder: {after_hours: 48}\nquestions:\n" + HOW, None,
     "reminder after_hours must come before the survey expires (24 hours)"),
    ("unknown-store.yaml", HEADER + "store: database\nquestions:\n" + HOW, None,
     "store must be one of feedback, equality, not 'database'"),
    ("keywords-not-a-list.yaml", HEADER + "keywords: CARERS\nquestions:\n" + HOW, None,
     "keywords must be a list of words"),
    ("keyword-yes-read-as-true.yaml", HEADER + "keywords: [CARERS, YES]\nquestions:\n" + HOW, None,
     "keywords must be a list of words"),
    ("broken.json", '{"id": "carers", "version": 1, "title": "Carers",', None, "cannot be read as JSON"),
    ("version-as-text.json", '{"id": "carers", "version": "1", "title": "Carers", "questions": '
     '[{"id": "how", "type": "choice", "text": "How was it?", "options": ["Good", "Bad"]}]}', None,
     "version must be a whole number from 1, not '1'"),
]


@pytest.mark.parametrize("filename,text,question_id,problem", MALFORMED, ids=[case[0] for case in MALFORMED])
def test_a_bad_survey_file_is_refused_naming_the_file_the_question_and_the_problem(
        tmp_path, filename, text, question_id, problem):
    path = tmp_path / filename
    path.write_text(text, encoding="utf-8")
    result = check(tmp_path, path)
    assert result.exit_code != 0, result.output
    where = f"{path}: question {question_id}: " if question_id else f"{path}: "
    assert any(line.startswith(where) and problem in line for line in result.output.splitlines()), result.output
    assert "ok: carers" not in result.output


def test_a_file_with_several_mistakes_gets_every_one_of_them_reported_at_once(tmp_path):
    path = tmp_path / "carers.yaml"
    path.write_text("id: Carers\nversion: 0\ntitle: Carers\nstore: database\nanonymus: true\nquestions:\n"
                    + HOW + HOW
                    + "  - id: why\n    type: text\n    text: Why?\n    when: {question: reason, is: bad}\n"
                    + "  - id: score\n    type: scale\n    text: Score us\n    min: 5\n    max: 1\n",
                    encoding="utf-8")
    result = check(tmp_path, path)
    assert result.exit_code != 0
    reported = lines_naming(result.output, path)
    expected = ["unknown field 'anonymus'", "id 'Carers' must be lower-case", "version must be a whole number",
                "store must be one of", "question how: duplicate question id",
                "question why: branches on 'reason'", "question score: a scale needs options"]
    for problem in expected:
        assert any(problem in line for line in reported), f"{problem!r} not reported:\n{result.output}"
    assert f"{len(reported)} error(s) in survey files" in result.output


# --- the shipped surveys ----------------------------------------------------------------------

def test_checking_with_no_files_checks_the_shipped_surveys_and_says_each_is_ok(tmp_path):
    result = check(tmp_path)
    assert result.exit_code == 0, result.output
    for survey_id in SHIPPED_IDS:
        [line] = [line for line in result.output.splitlines() if line.startswith(f"ok: {survey_id} version 1 ")]
        assert str(SHIPPED) in line
    assert "error" not in result.output


def test_checking_with_no_files_also_checks_the_trusts_own_folder(tmp_path, survey_dir):
    (survey_dir / "carers.yaml").write_text(CARERS, encoding="utf-8")
    (survey_dir / "feedback-too.yaml").write_text(
        CARERS.replace("id: carers", "id: ward-feedback").replace("[CARERS]", "[FEEDBACK]"), encoding="utf-8")
    result = check(tmp_path, survey_dir=survey_dir)
    assert result.exit_code != 0
    assert f"ok: carers version 1 (2 questions) from {survey_dir / 'carers.yaml'}" in result.output
    assert (f"{survey_dir / 'feedback-too.yaml'}: keyword 'FEEDBACK' of ward-feedback is already used by survey fft"
            in result.output)


# --- surveys that clash ---------------------------------------------------------------------

def test_a_second_file_with_the_same_survey_id_and_version_is_refused(tmp_path):
    first, second = tmp_path / "carers.yaml", tmp_path / "carers-copy.yaml"
    first.write_text(CARERS, encoding="utf-8")
    second.write_text(CARERS.replace("Carers' experience", "Carers (copy)"), encoding="utf-8")
    result = check(tmp_path, first, second)
    assert result.exit_code != 0
    assert f"{second}: survey carers version 1 is already loaded from another file" in result.output
    assert f"ok: carers version 1 (2 questions) from {first}" in result.output
    assert f"from {second}" not in result.output


def test_two_surveys_that_share_a_keyword_are_refused(tmp_path):
    first, second = tmp_path / "carers.yaml", tmp_path / "young-carers.yaml"
    first.write_text(CARERS, encoding="utf-8")
    second.write_text(CARERS.replace("id: carers", "id: young-carers").replace("[CARERS]", "[YOUNG CARERS, CARERS]"),
                      encoding="utf-8")
    result = check(tmp_path, first, second)
    assert result.exit_code != 0
    assert f"{second}: keyword 'CARERS' of young-carers is already used by survey carers" in result.output
    assert "ok: young-carers" not in result.output


# --- the server with the trust's own surveys ------------------------------------------------

def test_the_server_leaves_out_a_bad_survey_logs_why_and_runs_the_good_ones(runtime_with, survey_dir, caplog):
    (survey_dir / "carers.yaml").write_text(CARERS, encoding="utf-8")
    bad = survey_dir / "discharge.yaml"
    bad.write_text("id: discharge\nversion: 1\ntitle: Leaving hospital\nquestions:\n"
                   "  - id: ready\n    type: choice\n    text: Did you feel ready to leave?\n    options: [Yes]\n",
                   encoding="utf-8")
    with caplog.at_level(logging.ERROR, logger="yoursay.runtime"):
        rt = runtime_with(survey_dir)
    assert sorted(rt.bot.surveys.surveys) == sorted([*SHIPPED_IDS, "carers"])
    assert any(record.levelno == logging.ERROR and str(bad) in record.getMessage()
               and "question ready:" in record.getMessage() for record in caplog.records), caplog.text

    opening = said(say(rt, "CARERS"))
    assert "Thank you for looking after someone" in opening
    assert "Were you involved in decisions about the care of the person you look after?" in opening
    assert "What one thing would have helped you most" in said(say(rt, "yes"))
    assert "We share what carers tell us" in said(say(rt, "More notice of meetings"))
    with rt.factory() as session:
        [response] = session.scalars(select(Response)).all()
        answers = {a.question_id: a.value for a in session.scalars(select(Answer))}
    assert (response.survey_id, response.survey_version) == ("carers", 1)
    assert answers == {"involved": "yes", "support": "More notice of meetings"}


# --- versions -------------------------------------------------------------------------------

V1_LISTENED = "Did the person or people you saw listen carefully to you?"
V2_LISTENED = "Did the staff you saw really listen to you?"
V1_WHY = "Please can you tell us why you gave your answer?"
V2_WHY = "What is the main reason for your answer?"


def edited_experience(version: int) -> str:
    data = yaml.safe_load((SHIPPED / "experience.yaml").read_text(encoding="utf-8"))
    data["version"] = version
    texts = {"why": V2_WHY, "listened_to": V2_LISTENED}
    for question in data["questions"]:
        question["text"] = texts.get(question["id"], question["text"])
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def test_an_edited_survey_with_a_new_version_is_used_for_new_conversations_only(
        runtime, services, runtime_with, survey_dir):
    early, late = "+447700900001", "+447700900002"
    say(runtime, "SURVEY OAKLANDS", early)
    assert V1_WHY in said(say(runtime, "2", early))

    (survey_dir / "experience.yaml").write_text(edited_experience(2), encoding="utf-8")
    rt = runtime_with(survey_dir)
    assert rt.bot.surveys.errors == []

    say(rt, "SURVEY OAKLANDS", late, now=NOW + timedelta(minutes=5))
    assert V2_WHY in said(say(rt, "1", late, now=NOW + timedelta(minutes=6)))

    carried_on = said(say(rt, "Nobody rang me back", early, now=NOW + timedelta(minutes=7)))
    assert V1_LISTENED in carried_on and V2_LISTENED not in carried_on
    say(rt, "1", early, now=NOW + timedelta(minutes=8))

    with rt.factory() as session:  # both surveys are still open: their answers wait, as only the app can read
        waiting = [rt.bot.holding.unlock(p) for p in session.scalars(select(PendingResponse.payload))]
    assert sorted(w["survey_version"] for w in waiting) == [1, 2]
    [first] = [w for w in waiting if (w["survey_id"], w["survey_version"]) == ("experience", 1)]
    assert first["answers"] == {"fft": "2", "listened_to": "yes_definitely", "why": "Nobody rang me back"}
    assert [w["answers"] for w in waiting if w["survey_version"] == 2] == [{"fft": "1"}]


def test_an_edited_copy_with_the_same_version_number_is_refused_not_mixed_in(
        runtime, services, runtime_with, survey_dir, tmp_path, caplog):
    copy = survey_dir / "experience.yaml"
    copy.write_text(edited_experience(1), encoding="utf-8")
    with caplog.at_level(logging.ERROR, logger="yoursay.runtime"):
        rt = runtime_with(survey_dir)
    assert any(str(copy) in r.getMessage() and "survey experience version 1 is already loaded from another file"
               in r.getMessage() for r in caplog.records), caplog.text

    say(rt, "SURVEY OAKLANDS")
    assert V1_WHY in said(say(rt, "2"))
    assert V1_LISTENED in said(say(rt, "SKIP"))

    result = check(tmp_path, survey_dir=survey_dir)
    assert result.exit_code != 0
    assert f"{copy}: survey experience version 1 is already loaded from another file" in result.output


# --- inviting people to a survey ------------------------------------------------------------

class Phone:
    """Stands in for Twilio: takes what the outbox sends."""

    channel = "sms"

    def __init__(self):
        self.sent = []

    def send(self, item):
        self.sent.append(item.body)
        return f"SM{len(self.sent)}", "queued"


def invite(runtime, tmp_path, survey_id, survey_dir=None):
    path = tmp_path / "invites.csv"
    path.write_text("phone,service\n07911 123456,OAKLANDS\n", encoding="utf-8")
    env = {"DATABASE_URL": runtime.settings.database_url, "YOURSAY_MODE": "dev",
           "YOURSAY_SURVEY_DIR": str(survey_dir) if survey_dir else None}
    return CliRunner().invoke(main, ["invite", "--csv", str(path), "--survey", survey_id], env=env)


def test_inviting_people_to_the_experience_survey_asks_its_first_question_and_runs_it(
        runtime, services, tmp_path):
    result = invite(runtime, tmp_path, "experience")
    assert result.exit_code == 0, result.output
    assert "queued 1" in result.output
    with runtime.factory() as session:
        bodies = "\n".join(session.scalars(select(Outbox.body)))
    assert "Overall, how was your experience of our service?" in bodies

    phone = Phone()
    assert drain(runtime.factory, phone, Policy(rate=0), runtime.worker) >= 1
    now = datetime.now(timezone.utc)
    assert V1_WHY in said(say(runtime, "1", "+447911123456", now=now))
    assert V1_LISTENED in said(say(runtime, "Kind staff", "+447911123456", now=now)), \
        "the third question is the experience survey's, not the FFT's"


def test_inviting_people_to_the_trusts_own_survey_asks_its_first_question(
        runtime, services, tmp_path, survey_dir):
    (survey_dir / "carers.yaml").write_text(CARERS, encoding="utf-8")
    result = invite(runtime, tmp_path, "carers", survey_dir)
    assert result.exit_code == 0, result.output
    with runtime.factory() as session:
        bodies = "\n".join(session.scalars(select(Outbox.body)))
    assert "Were you involved in decisions about the care of the person you look after?" in bodies


def test_inviting_people_to_a_survey_that_does_not_exist_says_which_surveys_do(runtime, services, tmp_path):
    result = invite(runtime, tmp_path, "nosuch")
    assert result.exit_code != 0
    assert "no survey 'nosuch' (known: 4pi, about-you, about-you-participants, experience, fft)" in result.output
    with runtime.factory() as session:
        assert session.scalar(select(func.count()).select_from(Outbox)) == 0


@pytest.mark.parametrize("change,message", [
    ("keywords: [STOP]", "keyword 'STOP' is kept for STOP, START, HELP, SKIP and BACK"),
    ("title: ''", "title must be some words"),
])
def test_reserved_keywords_and_empty_titles_are_refused(tmp_path, change, message):
    path = tmp_path / "odd.yaml"
    path.write_text(f"id: odd\nversion: 1\ntitle: Odd\n{change}\nquestions:\n"
                    "  - {id: q, type: text, text: 'Anything to add'}\n")
    result = CliRunner().invoke(main, ["surveys", "check", str(path)],
                                env={"DATABASE_URL": f"sqlite:///{tmp_path}/x.db", "YOURSAY_MODE": "dev"})
    assert result.exit_code != 0 and message in result.output


@pytest.mark.parametrize("question", [
    "{id: q, type: text, text: 'Anything', sms_text: 42}",
    "{id: q, type: [choice], text: 'Anything'}",
])
def test_a_file_of_an_unforeseen_shape_is_refused_not_crashed_on(tmp_path, question):
    path = tmp_path / "odd.yaml"
    path.write_text(f"id: odd\nversion: 1\ntitle: Odd\nquestions:\n  - {question}\n")
    result = CliRunner().invoke(main, ["surveys", "check", str(path)],
                                env={"DATABASE_URL": f"sqlite:///{tmp_path}/x.db", "YOURSAY_MODE": "dev"})
    assert result.exit_code == 1 and str(path) in result.output and "Traceback" not in result.output


def test_yes_and_no_options_written_bare_are_read_as_words(tmp_path):
    path = tmp_path / "yn.yaml"
    path.write_text("id: yn\nversion: 1\ntitle: YN\nquestions:\n"
                    "  - {id: q, type: choice, text: 'Was it OK', options: [Yes, No]}\n")
    result = CliRunner().invoke(main, ["surveys", "check", str(path)],
                                env={"DATABASE_URL": f"sqlite:///{tmp_path}/x.db", "YOURSAY_MODE": "dev"})
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("question,message", [
    ("{id: sex, type: choice, text: 'What is your sex', optional: true, options: [Female, Male]}",
     'question sex: equality monitoring needs a "Prefer not to say" option'),
    ("{id: carer, type: yesno, text: 'Are you a carer', prefer_not_to_say: true}",
     "question carer: equality monitoring questions must be optional"),
])
def test_equality_monitoring_is_always_optional_and_always_offers_prefer_not_to_say(tmp_path, question, message):
    path = tmp_path / "eq.yaml"
    path.write_text(f"id: eq\nversion: 1\ntitle: About you\nstore: equality\nquestions:\n  - {question}\n")
    result = CliRunner().invoke(main, ["surveys", "check", str(path)],
                                env={"DATABASE_URL": f"sqlite:///{tmp_path}/x.db", "YOURSAY_MODE": "dev"})
    assert result.exit_code == 1 and message in result.output
