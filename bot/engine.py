"""The conversation: (state, incoming text, context) -> (new state, replies, effects).

No I/O lives here: no database, no network, no clock, no randomness. The caller passes
the time, the surveys and a fresh response reference in the context, and carries out the
effects. Surveys are data (bot/surveys.py); this module runs any of them.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot import answers, gsm7, participation
from bot import safeguarding as sg
from bot.answers import normalise
from bot.replies import Reply, Result
from bot.keywords import BACK_WORDS, CARRY_ON_WORDS, HELP_WORDS, SKIP_WORDS, START_WORDS, STOP_WORDS
from bot.flow import Question, Registry, Survey
from bot.surveys import shipped
from bot.texts import NOT_SURE_BUTTON, Texts

MAX_SERVICE_CHOICES = 8
# What people say after a crisis reply: answered warmly, never with the generic greeting.
THANKS_WORDS = frozenset({"thank you", "thanks", "thankyou", "thank u", "ty", "thx", "ok", "okay", "k", "kk", "ok thanks",
                          "ok thank you", "okay thanks", "okay thank you", "cheers", "ta", "will do", "i will",
                          "ill try", "i will try", "thanks i will", "alright", "right", "got it", "noted", "i know",
                          "yeah", "yes", "ok will do", "thank you i will", "thanks x", "thank you x", "ok x", "fine",
                          "i am ok", "im ok", "im okay", "i am okay", "im fine", "i am fine", "im safe", "i am safe"})


@dataclass(frozen=True)
class RecordAnswer:
    """Store an answer under an anonymous response reference."""

    ref: str
    survey_id: str
    survey_version: int
    service: str | None
    question_id: str
    value: str
    store: str = "feedback"
    anonymous: bool = True


@dataclass(frozen=True)
class ForgetAnswer:
    """Remove an answer that no longer applies (the person went back and changed a branch)."""

    ref: str
    question_id: str
    store: str = "feedback"


@dataclass(frozen=True)
class OptOut:
    """The person opted out; confirmed says whether we told them so."""

    confirmed: bool


@dataclass(frozen=True)
class OptIn:
    """The person opted back in."""


@dataclass(frozen=True)
class NoteInterest:
    """The person would (or would not) like to hear about getting involved."""

    interested: bool


@dataclass(frozen=True)
class Risk:
    """What the safeguarding check found in a message. A reason to involve a human, never a clinical assessment."""

    category: str  # suicide, self-harm, harm-to-others, unsafe, abuse, someone-else, distress, ... (nlp.risk)
    priority: str  # urgent, high or low (e.g. negated: lower priority, never silenced)
    reason: str  # what was matched, so staff can see why
    negated: bool = False  # a negated or long-past mention
    language: str | None = None  # the message's language, when it is not English


@dataclass(frozen=True)
class RaiseFlag:
    """Record a safeguarding flag for a human to review, and alert whoever is on duty."""

    category: str
    priority: str
    reason: str


@dataclass(frozen=True)
class Context:
    """What the engine needs to know about the world for one message."""

    now: datetime
    channel: str
    ref: str
    texts: Texts = field(default_factory=Texts)
    services: tuple[tuple[str, str], ...] = ()
    surveys: Registry = field(default_factory=shipped)
    default_survey: str = "fft"
    timeout: timedelta | None = None  # overrides each survey's own expiry when set
    provider_replied: bool = False  # the carrier already answered this keyword (e.g. Twilio Advanced Opt-Out)
    participation: participation.Snapshot | None = None  # loaded only when wants_participation() says so
    risk: Risk | None = None  # what the safeguarding check found in this message, if anything

    @property
    def sms(self) -> bool:
        return self.channel != "telegram"


def handle(state: dict | None, text: str, ctx: Context) -> Result:
    """Answer one incoming message."""
    state = dict(state or {})
    if ctx.risk is not None:
        result = _at_risk(state, text, ctx)
    else:
        result = _handle(state, text, ctx)
        if ctx.provider_replied:  # record what the keyword did, but never answer it twice
            result.replies = []
            result.effects = [OptOut(confirmed=False) if isinstance(e, OptOut) else e for e in result.effects]
    if "risk" in state and "risk" not in result.state and _recent_crisis(state, ctx.now, sg.AFTER_CRISIS):
        result.state = {**result.state, "risk": state["risk"]}  # e.g. the survey ended: still remember the reply
    return result


def _recent_crisis(state: dict, now: datetime, within: timedelta) -> bool:
    """True if this person was sent a reply to a risk message within the given time."""
    at = (state.get("risk") or {}).get("at")
    return bool(at) and now - datetime.fromisoformat(at) < within


def _first_reply(state: dict, risk: Risk, now: datetime) -> bool:
    """True unless the same kind of risk was answered, as seriously, in the last 10 minutes."""
    earlier = ((state.get("risk") or {}).get("replied") or {}).get(risk.category)
    if not earlier:
        return True
    at, rank = earlier
    return now - datetime.fromisoformat(at) >= sg.REPEAT_WINDOW or sg.RANK[risk.priority] < rank


def _remember(state: dict, risk: Risk, now: datetime, before: dict) -> dict:
    """Note that this kind of risk was answered now, so a repeat within minutes gets a short reply.

    What was answered before (in `before`, the state the message arrived to) is kept, even when
    the message started a new conversation."""
    earlier = {**((before.get("risk") or {}).get("replied") or {}), **((state.get("risk") or {}).get("replied") or {})}
    replied = {k: v for k, v in earlier.items() if now - datetime.fromisoformat(v[0]) < sg.REPEAT_WINDOW}
    replied[risk.category] = [now.isoformat(), sg.RANK[risk.priority]]
    return {**state, "risk": {"at": now.isoformat(), "replied": replied}}


def reply_kind(risk: Risk) -> str:
    """Which words answer this risk: a low mention of a serious kind (negated, long past) gets the gentle ones."""
    return "negated" if risk.negated or risk.priority == "low" and risk.category in sg.SERIOUS else risk.category


def _at_risk(state: dict, text: str, ctx: Context) -> Result:
    """Signpost help at once and flag the message for a human; never carry on as if nothing happened.

    Even after STOP: a person who may be at risk is always told where to get help. The words fit
    the kind of risk (bot/safeguarding.yaml); the same kind again within 10 minutes gets a short
    answer instead of the numbers again, unless it is more serious.
    """
    risk, texts = ctx.risk, ctx.texts
    flag = RaiseFlag(risk.category, risk.priority, risk.reason)
    first = _first_reply(state, risk, ctx.now)
    kind = reply_kind(risk)
    if not texts.safeguarding_settings.pauses(risk.priority):  # e.g. low: "not suicidal, just...", hopelessness
        result = _handle(state, text, ctx)
        result.effects.append(flag)
        if first and not (state.get("opted_out") and risk.priority == "low"):  # after STOP, only urgent or high
            greeting = (texts.idle(), texts.expired())  # said to a message that started nothing: not needed now
            inner = [r for r in result.replies if r.text not in greeting]
            result.replies = [Reply(texts.risk_reply(kind, risk.language)), *inner]
            result.state = _remember(result.state, risk, ctx.now, state)
        return result
    crisis = Reply(texts.risk_reply(kind, risk.language) if first else texts.risk_repeat())
    review = [Reply(texts.flagged())] if first else []  # who will read it and when: said once

    def answered(new_state: dict, replies: list[Reply], effects: list) -> Result:
        return Result(_remember(new_state, risk, ctx.now, state) if first else new_state, replies, effects)

    if state.get("opted_out"):
        return answered(state, [crisis], [flag])
    if state.get("step") == "question" and not state.get("paused") and not _is_expired(state, ctx):
        # The message may still be their answer (a disclosure about care is feedback too): keep it, then pause.
        inner = _handle(state, text, ctx)
        kept = [e for e in inner.effects if isinstance(e, (RecordAnswer, ForgetAnswer))]
        if kept and inner.state.get("step") != "question":  # that was the last question: nothing to pause
            return answered(inner.state, [crisis, *review], [*kept, flag])
        paused = {**(inner.state if kept else _touch(state, ctx)), "paused": True}
        return answered(paused, [crisis, Reply(texts.survey_paused())] if first else [crisis], [*kept, flag])
    return answered(_touch(state, ctx) if state.get("step") else state, [crisis, *review], [flag])


def _word(text: str) -> str:
    return normalise(text) if not text.strip().startswith("/") else _command(text)


def wants_participation(state: dict | None, text: str) -> bool:
    """True if this message may need a participation Snapshot in the context."""
    state = state or {}
    return not state.get("opted_out") and participation.concerns(state, _word(text))


def _handle(state: dict, text: str, ctx: Context) -> Result:
    word = _word(text)
    command, _, argument = word.partition(" ")
    if state.get("opted_out"):
        if word in START_WORDS or command == "/start":
            return _opt_in(argument if command == "/start" else "", ctx)
        return Result(state)
    if word in STOP_WORDS:
        return Result({"opted_out": True}, [Reply(ctx.texts.stopped())], [OptOut(confirmed=True)])
    if word in HELP_WORDS:
        return Result(_touch(state, ctx) if state.get("step") else state, [Reply(ctx.texts.help())])
    expired = bool(state.get("step")) and _is_expired(state, ctx)
    if expired:
        state = {}
    step = state.get("step")
    if participation.is_keyword(word):
        return _participation(state, word, text, ctx)
    if command == "/start":
        return _start(ctx.surveys.latest(ctx.default_survey), argument, ctx)
    started = _keyword(word, ctx)
    if started and step == "question" and started[0].id == state.get("survey") and not started[1]:
        return _resume(state, ctx)
    if started and (not step or not started[1] or _find_service(started[1], ctx)):
        return _start(started[0], started[1], ctx)
    if not text.strip():
        return Result(state, [Reply(ctx.texts.empty())])
    if step == "question" and state.get("paused"):  # after a safeguarding flag: only on their say-so
        if word in CARRY_ON_WORDS:
            return _resume(state, ctx)
        if word in THANKS_WORDS and _recent_crisis(state, ctx.now, sg.AFTER_CRISIS):
            return Result(_touch(state, ctx), [Reply(ctx.texts.after_crisis(paused=True))])
        return Result(_touch(state, ctx), [Reply(ctx.texts.still_paused())])
    if not step and (word in THANKS_WORDS or word in CARRY_ON_WORDS) and _recent_crisis(state, ctx.now,
                                                                                            sg.AFTER_CRISIS):
        return Result(state, [Reply(ctx.texts.after_crisis(paused=False))])
    if step in participation.STEPS:
        return _participation(state, word, text, ctx)
    if step == "service":
        return _answer_service(state, text, ctx)
    if step == "question":
        return _answer_question(state, text, ctx)
    if _recent_crisis(state, ctx.now, sg.AFTER_CRISIS):  # "still here, a bit calmer": not the generic greeting
        return Result(state, [Reply(ctx.texts.after_crisis(paused=False))])
    return Result(state, [Reply(ctx.texts.expired() if expired else ctx.texts.idle())])


def _participation(state: dict, word: str, text: str, ctx: Context) -> Result:
    snap = ctx.participation or participation.Snapshot()
    result = participation.handle(state, word, text, snap, ctx.sms, ctx.now, ctx.texts.trust_name)
    if "start_survey" in result.state:  # e.g. participants' equality questions, after signing up
        survey = ctx.surveys.latest(result.state["start_survey"])
        started = _start(survey, "", ctx)
        started.replies, started.effects = result.replies + started.replies, result.effects + started.effects
        return started
    return result


def _command(text: str) -> str:
    """A Telegram command as typed, without the bot's name ("/stop@YourSayBot" is "/stop")."""
    command, _, rest = text.strip().lower().partition(" ")
    return " ".join([command.split("@", 1)[0], rest]).strip()


