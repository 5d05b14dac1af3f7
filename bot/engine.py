"""The conversation: (state, incoming text, context) -> (new state, replies, effects).

No I/O lives here: no database, no network, no clock, no randomness. The caller passes
the time, the surveys and a fresh response reference in the context, and carries out the
effects. Surveys are data (bot/surveys.py); this module runs any of them.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot import answers, gsm7, participation, stories
from bot import safeguarding as sg
from bot.replies import Reply, Result
from bot.keywords import (BACK_WORDS, CARRY_ON_WORDS, HELP_WORDS, SKIP_WORDS, START_WORDS, is_stop, near_reserved,
                          normalise, one_typo)
from bot.flow import Question, Registry, Survey
from bot.surveys import shipped
from bot.texts import NOT_SURE_BUTTON, YES_NO, Texts

MAX_SERVICE_CHOICES = 8
# At "which service?": not knowing is an answer ("0 Not sure / rather not say"), said in words too.
NOT_SURE_WORDS = frozenset({"not sure", "dont know", "dunno", "no idea", "idk", "unsure", "dk", "no clue",
                            "cant remember", "i dont know", "im not sure", "i dunno"})
# A bare answer sent again this soon, at the free-text question after it, is the same answer twice.
REPEAT_WITHIN = timedelta(minutes=5)
MEDIA = "\x1c"  # what a channel passes for media with no words (a photo, sticker, voice note): blank, like empty
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
class JoinPart:
    """Add a later part of a story to the answer it continues; kept as `alone` if that has been sealed meanwhile."""

    ref: str
    question_id: str
    text: str
    alone: RecordAnswer | None = None


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
    quiet: bool = False  # only the risk model was unsure (nlp.risk): a flag for a human, no crisis reply


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
    story_join: timedelta = timedelta(0)  # later parts of a story within this are joined to it (bot/stories.py)
    recent_service: timedelta = timedelta(0)  # how long a service is remembered after its conversation ends

    @property
    def sms(self) -> bool:
        return self.channel != "telegram"


def handle(state: dict | None, text: str, ctx: Context) -> Result:
    """Answer one incoming message."""
    state = dict(state or {})
    if ctx.risk is not None and not _answers_in_another_language(state, text, ctx):
        result = _at_risk(state, text, ctx)
    else:
        result = _handle(state, text, ctx)
        if ctx.provider_replied:  # record what the keyword did, but never answer it twice
            result.replies = []
            result.effects = [OptOut(confirmed=False) if isinstance(e, OptOut) else e for e in result.effects]
    if "risk" in state and "risk" not in result.state and _recent_crisis(state, ctx.now, sg.AFTER_CRISIS):
        result.state = {**result.state, "risk": state["risk"]}  # e.g. the survey ended: still remember the reply
    result.state = _follow_stories(state, result, ctx)
    return result


def _answers_in_another_language(state: dict, text: str, ctx: Context) -> bool:
    """True if a message flagged only for its language is the reply the step asked for: an answer to the choice
    question ("da iawn" at the FFT: one to confirm), or a name at the name step ("Łukasz" reads as Polish).

    Not a message nobody here can read; anything else in another language still goes to a human
    (nlp.risk's other-language)."""
    if ctx.risk.category != "other-language":
        return False
    if participation.only_a_name(state, text):
        return True
    if state.get("step") != "question" or state.get("paused"):
        return False
    survey = _survey_of(state, ctx)
    question = survey.question(state.get("q", "")) if survey else None
    if question is None or not question.options or _is_expired(state, ctx):
        return False
    return answers.QUESTION_TYPES[question.type].read(question, text) is not None


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


TOLD_WORDS = 40  # a risk message sent outside a survey this long tells a story too: kept as one, as well as flagged


def _at_risk(state: dict, text: str, ctx: Context) -> Result:
    """Signpost help at once and flag the message for a human; never carry on as if nothing happened.

    Even after STOP: a person who may be at risk is always told where to get help. The words fit
    the kind of risk (bot/safeguarding.yaml); the same kind again within 10 minutes gets a short
    answer instead of the numbers again, unless it is more serious. A quiet finding (only the model
    was unsure: a complaint or a question often reads so) is flagged for a human and otherwise
    answered as any message is: no crisis words, and no after-crisis mode.
    """
    risk, texts = ctx.risk, ctx.texts
    flag = RaiseFlag(risk.category, risk.priority, risk.reason)
    first = _first_reply(state, risk, ctx.now)
    kind = reply_kind(risk)
    if not texts.safeguarding_settings.pauses(risk.priority):  # e.g. low: "not suicidal, just...", hopelessness
        result = _handle(state, text, ctx)
        result.effects.append(flag)
        # After STOP, only urgent or high is answered; a quiet finding is only flagged.
        if first and not risk.quiet and not (state.get("opted_out") and risk.priority == "low"):
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
        kept = [e for e in inner.effects if isinstance(e, (RecordAnswer, ForgetAnswer, JoinPart))]
        if kept and inner.state.get("step") != "question":  # that was the last question: nothing to pause
            return answered(inner.state, [crisis, *review], [*kept, flag])
        paused = {**(inner.state if kept else _touch(state, ctx)), "paused": True}
        return answered(paused, [crisis, Reply(texts.survey_paused())] if first else [crisis], [*kept, flag])
    part = _story_part(state, _word(text), text, ctx)  # a later part of a story: kept with it, as an answer is
    if part is not None:
        return answered(part.state, [crisis, *review], [*part.effects, flag])
    # Sent outside a survey: a disclosure about care is feedback too, so a message long enough to tell more than
    # the risk ("I cut myself after the ward sent me home with nobody to call") is kept as a story as well.
    told = stories.is_story(text) and len(stories.words(text)) >= TOLD_WORDS
    story = _story_answer(text, stories.recent_service(state, ctx.now), ctx) if told else None
    return answered(_touch(state, ctx) if state.get("step") else state, [crisis, *review],
                    [story, flag] if story else [flag])


def _word(text: str) -> str:
    return normalise(text) if not text.strip().startswith("/") else _command(text)


def wants_participation(state: dict | None, text: str) -> bool:
    """True if this message may need a participation Snapshot in the context."""
    state = state or {}
    return not state.get("opted_out") and (participation.concerns(state, _word(text)) or not state.get("step")
                                           and stories.kind_of(text) == stories.INVOLVED)


def _handle(state: dict, text: str, ctx: Context) -> Result:
    word = _word(text)
    command, _, argument = word.partition(" ")
    if state.get("opted_out"):
        if word in START_WORDS or command == "/start":
            return _opt_in(argument if command == "/start" else "", ctx)
        return Result(state)
    if is_stop(word):
        return Result({"opted_out": True}, [Reply(ctx.texts.stopped())], [OptOut(confirmed=True)])
    if word in HELP_WORDS:
        return Result(_touch(state, ctx) if state.get("step") else state, [Reply(ctx.texts.help())])
    expired = bool(state.get("step")) and _is_expired(state, ctx)
    if expired:
        state = stories.ended(state, ctx.now, ctx.recent_service)
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
        return Result(state, [Reply(ctx.texts.media() if text == MEDIA else ctx.texts.empty())])
    part = _story_part(state, word, text, ctx)
    if part is not None:
        return part
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
    asked = stories.kind_of(text)
    if asked in (stories.WRONG_NUMBER, stories.WHO) and not _asks_for_words(state, ctx) and "confirm" not in state:
        said = [Reply(ctx.texts.wrong_number() if asked == stories.WRONG_NUMBER else ctx.texts.who_we_are())]
        if step == "question" and asked == stories.WHO:  # after an invitation: who we are, then the question again
            survey = _survey_of(state, ctx)
            question = survey.question(state.get("q", "")) if survey else None
            said += [question_reply(question, ctx.sms)] if question else []
        return Result(_touch(state, ctx) if step else state, said)
    if step == "service":
        return _answer_service(state, text, ctx)
    if step == "question":
        return _answer_question(state, text, ctx)
    if _recent_crisis(state, ctx.now, sg.AFTER_CRISIS):  # "still here, a bit calmer": not the generic greeting
        story = _story_answer(text, stories.recent_service(state, ctx.now), ctx) if stories.is_story(text) else None
        return Result(state, [Reply(ctx.texts.after_crisis(paused=False))], [story] if story else [])
    if asked == stories.INVOLVED:  # "how can I get involved?": the listing, as JOIN
        return _participation(state, "join", text, ctx)
    request = asked == stories.REQUEST  # kept, but said plainly that nobody here can act on it
    kept = _new_story(state, text, ctx) if stories.is_story(text) or request else None  # words sent outside a survey
    if request:
        return Result(state, [Reply(ctx.texts.cannot_act())], kept.effects if kept else [])
    return kept or Result(state, [Reply(ctx.texts.expired() if expired else ctx.texts.idle())])


def _asks_for_words(state: dict, ctx: Context) -> bool:
    """Whether the question under way takes free text: there "who is this?" or "wrong number" may be the answer."""
    survey = _survey_of(state, ctx) if state.get("step") == "question" else None
    question = survey.question(state.get("q", "")) if survey else None
    return question is not None and not question.options


def _participation(state: dict, word: str, text: str, ctx: Context) -> Result:
    snap = ctx.participation or participation.Snapshot()
    result = participation.handle(state, word, text, snap, ctx.sms, ctx.now, ctx.texts.trust_name)
    if "start_survey" in result.state:  # e.g. participants' equality questions, after signing up
        survey = ctx.surveys.latest(result.state["start_survey"])
        started = _start(survey, "", ctx)
        started.replies, started.effects = result.replies + started.replies, result.effects + started.effects
        return started
    return result


# --- stories: people's own words, kept whole and anonymous (bot/stories.py) -----------------------

def _story_answer(text: str, service: str | None, ctx: Context) -> RecordAnswer | None:
    """Words kept as a story of their own (bot/survey_files/story.yaml), under this message's new reference."""
    survey = ctx.surveys.latest(stories.SURVEY)
    if survey is None or not survey.questions:
        return None
    question = survey.questions[0]
    return RecordAnswer(ctx.ref, survey.id, survey.version, service, question.id, text.strip()[:question.max_length],
                        survey.store, survey.anonymous)


def _new_story(state: dict, text: str, ctx: Context) -> Result | None:
    """Words that tell us something, sent outside a survey: kept, with the recent service if there is one."""
    answer = _story_answer(text, stories.recent_service(state, ctx.now), ctx)
    return Result(state, [Reply(ctx.texts.story_kept())], [answer]) if answer else None


def _story_part(state: dict, word: str, text: str, ctx: Context) -> Result | None:
    """A later part of a story still open: joined to it, whatever the conversation is doing by now."""
    story = stories.open_story(state, ctx.now)
    if story is None or state.get("step") and _is_expired(state, ctx):
        return None
    step, survey = state.get("step"), _survey_of(state, ctx)
    question = survey.question(state.get("q", "")) if step == "question" and survey else None
    choice = question is not None and question.type != "text" and not state.get("paused") and "confirm" not in state
    if choice and (word in SKIP_WORDS or word in BACK_WORDS or answers.confirmation(text) is not None
                   or answers.QUESTION_TYPES[question.type].read(question, text) is not None):
        return None  # at a choice question, an answer (even one to confirm first) is an answer
    if not stories.is_part(story, text, ctx.now, expecting=bool(step) and not choice):
        return None
    part, quiet = text.strip(), stories.soon(story, ctx.now)
    state = _touch(state, ctx) if step else dict(state)
    if stories.fits(story, part):
        effect = JoinPart(story["ref"], story["q"], part, _story_answer(part, story.get("service"), ctx))
        state["story"] = stories.joined(story, len(part), ctx.now, ctx.story_join)
    else:  # the story is as long as one can be: this part begins another
        effect = _story_answer(part, story.get("service"), ctx)
        if effect is None:
            return None
    if quiet:  # one message split in parts: its first part was answered, so no wall of replies
        return Result(state, [], [effect])
    added = ctx.texts.story_added()
    if not choice:
        return Result(state, [Reply(added)], [effect])
    asked = question_reply(question, ctx.sms, added + "\n")  # and the question it is still waiting for
    return Result(state, [asked] if asked.text.startswith(added) else [Reply(added), asked], [effect])


def _text_answer(effects: list, ctx: Context) -> tuple[str, str, str | None, int] | None:
    """(ref, question, service, length) if the last answer among the effects is feedback in free text."""
    answer = next((e for e in reversed(effects) if isinstance(e, RecordAnswer)), None)
    survey = ctx.surveys.get(answer.survey_id, answer.survey_version) if answer and answer.store == "feedback" else None
    question = survey.question(answer.question_id) if survey else None
    if question is None or question.type != "text":
        return None
    return answer.ref, answer.question_id, answer.service, len(answer.value)


def _follow_stories(before: dict, result: Result, ctx: Context) -> dict:
    """A free-text answer opens a story for its later parts; an open story and a recent service outlive the survey."""
    return stories.follow(before, result.state, _text_answer(result.effects, ctx), ctx.now, ctx.story_join,
                          ctx.recent_service)


def _command(text: str) -> str:
    """A Telegram command as typed, without the bot's name ("/stop@YourSayBot" is "/stop")."""
    command, _, rest = text.strip().lower().partition(" ")
    return " ".join([command.split("@", 1)[0], rest]).strip()


def _keyword(word: str, ctx: Context) -> tuple[Survey, str] | None:
    """The survey a keyword starts, and what follows it (e.g. a service code)."""
    keywords = [(normalise(ctx.texts.keyword), ctx.surveys.latest(ctx.default_survey))]
    keywords += [(k, versions[0]) for versions in ctx.surveys.surveys.values() for k in versions[0].keywords]
    keywords = [(k, s) for k, s in sorted(keywords, key=lambda pair: -len(pair[0])) if s]
    for keyword, survey in keywords:
        if word == keyword or word.startswith(keyword + " "):
            return survey, word[len(keyword):].strip()
    said = word.split()
    typos = {}  # one typo ("Feedbak", "fedback oaklands"), never in a word that is or nearly is a reserved one
    for keyword, survey in keywords:
        head = " ".join(said[:len(keyword.split())])
        if one_typo(head, keyword) and not any(near_reserved(w) for w in head.split()):
            typos.setdefault(survey.id, (survey, " ".join(said[len(keyword.split()):])))
    return next(iter(typos.values())) if len(typos) == 1 else None


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
    known = [(code, (normalise(code).replace(" ", ""), normalise(name).replace(" ", ""))) for code, name in ctx.services]
    for code, spellings in known:
        if wanted and wanted in spellings:
            return code
    if not wanted or near_reserved(normalise(argument)):
        return None
    typos = {code for code, spellings in known if any(one_typo(wanted, s) for s in spellings)}  # "Oaklnds"
    return typos.pop() if len(typos) == 1 else None


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
    norm, choices, number = normalise(text), _service_choices(ctx), answers.number_in(text)
    if number == 0 or norm in SKIP_WORDS or answers.means(text, NOT_SURE_WORDS):
        return _begin(survey, None, ctx)
    if number is not None and 1 <= number <= len(choices):
        return _begin(survey, choices[number - 1][0], ctx)
    code = _find_service(text, ctx) or _service_by_words(text, ctx)
    if code:
        return _begin(survey, code, ctx)
    answered = _answered_first(survey, text, ctx)  # "gud": the answer to the survey's question, given early
    if answered is not None:
        return answered
    if state.get("misses", 0) >= 1:  # never trap anyone here, and never silently: say it goes on without one
        return _begin(survey, None, ctx, note=ctx.texts.without_service())
    return Result(_touch(state, ctx, misses=1), [_service_reply(ctx, retry=True)])


# Words around a service's name that do not pick one out ("it was the crisis team pls", "oaklands ward").
SERVICE_FILLERS = frozenset("""the a an it its was is were my our with at in on of from for to by i we me us think
    pls plz please ward team service services unit thanks thank you ta x""".split())


def _service_by_words(text: str, ctx: Context) -> str | None:
    """The one service whose code or name has every word of the reply that is not a filler ("north cmht" is
    CMHTNORTH, Community Mental Health Team North: "cmht" is part of its code and the initials of its name)."""
    wanted = set(normalise(text).split()) - SERVICE_FILLERS
    if not wanted:
        return None

    def fits(word: str, code: str, name: str) -> bool:
        names = normalise(name).split()
        initials = {"".join(n[0] for n in names[i:j]) for i in range(len(names)) for j in range(i + 2, len(names) + 1)}
        code = normalise(code).replace(" ", "")
        return word in names or word in initials or (len(word) >= 3 and word in code)

    found = [code for code, name in ctx.services if all(fits(w, code, name) for w in wanted)]
    return found[0] if len(found) == 1 else None


def _answered_first(survey: Survey, text: str, ctx: Context) -> Result | None:
    """A reply to "which service?" that surely answers the survey's first question in words ("gud", "poor tbh"):
    it is kept, and the survey goes on without a service, saying so. A number here is a service's."""
    state = first_state(survey, None, ctx.now)
    question = survey.question(state["q"])
    if not question.options or re.match(r"\s*[-#(]?\d", text):
        return None
    found = answers.QUESTION_TYPES[question.type].read(question, text)
    if found is None or not found.sure:
        return None
    result = _record(state, survey, question, found.value, found.rest, ctx)
    note, first = ctx.texts.without_service(), result.replies[0]
    if ctx.sms and not gsm7.fits(note + first.text):
        result.replies.insert(0, Reply(note.strip()))
    else:
        result.replies[0] = Reply(note + first.text, first.buttons)
    return result


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


def _begin(survey: Survey, service: str | None, ctx: Context, note: str = "") -> Result:
    state = first_state(survey, service, ctx.now)
    name = _service_name(service, ctx)
    about = ctx.texts.about(name) if name else ""
    replies = []
    intro = survey.intro_sms if ctx.sms and survey.intro_sms else survey.intro
    first = intro or answers.prompt_text(survey.question(state["q"]), sms=ctx.sms)
    if note and ctx.sms and not gsm7.fits(note + about + first):
        replies.append(Reply(note.strip()))  # what was said must not be cut to fit: it goes on its own
    else:
        about = note + about
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
    asked = state.get("confirm")  # the answer we asked "Did you mean ...?" about
    state = {k: v for k, v in state.items() if k != "confirm"}
    if norm in BACK_WORDS:
        return _go_back(state, survey, question, ctx)
    if asked is not None:
        said = answers.confirmation(text)
        if said is not None and _reminded_since(state, survey, ctx):  # "yes" to the reminder, not to our question
            return Result(_touch(state, ctx, misses=0, confirm=asked), [_did_you_mean(question, asked, ctx)])
        if said is True:
            return _record(state, survey, question, asked, "", ctx)
        if said is False:
            return Result(_touch(state, ctx, misses=0), [question_reply(question, ctx.sms, ctx.texts.choose_again())])
        corrected = answers.correction(question, text)  # "no, 3": another answer at once
        if corrected is not None:
            return _record(state, survey, question, corrected.value, corrected.rest, ctx)
    if _repeated(state, survey, question, text, ctx):  # "5" sent twice: the same answer, not the story
        previous = state["history"][-1]
        return _answer_question({**state, "q": previous, "history": state["history"][:-1]}, text, ctx)
    again = _slip(state, survey, question, text)  # "wait no I meant 4": the answer just given, corrected
    if again is not None:
        previous = state["history"][-1]
        return _answer_question({**state, "q": previous, "history": state["history"][:-1]}, again, ctx)
    if question.type == "text" and answers.thanks_only(text):  # "thanks" or "ok" at the why: not a reason
        if question.optional:
            return _advance(state, survey, question, ctx, [])
        misses = state.get("misses", 0) + 1
        return Result(_touch(state, ctx, misses=misses), [_retry(question, misses, ctx)])
    skipping = norm in SKIP_WORDS
    # An option that means the same ("Prefer not to say") is an answer; in free text, "skip" is not.
    found = None if skipping and question.type == "text" else answers.QUESTION_TYPES[question.type].read(question, text)
    if skipping and found is not None and (found.rest or not found.sure):
        found = None  # "no comment" is a skip, not "No" with a comment
    if found is None and skipping:
        if not question.optional:
            return Result({}, [Reply(ctx.texts.left_survey())])
        if question.id not in state.get("answers", {}):
            return _advance(state, survey, question, ctx, [])
        given = {k: v for k, v in state.get("answers", {}).items() if k != question.id}
        state = {**state, "answers": given}
        return _advance(state, survey, question, ctx, _forget_hidden(state, survey, question, given))
    if found is None:
        misses = state.get("misses", 0) + 1
        if asked is not None and misses == 1:  # anything else at "Did you mean ...?" asks it again, once
            return Result(_touch(state, ctx, misses=misses, confirm=asked), [_did_you_mean(question, asked, ctx, True)])
        if question.options and stories.is_story(text):  # their own words, with no answer in them: kept
            return _story_at_choice(state, survey, question, text, ctx)
        if question.options and answers.looks_foreign(text):
            return Result(_touch(state, ctx, misses=misses), [Reply(ctx.texts.not_read(), answers.buttons(question))])
        return Result(_touch(state, ctx, misses=misses), [_retry(question, misses, ctx)])
    if not found.sure:  # never guessed silently: asked first; their own words are kept either way
        state, kept = _keep_rest(state, survey, question, found.rest, ctx)
        return Result(_touch(state, ctx, misses=0, confirm=found.value), [_did_you_mean(question, found.value, ctx)],
                      kept)
    return _record(state, survey, question, found.value, found.rest, ctx)


def _story_at_choice(state: dict, survey: Survey, question: Question, text: str, ctx: Context) -> Result:
    """A story sent where a choice was asked: kept as the survey's next free-text answer (or as a story of its
    own), and the question asked again, so nothing they wrote is lost."""
    state, kept = _keep_rest(state, survey, question, text.strip(), ctx)
    if not kept:
        story = _story_answer(text, state.get("service"), ctx)
        kept = [story] if story else []
    said = ctx.texts.not_read() if answers.looks_foreign(text) else ctx.texts.story_noted()
    return Result(_touch(state, ctx), [Reply(said), question_reply(question, ctx.sms)], kept)


def _record(state: dict, survey: Survey, question: Question, value: str, rest: str, ctx: Context) -> Result:
    """Keep an answer (and the words that came with it, as the next free-text answer), then go on."""
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
    state, kept = _keep_rest(state, survey, question, rest, ctx)
    return _advance(state, survey, question, ctx, effects + kept)


def _keep_rest(state: dict, survey: Survey, question: Question, rest: str, ctx: Context) -> tuple[dict, list]:
    """Words after an answer ("2 and the staff were lovely") answer the next free-text question, which is then
    not asked. Only which question they answered is remembered here; the words go, encrypted, with the answers."""
    prefilled = dict(state.get("prefilled", {}))  # free-text question id: the question whose answer brought it
    given = state.get("answers", {})
    later = survey.questions[[q.id for q in survey.questions].index(question.id) + 1:]
    target = next((q for q in later if q.type == "text" and _visible(q, given) and not q.effect
                   and prefilled.get(q.id, question.id) == question.id), None)
    if not rest or target is None:
        return state, []
    ref = state.get("ref") or ctx.ref
    prefilled[target.id] = question.id
    kept = RecordAnswer(ref, survey.id, survey.version, state.get("service"), target.id, rest[:target.max_length],
                        survey.store, survey.anonymous)
    return {**state, "ref": ref, "prefilled": prefilled}, [kept]


def _slip(state: dict, survey: Survey, question: Question, text: str) -> str | None:
    """At the free-text question after a choice: the words that answer that choice again, when the reply says the
    answer was a slip ("sorry pressed wrong one, meant 2"); None otherwise (then it is the free text)."""
    history = state.get("history") or []
    previous = survey.question(history[-1]) if history else None
    if question.type != "text" or previous is None or not previous.options or previous.effect:
        return None
    return answers.corrected(previous, text)


def _repeated(state: dict, survey: Survey, question: Question, text: str, ctx: Context) -> bool:
    """True for a bare answer to the question just answered, sent again at once at the free-text one after it."""
    history, at = state.get("history") or [], state.get("updated_at")
    previous = survey.question(history[-1]) if history else None
    if question.type != "text" or previous is None or not previous.options or previous.effect or not at:
        return False
    if ctx.now - datetime.fromisoformat(at) > REPEAT_WITHIN:
        return False
    found = answers.QUESTION_TYPES[previous.type].read(previous, text)
    return found is not None and found.sure and not found.rest and answers.bare(previous, text)


def _reminded_since(state: dict, survey: Survey, ctx: Context) -> bool:
    """True if a reminder may have been sent since we asked "Did you mean ...?" (its YES is then ambiguous)."""
    at = state.get("updated_at")
    return bool(survey.reminder_after and at and ctx.now - datetime.fromisoformat(at) >= survey.reminder_after)


def _did_you_mean(question: Question, value: str, ctx: Context, again: bool = False) -> Reply:
    """ "Did you mean Poor? Reply YES or a number", with a one-tap Yes and No on Telegram."""
    label = next((o.label for o in question.options if o.value == value), value)
    return Reply(ctx.texts.did_you_mean_again(label) if again else ctx.texts.did_you_mean(label), YES_NO)


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
    given, prefilled = state.get("answers", {}), state.get("prefilled", {})
    history = [*state.get("history", []), question.id]
    following = _next_question(survey, question.id, given)
    while following is not None and following.id in prefilled:  # answered by words that came with an answer
        history.append(following.id)
        following = _next_question(survey, following.id, given)
    if following is None:
        closing = survey.closing_sms if ctx.sms and survey.closing_sms else survey.closing
        return Result({}, [Reply(closing or ctx.texts.thanks())], effects)
    new_state = _touch(state, ctx, q=following.id, history=history, misses=0)
    return Result(new_state, [question_reply(following, ctx.sms)], effects)


def _resume(state: dict, ctx: Context) -> Result:
    """The survey's keyword again, mid-survey: carry on where they left off."""
    question = _survey_of(state, ctx).question(state["q"])
    state = {k: v for k, v in state.items() if k not in ("paused", "confirm")}
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
