"""Long polling (`yoursay telegram-poll`), for a machine with no public URL."""
from __future__ import annotations

import asyncio
import logging

from sqlalchemy.exc import SQLAlchemyError
from telegram import Update

from telegram_channel.channel import TelegramChannel, register_commands

log = logging.getLogger(__name__)


def polling_application(runtime, before_stop=None):
    """The python-telegram-bot Application that long-polls and feeds updates to the channel.

    before_stop runs first when polling stops (e.g. the scheduler's shutdown), while the
    channel can still send.
    """
    from telegram.ext import Application, TypeHandler

    settings = runtime.settings
    builder = Application.builder().token(settings.telegram_bot_token)
    if settings.telegram_api_base_url:
        builder = builder.base_url(settings.telegram_api_base_url.rstrip("/") + "/bot")

    async def post_init(application) -> None:
        channel = TelegramChannel(runtime, bot=application.bot, loop=asyncio.get_running_loop())
        runtime.transports["telegram"] = channel
        await register_commands(application.bot)

    async def on_update(update: Update, _context) -> None:
        channel = runtime.transports["telegram"]
        for wait in (1, 2, 5, 10, 30, 60, 120, 300):  # an acknowledged update is never fetched again
            try:
                await asyncio.to_thread(channel.handle_update, update)
                return
            except (SQLAlchemyError, TimeoutError):
                log.exception("could not store Telegram update %s; trying again in %ss", update.update_id, wait)
                await asyncio.sleep(wait)
            except Exception:  # a poison update: logged and dropped, so it cannot stall the rest
                log.exception("could not process Telegram update %s", update.update_id)
                return
        log.error("gave up on Telegram update %s after the database stayed unavailable", update.update_id)

    async def post_stop(_application) -> None:
        # Let sends already under way finish while the loop still runs and the bot is still open:
        # a reply cut off here would be marked failed and sent again.
        if before_stop is not None:
            await asyncio.to_thread(before_stop)
        channel = runtime.transports.get("telegram")
        if channel is not None:
            await asyncio.to_thread(channel.stop)

    application = builder.post_init(post_init).post_stop(post_stop).build()
    application.add_handler(TypeHandler(Update, on_update))
    return application


_SIGNALS = object()  # python-telegram-bot's default: stop on SIGINT, SIGTERM and SIGABRT


def run_polling(runtime, application=None, stop_signals=_SIGNALS) -> None:
    """Long polling, for a machine with no public URL. Blocks until interrupted.

    stop_signals=None runs it off the main thread (e.g. in tests), stopped with
    application.stop_running() called on the application's loop.
    """
    application = application or polling_application(runtime)
    kwargs = {} if stop_signals is _SIGNALS else {"stop_signals": stop_signals}
    application.run_polling(allowed_updates=Update.ALL_TYPES, **kwargs)
