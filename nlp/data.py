"""Reading the labelled QDC v6 CSV."""
from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from nlp.labels import THEMES

DEFAULT_DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "qdc_v6_train.csv"


@dataclass
class Example:
    text: str
    question: str | None
    themes: list[str]
    sentiment: str | None  # positive, neutral, negative, or None where unlabelled
    group: str = ""        # respondent, so both answers of one person stay in one fold


def sentiment_label(score: str | None) -> str | None:
    """`Comment sentiment` 1-2 positive, 3 neutral or mixed, 4-5 negative; None when empty."""
    try:
        value = int(float(str(score).strip()))
    except (TypeError, ValueError):
        return None
    return "positive" if value <= 2 else "neutral" if value == 3 else "negative" if value <= 5 else None


def load_csv(path: str | Path) -> list[Example]:
    """The examples in a CSV laid out like qdc_v6_train.csv (unknown theme columns are ignored)."""
    with open(path, newline="", encoding="utf-8-sig") as f:
        reader = csv.DictReader(f)
        header = reader.fieldnames or []
        if "FFT answer" not in header:
            raise ValueError(f"{path}: no 'FFT answer' column")
        theme_cols = [c for c in header if c in THEMES]
        out = []
        for row in reader:
            themes = [c for c in theme_cols if str(row.get(c) or "").strip() in ("1", "1.0")]
            out.append(Example(text=row.get("FFT answer") or "", question=row.get("FFT question") or None,
                               themes=themes, sentiment=sentiment_label(row.get("Comment sentiment")),
                               group=f"{row.get('Trust', '')}:{row.get('Respondent ID', '')}"))
    return out


def folds(examples: list[Example], k: int = 5, seed: int = 0):
    """Yield (train_idx, test_idx) for k folds split by respondent, with a fixed seed."""
    import numpy as np
    from sklearn.model_selection import GroupKFold

    groups = [e.group for e in examples]
    splitter = GroupKFold(n_splits=k, shuffle=True, random_state=seed)
    for train, test in splitter.split(np.zeros(len(examples)), groups=groups):
        yield train, test
