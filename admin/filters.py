"""Template filters: UK dates and times, and how long something has waited."""
from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from flask import Flask, current_app


def _local(value: datetime) -> datetime:
    tz = ZoneInfo(current_app.extensions["yoursay"].settings.timezone)
    return value.astimezone(tz)


def uk_datetime(value: datetime | None) -> str:
    """'3 March 2026 at 9:05am', in the trust's time zone."""
    if value is None:
        return ""
    local = _local(value)
    hour = local.hour % 12 or 12
    return f"{local.day} {local:%B %Y} at {hour}:{local:%M}{'am' if local.hour < 12 else 'pm'}"


def uk_date(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = _local(value)
    return f"{value.day} {value:%B %Y}"


def waited(since: datetime | None, now: datetime | None = None) -> str:
    """How long since then, in words: '45 minutes', '3 hours 10 minutes', '2 days 4 hours'."""
    if since is None:
        return ""
    now = now or datetime.now(timezone.utc)
    minutes = max(0, int((now - since).total_seconds() // 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)

    def unit(n: int, word: str) -> str:
        return f"{n} {word}{'' if n == 1 else 's'}"

    if days:
        return unit(days, "day") + (f" {unit(hours, 'hour')}" if hours else "")
    if hours:
        return unit(hours, "hour") + (f" {unit(mins, 'minute')}" if mins else "")
    return unit(mins, "minute") if mins else "less than a minute"


def register_filters(app: Flask) -> None:
    app.add_template_filter(uk_datetime)
    app.add_template_filter(uk_date)
    app.add_template_filter(waited)
