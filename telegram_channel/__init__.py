"""The Telegram channel (python-telegram-bot): the only package that imports `telegram`.

Named telegram_channel, not telegram, so it cannot shadow the library's own package.
"""
