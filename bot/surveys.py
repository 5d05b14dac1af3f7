"""Surveys as data: versioned YAML or JSON files, checked when they are loaded.

A survey file holds an id, a version, a title, whether it is anonymous, where its answers
are stored, when it expires, its intro and closing text, and its questions. Every error
names the file, the question and the problem.
"""
from __future__ import annotations

import functools
import json
import re
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import yaml

from bot import gsm7
from bot.answers import QUESTION_TYPES, clashes, prompt_text
from bot.flow import MAX_LENGTH, Condition, Option, Question, Registry, Survey
from bot.keywords import LIST_PREFIXES, PARTICIPATION_WORDS, RESERVED, normalise

SHIPPED = Path(__file__).parent / "survey_files"
ID = re.compile(r"[a-z0-9][a-z0-9_-]{0,39}")
STORES = ("feedback", "equality")
SURVEY_FIELDS = {"id", "version", "title", "anonymous", "store", "expires_after_hours", "reminder", "keywords",
                 "asks_service",
                 "intro", "intro_sms", "closing", "closing_sms", "questions"}
QUESTION_FIELDS = {"id", "type", "text", "sms_text", "options", "optional", "when", "section", "min", "max",
                   "min_label", "max_label", "max_length", "prefer_not_to_say", "effect"}
OPTION_FIELDS = {"value", "label", "synonyms", "maybe"}  # maybe: words that probably mean it ("Did you mean ...?")
EFFECTS = ("participation_interest",)
TAKEN = frozenset(normalise(w) for w in RESERVED)  # no survey keyword may be one of these
JOINING = frozenset(normalise(w) for w in PARTICIPATION_WORDS)


class SurveyError(ValueError):
    """A survey file is not valid; .errors lists every problem found."""

    def __init__(self, errors: list[str]):
        super().__init__("\n".join(errors))
        self.errors = errors


def load_file(path: Path) -> Survey:
    """Read and check one survey file; raises SurveyError naming every problem."""
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8")
        data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, yaml.YAMLError) as exc:
        raise SurveyError([f"{name}: cannot be read as {'JSON' if path.suffix == '.json' else 'YAML'}: "
                           f"{str(exc).splitlines()[0]}"]) from exc
    return parse(data, name)


def parse(data, name: str = "<survey>") -> Survey:
    """Build a Survey from parsed YAML/JSON, checking everything."""
    errors: list[str] = []
    if not isinstance(data, dict):
        raise SurveyError([f"{name}: a survey file must be a mapping with id, version, title and questions"])
    for key in sorted(set(data) - SURVEY_FIELDS):
        errors.append(f"{name}: unknown field {key!r}")
    for key in ("id", "version", "title", "questions"):
        if key not in data:
            errors.append(f"{name}: missing required field {key!r}")
    survey_id = str(data.get("id", ""))
    if "id" in data and not ID.fullmatch(survey_id):
        errors.append(f"{name}: id {survey_id!r} must be lower-case letters, digits, - or _")
    version = data.get("version")
    if "version" in data and (not isinstance(version, int) or isinstance(version, bool) or version < 1):
        errors.append(f"{name}: version must be a whole number from 1, not {version!r}")
    store = data.get("store", "feedback")
    if store not in STORES:
        errors.append(f"{name}: store must be one of {', '.join(STORES)}, not {store!r}")
    expires = _hours(data.get("expires_after_hours", 24), f"{name}: expires_after_hours", errors)
    reminder = _reminder(data.get("reminder", False), expires, name, errors)
    for key in ("intro_sms", "closing_sms"):
        _check_sms(data.get(key), f"{name}: {key}", errors)
    for key in ("intro", "closing"):
        if data.get(key) is not None and not data.get(f"{key}_sms"):
            _check_sms(data.get(key), f"{name}: {key} (add {key}_sms for a shorter SMS)", errors)
    keywords = data.get("keywords") or []
    if not isinstance(keywords, list) or not all(isinstance(k, str) and normalise(k) for k in keywords):
        errors.append(f"{name}: keywords must be a list of words, like [CARERS], not {data.get('keywords')!r}")
        keywords = []
    for keyword in keywords:
        if normalise(keyword) in JOINING or normalise(keyword).split(" ", 1)[0] in LIST_PREFIXES:
            errors.append(f"{name}: keyword {keyword!r} is a reserved word, kept for getting involved")
        elif normalise(keyword) in TAKEN:
            errors.append(f"{name}: keyword {keyword!r} is kept for STOP, START, HELP, SKIP and BACK")
    if "title" in data and (not isinstance(data["title"], str) or not data["title"].strip()):
        errors.append(f"{name}: title must be some words")
    raw_questions = data.get("questions")
    questions: list[Question] = []
    if "questions" in data and (not isinstance(raw_questions, list) or not raw_questions):
        errors.append(f"{name}: questions must be a non-empty list")
        raw_questions = []
    seen: dict[str, Question] = {}
    for index, raw in enumerate(raw_questions or [], 1):
        question = _question(raw, index, name, seen, errors)
        if question is not None:
            if question.id in seen:
                errors.append(f"{name}: question {question.id}: duplicate question id")
            seen[question.id] = question
            questions.append(question)
    if store == "equality":
        _check_equality(questions, name, errors)
    if errors:
        raise SurveyError(errors)
    return Survey(id=survey_id, version=version, title=str(data["title"]), questions=tuple(questions),
                  anonymous=bool(data.get("anonymous", True)), store=store,
                  asks_service=bool(data.get("asks_service", False)), expires_after=expires,
                  reminder_after=reminder, keywords=tuple(normalise(k) for k in keywords),
                  intro=data.get("intro"), intro_sms=data.get("intro_sms"), closing=data.get("closing"),
                  closing_sms=data.get("closing_sms"), source=name)


