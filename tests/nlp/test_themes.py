"""Threshold tuning of the theme model: shrinking rare labels' thresholds toward the global one."""
import numpy as np

from nlp.themes import best_thresholds, choose_beta, decide, global_threshold, macro_micro, shrunk_thresholds


def _data(seed=0):
    rng = np.random.default_rng(seed)
    n = 2000
    Y = np.zeros((n, 2), dtype=np.int8)
    Y[:800, 0] = 1          # a frequent label
    Y[800:806, 1] = 1       # a rare one: 6 positives
    P = np.clip(rng.normal(0.3, 0.15, Y.shape) + 0.35 * Y, 0, 1).astype(np.float32)
    P[800:806, 1] = 0.12    # the rare label's few positives score low, so its own best threshold is low
    return P, Y


def test_rare_label_is_pulled_toward_the_global_threshold_frequent_keeps_its_own():
    P, Y = _data()
    own, shrunk, g = best_thresholds(P, Y), shrunk_thresholds(P, Y, shrink=20), global_threshold(P, Y)
    assert abs(shrunk[0] - own[0]) <= 20 / 820 * abs(g - own[0]) + 1e-6   # 800 positives against 20
    assert abs(shrunk[1] - g) < abs(own[1] - g)
    assert np.array_equal(shrunk_thresholds(P, Y, shrink=0), own)


def test_macro_counts_only_labels_with_enough_support():
    P, Y = _data()
    pred = decide(P, np.array([0.5, 0.99], dtype=np.float32), at_least_one=False)
    all_labels, _ = macro_micro(pred, Y)
    supported, micro = macro_micro(pred, Y, min_support=10)
    assert supported > all_labels and 0 < micro <= 1


def test_choose_beta_is_deterministic():
    P, Y = _data()
    assert choose_beta(P, Y, seed=0) == choose_beta(P, Y, seed=0)
