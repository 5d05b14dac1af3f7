"""What the conversation does when a message may show risk: signpost at once, flag, pause.

The risk check itself is the NLP's (tests/nlp); here the engine is told what it found.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from bot import engine, gsm7
from bot.engine import Context, RaiseFlag, RecordAnswer, Risk
from bot.texts import Texts

T0 = datetime(2026, 11, 26, 10, 0, tzinfo=timezone.utc)
TEXTS = Texts(trust_name="Riverside NHS Foundation Trust", local_crisis_line="Riverside Mental Healthline 0800 123 4567")
SELF_HARM = Risk("self-harm", "urgent", "matched: 'cut myself'")


class Person:
    def __init__(self, channel: str = "sms"):
        self.channel, self.state, self.effects, self.now = channel, {}, [], T0

    def says(self, text: str, risk: Risk | None = None) -> list[str]:
        ctx = Context(now=self.now, channel=self.channel, ref="r", texts=TEXTS, risk=risk)
        result = engine.handle(self.state, text, ctx)
        self.state = result.state
        self.effects.extend(result.effects)
        for reply in result.replies:
            assert gsm7.fits(reply.text), reply.text
        return [r.text for r in result.replies]

    def flags(self) -> list[RaiseFlag]:
        return [e for e in self.effects if isinstance(e, RaiseFlag)]


def helps_in_danger(replies: list[str]) -> bool:
    """The wording for abuse and danger from others: 999 now, and who will act."""
    return "999" in replies[0] and "danger" in replies[0]


def signposts(replies: list[str]) -> bool:
    text = replies[0]
    return all(part in text for part in ("999", "A&E", "111", "mental health option", "116 123", "SHOUT",
                                         "85258", "0800 123 4567"))


@pytest.mark.parametrize("channel", ["sms", "telegram"])
def test_a_risky_answer_is_kept_signposted_and_flagged_and_no_question_follows(channel):
    person = Person(channel)
    person.says("FEEDBACK"), person.says("4")
    replies = person.says("I cut myself last night because nobody would listen", SELF_HARM)
    assert signposts(replies) and "A member of our team will read your message" in replies[1]
    assert "step" not in person.state  # "why" was the FFT's last question: nothing more is asked
    assert person.flags() == [RaiseFlag("self-harm", "urgent", "matched: 'cut myself'")]
    assert [e.question_id for e in person.effects if isinstance(e, RecordAnswer)] == ["fft", "why"]
    # No survey question follows as if nothing had happened.
    assert not any("?" in r and "experience" in r for r in replies)


def test_a_survey_with_more_questions_waits_for_carry_on():
    person = Person()
    person.says("SURVEY"), person.says("2")  # the experience survey: the FFT and then more
    question_before = person.state["q"]
    replies = person.says("staff on the ward hit me", Risk("abuse", "urgent", "matched: 'hit me'"))
    assert helps_in_danger(replies) and "safeguarding" in replies[0] and person.state["paused"]
    later = person.says("what now")
    assert "CARRY ON" in later[0] and "116 123" in later[0]
    assert not [e for e in person.effects[-1:] if isinstance(e, RecordAnswer) and e.value == "what now"]
    resumed = person.says("carry on")
    assert "Carrying on" in resumed[0] and not person.state.get("paused")
    assert person.state["q"] != question_before  # the risky message was their answer, kept


def test_risk_outside_a_survey_and_after_stop_still_gets_help():
    person = Person()
    replies = person.says("i dont feel safe at home", Risk("unsafe", "urgent", "matched: 'dont feel safe'"))
    assert helps_in_danger(replies) and "A member of our team will read your message" in replies[1]
    person.says("STOP")
    assert person.says("wanna die", Risk("suicide", "urgent", "matched: 'wanna die'")) and person.state["opted_out"]
    assert len(person.flags()) == 2
    assert person.says("hello") == []  # STOP still holds for everything else


def test_risk_in_the_middle_of_signing_up_is_not_taken_as_a_name():
    person = Person()
    person.says("ALERTS"), person.says("yes")
    replies = person.says("I want to end it all", Risk("suicide", "urgent", "matched: 'end it all'"))
    assert signposts(replies)
    assert person.state["step"] == "name" and not [e for e in person.effects if type(e).__name__ == "Consent"]


def test_a_paused_survey_still_expires():
    person = Person()
    person.says("SURVEY"), person.says("2")
    person.says("I took an overdose", Risk("self-harm", "urgent", "matched: 'overdose'"))
    assert person.state["paused"]
    person.now += timedelta(days=30)
    assert "closed" in person.says("carry on")[0]  # it expires as any survey does


def test_a_negated_mention_is_flagged_for_review_without_stopping_the_survey():
    person = Person()
    person.says("FEEDBACK"), person.says("3")
    replies = person.says("I'm not suicidal, just want my appointment moved",
                          Risk("suicide", "low", "negated: lower priority"))
    assert "116 123" in replies[0] and "Thank you for your feedback" in replies[-1]  # gentle words, then the survey
    assert person.flags() == [RaiseFlag("suicide", "low", "negated: lower priority")]
    assert [e.question_id for e in person.effects if isinstance(e, RecordAnswer)] == ["fft", "why"]


def test_after_stop_a_negated_mention_is_flagged_but_not_answered():
    person = Person()
    person.says("STOP")
    assert person.says("not suicidal, stop texting me", Risk("suicide", "low", "negated")) == []
    assert person.flags() == [RaiseFlag("suicide", "low", "negated")]


# --- one crisis reply per kind per 10 minutes -------------------------------------------------
from hypothesis import given, settings as hsettings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from bot import safeguarding as sg  # noqa: E402

KINDS = [("suicide", "urgent"), ("suicide", "low"), ("self-harm", "high"), ("abuse", "high"), ("unsafe", "urgent"),
         ("distress", "low"), ("someone-else", "high"), ("other-language", "high")]
STEPS = st.lists(st.tuples(st.integers(min_value=0, max_value=900),  # seconds since the last message
                           st.one_of(st.none(), st.sampled_from(KINDS)),
                           st.sampled_from(["FEEDBACK", "2", "3", "ok", "thank you", "CARRY ON", "STOP", "START",
                                            "something", "SURVEY"])),
                 min_size=1, max_size=25)


def full_reply_kind(text: str) -> str | None:
    """Which kind's first reply this is (the numbers again), if any."""
    settings = TEXTS.safeguarding_settings
    for category in sg.CATEGORIES:
        if text == settings.reply(category):
            return category
    return None


