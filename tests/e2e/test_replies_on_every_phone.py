"""Replies keep their meaning on every phone (issue 14), end to end: signed Twilio webhooks, and the real
python-telegram-bot against the fake Bot API, on a real database.

A name or title outside GSM-7 is spelt in GSM-7 by SMS and kept as written on Telegram; a photo, sticker,
voice note or MMS with no words gets an honest answer; a question at consent is answered; and the
smaller fixes: "1 place left", the ALERTS menu on separate lines, only DELETE deletes, "1" is not YES.
"""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timezone

import pytest

from bot import gsm7
from storage.models import Participant, SafeguardingFlag, SignUp
from tests.e2e.test_participation import add_opportunity, count, rows
from tests.e2e.test_sms import FOLLOWUP, Phone, answers
from tests.e2e.test_telegram import CHAT, FOLLOW_UP, background_sends_finished, deliver, sent
from tests.fakes.telegram_api import message_update

STARTS = datetime(2030, 6, 4, 13, 0, tzinfo=timezone.utc)
DAY = "Tue 4 Jun 14:00"  # in London, as the booking says it
TITLE = "Working Together group: crisis care"
CRISIS = ("999", "111", "116 123")


@pytest.fixture
def settings(settings, fake, fake_twilio):
    return replace(settings, telegram_api_base_url=fake.base_url.removesuffix("/bot"),
                   twilio_api_base_url=fake_twilio.base_url)


@pytest.fixture
def phone(client):
    return Phone(client, "+447911123456")


# Telegram's own shapes of a message with media (Bot API: Message.photo, .sticker, .voice, .video, .video_note).
MEDIA = {
    "photo": [{"file_id": "AgADphoto", "file_unique_id": "p1", "width": 90, "height": 67, "file_size": 1200},
              {"file_id": "AgADphotoL", "file_unique_id": "p2", "width": 1280, "height": 960}],
    "sticker": {"file_id": "CAADsticker", "file_unique_id": "s1", "type": "regular", "width": 512, "height": 512,
                "is_animated": False, "is_video": False, "emoji": "\U0001F44D"},
    "voice": {"file_id": "AwADvoice", "file_unique_id": "v1", "duration": 7, "mime_type": "audio/ogg"},
    "video": {"file_id": "BAADvideo", "file_unique_id": "d1", "width": 640, "height": 360, "duration": 4},
    "video_note": {"file_id": "DQADnote", "file_unique_id": "n1", "length": 240, "duration": 5},
}


def media_update(update_id: int, kind: str, caption: str | None = None, chat: int = CHAT) -> dict:
    update = message_update(update_id, chat, "")
    del update["message"]["text"]
    update["message"][kind] = MEDIA[kind]
    if caption is not None:
        update["message"]["caption"] = caption
    return update


class Chat:
    """Someone in a private chat with the bot: each message goes to the webhook; what comes back is returned."""

    def __init__(self, client, fake, channel):
        self.client, self.fake, self.channel, self.update_id = client, fake, channel, 0

    def sends(self, text: str | None = None, update: dict | None = None) -> list[str]:
        self.update_id += 1
        before = len(sent(self.fake, CHAT))
        response = deliver(self.client, update or message_update(self.update_id, CHAT, text))
        assert response.status_code == 200
        background_sends_finished(self.channel)  # every reply to this message has gone out
        return [m["text"] for m in sent(self.fake, CHAT)[before:]]

    def sends_media(self, kind: str, caption: str | None = None) -> list[str]:
        return self.sends(update=media_update(self.update_id + 1, kind, caption))


@pytest.fixture
def chat(client, fake, channel):
    return Chat(client, fake, channel)


def sign_up(person, name: str) -> list[str]:
    """JOIN, the first opportunity, SIGN UP, YES, a name, no access needs: the replies to the last."""
    assert f"1 {TITLE}" in person.sends("JOIN")[0]
    person.sends("1"), person.sends("SIGN UP"), person.sends("YES")
    assert "access needs" in person.sends(name)[0]
    return person.sends("none")


# --- a name outside GSM-7 ------------------------------------------------------------------

