"""Replies read the way people write them, for every choice, scale and yes/no question of every survey file.

No I/O: bot/answers.py and bot/reading.py on their own. The engine's use of a reading (the confirm
step, the rest kept as the why) is in test_answers_engine.py.
"""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot import answers, reading
from bot.answers import QUESTION_TYPES, Reading
from bot.flow import Question
from bot.surveys import SurveyError, parse, shipped

SURVEYS = [versions[0] for _, versions in sorted(shipped().surveys.items())]
CHOOSING = [(s.id, q) for s in SURVEYS for q in s.questions if q.type in ("choice", "scale", "yesno")]
SCALES = parse({"id": "scales", "version": 1, "title": "Scales", "questions": [
    {"id": "likely", "type": "scale", "text": "How likely?", "min": 0, "max": 10, "min_label": "not at all",
     "max_label": "extremely"},
    {"id": "mood", "type": "scale", "text": "How do you feel?", "min": -5, "max": 5},
    {"id": "ways", "type": "multi", "text": "How?", "options": ["Text message", "Email", "Letter"]},
]}, "scales.yaml")


def question(survey_id: str, question_id: str) -> Question:
    found = (SCALES if survey_id == "scales" else shipped().latest(survey_id)).question(question_id)
    assert found is not None, (survey_id, question_id)
    return found


def read(survey_id: str, question_id: str, text: str) -> Reading | None:
    q = question(survey_id, question_id)
    return QUESTION_TYPES[q.type].read(q, text)


