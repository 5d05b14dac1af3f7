"""The NHS Friends and Family Test: its question and six answers live in survey_files/fft.yaml.

The question keeps the id "fft" in every survey that asks it (fft, experience), so every
answer to it counts in the monthly return.
"""
from __future__ import annotations

from bot.surveys import shipped

QUESTION_ID = "fft"
# NHS England's column for each answer value in the monthly return: its names, not our wording.
RETURN_KEYS = {"1": "very_good", "2": "good", "3": "neither_good_nor_poor", "4": "poor",
               "5": "very_poor", "6": "dont_know"}


def labels() -> dict[str, str]:
    """Each answer's value and label, in order, as the shipped survey file words them."""
    return {option.value: option.label for option in shipped().latest("fft").question(QUESTION_ID).options}
