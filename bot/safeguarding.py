"""The safeguarding settings (bot/safeguarding.yaml): what the bot says and does for each kind of risk.

One file holds the wording, the numbers and the local lines, so a trust can check them. It is
checked when it loads: every reply must exist and fit 2 GSM-7 SMS segments with the trust's
own lines filled in.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache
from pathlib import Path

import yaml

from bot import gsm7

SHIPPED = Path(__file__).resolve().parent / "safeguarding.yaml"
CATEGORIES = ("suicide", "self-harm", "harm-to-others", "unsafe", "abuse", "someone-else", "distress",
              "help-seeking", "other-language", "negated")
SERIOUS = ("suicide", "self-harm", "harm-to-others", "unsafe", "abuse")  # low only when negated or long past
MESSAGES = ("review", "paused", "repeat", "after_crisis", "after_crisis_paused")
PRIORITIES = ("urgent", "high", "low")
RANK = {"urgent": 0, "high": 1, "low": 2}
REPEAT_WINDOW = timedelta(minutes=10)  # the same kind again within this gets a short answer, not the numbers again
AFTER_CRISIS = timedelta(hours=24)  # "thank you" or "ok" within this of a crisis reply gets a warm answer
UNNAMED_LANGUAGE = "a language we could not name"


class SafeguardingFileError(ValueError):
    """The safeguarding settings file is missing something or has a reply over the SMS budget."""


@dataclass(frozen=True)
class Tier:
    pause_survey: bool
    alert_on_duty: bool


@dataclass(frozen=True, eq=False)
class Safeguarding:
    """The loaded settings, with the trust's own lines filled in."""

    replies: dict[str, str]
    messages: dict[str, str]
    tiers: dict[str, Tier]
    review_time: str
    local_crisis_line: str | None = None
    safeguarding_line: str | None = None

    def reply(self, category: str, language: str | None = None) -> str:
        """The first reply for a kind of risk ("negated" for a low mention of a serious kind)."""
        key = "other-language" if language else category
        return self._fill(self.replies.get(key) or self.replies["suicide"], language)

    def message(self, name: str) -> str:
        return self._fill(self.messages[name], None)

    def review(self, paused: bool) -> str:
        """Who will read the message and when, with the survey's pause if it paused."""
        text = self.message("review")
        return f"{text} {self.message('paused')}" if paused else text

    def pauses(self, priority: str) -> bool:
        return self.tiers[priority].pause_survey

    def alert_priorities(self) -> tuple[str, ...]:
        return tuple(p for p in PRIORITIES if self.tiers[p].alert_on_duty)

    def _fill(self, text: str, language: str | None) -> str:
        hint = f', e.g. "{language}"' if language and language != UNNAMED_LANGUAGE and gsm7.is_gsm7(language) else ""
        local = f" {self.local_crisis_line.rstrip('.')}." if self.local_crisis_line else ""
        line = f" To report it now, call {self.safeguarding_line.rstrip('.')}." if self.safeguarding_line else ""
        return (text.replace("{local}", local).replace("{safeguarding}", line).replace("{language}", hint)
                .replace("{review}", self.review_time).strip())

    def problems(self) -> list[str]:
        """Every reply that would not fit 2 GSM-7 segments as the trust has set it up."""
        texts = {f"replies.{c}": self.reply(c, "Portuguese" if c == "other-language" else None)
                 for c in self.replies}
        texts.update({name: self.message(name) for name in self.messages})
        texts["review + paused"] = self.review(paused=True)
        return [f"{name}: {gsm7.segments(t)} segments{'' if gsm7.is_gsm7(t) else ' (not GSM-7)'}, over the 2-segment"
                f" SMS budget" for name, t in texts.items() if not gsm7.fits(t)]


def parse(data: dict, *, local_crisis_line: str | None = None, safeguarding_line: str | None = None,
          review_time: str | None = None, source: str = "safeguarding file") -> Safeguarding:
    """Settings from the file's contents; environment values, when given, win over the file's."""
    errors = []
    if not isinstance(data, dict):
        raise SafeguardingFileError(f"{source}: expected a mapping of settings")
    replies = data.get("replies") or {}
    for category in CATEGORIES:
        if not str(replies.get(category) or "").strip():
            errors.append(f"{source}: replies.{category} is missing")
    for name in MESSAGES:
        if not str(data.get(name) or "").strip():
            errors.append(f"{source}: {name} is missing")
    tiers = {}
    for priority in PRIORITIES:
        tier = (data.get("tiers") or {}).get(priority)
        if not isinstance(tier, dict):
            errors.append(f"{source}: tiers.{priority} is missing")
            continue
        tiers[priority] = Tier(bool(tier.get("pause_survey")), bool(tier.get("alert_on_duty")))
    if errors:
        raise SafeguardingFileError("\n".join(errors))
    local = data.get("local") or {}
    settings = Safeguarding(
        replies={k: " ".join(str(v).split()) for k, v in replies.items()},
        messages={name: " ".join(str(data[name]).split()) for name in MESSAGES},
        tiers=tiers,
        review_time=review_time or str(data.get("review_time") or "as soon as they can"),
        local_crisis_line=local_crisis_line or local.get("crisis_line") or None,
        safeguarding_line=safeguarding_line or local.get("safeguarding_line") or None)
    over = settings.problems()
    if over:
        raise SafeguardingFileError("\n".join(f"{source}: {p}" for p in over))
    return settings


def load(path: str | Path | None = None, **overrides) -> Safeguarding:
    """The shipped settings, or a trust's copy; raises SafeguardingFileError naming every problem."""
    path = Path(path) if path else SHIPPED
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise SafeguardingFileError(f"{path}: cannot be read: {exc}") from exc
    return parse(data, source=str(path), **overrides)


@lru_cache(maxsize=1)
def shipped() -> Safeguarding:
    return load()


def review_hours(words: str | None, default: float = 24) -> float:
    """The hours in review_time's words ("within 24 hours" -> 24); default when they give none."""
    match = re.fullmatch(r"within (\d+(?:\.\d+)?) hours?", (words or "").strip())
    return float(match.group(1)) if match else default


def review_time(hours: str | None) -> str | None:
    """YOURSAY_SAFEGUARDING_REVIEW_HOURS as words: "24" -> "within 24 hours"; text is kept as it is."""
    if not hours or not hours.strip():
        return None
    value = hours.strip()
    try:
        n = float(value)
    except ValueError:
        return value if value.startswith("within") else f"within {value}"
    if n <= 0:
        raise ValueError("YOURSAY_SAFEGUARDING_REVIEW_HOURS must be more than 0")
    n = int(n) if n == int(n) else n
    return f"within {n} hour{'s' if n != 1 else ''}"