@pytest.mark.parametrize("name,spelt", [("\u0141ukasz", "Lukasz"), ("Si\u00e2n", "Sian")])
def test_signing_up_by_sms_as_a_name_outside_gsm7_books_what_and_when_and_my_data_says_the_name(
        runtime, phone, name, spelt):
    add_opportunity(runtime, TITLE, starts_at=STARTS)
    booked = sign_up(phone, name)[0]
    assert f"Thank you {spelt}. You're signed up for {TITLE} on {DAY}." in booked
    assert "Text WITHDRAW if you can't make it." in booked and gsm7.fits(booked)
    mine = phone.sends("MY DATA")
    assert f"We hold: name {spelt}; this phone number (+447911123456)" in mine[0]
    assert f"{TITLE} (place confirmed)" in mine[1] and all(gsm7.fits(m) for m in mine)
    [person] = rows(runtime, Participant)
    assert person.name == name  # kept as written; only the text message spells it


@pytest.mark.parametrize("name", ["\u0141ukasz", "Si\u00e2n"])
def test_signing_up_on_telegram_as_a_name_outside_gsm7_keeps_the_name_as_written(runtime, chat, name):
    add_opportunity(runtime, TITLE, starts_at=STARTS)
    booked = sign_up(chat, name)[0]
    assert f"Thank you {name}. You're signed up for {TITLE} on {DAY}." in booked
    assert f"We hold: name {name}; this Telegram chat" in chat.sends("MY DATA")[0]


def test_a_title_outside_gsm7_is_spelt_by_sms_and_kept_on_telegram(runtime, phone, chat):
    title = "Grupa wsparcia \u2013 \u0141\u00f3d\u017a"
    add_opportunity(runtime, title, starts_at=STARTS)
    for person, shown in ((phone, "Grupa wsparcia - Lodz"), (chat, title)):
        assert f"1 {shown}" in person.sends("JOIN")[0]
        person.sends("1"), person.sends("SIGN UP"), person.sends("YES"), person.sends("\u0141ukasz")
        assert f"You're signed up for {shown} on {DAY}." in person.sends("none")[0]


# --- media with no words -------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["photo", "sticker", "voice", "video", "video_note"])
def test_media_with_no_words_on_telegram_gets_an_honest_reply_and_the_survey_carries_on(
        runtime, chat, services, kind):
    chat.sends("/start OAKLANDS")
    [reply] = chat.sends_media(kind)
    assert "I can only read text" in reply and "Please type your message" in reply and "empty" not in reply
    assert FOLLOW_UP in chat.sends("2")[0]
    assert answers(runtime) == {"fft": "2"}


def test_a_caption_on_telegram_is_read_as_text_and_checked_for_risk(runtime, chat, services):
    chat.sends("/start OAKLANDS")
    assert FOLLOW_UP in chat.sends_media("photo", caption="2")[0]  # the caption answers the question
    replies = chat.sends_media("photo", caption="I have been cutting myself again")
    assert all(part in replies[0] for part in CRISIS)
    assert [f.category for f in rows(runtime, SafeguardingFlag)] == ["self-harm"]


@pytest.mark.parametrize("body", ["", None], ids=["empty-body", "no-body"])
def test_an_mms_with_no_words_gets_an_honest_reply_and_the_survey_carries_on(runtime, phone, services, body):
    phone.sends("FEEDBACK OAKLANDS")
    [reply] = phone.sends(body, NumMedia="1", MediaContentType0="image/jpeg",
                          MediaUrl0="https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1")
    assert "I can only read text" in reply and "empty" not in reply and gsm7.fits(reply)
    assert FOLLOWUP in phone.sends("4")[0]
    assert answers(runtime) == {"fft": "4"}


def test_an_mms_with_words_is_read_as_text_and_checked_for_risk(runtime, phone, services):
    phone.sends("FEEDBACK OAKLANDS")
    assert FOLLOWUP in phone.sends("3", NumMedia="1", MediaContentType0="image/jpeg")[0]
    replies = phone.sends("i'm not safe at home tonight", NumMedia="2")
    assert all(part in replies[0] for part in CRISIS)
    assert [f.category for f in rows(runtime, SafeguardingFlag)] == ["unsafe"]