def _keyword(word: str, ctx: Context) -> tuple[Survey, str] | None:
    """The survey a keyword starts, and what follows it (e.g. a service code)."""
    keywords = [(normalise(ctx.texts.keyword), ctx.surveys.latest(ctx.default_survey))]
    keywords += [(k, versions[0]) for versions in ctx.surveys.surveys.values() for k in versions[0].keywords]
    for keyword, survey in sorted(keywords, key=lambda pair: -len(pair[0])):
        if survey and (word == keyword or word.startswith(keyword + " ")):
            return survey, word[len(keyword):].strip()
    return None


def _touch(state: dict, ctx: Context, **changes) -> dict:
    return {**state, **changes, "updated_at": ctx.now.isoformat()}


def _survey_of(state: dict, ctx: Context) -> Survey | None:
    return ctx.surveys.get(state.get("survey", ""), state.get("version", 0))


def _is_expired(state: dict, ctx: Context) -> bool:
    return is_expired(state, ctx.surveys, ctx.now, ctx.timeout)


def is_expired(state: dict, surveys: Registry, now: datetime, timeout: timedelta | None = None) -> bool:
    """True if a conversation has been idle longer than its survey allows."""
    updated = state.get("updated_at")
    survey = surveys.get(state.get("survey", ""), state.get("version", 0))
    if not updated or (state.get("step") == "question" and (survey is None or survey.question(state.get("q", ""))
                                                           is None)):
        return True  # the survey or question it was on is no longer loaded
    limit = timeout or (survey.expires_after if survey else timedelta(hours=24))
    return now - datetime.fromisoformat(updated) > limit


