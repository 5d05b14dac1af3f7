"""Three-class sentiment (positive, neutral, negative) from the same sparse features, question included."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_score

CLASSES = ("positive", "neutral", "negative")


class SentimentModel:
    def __init__(self, W, b, C):
        self.W, self.b, self.C = W, b, C

    @classmethod
    def fit(cls, X, labels, Cs=(2.0, 5.0, 10.0), seed=0, log=lambda msg: None):
        """C chosen by inner 3-fold cross-validation on this training data only."""
        y = np.array([CLASSES.index(s) for s in labels])
        best = None
        for C in Cs:
            clf = LogisticRegression(C=C, max_iter=2000)
            acc = cross_val_score(clf, X, y, cv=StratifiedKFold(3, shuffle=True, random_state=seed)).mean()
            log(f"sentiment C={C}: inner accuracy {acc:.3f}")
            if best is None or acc > best[0]:
                best = (acc, C)
        clf = LogisticRegression(C=best[1], max_iter=2000).fit(X, y)
        return cls(clf.coef_.T.astype(np.float32), clf.intercept_.astype(np.float32), best[1])

    def predict(self, X):
        """(labels, probabilities) for each row."""
        z = np.asarray(X @ self.W) + self.b
        z -= z.max(axis=1, keepdims=True)
        p = np.exp(z)
        p /= p.sum(axis=1, keepdims=True)
        return [CLASSES[i] for i in p.argmax(axis=1)], p

    def to_disk(self, path: Path) -> None:
        np.savez_compressed(path / "sentiment.npz", W=self.W.astype(np.float16), b=self.b)
        (path / "sentiment.json").write_text(json.dumps({"classes": CLASSES, "C": self.C}))

    @classmethod
    def from_disk(cls, path: Path) -> "SentimentModel":
        arrays = np.load(path / "sentiment.npz")
        meta = json.loads((path / "sentiment.json").read_text())
        return cls(arrays["W"].astype(np.float32), arrays["b"], meta["C"])
