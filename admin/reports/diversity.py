"""The diversity report: equality-monitoring answers against a population baseline, with small numbers hidden.

What the figures can mean. Equality answers are stored apart from everything else, with
only the survey and the month: no contact, no participant, no service, no feedback. So:
- "Survey respondents" are the people who answered the equality survey (about-you) in the
  period, one answer set each time they answered it. They are not "everyone who gave feedback".
- "Participants" cannot be picked out of those answers: nothing links an answer set to a
  participant, by design. Their column is filled only from an equality survey of its own
  (configured by survey id) that PPT ask participants, with their consent, e.g. on joining.
  Without one, the column says "not collected".
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import yaml
from sqlalchemy import func, select

from admin.reports.suppression import SUPPRESSED, THRESHOLD, suppress_column
from storage.models import EqualityAnswer, EqualityResponse

RESPONDENTS = "respondents"
PARTICIPANTS = "participants"
OTHER = "(other answers)"
MEANING = {
    RESPONDENTS: ("People who answered the equality-monitoring survey in the period. Their answers are "
                  "not linked to their feedback or to them, so this is not a profile of everyone who gave "
                  "feedback, and someone who answered twice counts twice."),
    PARTICIPANTS: ("People who answered the participants' own equality survey in the period. Participants "
                   "cannot be picked out of the respondents' answers: nothing links the two, by design."),
    "baseline": "The population baseline, as a percentage, from the file PPT keep (e.g. census figures).",
}
NOT_COLLECTED = ("Not collected: participants' equality answers need a survey of their own, asked with their "
                 "consent (set its id as the participants' survey). They cannot be taken from the "
                 "respondents' answers.")


class BaselineError(ValueError):
    """The baseline file cannot be read."""


@dataclass
class Baseline:
    """Population percentages per question and answer value, from a YAML file PPT can edit."""

    area: str = ""
    source: str = ""
    percentages: dict[str, dict[str, float]] = field(default_factory=dict)


def load_baseline(path: str | Path) -> Baseline:
    """Read a baseline YAML file: {area, source, questions: {question_id: {value: percent}}}."""
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise BaselineError(f"cannot read the diversity baseline {path}: {exc}") from exc
    questions = data.get("questions") or {}
    if not isinstance(questions, dict):
        raise BaselineError(f"{path}: 'questions' must map question ids to {{value: percent}}")
    percentages = {}
    for qid, values in questions.items():
        if not isinstance(values, dict) or not all(isinstance(v, (int, float)) for v in values.values()):
            raise BaselineError(f"{path}: question {qid} must map answer values to percentages")
        percentages[str(qid)] = {str(k): float(v) for k, v in values.items()}
    return Baseline(area=str(data.get("area", "")), source=str(data.get("source", "")), percentages=percentages)


EXAMPLE_BASELINE = Path(__file__).with_name("baseline_example.yaml")


def equality_counts(db, surveys: tuple[str, ...], first: date, last: date) -> dict[str, dict[str, int]]:
    """{question_id: {value: answers}} for equality answers to these surveys in months first..last."""
    if not surveys:
        return {}
    query = (select(EqualityAnswer.question_id, EqualityAnswer.value, func.count())
             .join(EqualityResponse, EqualityResponse.id == EqualityAnswer.response_id)
             .where(EqualityResponse.survey_id.in_(surveys), EqualityResponse.month >= first.replace(day=1),
                    EqualityResponse.month <= last.replace(day=1))
             .group_by(EqualityAnswer.question_id, EqualityAnswer.value))
    out: dict[str, dict[str, int]] = {}
    for qid, value, n in db.execute(query):
        out.setdefault(qid, {})[value] = n
    return out


def diversity_report(db, survey, baseline: Baseline | None, first: date, last: date, *,
                     respondent_surveys: tuple[str, ...] = ("about-you",), participant_surveys: tuple[str, ...] = (),
                     threshold: int = THRESHOLD) -> dict:
    """The report, ready to show or export. `survey` is the about-you Survey (for questions and labels).

    {first, last, threshold, baseline: {area, source} | None, columns: [{key, label, collected, meaning}],
     questions: [{id, text, rows: [{value, label, respondents, respondents_percent, participants,
     participants_percent, baseline_percent}], totals: {respondents, participants}}], notes: [...]}
    Counts and percentages read SUPPRESSED ("*") where hidden; a column not collected holds None.
    """
    groups = {RESPONDENTS: equality_counts(db, respondent_surveys, first, last)}
    if participant_surveys:
        groups[PARTICIPANTS] = equality_counts(db, participant_surveys, first, last)
    questions = []
    hidden_options: dict[str, set[str]] = {}  # question -> values hidden in some column
    for question in survey.questions:
        options = [(o.value, o.label) for o in question.options]
        known = {v for v, _ in options}
        rows = [{"value": v, "label": label} for v, label in options]
        seen_other = any(set(g.get(question.id, {})) - known for g in groups.values())
        if seen_other:
            rows.append({"value": OTHER, "label": "Other answers (e.g. from an older version of the survey)"})
        totals = {}
        parent_hidden = question.when is not None and bool(
            hidden_options.get(question.when.question, set()) & set(question.when.any_of))
        for key in (RESPONDENTS, PARTICIPANTS):
            if key not in groups:
                for row in rows:
                    row[key] = row[f"{key}_percent"] = None
                totals[key] = None
                continue
            answers = groups[key].get(question.id, {})
            counts = [answers.get(v, 0) for v, _ in options]
            if seen_other:
                counts.append(sum(n for v, n in answers.items() if v not in known))
            cells, total = suppress_column(counts, threshold)
            if parent_hidden:  # a follow-up's total would give away the hidden count it follows on from
                cells, total = [SUPPRESSED] * len(cells), SUPPRESSED
            for row, shown in zip(rows, cells):
                row[key] = shown
                row[f"{key}_percent"] = (SUPPRESSED if shown == SUPPRESSED or total == SUPPRESSED
                                         else round(100.0 * shown / total, 1) if total else None)
                if shown == SUPPRESSED:
                    hidden_options.setdefault(question.id, set()).add(row["value"])
            totals[key] = total
        base = (baseline.percentages.get(question.id, {}) if baseline else {})
        for row in rows:
            row["baseline_percent"] = base.get(row["value"])
        questions.append({"id": question.id, "text": question.text, "rows": rows, "totals": totals})
    columns = [{"key": RESPONDENTS, "label": "Survey respondents", "collected": True, "meaning": MEANING[RESPONDENTS]},
               {"key": PARTICIPANTS, "label": "Participants", "collected": PARTICIPANTS in groups,
                "meaning": MEANING[PARTICIPANTS] if PARTICIPANTS in groups else NOT_COLLECTED},
               {"key": "baseline", "label": "Population baseline (%)", "collected": baseline is not None,
                "meaning": MEANING["baseline"]}]
    notes = [
        f"Counts from 1 to {threshold - 1} are shown as {SUPPRESSED}, and so is at least one more count in the "
        f"same column, so that hidden counts cannot be worked out from the total.",
        "When an ethnic group's count is hidden, the follow-up question about that group is hidden too.",
        "Percentages are of everyone who answered that question, including 'Prefer not to say'.",
        "Respondents answer the equality survey on its own: it is not linked to their feedback, to their "
        "contact details or to participation.",
    ]
    return {"first": first, "last": last, "threshold": threshold,
            "baseline": {"area": baseline.area, "source": baseline.source} if baseline else None,
            "columns": columns, "questions": questions, "notes": notes}