def _opt_in(argument: str, ctx: Context) -> Result:
    if argument:
        result = _start(ctx.surveys.latest(ctx.default_survey), argument, ctx)
        result.effects.insert(0, OptIn())
        return result
    return Result({}, [Reply(ctx.texts.restarted())], [OptIn()])


def _service_name(code: str | None, ctx: Context) -> str | None:
    return dict(ctx.services).get(code) if code else None


def _find_service(argument: str, ctx: Context) -> str | None:
    wanted = normalise(argument).replace(" ", "")
    for code, name in ctx.services:
        if wanted and wanted in (normalise(code).replace(" ", ""), normalise(name).replace(" ", "")):
            return code
    return None


def _start(survey: Survey | None, argument: str, ctx: Context) -> Result:
    if survey is None:
        return Result({}, [Reply(ctx.texts.idle())])
    code = _find_service(argument, ctx)
    if code or not survey.asks_service or not ctx.services or len(ctx.services) > MAX_SERVICE_CHOICES:
        return _begin(survey, code, ctx)
    state = _touch({}, ctx, step="service", survey=survey.id, version=survey.version, misses=0)
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
    return Reply(prompt("\n".join(lines)), buttons + (NOT_SURE_BUTTON,))


def _answer_service(state: dict, text: str, ctx: Context) -> Result:
    survey = _survey_of(state, ctx) or ctx.surveys.latest(ctx.default_survey)
    norm, choices = normalise(text), _service_choices(ctx)
    if norm == "0" or norm in SKIP_WORDS:
        return _begin(survey, None, ctx)
    if norm.isdigit() and 1 <= int(norm) <= len(choices):
        return _begin(survey, choices[int(norm) - 1][0], ctx)
    code = _find_service(text, ctx)
    if code or state.get("misses", 0) >= 1:
        return _begin(survey, code, ctx)  # never trap anyone on this question: a second miss is "unknown"
    return Result(_touch(state, ctx, misses=1), [_service_reply(ctx, retry=True)])


