"""Stories are tagged after they are stored, by the shipped model, and again when the model changes."""
from __future__ import annotations

from datetime import datetime, timezone

from click.testing import CliRunner
from sqlalchemy import select

from service.conversations import receive
from storage.models import Answer, StoryAnalysis, StoryTag, ThemeCorrection
from yoursay import tagging
from yoursay.cli import main

NOW = datetime(2030, 12, 2, 11, 0, tzinfo=timezone.utc)


def give_feedback(rt, address: str, score: str, why: str) -> None:
    for n, text in enumerate(["FEEDBACK", score, why]):
        rt.write(lambda conn, text=text, n=n: receive(conn, rt.bot, channel="sms", address=address, text=text,
                                                      provider_id=f"{address}-{n}", now=NOW))


def analyses(rt) -> dict[str, StoryAnalysis]:
    with rt.factory() as session:
        rows = session.execute(select(Answer.value, StoryAnalysis).join(StoryAnalysis,
                                                                       StoryAnalysis.answer_id == Answer.id))
        return {value: analysis for value, analysis in rows}


def themes(rt, text: str) -> set[str]:
    with rt.factory() as session:
        return set(session.scalars(select(StoryTag.theme).join(Answer, Answer.id == StoryTag.answer_id)
                                   .where(Answer.value == text)))


def test_feedback_is_tagged_by_the_job_not_in_the_reply(runtime):
    rt = runtime
    kind = "The nurses were so kind and caring, they always listened to me"
    rude = "Nobody called me back, I waited weeks and the receptionist was rude to me. Call me on 07700 900123"
    give_feedback(rt, "+447911000001", "1", kind)
    give_feedback(rt, "+447911000002", "5", rude)
    assert analyses(rt) == {}  # nothing is tagged on the way in
    assert tagging.tag_new(rt) == 2
    found = analyses(rt)
    assert found[kind].sentiment == "positive" and found[rude].sentiment == "negative"
    assert "07700 900123" not in found[rude].redacted and "[PHONE]" in found[rude].redacted
    assert themes(rt, kind) and themes(rt, rude)
    assert tagging.tag_new(rt) == 0  # each story once


def test_a_reviewers_correction_survives_retagging_and_the_backlog_command_reports(runtime, tmp_path):
    rt = runtime
    text = "The ward was dirty and the food was cold"
    give_feedback(rt, "+447911000003", "4", text)
    tagging.tag_new(rt)
    with rt.factory.begin() as session:
        answer_id = session.scalar(select(Answer.id).where(Answer.value == text))
        session.execute(StoryTag.__table__.delete().where(StoryTag.answer_id == answer_id))
        session.add(StoryTag(answer_id=answer_id, theme="Cleanliness, tidiness & infection control",
                             confidence=1.0, source="reviewer"))
        session.add(ThemeCorrection(answer_id=answer_id, themes=["Cleanliness, tidiness & infection control"],
                                    corrected_by="rev", corrected_at=NOW))
        session.execute(StoryAnalysis.__table__.update().values(model_version="an older model"))
    env = {"DATABASE_URL": rt.settings.database_url, "YOURSAY_MODE": "dev"}
    result = CliRunner().invoke(main, ["nlp", "retag"], env=env)
    assert result.exit_code == 0, result.output
    assert "Tagged 1 stories" in result.output
    assert themes(rt, text) == {"Cleanliness, tidiness & infection control"}
    assert analyses(rt)[text].model_version == tagging.model_version()
    again = CliRunner().invoke(main, ["nlp", "retag"], env=env)
    assert "Every story is tagged" in again.output