def _check_equality(questions: list[Question], name: str, errors: list[str]) -> None:
    """Equality monitoring is always optional, and always offers "prefer not to say"."""
    for question in questions:
        if not question.optional:
            errors.append(f"{name}: question {question.id}: equality monitoring questions must be optional")
        labels = {normalise(o.label) for o in question.options}
        if question.options and "prefer not to say" not in labels:
            errors.append(f"{name}: question {question.id}: equality monitoring needs a \"Prefer not to say\" option")


def _hours(value, where: str, errors: list[str]) -> timedelta:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        errors.append(f"{where} must be a positive number of hours, not {value!r}")
        return timedelta(hours=24)
    return timedelta(hours=value)


def _reminder(value, expires: timedelta, name: str, errors: list[str]) -> timedelta | None:
    if value in (False, None):
        return None
    if not isinstance(value, dict) or set(value) != {"after_hours"}:
        errors.append(f"{name}: reminder must be false or {{after_hours: N}}, not {value!r}")
        return None
    after = _hours(value["after_hours"], f"{name}: reminder after_hours", errors)
    if after >= expires:
        errors.append(f"{name}: reminder after_hours must come before the survey expires "
                      f"({expires.total_seconds() / 3600:g} hours)")
    return after


def _check_sms(text, where: str, errors: list[str]) -> None:
    if text is None:
        return
    if not isinstance(text, str):
        errors.append(f"{where}: must be text, not {text!r}")
    elif not gsm7.is_gsm7(text):
        bad = "".join(sorted({ch for ch in text if not gsm7.is_gsm7(ch)}))
        errors.append(f"{where}: has characters SMS cannot send plainly: {bad!r}")
    elif gsm7.segments(text) > gsm7.MAX_SEGMENTS:
        errors.append(f"{where}: is {gsm7.segments(text)} SMS segments; at most {gsm7.MAX_SEGMENTS}")


def _options(raw, where: str, errors: list[str]) -> tuple[Option, ...]:
    if raw is not None and not isinstance(raw, list):
        errors.append(f"{where}: options must be a list, like [Good, Poor], not {raw!r}")
        return ()
    options = []
    for item in raw or ():
        if isinstance(item, bool):  # YAML reads a bare Yes or No as true or false
            item = "Yes" if item else "No"
        if isinstance(item, (str, int, float)) and not isinstance(item, bool):
            item = str(item)
        if isinstance(item, str):
            options.append(Option(value=normalise(item).replace(" ", "_"), label=item))
        elif isinstance(item, dict) and "label" in item and set(item) <= OPTION_FIELDS:
            value = str(item.get("value") or normalise(str(item["label"])).replace(" ", "_"))
            words = {key: _words(item, key, where, errors) for key in ("synonyms", "maybe")}
            options.append(Option(value, str(item["label"]), words["synonyms"], words["maybe"]))
        else:
            errors.append(f"{where}: an option must be a label, or a mapping with label, value, synonyms and maybe; "
                          f"not {item!r}")
    values = [o.value for o in options]
    for value in sorted({v for v in values if values.count(v) > 1}):
        errors.append(f"{where}: duplicate option value {value!r}")
    errors.extend(f"{where}: {problem}" for problem in clashes(options))
    return tuple(options)


def _words(item: dict, key: str, where: str, errors: list[str]) -> tuple[str, ...]:
    """An option's synonyms (read as surely this option) or maybe words (asked about first): a list of words."""
    words = item.get(key) or []
    if isinstance(words, list):  # YAML reads a bare yes or no as true or false
        words = ["yes" if w is True else "no" if w is False else w for w in words]
    if not isinstance(words, list) or not all(isinstance(w, (str, int, float)) and str(w).strip() for w in words):
        errors.append(f"{where}: {key} of option {item['label']!r} must be a list of words, like [v good, great]")
        return ()
    return tuple(str(w) for w in words)