@hsettings(max_examples=300, deadline=None)
@given(STEPS)
def test_never_more_than_one_crisis_reply_per_kind_in_ten_minutes_unless_more_serious(steps):
    person, now, sent = Person(), T0, []  # (time, category, priority rank) of each full reply
    for gap, risk, text in steps:
        now += timedelta(seconds=gap)
        person.now = now
        found = Risk(*risk, "matched") if risk else None
        # A number at the question asked, flagged only for its "language", is an answer (engine._answers_in_...)
        an_answer = found is not None and engine._answers_in_another_language(
            person.state, text, Context(now=now, channel="sms", ref="r", texts=TEXTS, risk=found))
        replies = person.says(text, found)
        if an_answer:
            assert not any(full_reply_kind(r) for r in replies) and not person.flags()[-1:] == [found], (steps, replies)
            continue
        for reply in replies:
            if found and full_reply_kind(reply) is not None:
                earlier = [rank for at, cat, rank in sent if cat == found.category and now - at < timedelta(minutes=10)]
                rank = sg.RANK[found.priority]
                assert not earlier or rank < min(earlier), (steps, reply)  # only a more serious one is answered again
                sent.append((now, found.category, rank))
        if found and found.priority != "low" and not any(full_reply_kind(r) for r in replies):
            assert replies and "999" in replies[0]  # a repeat still gets the short answer with 999


def test_a_new_more_serious_kind_still_gets_its_reply():
    person = Person()
    assert "sorry things feel so hard" in person.says("no point", Risk("distress", "low", "m"))[0]
    person.now += timedelta(minutes=1)
    assert signposts(person.says("taking them all now", Risk("suicide", "urgent", "m")))
    person.now += timedelta(minutes=1)
    assert not signposts(person.says("i mean it", Risk("suicide", "urgent", "m")))
    person.now += timedelta(minutes=11)
    assert signposts(person.says("still here, still going to", Risk("suicide", "urgent", "m")))


