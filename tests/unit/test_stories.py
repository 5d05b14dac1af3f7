"""Stories in people's own words (bot/stories.py and the engine's hooks): no database, no network."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot import engine, gsm7, stories
from bot.engine import Context, JoinPart, RaiseFlag, RecordAnswer, Risk
from bot.texts import Texts

T0 = datetime(2026, 11, 26, 10, 0, tzinfo=timezone.utc)
SERVICES = (("OAKLANDS", "Oaklands Ward"), ("CRISIS", "Crisis Team"))
JOIN, RECENT = timedelta(minutes=2), timedelta(hours=24)
KEPT = "passed your words on to the team anonymously"
ADDED = "we have added that to what you told us"
SUICIDE = Risk("suicide", "urgent", "matched: 'end my life'")


class Person:
    """One person talking to the engine, with stories joined within 2 minutes as a server joins them."""

    def __init__(self, channel="sms", **ctx):
        self.state: dict = {}
        self.now, self.channel, self.sent = T0, channel, 0
        self.effects: list = []
        self.ctx = {"story_join": JOIN, "recent_service": RECENT, **ctx}

    def says(self, text: str, after: float = 0, risk: Risk | None = None) -> list[str]:
        self.now += timedelta(seconds=after)
        self.sent += 1
        ctx = Context(now=self.now, channel=self.channel, ref=f"ref-{self.sent}", services=SERVICES,
                      texts=Texts(trust_name="Riverside NHS Foundation Trust"), risk=risk, **self.ctx)
        result = engine.handle(self.state, text, ctx)
        self.state = result.state
        self.effects.extend(result.effects)
        return [r.text for r in result.replies]

    def responses(self) -> dict[str, dict[str, str]]:
        """Every response as storage would hold it, by reference: its answers, parts joined."""
        held: dict[str, dict[str, str]] = {}
        for e in self.effects:
            if isinstance(e, RecordAnswer):
                held.setdefault(e.ref, {})[e.question_id] = e.value
            elif isinstance(e, JoinPart):
                given = held[e.ref].get(e.question_id)
                held[e.ref][e.question_id] = f"{given}{stories.JOINER}{e.text}" if given else e.text
        return held

    def services(self) -> dict[str, str | None]:
        return {e.ref: e.service for e in self.effects if isinstance(e, RecordAnswer)}


STORY = ("I was on the ward for six weeks and the night staff were kind, but nobody told me what the plan "
         "was for my discharge and I had to ask again and again.")


# --- what counts as a story, by the kind of message --------------------------------------------

@pytest.mark.parametrize("text", [
    "Hi", "hello there!", "Good morning", "thanks so much for your help", "Thank you x", "ok will do", "no thank you",
    "yes please", "who is this?", "Who are you", "what is this number?", "Is this the NHS mental health team?",
    "how did you get my number?", "can I talk to someone", "4", "12345", "07911 123456", "\U0001F44D",
    "\U0001F621\U0001F621", "staff were rude", "not interested thanks", "sorry was at work. 4", "...", "",
])
def test_greetings_thanks_questions_to_the_bot_numbers_and_a_few_words_are_not_stories(text):
    assert not stories.is_story(text)


@pytest.mark.parametrize("text", [
    STORY, "the staff were rude to me", "Sorry for the late reply, I was in hospital and could not text",
    "Hi, I just wanted to say the crisis team were brilliant with my son last week. Thanks",
    "I didn't get any help", "Why has nobody called me back since I left the ward last month?",
    "Dzie\u0144 dobry, personel by\u0142 bardzo mi\u0142y i pomocny",  # in any alphabet
    "what is this number and why do you keep texting me about a ward I was never on",
])
def test_messages_that_tell_us_something_are_stories(text):
    assert stories.is_story(text)


def test_courtesy_words_are_set_aside_only_at_the_ends_and_only_beside_a_greeting_or_thanks():
    assert stories.words("Thank you so much for your help!") == ["thank", "you", "so", "much", "for", "your", "help"]
    assert not stories.is_story("thank you so much for your help")
    assert stories.is_story("you were all so kind to my mum thanks")  # "you ... so" inside a story stay
    assert stories.is_story("a good nurse helped me a lot thank you")


# --- words sent outside a survey ----------------------------------------------------------------

def test_a_story_sent_outside_a_survey_is_kept_anonymously_and_the_reply_says_how_to_give_feedback():
    person = Person()
    [reply] = person.says(STORY)
    assert KEPT in reply and "FEEDBACK" in reply
    [answer] = person.effects
    assert (answer.survey_id, answer.question_id, answer.value, answer.service) == ("story", "story", STORY, None)
    assert answer.anonymous and answer.store == "feedback"
    assert person.state["story"]["ref"] == answer.ref, "held open for its later parts"


@pytest.mark.parametrize("text", ["hi", "thanks", "5"])
def test_a_greeting_a_question_or_a_number_gets_todays_reply_and_nothing_is_kept(text):
    person = Person()
    [reply] = person.says(text)
    assert reply.startswith("Hello, this is YourSay")
    assert person.effects == [] and person.state == {}


# --- what a message asks of us, by its kind ------------------------------------------------------

CANNOT = "cannot reply or pass messages"


@pytest.mark.parametrize("text", [
    "Can you pass a message to my care coordinator please", "I want to make a complaint about how I was treated",
    "I need to cancel my appointment tomorrow", "what time is visiting on oaklands?", "how do i get my medical records",
    "i dont understand what this is for", "could someone ring me back about my prescription",
    "Please can you tell my nurse I'll be late", "where do I send my travel expenses form", "we need to change my mums visit",
])
def test_a_request_we_cannot_act_on_is_kept_and_the_reply_says_so_honestly(text):
    person = Person()
    [reply] = person.says(text)
    assert CANNOT in reply and "PALS" in reply and "FEEDBACK" in reply and KEPT not in reply
    [answer] = person.effects
    assert (answer.survey_id, answer.value) == ("story", text)


@pytest.mark.parametrize("text", [STORY, "I want to say the staff on oaklands were amazing with my dad",
                                  "Hi, I just wanted to say the crisis team were brilliant with my son last week. Thanks"])
def test_telling_us_something_is_not_a_request(text):
    assert stories.kind_of(text) is None
    [reply] = Person().says(text)
    assert KEPT in reply


@pytest.mark.parametrize("text", ["how do i get involved?", "how can I get involved", "Can I volunteer?",
                                  "I'd like to get involved please"])
def test_asking_how_to_get_involved_gets_the_join_listing_and_is_not_a_story(text):
    person = Person()
    [reply] = person.says(text)
    assert reply == Person().says("JOIN")[0]
    assert person.effects == []


@pytest.mark.parametrize("text", ["who is this?", "Who are you", "how did you get my number?", "why are you texting me",
                                  "Is this the NHS mental health team?"])
def test_who_is_this_says_who_we_are_and_why_a_message_came_and_keeps_nothing(text):
    person = Person()
    [reply] = person.says(text)
    assert "YourSay" in reply and "Riverside NHS Foundation Trust" in reply and "invitation" in reply
    assert "STOP" in reply and person.effects == []


@pytest.mark.parametrize("text", ["wrong number", "Sorry, wrong number", "you have the wrong person x"])
def test_wrong_number_says_sorry_and_how_to_opt_out_and_keeps_nothing(text):
    person = Person()
    [reply] = person.says(text)
    assert reply.startswith("Sorry") and "STOP" in reply and person.effects == []


def test_wrong_number_in_a_longer_message_is_a_story():
    assert stories.kind_of("they had the wrong number for my GP so my letters never came") is None


def test_who_is_this_after_an_invitation_is_answered_and_the_question_is_still_waiting():
    person = Person()
    person.says("FEEDBACK OAKLANDS")
    reply, question = person.says("who is this?")
    assert "invitation" in reply and "Overall, how was your experience" in question
    assert person.state["step"] == "question" and person.effects == []
    person.says("2")
    assert [e.value for e in person.effects] == ["2"]


def test_without_the_story_survey_words_outside_a_survey_get_todays_reply():
    from bot.flow import Registry
    from bot.surveys import shipped

    registry = Registry({sid: v for sid, v in shipped().surveys.items() if sid != stories.SURVEY})
    person = Person(surveys=registry)
    [reply] = person.says(STORY)
    assert reply.startswith("Hello, this is YourSay") and person.effects == []


# --- parts joined -------------------------------------------------------------------------------

def split(text: str, parts: int) -> list[str]:
    """A story cut at spaces into parts, as a phone that cannot join long texts sends it."""
    cuts = [text.index(" ", len(text) * n // parts) for n in range(1, parts)]
    return [text[a + 1 if a else 0:b] for a, b in zip([0, *cuts], [*cuts, len(text)])]


def test_split_parts_of_the_why_are_joined_after_the_survey_ended_with_one_reply():
    person = Person()
    person.says("FEEDBACK OAKLANDS")
    person.says("4", after=20)
    one, two, three = split(STORY, 3)
    [thanks] = person.says(one, after=30)
    assert thanks.startswith("Thank you for your feedback")
    assert person.says(two, after=3) == [] and person.says(three, after=3) == [], "no wall of replies"
    [response] = person.responses().values()
    assert response == {"fft": "4", "why": STORY}
    assert "step" not in person.state and person.state["story"]["chars"] == len(STORY)


def test_a_later_part_within_the_window_is_joined_and_acknowledged_and_one_after_it_is_a_new_story():
    person = Person()
    person.says("FEEDBACK OAKLANDS")
    person.says("2", after=20)
    person.says(STORY, after=30)
    [added] = person.says("Also the food was cold every single day", after=60)
    assert ADDED in added
    [thanks] = person.says("thanks", after=5)  # not a part, even seconds later: today's reply, and the story stays open
    assert thanks.startswith("Hello, this is YourSay") and "story" in person.state
    [kept] = person.says("The car park was always full and I missed an appointment", after=JOIN.total_seconds())
    assert KEPT in kept
    first, second = person.responses().values()
    assert first == {"fft": "2", "why": STORY + " Also the food was cold every single day"}
    assert second == {"story": "The car park was always full and I missed an appointment"}
    assert set(person.services().values()) == {"OAKLANDS"}, "the recent service, and no link to the answers"


def test_at_a_choice_question_a_part_that_is_not_an_answer_joins_and_an_answer_answers():
    person = Person()
    person.says("SURVEY OAKLANDS")
    person.says("2", after=20)
    one, two, three = split(STORY, 3)
    [asked] = person.says(one, after=30)
    assert "listen carefully" in asked and person.state["q"] == "listened_to"
    assert person.says(two, after=2) == []
    [again] = person.says(three, after=40)  # a while later, and reads as a story: joined, the question asked again
    assert again.startswith("Thank you, " + ADDED) and "listen carefully" in again
    person.says("3", after=20)
    assert person.state["q"] == "views_taken_into_account"
    [response] = person.responses().values()
    assert response["why"] == STORY and response["listened_to"] == "no"  # the third option


def test_at_a_free_text_question_only_a_part_seconds_after_the_last_joins():
    person = Person()
    person.says("SURVEY OAKLANDS")
    person.state = {**person.state, "q": "good"}  # at the survey's two free-text questions
    person.says("The nurses were kind", after=10)
    assert person.state["q"] == "improve"
    assert person.says("and they always had time for me", after=3) == []
    assert person.state["q"] == "improve", "still waiting for its own answer"
    person.says("More evening appointments please", after=45)
    [response] = person.responses().values()
    assert response == {"good": "The nurses were kind and they always had time for me",
                        "improve": "More evening appointments please"}


def test_a_story_past_the_longest_starts_another_and_nothing_is_cut():
    person = Person(channel="telegram")
    long = ("word " * 800).strip()  # 3,999 characters
    person.says(long)
    person.says(long, after=2)
    person.says(long, after=2)  # would pass 10,000: a story of its own
    kept = list(person.responses().values())
    assert [len(r["story"]) for r in kept] == [2 * len(long) + 1, len(long)]


def test_stop_closes_an_open_story_at_once():
    person = Person()
    person.says(STORY)
    person.says("STOP", after=2)
    assert person.state == {"opted_out": True}
    assert person.says("more words after stop", after=2) == [] and len(person.effects) == 2


def test_a_new_survey_closes_an_open_story():
    person = Person()
    person.says(STORY)
    person.says("FEEDBACK OAKLANDS", after=5)
    assert "story" not in person.state and person.state["step"] == "question"


def test_with_no_join_window_nothing_is_held_open():
    person = Person(story_join=timedelta(0), recent_service=timedelta(0))
    person.says("FEEDBACK OAKLANDS")
    person.says("4")
    person.says(STORY)
    assert person.state == {}
    [reply] = person.says("and that is all I wanted to say really", after=2)
    assert KEPT in reply and len(person.responses()) == 2, "a story of its own, not joined"


# --- after a timeout -----------------------------------------------------------------------------

def test_a_story_after_the_survey_timed_out_is_kept_for_its_service_with_no_link_to_the_answers():
    person = Person()
    person.says("FEEDBACK OAKLANDS")
    person.says("4", after=20)
    [reply] = person.says("Sorry for the late reply, I was in hospital. The ward was fine", after=25 * 3600)
    assert KEPT in reply
    answers, story = person.responses().items()
    assert answers[1] == {"fft": "4"}
    assert story[1] == {"story": "Sorry for the late reply, I was in hospital. The ward was fine"}
    assert answers[0] != story[0] and person.services() == {answers[0]: "OAKLANDS", story[0]: "OAKLANDS"}
    assert "ref" not in person.state and person.state["story"]["ref"] == story[0]


def test_the_recent_service_is_forgotten_after_its_time():
    person = Person()
    person.says("FEEDBACK OAKLANDS")
    person.says("4", after=20)
    person.says("SKIP", after=20)
    assert person.state == {"recent": {"service": "OAKLANDS", "until": (person.now + RECENT).isoformat()}}
    person.says(STORY, after=RECENT.total_seconds() + 1)
    assert list(person.services().values())[-1] is None


def test_the_state_a_job_keeps_when_a_conversation_expires():
    person = Person()
    person.says("FEEDBACK OAKLANDS")
    later = person.now + timedelta(hours=25)
    assert stories.ended(person.state, later, RECENT) == {
        "recent": {"service": "OAKLANDS", "until": (later + RECENT).isoformat()}}
    assert stories.held({"ref": "a", "story": {"ref": "b"}}) == {"a", "b"}
    assert stories.under_way({"recent": {}}) is False and stories.under_way({"story": {"ref": "b"}})


# --- safeguarding stays first --------------------------------------------------------------------

def test_risk_in_a_second_part_is_signposted_and_flagged_and_the_part_is_still_joined():
    person = Person()
    one, three = "My care coordinator left and nobody replaced her for months", "and I did not know who to call."
    person.says(one)
    replies = person.says("I felt so low that I wanted to end my life", after=3, risk=SUICIDE)
    assert any("999" in r for r in replies), replies
    assert [e.category for e in person.effects if isinstance(e, RaiseFlag)] == ["suicide"]
    assert person.says(three, after=3) == []
    [story] = person.responses().values()
    assert story["story"] == f"{one} I felt so low that I wanted to end my life {three}"


def test_an_urgent_message_outside_a_story_is_flagged_not_filed_as_feedback():
    person = Person()
    person.says("I want to end my life tonight and I have the pills ready", risk=SUICIDE)
    assert [type(e) for e in person.effects] == [RaiseFlag], "the flag keeps it, for a human to read"


# --- the setting ---------------------------------------------------------------------------------

def test_the_join_window_is_set_in_minutes_two_by_default_and_a_bad_value_is_refused():
    from yoursay import config

    assert config.load({}).story_join == timedelta(minutes=2)
    assert config.load({"YOURSAY_STORY_JOIN_MINUTES": "0.5"}).story_join == timedelta(seconds=30)
    assert config.load({"YOURSAY_STORY_JOIN_MINUTES": "0"}).story_join == timedelta(0)
    for bad in ("-1", "31", "nan", "two"):
        with pytest.raises(config.ConfigError, match="YOURSAY_STORY_JOIN_MINUTES"):
            config.load({"YOURSAY_STORY_JOIN_MINUTES": bad})


# --- random conversations with stories on --------------------------------------------------------
SAID = ["FEEDBACK OAKLANDS", "SURVEY", "STOP", "START", "HELP", "skip", "back", "1", "2", "4", "yes", "no", "hi",
        "thanks", "who is this?", "", STORY, "and the food was cold every day", "ward.", "\U0001F44D",
        "Sorry for the late reply, I was in hospital"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.one_of(st.sampled_from(SAID), st.text(max_size=300)),
                          st.sampled_from([0, 2, 10, 40, 200, 90000])), min_size=1, max_size=20))
def test_random_conversations_with_stories_always_answer_or_join_quietly_and_hold_only_open_stories(turns):
    person = Person()
    for text, gap in turns:
        was_opted_out, before = bool(person.state.get("opted_out")), len(person.effects)
        replies = person.says(text, after=gap)
        new = person.effects[before:]
        if was_opted_out:
            assert not any(isinstance(e, (RecordAnswer, JoinPart)) for e in new), "nothing kept after STOP"
        elif not replies:
            assert any(isinstance(e, JoinPart) for e in new), f"no answer to {text!r} and nothing joined"
        assert all(gsm7.fits(r) for r in replies), replies
        story = person.state.get("story")
        assert story is None or datetime.fromisoformat(story["until"]) > person.now
        assert story is None or story["ref"] in person.responses(), "an open story is always one that is held"
