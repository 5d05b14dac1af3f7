"""The QDC v6 major categories and which subcategories (our story themes) fall under each."""
from __future__ import annotations

# From ../shared/data/README.md, which follows pxtextmining's v6 major_cat_dict.
MAJOR_CATEGORIES: dict[str, tuple[str, ...]] = {
    "General": ("Labelling not possible", "Positive experience & gratitude",
                "Negative experience & dissatisfaction", "Not assigned", "Organisation & efficiency",
                "Funding & use of financial resources"),
    "Staff": ("Staff manner & personal attributes", "Number & deployment of staff", "Staff responsiveness",
              "Staff continuity", "Competence & training"),
    "Communication & involvement": (
        "Unspecified communication", "Staff listening, understanding & involving patients",
        "Information directly from staff during care", "Information provision & guidance",
        "Being kept informed, clarity & consistency of information", "Interaction with family/ carers"),
    "Access to medical care & support": ("Contacting services", "Appointment arrangements",
                                         "Appointment method", "Timeliness of care"),
    "Medication": ("Supplying & understanding medication", "Pain management"),
    "Patient journey & service coordination": ("Diagnosis & triage", "Referals & continuity of care",
                                               "Admission", "Discharge", "Care plans", "Patient records",
                                               "Impact of treatment/ care"),
    "Food & diet": ("Food & drink provision & facilities",),
    "Activities": ("Activities & access to fresh air", "Electronic entertainment"),
    "Environment & equipment": ("Cleanliness, tidiness & infection control", "Sensory experience",
                                "Environment & Facilities", "Provision of medical equipment"),
    "Service location, travel & transport": ("Service location", "Transport to/ from services", "Parking"),
    "Mental Health specifics": ("Mental Health Act",),
    "Other (category to be confirmed)": ("Feeling safe", "Patient appearance & grooming",
                                         "Equality, Diversity & Inclusion"),
    # The README places none of these; pxtextmining lists an "Additional" major category for them.
    "Additional": ("Safeguarding concerns?", "Psychological therapy arrangements", "Existence of services",
                   "Choice of services", "Out of hours support (community services)", "Learning organisation"),
}
UNKNOWN = "Additional"
_MAJOR_OF = {theme: major for major, themes in MAJOR_CATEGORIES.items() for theme in themes}


def major_category(theme: str) -> str:
    """The major category of a subcategory; a name we do not know falls under "Additional"."""
    return _MAJOR_OF.get(theme, UNKNOWN)


def themes_in(major: str) -> tuple[str, ...]:
    """The subcategories of a major category (for the inbox's major-category filter)."""
    return MAJOR_CATEGORIES.get(major, ())