def test_the_tiers_in_the_settings_file_decide_whether_the_survey_pauses():
    from dataclasses import replace as changed

    settings = sg.shipped()
    tiers = {**settings.tiers, "high": sg.Tier(pause_survey=False, alert_on_duty=True)}
    texts = changed(TEXTS, safeguarding=changed(settings, tiers=tiers))
    state = {}
    for said, risk in (("SURVEY", None), ("2", None), ("staff hit me", Risk("abuse", "high", "m"))):
        result = engine.handle(state, said, Context(now=T0, channel="sms", ref="r", texts=texts, risk=risk))
        state = result.state
    assert "safeguarding team" in result.replies[0].text and "?" in result.replies[-1].text  # help, then the survey
    assert not state.get("paused") and RaiseFlag("abuse", "high", "m") in result.effects


def test_an_answer_in_another_language_at_the_question_is_an_answer_not_a_crisis():
    person = Person()
    person.says("FEEDBACK")
    person.says("0")  # no service
    replies = person.says("da iawn", Risk("other-language", "high", "written in Welsh", language="Welsh"))
    assert "Did you mean Very good?" in replies[0] and not person.flags()
    assert not any("999" in r for r in replies)


def test_words_in_another_language_at_the_question_still_go_to_a_human_and_are_kept():
    person = Person()
    person.says("FEEDBACK")
    person.says("0")
    welsh = "Diolch, roedd y staff yn garedig iawn gyda fi"
    replies = person.says(welsh, Risk("other-language", "high", "written in Welsh", language="Welsh"))
    assert "999" in replies[0] and person.flags() == [RaiseFlag("other-language", "high", "written in Welsh")]
    assert [e.value for e in person.effects if isinstance(e, RecordAnswer)] == [welsh]


def test_words_sent_after_a_crisis_reply_are_answered_warmly_and_kept_as_a_story():
    person = Person()
    person.says("I want to end it all", Risk("suicide", "urgent", "matched"))
    person.now += timedelta(minutes=30)
    told = "The crisis team rang me back within the hour and that really helped tonight"
    replies = person.says(told)
    assert replies == [TEXTS.after_crisis(paused=False)]
    assert [(e.survey_id, e.value) for e in person.effects if isinstance(e, RecordAnswer)] == [("story", told)]


def test_a_quiet_flag_reaches_a_human_but_the_person_gets_no_crisis_reply():
    person = Person()
    quiet = Risk("distress", "low", "the risk model is unsure (80%, most like abuse): please read", quiet=True)
    told = "poor, nobody called me back for 3 days"
    replies = person.says(told, quiet)
    assert person.flags() == [RaiseFlag("distress", "low", quiet.reason)]
    assert not any("999" in r or "so hard" in r for r in replies) and replies == [TEXTS.story_kept()]
    assert "risk" not in person.state  # not the after-crisis mode: "thanks" next is just thanks
    assert [e.value for e in person.effects if isinstance(e, RecordAnswer)] == [told]


def test_the_same_low_flag_not_quiet_still_gets_gentle_words():
    person = Person()
    replies = person.says("everything feels pointless lately", Risk("distress", "low", "matched"))
    assert replies[0] == TEXTS.risk_reply("distress", None) and "risk" in person.state


def test_a_long_disclosure_sent_cold_is_flagged_and_kept_as_a_story_too():
    person = Person()
    told = ("I cut myself again last night because the ward sent me home on Friday with nobody to call. The "
            "discharge letter never came, the crisis line rang out twice, and my care coordinator is off sick with "
            "no one covering, so I had nobody to talk to all weekend")  # a story about care, long enough to be one
    replies = person.says(told, SELF_HARM)
    assert signposts(replies) and person.flags() == [RaiseFlag("self-harm", "urgent", "matched: 'cut myself'")]
    assert [(e.survey_id, e.value) for e in person.effects if isinstance(e, RecordAnswer)] == [("story", told)]


def test_a_short_risk_message_sent_cold_is_only_flagged():
    person = Person()
    person.says("I want to end it all", Risk("suicide", "urgent", "matched"))
    assert not [e for e in person.effects if isinstance(e, RecordAnswer)] and person.flags()
