"""The Telegram channel: turns updates into text for the conversation, and sends the outbox's replies.

python-telegram-bot is asyncio; it lives on one long-lived event loop (a
thread of its own under the WSGI server, or the Application's loop when polling),
never a loop per request.
"""
from __future__ import annotations

import asyncio
import logging
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from sqlalchemy.exc import SQLAlchemyError
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

from bot.engine import MEDIA
from bot.texts import TELEGRAM_COMMANDS
from outbox.delivery import DeliveryError, drain
from storage import contacts, messages
from storage.outbox import Claimed
from telegram_channel import groups

log = logging.getLogger(__name__)
SEND_TIMEOUT = 30.0


class LoopThread:
    """One event loop, running for the life of the process in its own thread."""

    def __init__(self):
        self.loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name="telegram-loop", daemon=True)
        self._thread.start()

    def run(self, coro, timeout: float = SEND_TIMEOUT):
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout=5)
        self.loop.close()


def make_bot(settings) -> Bot:
    base = settings.telegram_api_base_url
    kwargs = {"base_url": base.rstrip("/") + "/bot"} if base else {}
    return Bot(settings.telegram_bot_token, **kwargs)


def inbound(update: Update) -> tuple[int, str, str | None] | None:
    """(chat id, text, callback query id) for an update the conversation should see."""
    if update.callback_query:
        query = update.callback_query
        chat = query.message.chat if query.message else None
        if chat is None or chat.type != "private":
            return None
        return chat.id, query.data or "", query.id
    message = update.message
    if message is None or message.chat.type != "private":
        return None
    media = MEDIA if message.effective_attachment else ""  # a photo, sticker or voice note with no caption
    return message.chat.id, message.text or message.caption or media, None


def from_group(update: Update) -> tuple[int, str] | None:
    """(chat id, text) for a message in a group, supergroup or channel, or for the bot being added to one."""
    message = update.message or update.channel_post
    if message is not None and message.chat.type != "private":
        return message.chat.id, message.text or message.caption or ""
    member = update.my_chat_member
    if member and member.chat.type != "private" and member.new_chat_member.status in ("member", "administrator"):
        return member.chat.id, ""
    return None


def was_blocked(update: Update) -> int | None:
    """The chat id, if this update says the person blocked the bot."""
    member = update.my_chat_member
    if member and member.chat.type == "private" and member.new_chat_member.status == "kicked":
        return member.chat.id
    return None


def keyboard(buttons) -> InlineKeyboardMarkup | None:
    if not buttons:
        return None
    return InlineKeyboardMarkup([[InlineKeyboardButton(label, callback_data=data)] for label, data in buttons])


async def register_commands(bot: Bot) -> None:
    """Show our commands in Telegram's command menu; a failure only loses the menu."""
    try:
        await bot.set_my_commands(list(TELEGRAM_COMMANDS))
    except TelegramError as exc:
        log.warning("could not set the bot's command menu: %s", exc)


