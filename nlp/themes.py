"""Multi-label QDC v6 theme classifier: one balanced logistic regression per subcategory on
sparse features, with a per-label threshold tuned on out-of-fold scores of the training data."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from joblib import Parallel, delayed
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold

from nlp.labels import NOT_POSSIBLE, SAFEGUARDING, THEMES

GRID = np.round(np.arange(0.05, 0.951, 0.025), 3)
BETAS = (1.0, 0.85, 0.7)
SHRINK = 20  # pseudo-positives pulling each label's threshold toward the global one (see shrunk_thresholds)
LEARNED_EXCLUDED = {NOT_POSSIBLE, SAFEGUARDING}  # decided by rule and by the risk detector


def _fit_one(X, y, C, seed):
    clf = LogisticRegression(C=C, class_weight="balanced", solver="liblinear", max_iter=1000,
                             random_state=seed)
    clf.fit(X, y)
    return clf.coef_.ravel().astype(np.float32), np.float32(clf.intercept_[0])


def fit_linear(X, Y, C, seed=0, n_jobs=2):
    """Weights (n_features, n_labels) and biases for each column of Y."""
    out = Parallel(n_jobs=n_jobs, max_nbytes=None)(delayed(_fit_one)(X, Y[:, j], C, seed) for j in range(Y.shape[1]))
    return np.stack([w for w, _ in out], axis=1), np.array([b for _, b in out], dtype=np.float32)


def scores(X, W, b):
    z = np.asarray(X @ W) + b
    return 1.0 / (1.0 + np.exp(-z))


def f1(tp, fp, fn):
    return 0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn)


def best_thresholds(P, Y, beta=1.0):
    """Per label, the threshold on the grid that maximises F-beta on (out-of-fold) scores P.
    beta < 1 leans to precision, which helps micro-F1 at little cost to macro-F1."""
    b2 = beta * beta
    out = []
    for j in range(Y.shape[1]):
        y = Y[:, j].astype(bool)
        pred = P[:, j][None, :] >= GRID[:, None]
        tp = (pred & y).sum(axis=1)
        fp = (pred & ~y).sum(axis=1)
        fn = (~pred & y).sum(axis=1)
        score = np.where(tp > 0, (1 + b2) * tp / np.maximum((1 + b2) * tp + b2 * fn + fp, 1), 0.0)
        out.append(float(GRID[int(np.argmax(score))]))
    return np.array(out, dtype=np.float32)


def global_threshold(P, Y):
    """The one threshold on the grid, shared by all labels, that maximises micro-F1."""
    return float(max(GRID, key=lambda t: macro_micro(P >= t, Y)[1]))


def shrunk_thresholds(P, Y, beta=1.0, shrink=SHRINK):
    """Per-label F-beta thresholds pulled toward the global micro-F1 threshold, each weighted by its
    label's positives against `shrink` pseudo-positives: a rare label's own best threshold is noisy
    (and usually low, costing precision), a frequent label keeps its own."""
    own = best_thresholds(P, Y, beta)
    if not shrink:
        return own
    n = Y.sum(axis=0).astype(np.float32)
    return ((n * own + shrink * global_threshold(P, Y)) / (n + shrink)).astype(np.float32)


def macro_micro(pred, Y, min_support=0):
    """(macro-F1 over labels with at least min_support positives, micro-F1 over all labels)."""
    Y = Y.astype(bool)
    tp, fp, fn = (pred & Y).sum(0), (pred & ~Y).sum(0), (~pred & Y).sum(0)
    keep = (tp + fn) >= max(min_support, 1) if min_support else np.ones(len(tp), bool)
    macro = float(np.mean([f1(a, b, c) for a, b, c, k in zip(tp, fp, fn, keep) if k])) if keep.any() else 0.0
    return macro, f1(tp.sum(), fp.sum(), fn.sum())


def choose_beta(P, Y, betas=BETAS, seed=0, repeats=4, min_support=10):
    """Pick beta by repeated two-fold cross-fitting on the out-of-fold scores: thresholds fitted on
    one half are scored on the other, by the mean of macro-F1 (over labels with at least
    `min_support` positives in that half, as the benchmark counts) and micro-F1."""
    rng = np.random.default_rng(seed)
    halves = [rng.random(len(Y)) < 0.5 for _ in range(repeats)]
    results = {}
    for beta in betas:
        total = []
        for half in halves:
            for a, b in ((half, ~half), (~half, half)):
                macro, micro = macro_micro(decide(P[b], shrunk_thresholds(P[a], Y[a], beta)), Y[b], min_support)
                total.append((macro + micro) / 2)
        results[beta] = float(np.mean(total))
    return max(results, key=results.get), results


def oof_scores(X, Y, C, inner=3, seed=0, n_jobs=2):
    P = np.zeros(Y.shape, dtype=np.float32)
    for tr, te in KFold(inner, shuffle=True, random_state=seed).split(X):
        W, b = fit_linear(X[tr], Y[tr], C, seed, n_jobs)
        P[te] = scores(X[te], W, b)
    return P


def decide(P, thresholds, at_least_one=True):
    """Boolean label matrix: scores over threshold; when none is, the label closest to its threshold
    (every comment in the data carries at least one label)."""
    pred = P >= thresholds
    if at_least_one and P.shape[1]:
        empty = ~pred.any(axis=1)
        ratio = P / thresholds
        pred[empty, ratio[empty].argmax(axis=1)] = True
    return pred


class ThemeModel:
    def __init__(self, labels, W, b, thresholds, C):
        self.labels, self.W, self.b, self.thresholds, self.C = list(labels), W, b, thresholds, C

    @classmethod
    def fit(cls, X, label_lists, Cs=(2.0, 4.0), min_positives=5, inner=3, seed=0, n_jobs=2,
            log=lambda msg: None):
        """Choose C, beta and per-label thresholds by inner cross-validation on this training data only.
    Thresholds: F-beta per label, shrunk toward the global micro-F1 threshold (see shrunk_thresholds)."""
        labels = [t for t in THEMES if t not in LEARNED_EXCLUDED
                  and sum(t in ls for ls in label_lists) >= min_positives]
        Y = np.array([[t in ls for t in labels] for ls in label_lists], dtype=np.int8)
        best = None
        for C in Cs:
            P = oof_scores(X, Y, C, inner, seed, n_jobs)
            beta, results = choose_beta(P, Y, seed=seed)
            log(f"C={C}: inner (macro+micro)/2 by beta " + ", ".join(f"{k}: {v:.3f}" for k, v in results.items()))
            if best is None or results[beta] > best[0]:
                best = (results[beta], C, beta, shrunk_thresholds(P, Y, beta))
        _, C, beta, th = best
        log(f"chose C={C}, beta={beta}")
        W, b = fit_linear(X, Y, C, seed, n_jobs)
        model = cls(labels, W, b, th, C)
        model.beta = beta
        return model

    def predict(self, X):
        """(boolean matrix, score matrix) over self.labels."""
        P = scores(X, self.W, self.b)
        return decide(P, self.thresholds), P

    def to_disk(self, path: Path) -> None:
        path.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(path / "themes.npz", W=self.W.astype(np.float16), b=self.b,
                            thresholds=self.thresholds)
        meta = {"labels": self.labels, "C": self.C, "beta": getattr(self, "beta", None),
                "thresholds": dict(zip(self.labels, map(float, self.thresholds)))}
        (path / "themes.json").write_text(json.dumps(meta, indent=1))

    @classmethod
    def from_disk(cls, path: Path) -> "ThemeModel":
        meta = json.loads((path / "themes.json").read_text())
        arrays = np.load(path / "themes.npz")
        return cls(meta["labels"], arrays["W"].astype(np.float32), arrays["b"], arrays["thresholds"], meta["C"])
