"""A walk through the bot as its users text it (tests/e2e/walk/conversations.yaml).

Every message goes through the real SMS webhook (signed as Twilio signs it) or the real Telegram
webhook and python-telegram-bot (against the local fake Bot API). Each conversation checks what a
person would notice: the reply, whether a human was told, and what was kept. When a check fails,
the whole conversation is printed as a table of sent -> reply.
"""
from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import yaml
from sqlalchemy import func, select

from storage.models import SafeguardingFlag
from tests.conftest import kept
from tests.e2e.test_participation import add_opportunity
from tests.e2e.test_sms import Clock, Phone
from tests.e2e.test_telegram import background_sends_finished, deliver, sent
from tests.fakes.telegram_api import message_update

WALK = yaml.safe_load((Path(__file__).parent / "walk" / "conversations.yaml").read_text())["conversations"]
START = datetime(2026, 3, 10, 10, 0, tzinfo=timezone.utc)
CHAT = 555000333
MEDIA = {  # what Telegram sends for a picture, a sticker or a voice note with no caption
    "photo": {"photo": [{"file_id": "AgAD1", "file_unique_id": "AQAD1", "width": 90, "height": 120}]},
    "sticker": {"sticker": {"file_id": "CAAD2", "file_unique_id": "AgAD2", "type": "regular", "width": 512,
                            "height": 512, "is_animated": False, "is_video": False}},
    "voice": {"voice": {"file_id": "AwAD3", "file_unique_id": "AgAD3", "duration": 4}},
}


@pytest.fixture
def settings(settings, fake_twilio, fake):
    return replace(settings, twilio_api_base_url=fake_twilio.base_url,
                   telegram_api_base_url=fake.base_url.removesuffix("/bot"),
                   story_join=timedelta(minutes=2), recent_service=timedelta(hours=24))


def test_the_walk_is_big_enough_to_mean_something():
    assert len(WALK) >= 30 and sum(len(c["steps"]) for c in WALK) >= 150


class Person:
    """Someone texting the trust, on SMS or Telegram; returns what came back to them."""

    def __init__(self, channel_name: str, client, fake, channel):
        self.channel_name, self.client, self.fake, self.channel = channel_name, client, fake, channel
        self.phone = Phone(client, "+447911123456")
        self.update_id = 1000

    def sends(self, text: str, media: str | None) -> list[str]:
        if self.channel_name == "sms":
            extra = {"NumMedia": "1", "MediaContentType0": "image/jpeg",
                     "MediaUrl0": "https://api.twilio.com/media/ME1"} if media else {}
            return self.phone.sends(text, **extra)
        self.update_id += 1
        before = len(sent(self.fake, CHAT))
        update = message_update(self.update_id, CHAT, text)
        if media:
            del update["message"]["text"]
            update["message"].update(MEDIA[media])
        assert deliver(self.client, update).status_code == 200
        background_sends_finished(self.channel)
        return [p["text"] for p in sent(self.fake, CHAT)[before:]]


def flags(runtime) -> int:
    with runtime.factory() as session:
        return session.scalar(select(func.count()).select_from(SafeguardingFlag))


def table(log: list[tuple[str, list[str]]]) -> str:
    lines = []
    for text, replies in log:
        lines.append(f"  -> {text[:200]!r}")
        lines += [f"     <- {r[:300]!r}" for r in replies] or ["     <- (no reply)"]
    return "\n".join(lines)


def _has(reply: str, words: str) -> bool:
    return words.lower() in reply.lower()


def _matches(given: str | None, expected: str) -> bool:
    if given is None:
        return False
    if expected.startswith("^"):
        return re.fullmatch(expected, given) is not None
    return given == expected or (len(expected) > 2 and expected.lower() in given.lower())


def _kept_like(responses: list[dict], want: dict) -> bool:
    for response in responses:
        if want.get("survey") and response["survey_id"] != want["survey"]:
            continue
        if want.get("service") and response.get("service") != want["service"]:
            continue
        if all(_matches(response["answers"].get(q), str(v)) for q, v in want.get("answers", {}).items()):
            return True
    return False


@pytest.mark.parametrize("walk", WALK, ids=[c["who"] for c in WALK])
def test_walk(walk, runtime, services, client, fake, request):
    clock = Clock(START)
    runtime.now = clock
    if walk.get("opportunities"):
        for title in ("Working Together group: crisis care", "Expert by Experience training"):
            add_opportunity(runtime, title, starts_at=START + timedelta(days=12))
    channel = request.getfixturevalue("channel") if walk.get("channel") == "telegram" else None
    person = Person(walk.get("channel", "sms"), client, fake, channel)
    log: list[tuple[str, list[str]]] = []
    problems: list[str] = []
    for n, step in enumerate(walk["steps"], 1):
        clock.advance(seconds=step.get("gap", 60))
        flagged_before = flags(runtime)
        replies = person.sends(step["send"], step.get("media"))
        log.append((step["send"] or f"({step.get('media')})", replies))
        said = "\n".join(replies)
        for words in step.get("says", []):
            if not _has(said, words):
                problems.append(f"step {n}: the reply does not say {words!r}")
        if step.get("any_of") and not any(_has(said, w) for w in step["any_of"]):
            problems.append(f"step {n}: the reply says none of {step['any_of']!r}")
        for words in step.get("not_says", []):
            if _has(said, words):
                problems.append(f"step {n}: the reply says {words!r}")
        if "flag" in step and (flags(runtime) > flagged_before) != step["flag"]:
            problems.append(f"step {n}: a flag was {'not ' if step['flag'] else ''}raised")
    responses = kept(runtime)
    texts = [v for r in responses for v in r["answers"].values() if isinstance(v, str)]
    for want in walk.get("kept", []):
        if not _kept_like(responses, want):
            problems.append(f"nothing kept like {want}")
    for words in walk.get("stories", []):
        if not any(_has(t, words) for t in texts):
            problems.append(f"no story keeps {words!r}")
    for unwanted in walk.get("not_kept", []):  # words kept as any answer, or {question: pattern}
        pairs = unwanted.items() if isinstance(unwanted, dict) else [(None, unwanted)]
        for question, words in pairs:
            if any(_matches(v, words) for r in responses for q, v in r["answers"].items()
                   if question in (None, q) and isinstance(v, str)):
                problems.append(f"{words!r} was kept" + (f" as {question}" if question else ""))
    assert not problems, (f"{walk['who']}:\n" + "\n".join(problems) + "\n\nsent -> reply:\n" + table(log)
                          + f"\n\nkept: {responses}")