SURE, ASK = True, False
# (survey, question, what the person sent, value, the rest kept as the why, read surely or asked about first)
REPLIES = [
    # the FFT: numbers however they are written
    ("fft", "fft", "4", "4", "", SURE), ("fft", "fft", "4.", "4", "", SURE), ("fft", "fft", "4)", "4", "", SURE),
    ("fft", "fft", "number 4", "4", "", SURE), ("fft", "fft", "no 4", "4", "", SURE),
    ("fft", "fft", "No. 4", "4", "", SURE), ("fft", "fft", "#4", "4", "", SURE), ("fft", "fft", "option 2", "2", "", SURE),
    ("fft", "fft", "its a 2", "2", "", SURE), ("fft", "fft", " 1 ", "1", "", SURE), ("fft", "fft", "5 5", "5", "", SURE),
    ("fft", "fft", "5 - very poor", "5", "", SURE), ("fft", "fft", "4) poor", "4", "", SURE),
    # ... and the words, with everyday spellings and hedges
    ("fft", "fft", "gud", "2", "", SURE), ("fft", "fft", "v gd", "1", "", SURE), ("fft", "fft", "vgood", "1", "", SURE),
    ("fft", "fft", "V GOOD!!", "1", "", SURE), ("fft", "fft", "very gud", "1", "", SURE),
    ("fft", "fft", "goooood", "2", "", SURE), ("fft", "fft", "poorly", "4", "", SURE),
    ("fft", "fft", "poor tbh", "4", "", SURE), ("fft", "fft", "Good I guess", "2", "", SURE),
    ("fft", "fft", "goodish", "2", "", SURE), ("fft", "fft", "I think it was good", "2", "", SURE),
    ("fft", "fft", "very poor to be honest", "5", "", SURE), ("fft", "fft", "dunno", "6", "", SURE),
    ("fft", "fft", "Don't know", "6", "", SURE), ("fft", "fft", "good thanks x", "2", "", SURE),
    ("fft", "fft", "excellent", "1", "", SURE), ("fft", "fft", "10/10", "1", "", SURE),
    ("fft", "fft", "5 stars", "1", "", SURE), ("fft", "fft", "terrible", "5", "", SURE),
    ("fft", "fft", "so so", "3", "", SURE), ("fft", "fft", "its so so", "3", "", SURE),
    ("fft", "fft", "Neither good nor poor", "3", "", SURE),
    # an answer with words after it: the rest is the why, in the person's own words
    ("fft", "fft", "2 and the staff were lovely", "2", "the staff were lovely", SURE),
    ("fft", "fft", "1 because the nurses listened", "1", "the nurses listened", SURE),
    ("fft", "fft", "5 - nobody called me back", "5", "nobody called me back", SURE),
    ("fft", "fft", "4, the wait was far too long", "4", "the wait was far too long", SURE),
    ("fft", "fft", "Very good, the nurses were kind", "1", "the nurses were kind", SURE),
    ("fft", "fft", "poor. Nobody listened", "4", "Nobody listened", SURE),
    ("fft", "fft", "2 but the food was cold", "2", "but the food was cold", SURE),
    ("fft", "fft", "5 very poor they lost my notes", "5", "they lost my notes", SURE),
    ("fft", "fft", "3 tbh", "3", "", SURE), ("fft", "fft", "2 thanks", "2", "", SURE),
    # an answer at the end, after an apology or a greeting
    ("fft", "fft", "sorry was at work. 4", "4", "", SURE), ("fft", "fft", "Sorry, 4", "4", "", SURE),
    ("fft", "fft", "hi sorry only just seen this 2", "2", "", SURE),
    ("fft", "fft", "sorry was at work. very good", "1", "", SURE),
    ("fft", "fft", "Sorry for the late reply, the staff on the ward were amazing. 1", "1",
     "Sorry for the late reply, the staff on the ward were amazing", SURE),
    # uncertain readings are asked about, never guessed
    ("fft", "fft", "not great", "4", "", ASK), ("fft", "fft", "wasn't great tbh", "4", "", ASK),
    ("fft", "fft", "it wasn't very good", "4", "", ASK), ("fft", "fft", "not bad", "2", "", ASK),
    ("fft", "fft", "not too bad", "2", "", ASK), ("fft", "fft", "Its ok i guess", "3", "", ASK),
    ("fft", "fft", "fine", "3", "", ASK), ("fft", "fft", "great", "1", "", ASK),
    ("fft", "fft", "I'd give it a 4", "4", "", ASK), ("fft", "fft", "would rate it 2", "2", "", ASK),
    ("fft", "fft", "not great, the wait was long", "4", "the wait was long", ASK),
    ("fft", "fft", "\U0001F44D", "2", "", ASK), ("fft", "fft", "\U0001F44D\U0001F3FD", "2", "", ASK),
    ("fft", "fft", "\U0001F44D\U0001F44D", "2", "", ASK), ("fft", "fft", "\u2764\ufe0f", "1", "", ASK),
    ("fft", "fft", "\U0001F60A", "2", "", ASK), ("fft", "fft", "\U0001F621", "5", "", ASK),
    ("fft", "fft", "\U0001F62D", "5", "", ASK), ("fft", "fft", "\U0001F44E", "4", "", ASK),
    ("fft", "fft", "da iawn", "1", "", ASK), ("fft", "fft", "Gwael iawn", "5", "", ASK),
    # words with a number that say the opposite are asked about: another option's label (that option), or strong
    # words the other way (the number's own option); words after "but" are a contrast, kept as the why
    ("fft", "fft", "1 - very poor", "5", "", ASK), ("fft", "fft", "1 being very poor", "5", "being very poor", ASK),
    ("fft", "fft", "5 - they were excellent", "5", "they were excellent", ASK),
    ("fft", "fft", "2, awful staff", "5", "staff", ASK),
    ("fft", "fft", "5 - not excellent at all", "5", "not excellent at all", SURE),
    ("fft", "fft", "2 but the food was awful", "2", "but the food was awful", SURE),
    ("fft", "fft", "1 - the nurses were brilliant", "1", "the nurses were brilliant", SURE),
    # emoji after an answer that agree with it go with it; the other way, it is asked about
    ("fft", "fft", "Very good \U0001F600", "1", "", SURE), ("fft", "fft", "very good \U0001F44D", "1", "", SURE),
    ("fft", "fft", "1 \U0001F44D\U0001F44D", "1", "", SURE), ("fft", "fft", "very poor \U0001F621", "5", "", SURE),
    ("fft", "fft", "Very good \U0001F621", "1", "", ASK),
    # everyday words and emoji
    ("fft", "fft", "brill", "1", "", SURE), ("fft", "fft", "fab", "1", "", SURE), ("fft", "fft", "meh", "3", "", ASK),
    ("fft", "fft", "\U0001F4A9", "5", "", ASK), ("fft", "fft", "couldnt have been better", "1", "", ASK),
    ("fft", "fft", "Couldn't be better tbh", "1", "", ASK),
    # the same FFT inside the longer survey
    ("experience", "fft", "2 and the staff were lovely", "2", "the staff were lovely", SURE),
    ("experience", "fft", "not great", "4", "", ASK),
    # CQC scales and choices
    ("experience", "listened_to", "yes definitely", "yes_definitely", "", SURE),
    ("experience", "listened_to", "yes def", "yes_definitely", "", SURE),
    ("experience", "listened_to", "Yes, definitely - she was great", "yes_definitely", "she was great", SURE),
    ("experience", "listened_to", "yes to some extent tbh", "yes_to_some_extent", "", SURE),
    ("experience", "listened_to", "no, they talked over me", "no", "they talked over me", SURE),
    ("experience", "listened_to", "3", "no", "", SURE),
    ("experience", "listened_to", "yes", "yes_definitely", "", ASK),
    ("experience", "listened_to", "sometimes", "yes_to_some_extent", "", SURE),
    ("experience", "views_taken_into_account", "a bit", "yes_to_some_extent", "", SURE),
    ("experience", "listened_to", "sort of", "yes_to_some_extent", "", SURE),
    ("experience", "listened_to", "not really", "no", "", ASK),
    ("experience", "care_plan_involvement", "not at all", "no", "", SURE),
    ("experience", "care_plan_involvement", "dont know", "dont_know", "", SURE),
    ("experience", "crisis_contact", "not sure", "not_sure", "", SURE),
    ("experience", "crisis_contact", "\U0001F44D", "yes", "", ASK),
    ("experience", "takes_medication", "yep", "yes", "", SURE), ("experience", "takes_medication", "nah", "no", "", SURE),
    ("experience", "takes_medication", "yeah I do", "yes", "I do", SURE),
    ("experience", "takes_medication", "no not really", "no", "", SURE),
    ("experience", "takes_medication", "\U0001F44E", "no", "", ASK),
    ("experience", "participation", "yes please", "yes", "", SURE),
    ("experience", "participation", "no thanks", "no", "", SURE),
    # 4Pi
    ("4pi", "principles", "sort of", "partly", "", SURE), ("4pi", "principles", "partly tbh", "partly", "", SURE),
    ("4pi", "principles", "yeah", "yes", "", SURE), ("4pi", "principles", "2", "partly", "", SURE),
    ("4pi", "impact", "no, nobody told us what changed", "no", "nobody told us what changed", SURE),
    ("4pi", "purpose", "\U0001F44D", "yes", "", ASK),
    # equality monitoring
    ("about-you", "age_band", "25-34", "25_34", "", SURE), ("about-you", "age_band", "3", "25_34", "", SURE),
    ("about-you", "religion", "none", "none", "", SURE), ("about-you", "religion", "no", "none", "", SURE),
    ("about-you", "religion", "christian", "christian", "", SURE),
    ("about-you", "sex", "prefer not to say", "prefer_not_to_say", "", SURE),
    ("about-you", "gender_identity", "rather not say", "prefer_not_to_say", "", SURE),
    # numeric scales: the number is the value
    ("scales", "likely", "7", "7", "", SURE), ("scales", "likely", "7/10", "7", "", SURE),
    ("scales", "likely", "7 out of 10", "7", "", SURE), ("scales", "likely", "0", "0", "", SURE),
    ("scales", "likely", "10 the best", "10", "the best", SURE), ("scales", "mood", "-2", "-2", "", SURE),
    ("scales", "mood", "2", "2", "", SURE),
    ("scales", "ways", "1, 3", "text_message,letter", "", SURE), ("scales", "ways", "email", "email", "", SURE),
]
NOT_READ = [
    ("fft", "fft", "it was alright I suppose"),
    ("fft", "fft", "yes and no"), ("fft", "fft", "good and bad"), ("fft", "fft", "7"), ("fft", "fft", "0"),
    ("fft", "fft", "2 weeks waiting for a call back"), ("fft", "fft", "I waited 3 hours"),
    ("fft", "fft", "good morning"), ("fft", "fft", "10:30 tomorrow?"), ("fft", "fft", "not"),
    ("fft", "fft", "-"), ("fft", "fft", "2 or 3"), ("fft", "fft", "4 stars"), ("fft", "fft", "3 out of 5"),
    ("fft", "fft", "bardzo \u017ale"), ("fft", "fft", "\u0628\u06c1\u062a \u0627\u0686\u06be\u0627"),
    ("experience", "listened_to", "no one listened to me"),
    ("experience", "takes_medication", "no idea"), ("experience", "takes_medication", "no comment"),
    ("4pi", "principles", "yes and no"), ("scales", "likely", "11"), ("scales", "mood", "-6"),
    ("scales", "ways", "1 and"), ("scales", "ways", "1,,x"),
]


