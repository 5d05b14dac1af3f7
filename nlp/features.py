"""Sparse TF-IDF features from spaCy's tokeniser, with the question as an input.

Stored as plain arrays and JSON (no pickles), so a model trained with one scikit-learn
version loads with another.
"""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer

from nlp.labels import question_group

SEP = "\x1f"
_NEGATORS = {"not", "no", "never", "n't", "nothing", "without", "nobody", "none", "cannot", "nt"}
# Whole answers that mean "nothing": they share one feature per question group, so "None" after
# "What was good?" learns from the many "Nothing" answers to it (negative), and after "What could
# we do better?" (positive).
NOTHING_LIKE = {"nothing", "none", "nil", "nowt", "nothing at all", "absolutely nothing", "nothing really",
                "really nothing", "none really", "nothing much", "nothing whatsoever", "none at all",
                "nothing else", "none whatsoever", "there 's nothing", "there is nothing", "not a thing"}


@lru_cache(maxsize=1)
def tokenizer():
    """spaCy's rule-based English tokeniser (a blank pipeline: no model download)."""
    import spacy

    return spacy.blank("en").tokenizer


def encode(text: str, question: str | None) -> str:
    return f"{question_group(question)}{SEP}{text or ''}"


def words(encoded: str) -> list[str]:
    """Word features: unigrams and bigrams of spaCy tokens, the question group, and the
    question group crossed with each unigram (so "nothing" after "What was good?" differs)."""
    group, _, text = encoded.partition(SEP)
    toks = [t.norm_ for t in tokenizer()(text.lower()) if not (t.is_space or t.is_punct)]
    toks = [t.replace("’", "'") for t in toks]
    feats = list(toks)
    feats += [f"{a} {b}" for a, b in zip(toks, toks[1:])]
    # Mark the word after a negator, a cheap guard for "not good".
    feats += [f"NEG_{b}" for a, b in zip(toks, toks[1:]) if a in _NEGATORS]
    feats.append(f"Q={group}")
    feats.append(f"Q={group}|LEN={min(len(toks), 4)}")
    if len(toks) <= 6:  # short answers lean most on the question
        feats += [f"Q={group}|{t}" for t in toks]
        feats.append(f"Q={group}|{' '.join(toks)}")
        if " ".join(toks) in NOTHING_LIKE:
            feats.append(f"Q={group}|NOTHING")
    return feats


def nothing_answer(text: str, question: str | None) -> str | None:
    """For a whole answer meaning "nothing" to a "good" or "better" question, the (theme, sentiment)
    it means; else None. In the training data "Nothing" after "What was good?" is negative in 39 of
    39 themes (37 of 39 sentiments) and after "What could we do better?" positive in 258 of 259."""
    group = question_group(question)
    if group not in ("good", "better"):
        return None
    toks = [t.norm_.replace("’", "'") for t in tokenizer()((text or "").lower()) if not (t.is_space or t.is_punct)]
    if " ".join(toks) not in NOTHING_LIKE:
        return None
    return ("Negative experience & dissatisfaction", "negative") if group == "good" else \
        ("Positive experience & gratitude", "positive")


def chars(encoded: str) -> str:
    return encoded.partition(SEP)[2].lower()


class Featurizer:
    def __init__(self, word_max: int = 30000, char_max: int = 30000, char_weight: float = 1.0):
        self.word = TfidfVectorizer(analyzer=words, min_df=2, sublinear_tf=True, max_features=word_max,
                                    dtype=np.float32)
        self.char = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=2, sublinear_tf=True,
                                    max_features=char_max, preprocessor=chars, dtype=np.float32)
        self.char_weight = char_weight

    def fit_transform(self, encoded: list[str]):
        w = self.word.fit_transform(encoded)
        c = self.char.fit_transform(encoded)
        return sp.hstack([w, c * self.char_weight], format="csr")

    def transform(self, encoded: list[str]):
        return sp.hstack([self.word.transform(encoded), self.char.transform(encoded) * self.char_weight],
                         format="csr")

    @property
    def n_features(self) -> int:
        return len(self.word.vocabulary_) + len(self.char.vocabulary_)

    def to_disk(self, path: Path) -> None:
        path.mkdir(parents=True, exist_ok=True)
        for name, vec in (("word", self.word), ("char", self.char)):
            vocab = sorted(vec.vocabulary_, key=vec.vocabulary_.get)
            (path / f"{name}_vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
            np.save(path / f"{name}_idf.npy", vec.idf_.astype(np.float32))
        (path / "features.json").write_text(json.dumps({"char_weight": self.char_weight}))

    @classmethod
    def from_disk(cls, path: Path) -> "Featurizer":
        meta = json.loads((path / "features.json").read_text())
        self = cls(char_weight=meta["char_weight"])
        for name in ("word", "char"):
            vocab = json.loads((path / f"{name}_vocab.json").read_text(encoding="utf-8"))
            vec = getattr(self, name)
            vec.set_params(vocabulary={t: i for i, t in enumerate(vocab)}, max_features=None, min_df=1)
            vec.idf_ = np.load(path / f"{name}_idf.npy")
        return self
