"""End to end on Telegram: the real python-telegram-bot, the real Flask webhook and a real
database, talking to a local fake of the Telegram Bot API.

Replies are sent by the channel's background sender after the webhook's transaction
commits, so the tests wait for the fake to receive them.
"""
from __future__ import annotations

import logging
import threading
import time
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from telegram_channel import polling as telegram_polling
from outbox.delivery import drain
from storage.models import Answer, Contact, Message, Outbox, Response
from tests.conftest import TELEGRAM_SECRET, kept
from tests.fakes.telegram_api import BOT_USER, callback_update, message_update

CHAT = 555000111
OTHER_CHAT = 555000222
FFT_QUESTION = "Overall, how was your experience of our service?"
FFT_BUTTONS = [("1 Very good", "1"), ("2 Good", "2"), ("3 Neither good nor poor", "3"),
               ("4 Poor", "4"), ("5 Very poor", "5"), ("6 Don't know", "6")]
FOLLOW_UP = "Please can you tell us why you gave your answer?"


# ----- fixtures ------------------------------------------------------------------------------


@pytest.fixture
def settings(settings, fake):
    """The test settings, with the bot pointed at the fake (make_bot appends "/bot")."""
    return replace(settings, telegram_api_base_url=fake.base_url.removesuffix("/bot"))


# ----- helpers -------------------------------------------------------------------------------


def deliver(client, update, secret=TELEGRAM_SECRET):
    """Telegram POSTs an update to our webhook."""
    headers = {} if secret is None else {"X-Telegram-Bot-Api-Secret-Token": secret}
    return client.post("/telegram/webhook", json=update, headers=headers)


def say(client, update_id, text, chat=CHAT):
    response = deliver(client, message_update(update_id, chat, text))
    assert response.status_code == 200
    return response


def press(client, update_id, data, chat=CHAT, fake=None):
    """A button press on the last message sent to the chat (or the first, without the fake to ask)."""
    message_id = fake.last_message_id(chat) if fake else 1
    response = deliver(client, callback_update(update_id, chat, data, message_id=message_id))
    assert response.status_code == 200
    return response


def blocked_update(update_id, chat=CHAT):
    """The my_chat_member update Telegram sends when someone blocks the bot."""
    bot = {k: BOT_USER[k] for k in ("id", "is_bot", "first_name", "username")}
    return {"update_id": update_id, "my_chat_member": {
        "chat": {"id": chat, "type": "private", "first_name": "Sam"},
        "from": {"id": chat, "is_bot": False, "first_name": "Sam"},
        "date": int(time.time()),
        "old_chat_member": {"user": bot, "status": "member"},
        "new_chat_member": {"user": bot, "status": "kicked", "until_date": 0},
    }}


def sent(fake, chat=None):
    """The sendMessage calls so far, as the parameters the bot sent."""
    return [params for _, params in fake.calls("sendMessage") if chat is None or params["chat_id"] == chat]


def reply_to(fake, n):
    """Wait for the n-th sendMessage (1-based) and return its parameters."""
    return fake.wait_for("sendMessage", count=n)[n - 1][1]


def buttons(params):
    rows = (params.get("reply_markup") or {}).get("inline_keyboard", [])
    return [(button["text"], button["callback_data"]) for row in rows for button in row]


def background_sends_finished(channel):
    """Wait until the channel's one sender thread has done everything submitted so far."""
    channel._sender.submit(lambda: None).result(timeout=10)


def count(runtime, model, *where):
    with runtime.factory() as session:
        return session.scalar(select(func.count()).select_from(model).where(*where))


def contact(runtime, chat=CHAT):
    with runtime.factory() as session:
        return session.scalar(select(Contact).where(Contact.channel == "telegram", Contact.address == str(chat)))


def outbox_rows(runtime):
    with runtime.factory() as session:
        return list(session.scalars(select(Outbox).order_by(Outbox.id)))


def later(runtime, seconds):
    return lambda: runtime.now() + timedelta(seconds=seconds)


# ----- starting a survey ---------------------------------------------------------------------