@pytest.mark.parametrize("survey_id, question_id, text, value, rest, sure", REPLIES)
def test_a_reply_is_read_the_way_people_write_it(survey_id, question_id, text, value, rest, sure):
    assert read(survey_id, question_id, text) == Reading(value, rest, sure)


@pytest.mark.parametrize("survey_id, question_id, text", NOT_READ)
def test_a_reply_that_cannot_be_read_surely_or_probably_is_not_guessed(survey_id, question_id, text):
    assert read(survey_id, question_id, text) is None


def test_the_table_covers_every_question_type_and_every_shipped_survey():
    types = {question(s, q).type for s, q, *_ in REPLIES}
    assert {"choice", "scale", "yesno", "multi"} <= types
    assert {sid for sid, _ in CHOOSING} - {"about-you-participants"} <= {s for s, *_ in REPLIES}
    assert {sure for *_, sure in REPLIES} == {SURE, ASK}


# --- properties, over every option of every choice, scale and yes/no question ---------------

OPTIONS = [(sid, q, n, o) for sid, q in CHOOSING for n, o in enumerate(q.options, 1)]
BEFORE = ["", "I think ", "its ", "number ", "Sorry, ", "hi ", "it was "]
AFTER = ["", ".", "!", " tbh", " I guess", " thanks", " x", "  "]
WHY = st.text(alphabet=st.sampled_from("abcdefghijklmnopqrstuvwxyz "), min_size=3, max_size=60).map(str.strip).filter(
    lambda t: t and t.split()[0] not in reading.CONNECTORS and not reading.only_chatter(reading.tokens(t)))


