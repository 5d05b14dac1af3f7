"""Training the shipped model from the labelled CSV (plus any corrections), with a fixed seed."""
from __future__ import annotations

import json
import platform
import random
import shutil
from collections.abc import Iterable
from datetime import date
from pathlib import Path

import numpy as np

from nlp.data import DEFAULT_DATA, Example, load_csv
from nlp.features import Featurizer, encode
from nlp.labels import THEMES, labelling_not_possible
from nlp.sentiment import SentimentModel
from nlp.themes import ThemeModel

MODEL_DIR = Path(__file__).resolve().parent / "model"
SEED = 0


def as_examples(extra: Iterable[tuple[str, str | None, list[str]]]) -> list[Example]:
    """Extra labelled examples, e.g. staff corrections: (text, question, [theme names])."""
    out = []
    for text, question, themes in extra:
        unknown = [t for t in themes if t not in THEMES]
        if unknown:
            raise ValueError(f"unknown theme name(s) {unknown} for {text[:40]!r}")
        out.append(Example(text=text, question=question, themes=list(themes), sentiment=None))
    return out


def fit_models(examples: list[Example], seed: int = SEED, log=print, n_jobs: int = 2):
    """(featurizer, theme model, sentiment model) fitted on these examples only."""
    random.seed(seed)
    np.random.seed(seed)
    usable = [e for e in examples if not labelling_not_possible(e.text)]
    featurizer = Featurizer()
    X = featurizer.fit_transform([encode(e.text, e.question) for e in usable])
    log(f"{len(usable)} texts to learn from, {featurizer.n_features} features")
    themes = ThemeModel.fit(X, [e.themes for e in usable], seed=seed, n_jobs=n_jobs, log=log)
    rows = [i for i, e in enumerate(usable) if e.sentiment is not None]
    sentiment = SentimentModel.fit(X[rows], [usable[i].sentiment for i in rows], seed=seed, log=log)
    return featurizer, themes, sentiment


def train(data: str | Path = DEFAULT_DATA, output: str | Path = MODEL_DIR,
          extra: Iterable[tuple[str, str | None, list[str]]] = (), seed: int = SEED, log=print) -> Path:
    """Train on the CSV (and extra examples) and write the model to `output`."""
    examples = load_csv(data)
    extra_examples = as_examples(extra)
    featurizer, themes, sentiment = fit_models(examples + extra_examples, seed=seed, log=log)
    output = Path(output)
    tmp = output.with_name(output.name + ".tmp")
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir(parents=True)
    featurizer.to_disk(tmp)
    themes.to_disk(tmp)
    sentiment.to_disk(tmp)
    import sklearn
    import spacy

    (tmp / "meta.json").write_text(json.dumps({
        "trained_on": str(Path(data).name), "examples": len(examples), "extra_examples": len(extra_examples),
        "date": date.today().isoformat(), "seed": seed, "theme_C": themes.C,
        "theme_beta": getattr(themes, "beta", None), "sentiment_C": sentiment.C,
        "spacy": spacy.__version__, "scikit_learn": sklearn.__version__, "python": platform.python_version(),
    }, indent=1))
    if output.exists():
        shutil.rmtree(output)
    tmp.rename(output)
    log(f"model written to {output}")
    return output