# --- running a survey ---------------------------------------------------------------------

def first_state(survey: Survey, service: str | None, now: datetime) -> dict:
    """The state of someone about to answer the survey's first question."""
    first = _next_question(survey, None, {})
    return {"step": "question", "survey": survey.id, "version": survey.version, "q": first.id,
            "service": service, "answers": {}, "history": [], "misses": 0, "updated_at": now.isoformat()}


def invitation_state(survey: Survey, service: str | None, now: datetime) -> dict:
    """The state of someone who has just been sent an invitation: at the first question."""
    return first_state(survey, service, now)


def question_reply(question: Question, sms: bool, prefix: str = "") -> Reply:
    """A question as a reply; a prefix is left off where it would push an SMS over budget."""
    prompt = answers.prompt_text(question, sms=sms)
    text = prefix + prompt if not sms or gsm7.fits(prefix + prompt) else prompt
    return Reply(text, answers.buttons(question))


def _begin(survey: Survey, service: str | None, ctx: Context) -> Result:
    state = first_state(survey, service, ctx.now)
    name = _service_name(service, ctx)
    about = ctx.texts.about(name) if name else ""
    replies = []
    intro = survey.intro_sms if ctx.sms and survey.intro_sms else survey.intro
    if intro:
        replies.append(Reply(about + intro))
        about = ""
    replies.append(question_reply(survey.question(state["q"]), ctx.sms, about))
    return Result(state, replies)


def _visible(question: Question, given: dict) -> bool:
    if question.when is None:
        return True
    answer = given.get(question.when.question)
    return answer is not None and bool(set(answer.split(",")) & set(question.when.any_of))