def test_a_deep_link_start_asks_the_fft_question_with_six_buttons_in_nhs_order(client, fake, channel, services):
    say(client, 1, "/start OAKLANDS")

    question = reply_to(fake, 1)
    assert question["chat_id"] == CHAT
    assert FFT_QUESTION in question["text"].splitlines()
    assert "Oaklands Ward" in question["text"]
    assert buttons(question) == FFT_BUTTONS


# ----- answering -----------------------------------------------------------------------------


def test_pressing_a_button_then_typing_why_records_one_anonymous_response(client, fake, channel, services, runtime):
    say(client, 1, "/start OAKLANDS")
    reply_to(fake, 1)

    press(client, 2, "2", fake=fake)
    [(_, answered)] = fake.wait_for("answerCallbackQuery")
    assert answered["callback_query_id"] == "cbq-2"  # the button stops spinning
    follow_up = reply_to(fake, 2)
    assert follow_up["chat_id"] == CHAT and FOLLOW_UP in follow_up["text"]
    assert buttons(follow_up) == []

    why = "The nurses on the ward listened to me"
    say(client, 3, why)
    thanks = reply_to(fake, 3)
    assert thanks["chat_id"] == CHAT and thanks["text"].startswith("Thank you for your feedback")

    with runtime.factory() as session:
        [response] = session.scalars(select(Response))
        assert (response.survey_id, response.service_code, response.mode) == ("fft", "OAKLANDS", "Online")
        answers = dict(session.execute(select(Answer.question_id, Answer.value)
                                       .where(Answer.response_id == response.id)).all())
        assert answers == {"fft": "2", "why": why}
        # Nothing in responses or answers points back at the person.
        assert response.created_at.hour == response.created_at.minute == 0  # kept to the day only
        for model in (Response, Answer):
            assert not any("contact" in column.name or "chat" in column.name for column in model.__table__.columns)
            for row in session.scalars(select(model)):
                values = [str(getattr(row, column.key)) for column in model.__table__.columns]
                assert not any(str(CHAT) in value for value in values), (model.__name__, values)
        # The message log keeps no inbound text, and the contact no longer holds the survey's ref.
        assert not session.scalar(select(func.count()).select_from(Message).where(Message.body.contains(why)))
        person = session.scalar(select(Contact).where(Contact.address == str(CHAT)))
        assert "ref" not in person.state


def test_a_typed_answer_works_as_well_as_a_button(client, fake, channel, services, runtime):
    say(client, 1, "/start OAKLANDS")
    reply_to(fake, 1)

    say(client, 2, "v good")

    assert FOLLOW_UP in reply_to(fake, 2)["text"]
    assert not fake.calls("answerCallbackQuery")
    assert [r["answers"] for r in kept(runtime)] == [{"fft": "1"}]


def test_two_people_get_their_own_replies(client, fake, channel, services):
    say(client, 1, "/start OAKLANDS", chat=CHAT)
    say(client, 2, "/start CRISIS", chat=OTHER_CHAT)
    fake.wait_for("sendMessage", count=2)

    assert "Oaklands Ward" in sent(fake, CHAT)[0]["text"]
    assert "Crisis Team" in sent(fake, OTHER_CHAT)[0]["text"]


# ----- the webhook's defences ----------------------------------------------------------------


@pytest.mark.parametrize("secret", ["wrong-secret", "", None], ids=["wrong", "empty", "missing"])
def test_an_update_without_the_right_secret_is_refused_and_changes_nothing(client, fake, channel, services,
                                                                           runtime, secret):
    response = deliver(client, message_update(1, CHAT, "/start OAKLANDS"), secret=secret)

    assert response.status_code == 403
    background_sends_finished(channel)
    assert sent(fake) == []
    for model in (Message, Contact, Outbox, Response):
        assert count(runtime, model) == 0, model.__name__


def test_the_same_update_delivered_twice_is_handled_once(client, fake, channel, services, runtime):
    update = message_update(7, CHAT, "/start OAKLANDS")

    assert deliver(client, update).status_code == 200
    assert deliver(client, update).status_code == 200

    reply_to(fake, 1)
    background_sends_finished(channel)
    assert len(sent(fake)) == 1
    assert count(runtime, Message, Message.direction == "in") == 1
    assert count(runtime, Outbox) == 1