@settings(max_examples=400, deadline=None, database=None)
@given(st.sampled_from(OPTIONS), st.sampled_from(BEFORE), st.sampled_from(AFTER), st.booleans(), st.booleans())
def test_every_option_is_read_by_its_number_or_its_label_however_it_is_dressed(option, before, after, by_number,
                                                                                 shout):
    _, q, number, o = option
    said = str(number) if by_number and not answers._numeric_scale(q.options) else o.label
    text = before + (said.upper() if shout else said) + after
    assert QUESTION_TYPES[q.type].read(q, text) == Reading(o.value), text


@settings(max_examples=300, deadline=None, database=None)
@given(st.sampled_from(OPTIONS), st.sampled_from([" and ", " because ", ", ", " - ", ". "]), WHY)
def test_a_number_with_words_after_it_is_the_answer_and_the_words_are_kept_whole(option, joint, why):
    _, q, number, o = option
    if answers._numeric_scale(q.options) or reading.tokens(why)[0].word in reading.UNITS:
        return
    found = QUESTION_TYPES[q.type].read(q, f"{number}{joint}{why}")
    if found is not None and found.sure:  # words that say another answer are a contradiction, asked about
        assert found.value == o.value
        assert found.rest in ("", why.strip()), found


@settings(max_examples=300, deadline=None, database=None)
@given(st.sampled_from(CHOOSING), st.text(max_size=80))
def test_anything_at_all_reads_as_one_of_the_options_or_as_nothing(item, text):
    _, q = item
    found = QUESTION_TYPES[q.type].read(q, text)
    if found is not None:
        assert found.value in {o.value for o in q.options}
        assert found.rest == found.rest.strip() and found.rest in text


@pytest.mark.parametrize("option", OPTIONS, ids=lambda o: f"{o[0]}.{o[1].id}.{o[3].value}")
def test_not_before_an_answer_never_reads_surely_as_that_answer(option):
    _, q, _, o = option
    for text in (f"not {o.label}", f"it wasn't {o.label}", f"not {o.label} at all"):
        found = QUESTION_TYPES[q.type].read(q, text)
        assert found is None or not found.sure or found.value != o.value, (text, found)


@pytest.mark.parametrize("text, yes", [("yes", True), ("YES", True), ("Yeah", True), ("yep thanks", True),
                                       ("correct", True), ("that's right", True), ("\U0001F44D", True),
                                       ("iawn", True), ("no", False), ("Nope", False), ("wrong", False),
                                       ("\U0001F44E", False), ("4", None), ("poor", None), ("what", None)])
def test_at_did_you_mean_yes_confirms_no_asks_again_and_anything_else_is_neither(text, yes):
    assert answers.confirmation(text) is yes


@pytest.mark.parametrize("text, number", [("2", 2), ("2.", 2), ("number 2", 2), ("no 2 thanks", 2), ("0", 0),
                                          ("two", None), ("2 and 3", None), ("the second", None)])
def test_a_number_is_found_however_it_is_written(text, number):
    assert answers.number_in(text) == number