def test_an_empty_text_with_no_media_is_still_called_empty(phone, services):
    phone.sends("FEEDBACK OAKLANDS")
    [reply] = phone.sends("", NumMedia="0")
    assert "empty" in reply.lower()


# --- a question at consent -----------------------------------------------------------------

def test_a_question_at_consent_by_sms_is_answered_then_consent_is_asked_again(runtime, phone):
    add_opportunity(runtime, TITLE, starts_at=STARTS)
    phone.sends("JOIN"), phone.sends("1")
    consent = phone.sends("SIGN UP")[0]
    for question, answer in (("what do u keep about me?", "We keep your name, this phone number"),
                             ("who sees it?", "Only the People Participation Team see them"),
                             ("why do you need my name", "We ask for a name"),
                             ("can I delete it later?", "Text DELETE MY DATA any time")):
        [reply] = phone.sends(question)
        assert answer in reply and reply.endswith("Please reply YES to agree, or NO.") and gsm7.fits(reply)
    assert count(runtime, Participant) == 0
    phone.sends("YES"), phone.sends("Sam")
    assert f"You're signed up for {TITLE}" in phone.sends("none")[0]
    [person] = rows(runtime, Participant)
    assert person.consent_text == consent  # what they agreed to is the consent wording, not an answer


def test_a_question_at_consent_on_telegram_names_the_chat(runtime, chat):
    add_opportunity(runtime, TITLE, starts_at=STARTS)
    chat.sends("JOIN"), chat.sends("1"), chat.sends("SIGN UP")
    [reply] = chat.sends("what do you keep?")
    assert "We keep your name, this Telegram chat" in reply and reply.endswith("reply YES to agree, or NO.")
    buttons = [b["callback_data"] for row in sent(chat.fake, CHAT)[-1]["reply_markup"]["inline_keyboard"] for b in row]
    assert buttons == ["YES", "NO"]


# --- the smaller ones --------------------------------------------------------------------

def test_one_place_left_is_said_in_the_singular_by_sms(runtime, phone):
    add_opportunity(runtime, TITLE, places=1, starts_at=STARTS)
    phone.sends("JOIN")
    facts = phone.sends("1")[-1]
    assert "1 place left." in facts and "1 places" not in facts


def test_the_alerts_menu_by_sms_has_each_choice_on_its_own_line(runtime, phone):
    phone.sends("ALERTS"), phone.sends("YES")
    [menu] = phone.sends("Si\u00e2n")
    assert menu.startswith("Thank you Sian, alerts are on.") and gsm7.fits(menu)
    assert menu.split("\n")[-6:] == ["1 Instant", "2 Weekly digest", "3 Pause", "4 Choose kinds", "5 Choose areas",
                                     "6 Turn off"]
    [again] = phone.sends("ALERTS")
    assert "\n1 Instant\n2 Weekly digest\n3 Pause\n" in again and gsm7.fits(again)


def test_yes_at_delete_my_data_asks_for_delete_and_deletes_nothing(runtime, phone):
    add_opportunity(runtime, TITLE, starts_at=STARTS)
    sign_up(phone, "Sam")
    assert "Reply DELETE to confirm" in phone.sends("DELETE MY DATA")[0]
    assert phone.sends("YES") == ["To delete your details, reply DELETE. To keep them, reply NO."]
    assert count(runtime, Participant) == 1 and count(runtime, SignUp) == 1
    assert "deleted" in phone.sends("DELETE")[0]
    assert count(runtime, Participant) == 0 and count(runtime, SignUp) == 0


def test_one_at_withdraw_from_a_single_place_is_not_yes(runtime, phone):
    add_opportunity(runtime, TITLE, starts_at=STARTS)
    sign_up(phone, "Sam")
    assert f"Withdraw from {TITLE}?" in phone.sends("WITHDRAW")[0]
    assert phone.sends("1") == ["Please reply YES or NO."]
    assert [s.status for s in rows(runtime, SignUp)] == ["confirmed"]
    assert "withdrawn" in phone.sends("YES")[0]
    assert [s.status for s in rows(runtime, SignUp)] == ["withdrawn"]