class TelegramChannel:
    """Receives updates (webhook or polling) and is the outbox transport for Telegram."""

    channel = "telegram"

    def __init__(self, runtime, bot: Bot | None = None, loop: asyncio.AbstractEventLoop | None = None):
        os.environ.setdefault("PTB_TIMEDELTA", "true")  # RetryAfter.retry_after as a timedelta, no warning
        self.runtime = runtime
        self.bot = bot or make_bot(runtime.settings)
        self._loop_thread = None if loop else LoopThread()
        self.loop = loop
        self._sender = ThreadPoolExecutor(max_workers=1, thread_name_prefix="telegram-send")
        self.started = False
        self._initialised = False

    def start(self) -> None:
        """Start the event loop thread and initialise the bot on it (retried when sending, if Telegram is down)."""
        if self._loop_thread:
            self._loop_thread.start()
            self.loop = self._loop_thread.loop
            self._ready()
        self.started = True

    def _ready(self) -> bool:
        if self._initialised or self._loop_thread is None:
            return True
        try:
            self._loop_thread.run(self.bot.initialize())
            self._loop_thread.run(register_commands(self.bot))
        except (TelegramError, TimeoutError) as exc:
            log.error("Telegram is not reachable yet (%s); SMS and the rest carry on, and sending will retry", exc)
            return False
        self._initialised = True
        return True

    def stop(self) -> None:
        self._sender.shutdown(wait=True)
        self.started = False
        self._initialised = False
        if self._loop_thread:
            self._loop_thread.run(self.bot.shutdown())
            self._loop_thread.stop()

    def handle(self, data: dict) -> None:
        """Process one update's JSON.

        A poison update is logged and dropped, so it cannot stall the ones behind it. The
        database being unavailable is raised instead: Telegram then delivers the update
        again, and update_id deduplication makes that safe.
        """
        try:
            self.handle_update(Update.de_json(data, self.bot))
        except (SQLAlchemyError, TimeoutError):
            raise
        except Exception:
            log.exception("could not process Telegram update %r", data.get("update_id"))

    def handle_update(self, update: Update) -> None:
        """Process one parsed update: opt-out on block, or a message for the conversation."""
        rt = self.runtime
        blocked = was_blocked(update)
        if blocked is not None:
            with rt.factory.begin() as session:
                contacts.opt_out(session, "telegram", str(blocked), rt.now())
            return
        group = from_group(update)
        if group is not None:
            self.leave_group(*group)
            return
        found = inbound(update)
        if found is None:
            return
        chat_id, text, query_id = found
        if query_id and not self._is_latest(chat_id, update.callback_query):
            asyncio.run_coroutine_threadsafe(self._answer_query(query_id, rt.bot.texts.stale_button()), self.loop)
            return
        rt.receive(channel="telegram", address=str(chat_id), text=text, provider_id=str(update.update_id),
                   now=rt.now())
        if query_id:
            asyncio.run_coroutine_threadsafe(self._answer_query(query_id), self.loop)
        self.kick()

    def leave_group(self, chat_id: int, text: str) -> None:
        """Say we work only in private chats (help first, if the message reads as risk), then leave. Stores nothing."""
        self._sender.submit(self._say_and_leave, chat_id, text).add_done_callback(_log_failure)

    def _username(self) -> str | None:
        try:
            return self.bot.username
        except RuntimeError:  # not initialised yet: Telegram has not told us our name
            return None

    def _say_and_leave(self, chat_id: int, text: str) -> None:
        if not self._ready():
            log.error("could not answer Telegram group %s before leaving it: Telegram is not reachable", chat_id)
            return
        bot = self.runtime.bot
        replies = groups.goodbye(text, bot.texts, bot.risk_check, self._username())
        asyncio.run_coroutine_threadsafe(self._leave(chat_id, replies), self.loop).result(SEND_TIMEOUT * 3)

    async def _leave(self, chat_id: int, replies: list[str]) -> None:
        for text in replies:  # in order: signposting first
            try:
                await self.bot.send_message(chat_id=chat_id, text=text)
            except TelegramError as exc:
                log.warning("could not send to Telegram group %s before leaving it: %s", chat_id, exc)
        try:
            await self.bot.leave_chat(chat_id)
        except TelegramError as exc:
            log.warning("could not leave Telegram group %s: %s", chat_id, exc)
        else:
            log.info("left Telegram group %s: the bot works only in private chats", chat_id)

    def _is_latest(self, chat_id: int, query) -> bool:
        """A button counts only on the last message we sent: older keyboards belong to questions gone by."""
        if query.message is None:
            return False
        with self.runtime.engine.connect() as conn:
            latest = messages.latest_sent(conn, "telegram", str(chat_id))
        # Newer than the last one logged counts too: the send may not be recorded yet.
        return latest is None or query.message.message_id >= int(latest.rsplit(":", 1)[1])

    async def _answer_query(self, query_id: str, text: str | None = None) -> None:
        try:
            await self.bot.answer_callback_query(query_id, text=text)
        except TelegramError as exc:
            log.info("could not answer callback query: %s", exc)

    def kick(self) -> None:
        """Send what is waiting now, off the request's thread."""
        rt = self.runtime
        future = self._sender.submit(drain, rt.factory, self, rt.policy("telegram"), rt.worker,
                                     pacer=rt.pacer("telegram"))
        future.add_done_callback(_log_failure)

    def send(self, item: Claimed) -> tuple[str | None, str]:
        """Send one outbox message; errors become DeliveryError."""
        if not self._ready():
            raise DeliveryError("Telegram is not reachable", retry=True)
        coro = self.bot.send_message(chat_id=int(item.address), text=item.body,
                                     reply_markup=keyboard((item.extra or {}).get("buttons")))
        future = asyncio.run_coroutine_threadsafe(coro, self.loop)
        try:
            message = future.result(SEND_TIMEOUT)
        except TimeoutError as exc:
            future.cancel()  # never let a send we gave up on arrive after it is queued again
            raise DeliveryError("Telegram did not answer in time", retry=True) from exc
        except Forbidden as exc:
            raise DeliveryError(f"Telegram: {exc}", opted_out=True, code="403") from exc
        except RetryAfter as exc:
            wait = exc.retry_after if isinstance(exc.retry_after, timedelta) else timedelta(seconds=exc.retry_after)
            raise DeliveryError(f"Telegram asked us to wait: {exc}", retry=True, code="429", retry_after=wait) from exc
        except BadRequest as exc:
            raise DeliveryError(f"Telegram refused the message: {exc}", code="400") from exc
        except NetworkError as exc:
            raise DeliveryError(f"could not reach Telegram: {exc}", retry=True) from exc
        return f"{item.address}:{message.message_id}", "sent"


def _log_failure(future) -> None:
    if future.exception() is not None:
        log.error("sending Telegram messages failed", exc_info=future.exception())