def _next_question(survey: Survey, current: str | None, given: dict) -> Question | None:
    ids = [q.id for q in survey.questions]
    start = ids.index(current) + 1 if current in ids else 0
    return next((q for q in survey.questions[start:] if _visible(q, given)), None)


def _branch_ids(survey: Survey) -> set[str]:
    return {q.when.question for q in survey.questions if q.when}


def _answer_question(state: dict, text: str, ctx: Context) -> Result:
    survey = _survey_of(state, ctx)
    question = survey.question(state["q"])
    norm = normalise(text)
    if norm in BACK_WORDS:
        return _go_back(state, survey, question, ctx)
    skipping = norm in SKIP_WORDS
    # An option that means the same ("Prefer not to say") is an answer; in free text, "skip" is not.
    value = None if skipping and question.type == "text" else answers.QUESTION_TYPES[question.type].parse(question, text)
    if value is None and skipping:
        if not question.optional:
            return Result({}, [Reply(ctx.texts.left_survey())])
        if question.id not in state.get("answers", {}):
            return _advance(state, survey, question, ctx, [])
        given = {k: v for k, v in state.get("answers", {}).items() if k != question.id}
        state = {**state, "answers": given}
        return _advance(state, survey, question, ctx, _forget_hidden(state, survey, question, given))
    if value is None:
        misses = state.get("misses", 0) + 1
        return Result(_touch(state, ctx, misses=misses), [_retry(question, misses, ctx)])
    ref = state.get("ref") or ctx.ref
    state = {**state, "ref": ref}
    if question.effect == "participation_interest":
        effects = [NoteInterest(value == "yes")]
    else:
        effects = [RecordAnswer(ref, survey.id, survey.version, state.get("service"), question.id, value,
                                survey.store, survey.anonymous)]
    if question.id in _branch_ids(survey):
        answered_before = question.id in state.get("answers", {})
        state["answers"] = {**state.get("answers", {}), question.id: value}
        if answered_before:  # they went back and may have changed a branch
            effects += _forget_hidden(state, survey, question, state["answers"])
    return _advance(state, survey, question, ctx, effects)


def _forget_hidden(state: dict, survey: Survey, changed: Question, given: dict) -> list:
    """Answers to questions that now stay hidden, after the person went back and changed a branch."""
    if not state.get("ref"):
        return []
    depends, hidden = {changed.id}, []
    for question in survey.questions:
        if question.when and question.when.question in depends:
            depends.add(question.id)
            if not _visible(question, given):
                hidden.append(ForgetAnswer(state["ref"], question.id, survey.store))
    return hidden


def _advance(state: dict, survey: Survey, question: Question, ctx: Context, effects: list) -> Result:
    following = _next_question(survey, question.id, state.get("answers", {}))
    if following is None:
        closing = survey.closing_sms if ctx.sms and survey.closing_sms else survey.closing
        return Result({}, [Reply(closing or ctx.texts.thanks())], effects)
    history = [*state.get("history", []), question.id]
    new_state = _touch(state, ctx, q=following.id, history=history, misses=0)
    return Result(new_state, [question_reply(following, ctx.sms)], effects)


def _resume(state: dict, ctx: Context) -> Result:
    """The survey's keyword again, mid-survey: carry on where they left off."""
    question = _survey_of(state, ctx).question(state["q"])
    state = {k: v for k, v in state.items() if k != "paused"}
    return Result(_touch(state, ctx, misses=0), [question_reply(question, ctx.sms, ctx.texts.resumed())])


def _go_back(state: dict, survey: Survey, question: Question, ctx: Context) -> Result:
    history = list(state.get("history", []))
    if not history:
        return Result(_touch(state, ctx), [question_reply(question, ctx.sms, ctx.texts.first_question())])
    previous = survey.question(history.pop())
    return Result(_touch(state, ctx, q=previous.id, history=history, misses=0), [question_reply(previous, ctx.sms)])


def _retry(question: Question, misses: int, ctx: Context) -> Reply:
    options = question.options
    if misses == 1:
        text = ctx.texts.retry(answers.retry_text(question))
    else:
        text = ctx.texts.offer_to_leave(len(options), options[0].label if options else "",
                                        options[-1].label if options else "", question.optional)
    return Reply(text, answers.buttons(question))
