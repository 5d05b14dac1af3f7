"""The tagger: themes, sentiment, safeguarding flag and redaction for one text or many."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from nlp.features import Featurizer, encode, nothing_answer
from nlp.labels import NOT_POSSIBLE, SAFEGUARDING, labelling_not_possible
from nlp.risk import RiskResult
from nlp.sentiment import SentimentModel
from nlp.themes import ThemeModel

MODEL_DIR = Path(__file__).resolve().parent / "model"


@dataclass(frozen=True)
class Analysis:
    themes: list[tuple[str, float]]   # QDC v6 subcategory names with a confidence 0-1
    sentiment: str                    # positive, neutral or negative
    risk: RiskResult | None           # a screening flag for staff to review, not a clinical assessment
    redacted: str                     # the text with personal details replaced


class Tagger:
    def __init__(self, featurizer: Featurizer, themes: ThemeModel, sentiment: SentimentModel):
        self.featurizer, self.themes, self.sentiment = featurizer, themes, sentiment

    @classmethod
    def from_disk(cls, path: str | Path = MODEL_DIR) -> "Tagger":
        path = Path(path)
        if not (path / "themes.npz").exists():
            raise FileNotFoundError(f"no trained model in {path}; run `yoursay nlp train`")
        return cls(Featurizer.from_disk(path), ThemeModel.from_disk(path), SentimentModel.from_disk(path))

    def tag_batch(self, texts, questions=None):
        """[(themes [(name, confidence)], sentiment)] for each text, in order."""
        texts = [t or "" for t in texts]
        questions = list(questions) if questions is not None else [None] * len(texts)
        out: list = [None] * len(texts)
        todo = []
        for i, text in enumerate(texts):
            if labelling_not_possible(text):
                out[i] = ([(NOT_POSSIBLE, 1.0)], "neutral")
            else:
                todo.append(i)
        if todo:
            X = self.featurizer.transform([encode(texts[i], questions[i]) for i in todo])
            pred, P = self.themes.predict(X)
            sentiments, _ = self.sentiment.predict(X)
            for row, i in enumerate(todo):
                idx = np.flatnonzero(pred[row])
                idx = idx[np.argsort(-P[row, idx])]
                out[i] = ([(self.themes.labels[j], round(float(P[row, j]), 3)) for j in idx], sentiments[row])
                rule = nothing_answer(texts[i], questions[i])
                if rule is not None:  # "Nothing"/"None" to "What was good?" or "What could we do better?"
                    out[i] = ([(rule[0], 1.0)], rule[1])
        return out


@lru_cache(maxsize=1)
def load() -> Tagger:
    """The shipped model, loaded once per process."""
    return Tagger.from_disk(MODEL_DIR)


def analyse_batch(texts, questions=None, tagger: Tagger | None = None) -> list[Analysis]:
    """analyse() for many texts at once (faster: one matrix product for the batch)."""
    from nlp.redact import redact
    from nlp.risk import detect

    texts = [t or "" for t in texts]
    out = []
    for text, (themes, sentiment) in zip(texts, (tagger or load()).tag_batch(texts, questions)):
        risk = detect(text)
        if risk is not None and risk.alert:
            themes = [t for t in themes if t[0] != NOT_POSSIBLE] + [(SAFEGUARDING, 1.0)]
        out.append(Analysis(themes=themes, sentiment=sentiment, risk=risk, redacted=redact(text)))
    return out


def analyse(text: str | None, question: str | None = None, tagger: Tagger | None = None) -> Analysis:
    """Themes, sentiment, safeguarding flag and redacted text for one story.

    Run it after the story is stored, never in a webhook reply path. The risk field is a
    screening flag for staff to review; it is not a clinical risk assessment.
    """
    return analyse_batch([text], [question], tagger)[0]
