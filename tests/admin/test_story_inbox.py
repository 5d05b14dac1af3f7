"""A story sent outside a survey (issue 14) is tagged like any other and shows sensibly in the admin."""
from __future__ import annotations

from datetime import datetime, timezone

from service.conversations import receive
from service.stories import text_questions
from tests.admin.conftest import post
from tests.admin.test_feedback import STORY_LINK, exported
from yoursay import tagging

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=timezone.utc)
TEXT = "The crisis team came out at night and were calm and kind with my son, and they rang the next day."


def told_outside_a_survey(rt) -> None:
    rt.write(lambda conn: receive(conn, rt.bot, channel="sms", address="+447911000001", text=TEXT,
                                  provider_id="SM-story", now=NOW))


def test_a_story_sent_outside_a_survey_is_tagged_and_listed_shown_and_exported(as_role, runtime):
    pairs, asked = text_questions(runtime.bot.surveys)
    assert ("story", "story") in pairs
    told_outside_a_survey(runtime)
    assert tagging.tag_new(runtime) == 1, "tagged by the job, as any story"

    viewer = as_role("viewer")
    inbox = viewer.get("/admin/feedback/?survey=story").get_data(as_text=True)
    [story_id] = STORY_LINK.findall(inbox)
    assert ">Told us outside a survey</option>" in inbox, "a survey the inbox can be filtered by"
    page = viewer.get(f"/admin/feedback/{story_id}").get_data(as_text=True)
    assert asked[("story", "story")] in page and "Told us outside a survey" in page
    assert "calm and kind with my son" in page

    rows, _ = exported(post(as_role("reviewer"), "/admin/feedback/export", {"survey": "story", "confirm": "yes", "include_flagged": "yes"}))
    [row] = rows
    assert (row["story_id"], row["survey"], row["question"], row["fft_answer"], row["service"]) == (
        story_id, "story", "story", "", "")
    assert row["text"] == TEXT and row["channel"] == "SMS/text message"
