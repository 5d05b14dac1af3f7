"""A linear model that hears risk the rules have no phrase for ("there won't be a tomorrow").

Multinomial logistic regression over TF-IDF word 1-2 grams, character 3-5 grams and concept
tags (a word's kind: death, time, means, goodbye, burden, another person, ...), so that an
unseen wording that combines the same kinds of words still scores. Trained by nlp/risk/train.py
on the labelled messages in tests/nlp/risk_eval (never on its held-out `test` part) and the
shared FFT comments as ordinary feedback. Stored as arrays and JSON, no pickles. Inference is
plain Python and NumPy on the few features a message has, so it is cheap on the reply path.
"""
from __future__ import annotations

import json
import math
import re
from collections import Counter
from functools import lru_cache
from pathlib import Path

import numpy as np

MODEL_DIR = Path(__file__).resolve().parent.parent / "model"
MIN_WORDS = 6  # shorter messages are left to the rules: too few words to weigh ("nobody rang me back")
LOW_THRESHOLD = 0.7  # from here up to the alert threshold: a low flag for review and gentle words, nothing more
CLASSES = ("none", "suicide", "distress", "self-harm", "harm-to-others", "unsafe", "abuse", "someone-else")

CONCEPTS = {
    "DEATH": "die dying dead death died end ending ended over gone heaven sleep forever grave funeral kill killing "
             "suicide suicidal unalive ctb exist existing alive living life live tomorrow morning wake",
    "TIME": "tonight tonights tomorrow weekend friday saturday sunday monday tuesday wednesday thursday midnight "
            "later soon today morning night 2am 3am 4am am pm o'clock",
    "MEANS": "tablets tablet pills pill meds medication paracetamol overdose od rope cord belt ligature noose knife "
             "blade blades razor razors bridge train tracks railway cliff roof ledge car park multi storey petrol "
             "hose exhaust bleach gun shotgun hook stairs tide sea river motorway carriageway",
    "PREP": "note notes letter letters goodbye goodbyes bye sorted order affairs will insurance pin rehomed "
            "cancelled paid bills keys sorry planned plan decided ready tested searches searched googled "
            "methods instructions",
    "BURDEN": "burden problem problems better without miss notice pointless hopeless worthless useless trapped "
              "tired enough bothered arsed care",
    "HARMSELF": "cut cutting cuts scratch scratching burn burning burnt scars scar marks blood bleed bleeding "
                "stitches plaster plasters wrist wrists thighs arms arm relapse relapsed clean picking",
    "VIOLENCE": "hit hits hitting punch punched slap slapped kick kicked stab stabbed strangle strangled choke "
                "choked squeezing pinned grabbed pushed shoved beat battered hurt hurting threaten threatened "
                "threatening weapon knife gun sort pay",
    "ABUSE": "money pension benefits purse wallet pad soiled changed fed food water shed tied locked controls "
             "checks phone pics photos pictures send sharing touched touching room asleep secret tell naughty",
    "DANGER": "outside door scared afraid frightened terrified hiding locked followed following find gang "
              "package lads older men meet unsafe safe danger",
    "OTHER": "he she they him her them his their son daughter mum dad husband wife partner brother sister friend "
             "mate flatmate lad girl boy child kid kids grandson granddaughter nan client sister-in-law",
    "SELF": "i i'm i've i'll i'd me my myself",
    "NEG": "not no never don't didn't won't can't isn't wasn't nothing nobody",
}
_CONCEPT = {w: c for c, words in CONCEPTS.items() for w in words.split()}
_TOKEN = re.compile(r"[a-z0-9']+")


def analyse(norm: str) -> list[str]:
    """Word 1-2 grams and concept tags, with each pair of concepts present, of a normalised text."""
    toks = _TOKEN.findall(norm)
    feats = list(toks) + [f"{a} {b}" for a, b in zip(toks, toks[1:])]
    concepts = sorted({_CONCEPT[t] for t in toks if t in _CONCEPT})
    feats += [f"C_{c}" for c in concepts]
    feats += [f"C_{a}+{b}" for i, a in enumerate(concepts) for b in concepts[i + 1:]]
    return feats


def char_grams(norm: str) -> list[str]:
    """Character 3-5 grams inside words, padded with spaces (as scikit-learn's char_wb)."""
    out = []
    for word in norm.split():
        w = f" {word} "
        for n in (3, 4, 5):
            out += [w[i:i + n] for i in range(max(1, len(w) - n + 1))]
    return out


class RiskModel:
    def __init__(self, vocab: dict[str, int], idf: np.ndarray, coef: np.ndarray, intercept: np.ndarray,
                 threshold: float):
        self.vocab, self.idf, self.coef, self.intercept, self.threshold = vocab, idf, coef, intercept, threshold

    def features(self, norm: str) -> dict[int, float]:
        counts = Counter(analyse(norm)) + Counter(f"#{g}" for g in char_grams(norm))
        weights = {}
        for feature, n in counts.items():
            i = self.vocab.get(feature)
            if i is not None:
                weights[i] = (1 + math.log(n)) * self.idf[i]  # sublinear tf, as trained
        norm2 = math.sqrt(sum(v * v for v in weights.values())) or 1.0
        return {i: v / norm2 for i, v in weights.items()}

    def probabilities(self, norm: str) -> dict[str, float]:
        x = self.features(norm)
        if not x:
            return {"none": 1.0}
        idx = np.fromiter(x.keys(), dtype=np.int64)
        scores = self.coef[:, idx] @ np.fromiter(x.values(), dtype=np.float64) + self.intercept
        scores = np.exp(scores - scores.max())
        return dict(zip(CLASSES, (scores / scores.sum()).tolist()))

    def predict(self, norm: str) -> tuple[str, float, bool] | None:
        """The most likely kind of risk, the chance of any risk, and whether it passes the alert
        threshold; None below the review threshold (LOW_THRESHOLD: a low flag and gentle words)."""
        p = self.probabilities(norm)
        risk = 1.0 - p.get("none", 0.0)
        if risk < min(self.threshold, LOW_THRESHOLD):
            return None
        return max((c for c in CLASSES if c != "none"), key=lambda c: p.get(c, 0.0)), risk, risk >= self.threshold

    def to_disk(self, path: Path = MODEL_DIR) -> None:
        vocab = sorted(self.vocab, key=self.vocab.get)
        (path / "risk.json").write_text(json.dumps({"classes": CLASSES, "threshold": self.threshold,
                                                    "vocab": vocab}, ensure_ascii=False), encoding="utf-8")
        np.savez_compressed(path / "risk.npz", idf=self.idf.astype(np.float32), coef=self.coef.astype(np.float32),
                            intercept=self.intercept.astype(np.float32))


@lru_cache(maxsize=1)
def load(path: Path = MODEL_DIR) -> RiskModel | None:
    """The shipped model, or None if it has not been trained (the rules still run)."""
    if not (path / "risk.json").exists():
        return None
    meta = json.loads((path / "risk.json").read_text(encoding="utf-8"))
    arrays = np.load(path / "risk.npz")
    return RiskModel({f: i for i, f in enumerate(meta["vocab"])}, arrays["idf"].astype(np.float64),
                     arrays["coef"].astype(np.float64), arrays["intercept"].astype(np.float64), meta["threshold"])
