"""Cross-validated figures for nlp/ (themes, sentiment, speed) against pxtextmining's recipe.

    .venv/bin/python benchmarks/nlp_themes.py [--data CSV] [--folds 5] [--parts ours,recipe,textcat]

5-fold cross-validation split by respondent with a fixed seed, on the shared training CSV only.
Everything our model tunes (C, per-label thresholds) is tuned inside each training fold by an
inner cross-validation, so the outer figures are honest. The recipe is pxtextmining's published
one: TF-IDF, then one SVC per label (C=15, class_weight='balanced', probability=True), threshold 0.3.
Macro-F1 is over labels with at least 10 positives in the test fold, averaged over folds.
Not run as a test: it takes around half an hour on two cores.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from nlp.data import DEFAULT_DATA, folds, load_csv  # noqa: E402
from nlp.labels import NOT_POSSIBLE, THEMES, labelling_not_possible  # noqa: E402


def score_themes(pred_sets, gold_sets, min_support=10):
    per_label, TP, FP, FN = {}, 0, 0, 0
    for label in THEMES:
        tp = sum(label in p and label in g for p, g in zip(pred_sets, gold_sets))
        fp = sum(label in p and label not in g for p, g in zip(pred_sets, gold_sets))
        fn = sum(label not in p and label in g for p, g in zip(pred_sets, gold_sets))
        TP, FP, FN = TP + tp, FP + fp, FN + fn
        if tp + fn >= min_support:
            per_label[label] = 0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn)
    macro = float(np.mean(list(per_label.values())))
    macro_no_lnp = float(np.mean([v for k, v in per_label.items() if k != NOT_POSSIBLE]))
    micro = 0.0 if TP == 0 else 2 * TP / (2 * TP + FP + FN)
    return {"macro_f1": macro, "macro_f1_without_lnp": macro_no_lnp, "micro_f1": micro, "n_labels": len(per_label)}


def sentiment_accuracy(pred, gold):
    pairs = [(p, g) for p, g in zip(pred, gold) if g is not None]
    return sum(p == g for p, g in pairs) / len(pairs)


def run_ours(examples, train, test):
    from nlp.train import fit_models
    from nlp.pipeline import Tagger

    models = fit_models([examples[i] for i in train], log=lambda m: None)
    tagger = Tagger(*models)
    texts = [examples[i].text for i in test]
    questions = [examples[i].question for i in test]
    t0 = time.perf_counter()
    results = tagger.tag_batch(texts, questions)
    seconds = time.perf_counter() - t0
    return [set(t for t, _ in r[0]) for r in results], [r[1] for r in results], seconds


def run_recipe(examples, train, test):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.svm import SVC

    texts = [examples[i].text for i in train]
    vec = TfidfVectorizer()
    X = vec.fit_transform(texts)
    labels = [t for t in THEMES if any(t in examples[i].themes for i in train)]
    models = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # probability=True is deprecated in sklearn 1.9
        for label in labels:
            y = np.array([label in examples[i].themes for i in train])
            models.append(SVC(C=15, class_weight="balanced", probability=True, random_state=0).fit(X, y))
    test_texts = [examples[i].text for i in test]
    t0 = time.perf_counter()
    Xt = vec.transform(test_texts)
    P = np.stack([m.predict_proba(Xt)[:, 1] for m in models], axis=1)
    seconds = time.perf_counter() - t0
    return [{labels[j] for j in np.flatnonzero(row >= 0.3)} for row in P], None, seconds


def run_textcat(examples, train, test, seed=0):
    """spaCy's own textcat_multilabel (bag-of-words uni/bigrams, 12 epochs, dropout 0.2, seed 0), with
    thresholds tuned on a 20% slice of the training fold the same way as ours (beta chosen, shrunk
    toward the global threshold), the question as a token, and the same "Labelling not possible" rule."""
    import random

    import spacy
    from spacy.training import Example

    from nlp.features import encode
    from nlp.themes import choose_beta, decide, shrunk_thresholds
    from nlp.themes import LEARNED_EXCLUDED

    labels = [t for t in THEMES if t not in LEARNED_EXCLUDED and sum(t in examples[i].themes for i in train) >= 5]
    rng = random.Random(seed)
    tr = [i for i in train if not labelling_not_possible(examples[i].text)]
    rng.shuffle(tr)
    cut = len(tr) // 5
    dev, fit = tr[:cut], tr[cut:]

    def text(i):
        group, _, t = encode(examples[i].text, examples[i].question).partition("\x1f")
        return f"{t} qq{group}"

    def train_on(idx, epochs=12):
        nlp = spacy.blank("en")
        cat = nlp.add_pipe("textcat_multilabel", config={"model": {
            "@architectures": "spacy.TextCatBOW.v3", "exclusive_classes": False, "ngram_size": 2,
            "no_output_layer": False, "length": 262144}})
        for label in labels:
            cat.add_label(label)
        data = [Example.from_dict(nlp.make_doc(text(i)), {"cats": {l: float(l in examples[i].themes) for l in labels}})
                for i in idx]
        spacy.util.fix_random_seed(seed)
        opt = nlp.initialize(lambda: data)
        for _ in range(epochs):
            rng.shuffle(data)
            for b in range(0, len(data), 32):
                nlp.update(data[b:b + 32], sgd=opt, drop=0.2)
        return nlp

    def probs(nlp, idx):
        return np.array([[doc.cats[l] for l in labels] for doc in nlp.pipe(text(i) for i in idx)])

    nlp = train_on(fit)
    Ydev = np.array([[l in examples[i].themes for l in labels] for i in dev], dtype=np.int8)
    Pdev = probs(nlp, dev)
    th = shrunk_thresholds(Pdev, Ydev, choose_beta(Pdev, Ydev, seed=seed)[0])
    t0 = time.perf_counter()
    pred = decide(probs(nlp, test), th)
    seconds = time.perf_counter() - t0
    out = []
    for row, i in zip(pred, test):
        out.append({NOT_POSSIBLE} if labelling_not_possible(examples[i].text)
                   else {labels[j] for j in np.flatnonzero(row)})
    return out, None, seconds


def speed(examples, model_dir=None):
    """Throughput on one test fold: the shipped model's themes+sentiment (tag_batch) against the recipe's
    prediction. For speed the recipe's SVCs are fitted without probability=True: prediction uses the
    same support vectors, so this is a slight underestimate of the recipe's prediction time."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.svm import SVC

    from nlp.pipeline import Tagger, analyse_batch

    train, test = next(iter(folds(examples, 5, seed=0)))
    texts = [examples[i].text for i in train]
    vec = TfidfVectorizer()
    X = vec.fit_transform(texts)
    labels = [t for t in THEMES if any(t in examples[i].themes for i in train)]
    models = [SVC(C=15, class_weight="balanced").fit(X, np.array([t in examples[i].themes for i in train]))
              for t in labels]
    test_texts = [examples[i].text for i in test]
    questions = [examples[i].question for i in test]
    t0 = time.perf_counter()
    Xt = vec.transform(test_texts)
    for m in models:
        m.decision_function(Xt)
    recipe = len(test) / (time.perf_counter() - t0)
    tagger = Tagger.from_disk(model_dir) if model_dir else Tagger.from_disk()
    tagger.tag_batch(test_texts[:10])
    t0 = time.perf_counter()
    tagger.tag_batch(test_texts, questions)
    ours = len(test) / (time.perf_counter() - t0)
    t0 = time.perf_counter()
    analyse_batch(test_texts, questions, tagger)
    full = len(test) / (time.perf_counter() - t0)
    print(f"throughput texts/s: recipe {recipe:.0f}, ours themes+sentiment {ours:.0f} ({ours / recipe:.1f}x), "
          f"ours with risk and redaction {full:.0f} ({full / recipe:.1f}x)")
    return {"recipe": recipe, "ours": ours, "ours_full": full}