def test_the_same_button_press_delivered_twice_records_one_answer(client, fake, channel, services, runtime):
    say(client, 1, "/start OAKLANDS")
    reply_to(fake, 1)

    press(client, 2, "5", fake=fake)
    press(client, 2, "5", fake=fake)

    assert FOLLOW_UP in reply_to(fake, 2)["text"]
    background_sends_finished(channel)
    assert len(sent(fake)) == 2
    assert [r["answers"] for r in kept(runtime)] == [{"fft": "5"}]


@pytest.mark.parametrize("body, content_type", [
    (b"[1, 2, 3]", "application/json"),                                         # JSON, not an object
    (b'"an update"', "application/json"),                                       # JSON string
    (b"{not json", "application/json"),                                        # not JSON at all
    (b"update_id=9", "application/x-www-form-urlencoded"),                      # not JSON at all
    (b'{"message": {"text": "no update id"}}', "application/json"),            # no update_id
    (b'{"update_id": 9, "message": "garbage"}', "application/json"),            # message not an object
    (b'{"update_id": 9, "message": {"message_id": 1}}', "application/json"),    # message missing fields
    (b'{"update_id": 9, "message": {"message_id": 1, "date": 0, "chat": {"id": 555000111, "type": "private"},'
     b' "text": 42}}', "application/json"),                                     # text not a string
], ids=["list", "string", "broken-json", "form", "no-update-id", "garbage-message", "incomplete-message",
        "number-text"])