@pytest.mark.parametrize("text, foreign", [("bardzo dobrze", False), ("bardzo \u017ale", True),
                                           ("\u0628\u06c1\u062a \u0627\u0686\u06be\u0627", True),
                                           ("\u0996\u09c1\u09ac \u09ad\u09be\u09b2\u09cb", True),
                                           ("not great", False), ("caf\u00e9 was fine", False), ("\U0001F44D", False)])
def test_a_reply_in_another_script_or_with_letters_english_never_uses_looks_foreign(text, foreign):
    assert answers.looks_foreign(text) is foreign


# --- the survey file's words: synonyms (sure) and maybe (asked about first) -----------------

def survey_with(options) -> dict:
    return {"id": "carers", "version": 1, "title": "Carers", "questions": [
        {"id": "support", "type": "choice", "text": "How was the support?", "options": options}]}


def test_a_survey_file_can_give_an_option_synonyms_and_maybe_words():
    survey = parse(survey_with([{"label": "Helpful", "synonyms": ["useful", "v helpful"], "maybe": ["ok", "meh"]},
                                {"label": "Not helpful", "synonyms": ["useless"], "maybe": ["thumbs down"]}]))
    q = survey.questions[0]
    assert q.options[0].maybe == ("ok", "meh")
    assert Reading("helpful") == QUESTION_TYPES["choice"].read(q, "useful tbh")
    assert Reading("helpful", "", False) == QUESTION_TYPES["choice"].read(q, "meh")
    assert Reading("not_helpful", "", False) == QUESTION_TYPES["choice"].read(q, "\U0001F44E")


@pytest.mark.parametrize("options, problem", [
    ([{"label": "Good", "synonyms": ["fine"]}, {"label": "Poor", "synonyms": ["fine"]}],
     "'fine' is given for both 'good' and 'poor'"),
    ([{"label": "Good", "maybe": ["ok"]}, {"label": "Poor", "maybe": ["OK!"]}], "'OK!' is given for both"),
    ([{"label": "Good", "synonyms": ["2"]}, {"label": "Poor"}], "'2' (of 'Good') is a number"),
    ([{"label": "Good", "maybe": "ok"}, {"label": "Poor"}], "maybe of option 'Good' must be a list of words"),
    ([{"label": "Good", "synonyms": [None]}, {"label": "Poor"}], "synonyms of option 'Good' must be a list of words"),
    ([{"label": "Good", "perhaps": ["ok"]}, {"label": "Poor"}], "an option must be a label, or a mapping with label"),
])
def test_the_survey_check_names_words_that_clash_or_cannot_be_read(options, problem):
    with pytest.raises(SurveyError) as refused:
        parse(survey_with(options), "carers.yaml")
    assert any(problem in error and error.startswith("carers.yaml: question support:") for error in refused.value.errors), \
        refused.value.errors


def test_a_synonym_may_repeat_its_own_option_and_yaml_yes_and_no_are_words():
    survey = parse(survey_with([{"label": "Yes", "synonyms": [True, "yes please"]}, {"label": "No", "synonyms": [False]}]))
    assert survey.questions[0].options[0].synonyms == ("yes", "yes please")
    assert survey.questions[0].options[1].synonyms == ("no",)


def test_the_fft_answers_read_the_same_in_both_surveys_that_ask_it():
    fft, experience = shipped().latest("fft").question("fft"), shipped().latest("experience").question("fft")
    assert fft.options == experience.options


def test_adborth_is_a_keyword_of_the_fft():
    assert "adborth" in shipped().latest("fft").keywords


@pytest.mark.parametrize("text, again", [
    ("wait no i meant 4 sorry", "4 sorry"), ("sorry pressed wrong one, meant 2", "2"), ("4 not 5", "4"),
    ("oops wrong button, should be very poor", "very poor"), ("typo - 3", "3"), ("I meant to say good", "good"),
    ("the staff meant well", None), ("they had the wrong number for me 3 times", None),
    ("it was a mistake to go there", None), ("the nurses were lovely", None)])
def test_a_slip_is_found_with_the_answer_that_corrects_it(text, again):
    assert answers.corrected(question("fft", "fft"), text) == again


@pytest.mark.parametrize("text, thanks", [("thanks", True), ("Thank you x", True), ("ok", True), ("ok thanks!", True),
                                          ("thanks to the nurses", False), ("ok but slow", False)])
def test_a_reply_that_is_only_thanks_is_found(text, thanks):
    assert answers.thanks_only(text) is thanks