def _question(raw, index: int, name: str, seen: dict[str, Question], errors: list[str]) -> Question | None:
    if not isinstance(raw, dict):
        errors.append(f"{name}: question {index}: must be a mapping with id, type and text")
        return None
    qid = str(raw.get("id", f"#{index}"))
    where = f"{name}: question {qid}"
    for key in sorted(set(raw) - QUESTION_FIELDS):
        errors.append(f"{where}: unknown field {key!r}")
    if "id" not in raw or not ID.fullmatch(qid):
        errors.append(f"{where}: needs an id of lower-case letters, digits, - or _")
    qtype = raw.get("type")
    if not isinstance(qtype, str) or qtype not in QUESTION_TYPES:
        errors.append(f"{where}: unknown type {qtype!r} (use {', '.join(QUESTION_TYPES)})")
        return None
    if not isinstance(raw.get("text"), str) or not raw["text"].strip():
        errors.append(f"{where}: needs text")
        return None
    if raw.get("sms_text") is not None and not isinstance(raw["sms_text"], str):
        errors.append(f"{where}: sms_text must be text, not {raw['sms_text']!r}")
        return None
    options = QUESTION_TYPES[qtype].options(raw, where, errors, _options)
    if qtype in ("choice", "scale", "multi") and len(options) < 2:
        errors.append(f"{where}: a {qtype} question needs at least two options")
    if raw.get("effect") is not None and raw["effect"] not in EFFECTS:
        errors.append(f"{where}: unknown effect {raw['effect']!r}")
    max_length = raw.get("max_length", MAX_LENGTH)
    if qtype == "text" and (not isinstance(max_length, int) or isinstance(max_length, bool) or max_length < 1):
        errors.append(f"{where}: max_length must be a whole number from 1, not {max_length!r}")
        max_length = MAX_LENGTH
    when = _condition(raw.get("when"), where, seen, errors)
    question = Question(id=qid, type=qtype, text=raw["text"].strip(), sms_text=raw.get("sms_text"),
                        options=options, optional=bool(raw.get("optional", False)), when=when,
                        section=raw.get("section"), max_length=max_length, effect=raw.get("effect"))
    _check_sms(prompt_text(question, sms=True), f"{where}: the SMS wording with its options"
               + ("" if question.sms_text else " (add sms_text for a shorter SMS)"), errors)
    return question


def _condition(raw, where: str, seen: dict[str, Question], errors: list[str]) -> Condition | None:
    if raw is None:
        return None
    if not isinstance(raw, dict) or "question" not in raw or not ({"is", "any_of"} & set(raw)):
        errors.append(f"{where}: when must be {{question: ID, is: VALUE}} or {{question: ID, any_of: [...]}}")
        return None
    target = str(raw["question"])
    values = raw.get("any_of") if "any_of" in raw else [raw.get("is")]
    values = tuple(str(v).lower() if isinstance(v, bool) else str(v) for v in (values or ()))
    values = tuple({"true": "yes", "false": "no"}.get(v, v) for v in values)
    earlier = seen.get(target)
    if earlier is None:
        errors.append(f"{where}: branches on {target!r}, which is not an earlier question in this survey")
        return None
    known = {o.value for o in earlier.options}
    for value in values:
        if known and value not in known:
            errors.append(f"{where}: branches on {target} being {value!r}, which is not one of its answers "
                          f"({', '.join(sorted(known))})")
    return Condition(target, values)


def load(paths: list[Path]) -> Registry:
    """Load every survey file in these files or folders; bad ones are reported and left out."""
    registry = Registry()
    files = []
    for path in paths:
        files.extend(sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml", ".json"))
                     if path.is_dir() else [path])
    for path in files:
        try:
            survey = load_file(path)
        except SurveyError as exc:
            registry.errors.extend(exc.errors)
            continue
        except Exception as exc:  # a shape the checks did not foresee: still only this file is refused
            registry.errors.append(f"{path}: cannot be loaded: {exc!r}")
            continue
        versions = registry.surveys.setdefault(survey.id, [])
        if any(v.version == survey.version for v in versions):
            registry.errors.append(f"{path}: survey {survey.id} version {survey.version} is already loaded "
                                   f"from another file")
            continue
        clash = next(((k, s[0].id) for s in registry.surveys.values() for k in survey.keywords
                      if s and s[0].id != survey.id and k in s[0].keywords), None)
        if clash:
            registry.errors.append(f"{path}: keyword {clash[0].upper()!r} of {survey.id} is already used by "
                                   f"survey {clash[1]}")
            continue
        versions.append(survey)
        versions.sort(key=lambda s: -s.version)
    registry.surveys = {k: v for k, v in registry.surveys.items() if v}
    return registry


@functools.cache
def shipped() -> Registry:
    """The surveys that ship with YourSay, loaded once."""
    registry = load([SHIPPED])
    if registry.errors:
        raise SurveyError(registry.errors)
    return registry


def with_question_text(registry: Registry, survey_id: str, question_id: str, text: str) -> Registry:
    """A copy of the registry with one question reworded in every version of a survey."""
    surveys = dict(registry.surveys)
    surveys[survey_id] = [
        replace(s, questions=tuple(replace(q, text=text) if q.id == question_id else q for q in s.questions))
        for s in registry.surveys.get(survey_id, [])]
    return Registry(surveys, list(registry.errors))