def test_a_poison_update_is_acknowledged_logged_and_does_not_stall_later_ones(client, fake, channel, services,
                                                                               runtime, caplog, body,
                                                                               content_type):
    with caplog.at_level(logging.WARNING, logger="telegram_channel"):
        response = client.post("/telegram/webhook", data=body, content_type=content_type,
                               headers={"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET})

    assert response.status_code == 200  # so Telegram does not redeliver it forever
    assert [r for r in caplog.records if r.name.startswith("telegram_channel.")], "the poison update was not logged"
    assert count(runtime, Response) == 0

    say(client, 10, "/start OAKLANDS")
    assert FFT_QUESTION in reply_to(fake, 1)["text"]
    background_sends_finished(channel)
    assert len(sent(fake)) == 1


# Groups, supergroups and channels: tests/e2e/test_telegram_groups.py


# ----- STOP, START and being blocked ---------------------------------------------------------


def test_stop_is_confirmed_once_then_the_bot_stays_silent_until_start(client, fake, channel, services, runtime):
    say(client, 1, "/start OAKLANDS")
    reply_to(fake, 1)

    say(client, 2, "/stop")
    confirmation = reply_to(fake, 2)
    assert "opted out" in confirmation["text"] and "START" in confirmation["text"]
    assert contact(runtime).opted_out

    say(client, 3, "hello?")
    say(client, 4, "/help")
    say(client, 5, "/stop")
    press(client, 6, "1", fake=fake)
    background_sends_finished(channel)
    assert len(sent(fake)) == 2, [p["text"] for p in sent(fake)]
    assert kept(runtime) == []

    say(client, 7, "START")
    welcome = reply_to(fake, 3)
    assert "opted back in" in welcome["text"]
    assert not contact(runtime).opted_out


def test_a_deep_link_after_stop_opts_back_in_and_asks_the_question(client, fake, channel, services, runtime):
    say(client, 1, "/stop")
    reply_to(fake, 1)

    say(client, 2, "/start OAKLANDS")

    question = reply_to(fake, 2)
    assert FFT_QUESTION in question["text"] and buttons(question) == FFT_BUTTONS
    assert not contact(runtime).opted_out


def test_a_person_who_blocked_the_bot_is_opted_out_and_the_reply_is_not_retried(client, fake, channel, services,
                                                                                 runtime):
    fake.fail_next("sendMessage", 403, "Forbidden: bot was blocked by the user")

    say(client, 1, "/start OAKLANDS")

    fake.wait_for("sendMessage", count=1)
    background_sends_finished(channel)
    assert contact(runtime).opted_out
    [row] = outbox_rows(runtime)
    assert row.status == "cancelled" and row.attempts == 1 and "blocked" in row.last_error

    assert drain(runtime.factory, channel, runtime.policy("telegram"), runtime.worker,
                 clock=later(runtime, 24 * 3600)) == 0
    assert len(fake.calls("sendMessage")) == 1
    assert outbox_rows(runtime)[0].status == "cancelled"


def test_blocking_the_bot_opts_the_person_out(client, fake, channel, services, runtime):
    say(client, 1, "/start OAKLANDS")
    reply_to(fake, 1)

    assert deliver(client, blocked_update(2)).status_code == 200

    assert contact(runtime).opted_out
    background_sends_finished(channel)
    assert len(sent(fake)) == 1


def test_blocking_the_bot_before_ever_writing_opts_the_person_out(client, fake, channel, runtime):
    assert deliver(client, blocked_update(1, chat=OTHER_CHAT)).status_code == 200

    assert contact(runtime, OTHER_CHAT).opted_out


def test_the_command_menu_offers_feedback_getting_involved_help_and_stop(channel, fake):
    [(_, params)] = fake.wait_for("setMyCommands")
    assert [c["command"] for c in params["commands"]] == ["start", "join", "alerts", "mydata", "help", "stop"]


# ----- Telegram being unavailable ------------------------------------------------------------


@pytest.mark.parametrize("status, description, retry_after", [
    (429, "Too Many Requests: retry after 5", 5),
    (500, "Internal Server Error", None),
    (502, "Bad Gateway", None),
], ids=["429", "500", "502"])
def test_a_reply_telegram_could_not_take_is_kept_and_sent_on_a_later_drain(client, fake, channel, services,
                                                                           runtime, status, description,
                                                                           retry_after):
    fake.fail_next("sendMessage", status, description, retry_after=retry_after)

    say(client, 1, "/start OAKLANDS")

    fake.wait_for("sendMessage", count=1)
    background_sends_finished(channel)
    [row] = outbox_rows(runtime)
    assert row.status == "pending" and row.attempts == 1 and row.last_error
    assert not contact(runtime).opted_out

    policy = runtime.policy("telegram")
    assert drain(runtime.factory, channel, policy, runtime.worker, clock=later(runtime, 1)) == 0  # not yet due
    assert drain(runtime.factory, channel, policy, runtime.worker,
                 clock=later(runtime, policy.backoff.total_seconds() + 60)) == 1

    delivered = reply_to(fake, 2)
    assert delivered["chat_id"] == CHAT and FFT_QUESTION in delivered["text"]
    assert buttons(delivered) == FFT_BUTTONS
    [row] = outbox_rows(runtime)
    assert row.status == "sent" and row.attempts == 2
    assert count(runtime, Message, Message.direction == "out", Message.outbox_id == row.id) == 1


def test_a_longer_wait_asked_for_by_telegram_is_honoured(client, fake, channel, services, runtime):
    fake.fail_next("sendMessage", 429, "Too Many Requests: retry after 600", retry_after=600)

    say(client, 1, "/start OAKLANDS")

    fake.wait_for("sendMessage", count=1)
    background_sends_finished(channel)
    policy = runtime.policy("telegram")
    assert drain(runtime.factory, channel, policy, runtime.worker, clock=later(runtime, 300)) == 0
    assert drain(runtime.factory, channel, policy, runtime.worker, clock=later(runtime, 660)) == 1


# ----- long polling (yoursay telegram-poll) --------------------------------------------------


@pytest.fixture
def polling(runtime, fake):
    """run_polling in a thread of its own, as `yoursay telegram-poll` runs it, stopped afterwards."""
    application = telegram_polling.polling_application(runtime)
    thread = threading.Thread(target=telegram_polling.run_polling, args=(runtime,),
                              kwargs={"application": application, "stop_signals": None},
                              name="telegram-poll", daemon=True)
    thread.start()
    fake.wait_for("getUpdates")  # post_init has run: the channel is in runtime.transports
    yield application
    runtime.transports["telegram"].loop.call_soon_threadsafe(application.stop_running)
    thread.join(timeout=10)
    assert not thread.is_alive(), "polling did not stop"
    # Stopping let the replies already being sent finish: none was cut off and left to be sent again.
    rows = outbox_rows(runtime)
    assert [(row.status, row.last_error) for row in rows] == [("sent", None)] * len(rows)
    assert not [t for t in threading.enumerate() if t.name.startswith("telegram-send")], "the sender outlived polling"


def test_polling_replies_to_updates_it_fetches(polling, fake, services, runtime):
    fake.push_update(message_update(1, CHAT, "/start OAKLANDS"))

    question = reply_to(fake, 1)
    assert question["chat_id"] == CHAT and FFT_QUESTION in question["text"]
    assert buttons(question) == FFT_BUTTONS

    fake.push_update(callback_update(2, CHAT, "1"))
    fake.wait_for("answerCallbackQuery")
    assert FOLLOW_UP in reply_to(fake, 2)["text"]
    assert [r["answers"] for r in kept(runtime)] == [{"fft": "1"}]


def test_an_update_that_cannot_be_stored_gets_an_error_so_telegram_sends_it_again(client, fake, channel, runtime,
                                                                                 monkeypatch, services):
    from sqlalchemy.exc import OperationalError

    def database_down(work):
        raise OperationalError("INSERT", {}, Exception("database is locked"))

    monkeypatch.setattr(runtime, "write", database_down)
    assert deliver(client, message_update(1, CHAT, "/start OAKLANDS")).status_code == 500
    monkeypatch.undo()
    assert deliver(client, message_update(1, CHAT, "/start OAKLANDS")).status_code == 200
    assert FFT_QUESTION in reply_to(fake, 1)["text"]


def test_a_real_database_failure_in_the_reply_path_also_gets_an_error(client, fake, channel, runtime, services):
    from sqlalchemy import text

    with runtime.engine.begin() as conn:  # the message log goes missing: its insert fails in the database itself
        conn.execute(text("ALTER TABLE messages RENAME TO messages_away"))
    try:
        assert deliver(client, message_update(1, CHAT, "/start OAKLANDS")).status_code == 500
    finally:
        with runtime.engine.begin() as conn:
            conn.execute(text("ALTER TABLE messages_away RENAME TO messages"))
    assert deliver(client, message_update(1, CHAT, "/start OAKLANDS")).status_code == 200
    assert FFT_QUESTION in reply_to(fake, 1)["text"]


def test_telegram_down_when_the_server_starts_does_not_stop_it_and_replies_follow_later(app, client, fake,
                                                                                      services, runtime):
    fake.fail_next("getMe", 502, "Bad Gateway")
    transport = app.extensions["yoursay"].transports["telegram"]
    transport.start()  # must not raise: SMS and everything else still need to run
    try:
        assert deliver(client, message_update(1, CHAT, "/start OAKLANDS")).status_code == 200
        background_sends_finished(transport)
        drain(runtime.factory, transport, runtime.policy("telegram"), runtime.worker, clock=later(runtime, 3600))
        assert FFT_QUESTION in reply_to(fake, 1)["text"]
        assert len(fake.calls("sendMessage")) == 1
        assert len(fake.calls("getMe")) == 2, "the bot was initialised again once Telegram answered"
    finally:
        transport.stop()


def test_a_button_on_an_earlier_question_does_not_answer_the_current_one(client, fake, channel, services, runtime):
    say(client, 1, "/start OAKLANDS")
    assert FFT_QUESTION in reply_to(fake, 1)["text"]
    press(client, 2, "2")  # on the question's own keyboard: counts
    reply_to(fake, 2)
    background_sends_finished(channel)
    stale = callback_update(3, CHAT, "5", message_id=1)  # the fake numbers messages it is sent from 1
    assert deliver(client, stale).status_code == 200
    background_sends_finished(channel)
    fake.wait_for("answerCallbackQuery", count=2)
    [(_, answered)] = [c for c in fake.calls("answerCallbackQuery") if c[1]["callback_query_id"] == "cbq-3"]
    assert "earlier question" in answered.get("text", "")
    recorded = [r["answers"] for r in kept(runtime)]
    assert recorded == [{"fft": "2"}], "the old keyboard must not overwrite or answer anything"
