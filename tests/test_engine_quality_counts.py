"""Quality statistics read off counts: ROC AUC and PR AUC from :class:`ThresholdCounts`
equal scikit-learn's on the rows, and the threshold chosen on counts is the one
chosen on rows, so the engine (which only returns counts) reaches the pandas values."""

from __future__ import annotations

import math

import numpy as np
import pytest
from sklearn.metrics import average_precision_score, roc_auc_score

from sentinel_checks.models.thresholds import choose_threshold, choose_threshold_on_counts
from sentinel_checks.stats.ranking import pr_auc_from_counts, roc_auc_from_counts, threshold_counts


def _rows(n: int, seed: int, *, rounded: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = rng.random(n) < 0.1
    s = np.clip(0.3 * y + rng.normal(0.3, 0.2, n), 0, 1)
    return y, (np.round(s, rounded) if rounded is not None else s)


@pytest.mark.parametrize(
    ("n", "seed", "rounded"), [(500, 0, None), (2000, 1, 2), (3000, 2, 1), (800, 3, None)]
)
def test_aucs_from_counts_equal_scikit_learn(n, seed, rounded):
    y, s = _rows(n, seed, rounded=rounded)
    counts = threshold_counts(y, s)
    assert roc_auc_from_counts(counts) == pytest.approx(roc_auc_score(y, s), abs=1e-12)
    assert pr_auc_from_counts(counts) == pytest.approx(average_precision_score(y, s), abs=1e-12)


def test_aucs_from_counts_are_undefined_without_a_class():
    y = np.zeros(300, dtype=bool)
    counts = threshold_counts(y, np.linspace(0, 1, 300))
    assert math.isnan(roc_auc_from_counts(counts))
    assert math.isnan(pr_auc_from_counts(counts))
    counts = threshold_counts(~y, np.linspace(0, 1, 300))
    assert math.isnan(roc_auc_from_counts(counts))
    assert pr_auc_from_counts(counts) == pytest.approx(1.0, abs=1e-12)


@pytest.mark.parametrize("lower", [False, True])
@pytest.mark.parametrize("fixed", [None, 0.5])
def test_the_threshold_chosen_on_counts_is_the_one_chosen_on_rows(lower, fixed):
    y, s = _rows(2000, 4, rounded=3)
    options = {"target_recall": 0.8, "fixed": fixed, "use_lower_bound": lower, "confidence": 0.9}
    assert choose_threshold_on_counts(threshold_counts(y, s), **options) == choose_threshold(y, s, **options)
