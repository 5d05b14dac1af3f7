"""The QDC v6 subcategory names, the question groups and the rule for "Labelling not possible"."""
from __future__ import annotations

import re
import string

# Exact column names of the QDC v6 framework, as in the header of the training CSV.
THEMES: tuple[str, ...] = (
    "Not assigned", "Organisation & efficiency", "Funding & use of financial resources",
    "Staff manner & personal attributes", "Number & deployment of staff", "Staff responsiveness",
    "Staff continuity", "Competence & training", "Unspecified communication",
    "Staff listening, understanding & involving patients", "Information directly from staff during care",
    "Information provision & guidance", "Being kept informed, clarity & consistency of information",
    "Contacting services", "Appointment arrangements", "Appointment method", "Timeliness of care",
    "Pain management", "Diagnosis & triage", "Referals & continuity of care", "Discharge", "Care plans",
    "Patient records", "Cleanliness, tidiness & infection control", "Provision of medical equipment",
    "Service location", "Transport to/ from services", "Parking", "Electronic entertainment",
    "Feeling safe", "Patient appearance & grooming", "Mental Health Act",
    "Equality, Diversity & Inclusion", "Admission", "Safeguarding concerns?", "Labelling not possible",
    "Environment & Facilities", "Supplying & understanding medication",
    "Activities & access to fresh air", "Food & drink provision & facilities", "Sensory experience",
    "Impact of treatment/ care", "Psychological therapy arrangements", "Existence of services",
    "Choice of services", "Out of hours support (community services)", "Learning organisation",
    "Interaction with family/ carers", "Negative experience & dissatisfaction",
    "Positive experience & gratitude",
)
NOT_POSSIBLE = "Labelling not possible"
SAFEGUARDING = "Safeguarding concerns?"

_NO_ANSWER = re.compile(
    r"^(did ?n[o']?t answer(ed)?|not answered|no answer( given)?|unanswered|no response|"
    r"question not answered|skipped|left blank|blank|\[?blank\]?|n/?r)$")


def labelling_not_possible(text: str | None) -> bool:
    """True for text with nothing to label: empty, punctuation only, or "Did not answer" and the like."""
    if text is None:
        return True
    t = " ".join(str(text).lower().split()).strip(" .!?-_*'\"")
    if not t.strip(string.punctuation + " "):
        return True
    return bool(_NO_ANSWER.match(t))


def question_group(question: str | None) -> str:
    """Which kind of question was asked: good, better, why, mixed, or unknown.

    "Nothing" answers "What was good?" badly and "What could we do better?" well, so the
    models see the group as an input.
    """
    if not question or not str(question).strip():
        return "unknown"
    q = str(question).lower()
    if re.search(r"improve|better|differently|change|worse|could (we|have)", q):
        return "better"
    if re.search(r"dissatisfied|satisfied|describe|anything else", q):
        return "mixed"
    if re.search(r"\bgood\b|well|like|best|enjoy|positive|helpful", q):
        return "good"
    if re.search(r"\bwhy\b|reason|explain", q):
        return "why"
    return "unknown"