RUNNERS = {"ours": run_ours, "recipe": run_recipe, "textcat": run_textcat}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=str(DEFAULT_DATA))
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--parts", default="ours,recipe,textcat,speed",
                    help="speed: throughput of the shipped model against the recipe")
    ap.add_argument("--only-folds", help="run only these folds, e.g. 2,3,4 (the split is the same)")
    ap.add_argument("--json", help="also write the figures (with each fold's row) to this file")
    args = ap.parse_args(argv)
    examples = load_csv(args.data)
    gold = [set(e.themes) for e in examples]
    only = {int(k) for k in args.only_folds.split(",")} if args.only_folds else None
    figures = {}
    for part in args.parts.split(","):
        if part == "speed":
            figures["speed"] = speed(examples)
            continue
        rows, total_seconds, total_texts = [], 0.0, 0
        for k, (train, test) in enumerate(folds(examples, args.folds, seed=0)):
            if only is not None and k not in only:
                continue
            t0 = time.perf_counter()
            pred, sentiment, seconds = RUNNERS[part](examples, train, test)
            row = score_themes(pred, [gold[i] for i in test])
            if sentiment is not None:
                row["sentiment_accuracy"] = sentiment_accuracy(sentiment, [examples[i].sentiment for i in test])
            total_seconds, total_texts = total_seconds + seconds, total_texts + len(test)
            row["fold"] = k
            rows.append(row)
            print(f"{part} fold {k}: " + ", ".join(f"{key} {v:.3f}" for key, v in row.items() if key != "fold")
                  + f" ({time.perf_counter() - t0:.0f}s)", flush=True)
        mean = {key: float(np.mean([r[key] for r in rows])) for key in rows[0] if key != "fold"}
        mean["texts_per_second"] = total_texts / total_seconds
        mean["folds"] = [r["fold"] for r in rows]
        mean["per_fold"] = rows
        figures[part] = mean
        print(f"{part} mean of {len(rows)} folds: " + ", ".join(f"{key} {v:.3f}" for key, v in mean.items()
                                                            if isinstance(v, float)), flush=True)
    if "ours" in figures and "recipe" in figures:
        o, r = figures["ours"], figures["recipe"]
        print(f"macro-F1 ours {o['macro_f1']:.3f} vs recipe {r['macro_f1']:.3f} (+{o['macro_f1'] - r['macro_f1']:.3f}); "
              f"micro-F1 ours {o['micro_f1']:.3f} vs recipe {r['micro_f1']:.3f}; "
              f"throughput ratio {o['texts_per_second'] / r['texts_per_second']:.1f}x")
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
