"""Ask Twilio whether it already has a message: the check before an SMS in doubt is sent again.

Twilio's Messages list, filtered by To and DateSent (on or after the day, GMT), is matched here
on the direction (sent through the API, as the outbox sends; not a TwiML reply), the body and the
time it was created. A message Twilio still holds queued has no DateSent yet and is not listed.
"""
from __future__ import annotations

import unicodedata
from datetime import datetime, time, timezone

LIMIT = 1000  # messages to one number in a day or two: far more than the bot ever sends
_SMART = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-", "…": "...", "\u00a0": " "})


def _plain(text: str | None) -> str:
    """The text as it compares: Twilio's smart encoding and runs of spaces set aside."""
    return " ".join(unicodedata.normalize("NFKC", text or "").translate(_SMART).split())


def sent_since(client, to: str, body: str, since: datetime) -> list[tuple[str, str]]:
    """(sid, status) of messages Twilio has to `to` with this body, created from `since` on, oldest first."""
    day = datetime.combine(since.astimezone(timezone.utc).date(), time(), tzinfo=timezone.utc)
    wanted = _plain(body)
    found = []
    for message in client.messages.list(to=to, date_sent_after=day, limit=LIMIT, page_size=LIMIT):
        if (message.direction == "outbound-api" and message.status != "canceled"  # not a TwiML reply
                and message.date_created is not None and message.date_created >= since
                and _plain(message.body) == wanted):
            found.append((message.date_created, message.sid, message.status or "sent"))
    return [(sid, status) for _, sid, status in sorted(found)]
