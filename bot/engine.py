"""The conversation: (state, incoming text, context) -> (new state, replies, effects).

No I/O lives here: no database, no network, no clock, no randomness. The caller passes
the time and a fresh response reference in the context, and carries out the effects.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot import fft, gsm7
from bot.texts import Texts

STOP_WORDS = frozenset({"stop", "stopall", "unsubscribe", "cancel", "end", "quit", "/stop",
                        "stop texting me", "stop messaging me", "stop all", "unsubscribe me"})
START_WORDS = frozenset({"start", "yes", "unstop", "/start"})
HELP_WORDS = frozenset({"help", "info", "/help"})
SKIP_WORDS = frozenset({"skip", "pass", "no comment", "rather not say", "prefer not to say"})
MAX_FREE_TEXT = 5000
MAX_SERVICE_CHOICES = 8


@dataclass(frozen=True)
class Reply:
    """One message back to the person; buttons are (label, data) for channels that show them."""

    text: str
    buttons: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class RecordAnswer:
    """Store an answer under an anonymous response reference."""

    ref: str
    survey_id: str
    survey_version: int
    service: str | None
    question_id: str
    value: str


@dataclass(frozen=True)
class OptOut:
    """The person opted out; confirmed says whether we told them so."""

    confirmed: bool


@dataclass(frozen=True)
class OptIn:
    """The person opted back in."""


@dataclass(frozen=True)
class Context:
    """What the engine needs to know about the world for one message."""

    now: datetime
    channel: str
    ref: str
    texts: Texts = field(default_factory=Texts)
    services: tuple[tuple[str, str], ...] = ()
    timeout: timedelta = timedelta(hours=24)
    provider_replied: bool = False  # the carrier already answered this keyword (e.g. Twilio Advanced Opt-Out)


@dataclass
class Result:
    state: dict
    replies: list[Reply] = field(default_factory=list)
    effects: list = field(default_factory=list)


def handle(state: dict | None, text: str, ctx: Context) -> Result:
    """Answer one incoming message."""
    result = _handle(state, text, ctx)
    if ctx.provider_replied:  # record what the keyword did, but never answer it twice
        result.replies = []
        result.effects = [OptOut(confirmed=False) if isinstance(e, OptOut) else e for e in result.effects]
    return result


def _handle(state: dict | None, text: str, ctx: Context) -> Result:
    state = dict(state or {})
    word = fft.normalise(text) if not text.strip().startswith("/") else text.strip().lower()
    command, _, argument = word.partition(" ")
    if state.get("opted_out"):
        if word in START_WORDS or command == "/start":
            return _opt_in(state, argument if command == "/start" else "", ctx)
        return Result(state)
    if word in STOP_WORDS:
        return Result({"opted_out": True}, [Reply(ctx.texts.stopped())], [OptOut(confirmed=True)])
    if word in HELP_WORDS:
        return Result(_touch(state, ctx) if state.get("step") else state, [Reply(ctx.texts.help())])
    expired = bool(state.get("step")) and _is_expired(state, ctx)
    if expired:
        state = {}
    step = state.get("step")
    if command == "/start" or (command == ctx.texts.keyword.lower() and _starts_over(step, argument, ctx)):
        return _start(argument, ctx)
    if not text.strip():
        return Result(state, [Reply(ctx.texts.empty())])
    if step == "service":
        return _answer_service(state, text, ctx)
    if step == "fft":
        return _answer_fft(state, text, ctx)
    if step == "why":
        return _answer_why(state, text, ctx)
    return Result(state, [Reply(ctx.texts.expired() if expired else ctx.texts.idle())])


def _starts_over(step: str | None, argument: str, ctx: Context) -> bool:
    """The keyword restarts, unless it is just the first word of a story mid-survey."""
    return not step or not argument or _find_service(argument, ctx) is not None


def invitation_state(service: str | None, now: datetime) -> dict:
    """The state of someone who has just been sent an invitation."""
    return {"step": "fft", "service": service, "updated_at": now.isoformat()}


def _touch(state: dict, ctx: Context, **changes) -> dict:
    return {**state, **changes, "updated_at": ctx.now.isoformat()}


def _is_expired(state: dict, ctx: Context) -> bool:
    updated = state.get("updated_at")
    return not updated or ctx.now - datetime.fromisoformat(updated) > ctx.timeout


def _opt_in(state: dict, argument: str, ctx: Context) -> Result:
    if argument:
        result = _start(argument, ctx)
        result.effects.insert(0, OptIn())
        return result
    return Result({}, [Reply(ctx.texts.restarted())], [OptIn()])


def _service_name(code: str | None, ctx: Context) -> str | None:
    return dict(ctx.services).get(code) if code else None


def _find_service(argument: str, ctx: Context) -> str | None:
    wanted = fft.normalise(argument).replace(" ", "")
    for code, name in ctx.services:
        if wanted and wanted in (fft.normalise(code).replace(" ", ""), fft.normalise(name).replace(" ", "")):
            return code
    return None


def _start(argument: str, ctx: Context) -> Result:
    code = _find_service(argument, ctx)
    if code or not ctx.services or len(ctx.services) > MAX_SERVICE_CHOICES:
        return _ask_fft(code, ctx)
    state = _touch({}, ctx, step="service", misses=0)
    return Result(state, [_service_reply(ctx, retry=False)])


def _service_choices(ctx: Context) -> list[tuple[str, str]]:
    return list(ctx.services[:MAX_SERVICE_CHOICES])


def _service_reply(ctx: Context, retry: bool) -> Reply:
    choices = _service_choices(ctx)
    prompt = ctx.texts.service_retry if retry else ctx.texts.service_prompt
    lines = [f"{n} {name}" for n, (_, name) in enumerate(choices, 1)]
    while lines and not gsm7.fits(prompt("\n".join(lines))):
        lines.pop()  # a long list of services is cut to the SMS budget; typed names still work
    buttons = tuple((f"{n} {name}", str(n)) for n, (_, name) in enumerate(choices[:len(lines)], 1))
    return Reply(prompt("\n".join(lines)), buttons + (("Not sure", "0"),))


def _answer_service(state: dict, text: str, ctx: Context) -> Result:
    norm = fft.normalise(text)
    choices = _service_choices(ctx)
    if norm == "0" or norm in SKIP_WORDS:
        return _ask_fft(None, ctx)
    if norm.isdigit() and 1 <= int(norm) <= len(choices):
        return _ask_fft(choices[int(norm) - 1][0], ctx)
    code = _find_service(text, ctx)
    if code:
        return _ask_fft(code, ctx)
    if state.get("misses", 0) >= 1:
        return _ask_fft(None, ctx)  # never trap anyone on this question: record it as unknown
    return Result(_touch(state, ctx, misses=1), [_service_reply(ctx, retry=True)])


def fft_buttons() -> tuple[tuple[str, str], ...]:
    """The six answers as (label, data) buttons."""
    return tuple((f"{code} {label}", code) for code, label, _ in fft.ANSWERS)


def _ask_fft(service: str | None, ctx: Context) -> Result:
    state = _touch({}, ctx, step="fft", service=service, misses=0)
    return Result(state, [Reply(ctx.texts.question(_service_name(service, ctx)), fft_buttons())])


def _answer_fft(state: dict, text: str, ctx: Context) -> Result:
    code = fft.parse(text)
    if code is None:
        if fft.normalise(text) in SKIP_WORDS:
            return Result({}, [Reply(ctx.texts.left_survey())])
        misses = state.get("misses", 0) + 1
        reply = ctx.texts.question_retry() if misses == 1 else ctx.texts.question_offer_stop()
        return Result(_touch(state, ctx, misses=misses), [Reply(reply, fft_buttons())])
    ref = state.get("ref") or ctx.ref
    effect = RecordAnswer(ref, fft.SURVEY_ID, fft.SURVEY_VERSION, state.get("service"), "fft", code)
    new_state = _touch({}, ctx, step="why", service=state.get("service"), ref=ref)
    return Result(new_state, [Reply(ctx.texts.followup_prompt())], [effect])


def _answer_why(state: dict, text: str, ctx: Context) -> Result:
    text = text.strip()
    if fft.normalise(text) in SKIP_WORDS:
        return Result({}, [Reply(ctx.texts.thanks())])
    effect = RecordAnswer(state.get("ref") or ctx.ref, fft.SURVEY_ID, fft.SURVEY_VERSION, state.get("service"),
                          "why", text[:MAX_FREE_TEXT])
    return Result({}, [Reply(ctx.texts.thanks())], [effect])
