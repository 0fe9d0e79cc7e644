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


def test_paired_cells_from_grouped_rows_are_the_cells_of_the_rows():
    """Rows grouped by (label, candidate score, champion score) — what an engine
    group-by returns — pool into the same cells, so the bootstrap draws are the same."""
    import pandas as pd

    from sentinel_checks.stats.paired_cells import paired_cell_bootstrap, paired_cells

    rng = np.random.default_rng(7)
    n = 3000
    y = rng.random(n) < 0.15
    a = np.round(np.clip(0.3 * y + rng.normal(0.3, 0.2, n), 0, 1), 1)
    b = np.round(np.clip(0.2 * y + rng.normal(0.3, 0.2, n), 0, 1), 1)
    groups = pd.DataFrame({"y": y, "a": a, "b": b}).value_counts().reset_index()
    assert len(groups) < n / 2
    gy, ga, gb = groups["y"].to_numpy(), groups["a"].to_numpy(), groups["b"].to_numpy()
    counts = groups["count"].to_numpy()
    by_rows = paired_cells(y, a, b, a >= 0.5, b >= 0.45)
    by_groups = paired_cells(gy, ga, gb, ga >= 0.5, gb >= 0.45, counts=counts)
    for field in ("y", "a", "b", "flag_a", "flag_b", "counts"):
        assert np.array_equal(getattr(by_groups, field), getattr(by_rows, field)), field
    rows_draws, _ = paired_cell_bootstrap(y, a, b, a >= 0.5, b >= 0.45, resamples=50, seed=3)
    group_draws, _ = paired_cell_bootstrap(
        gy, ga, gb, ga >= 0.5, gb >= 0.45, resamples=50, seed=3, counts=counts
    )
    for metric, draws in rows_draws.items():
        assert np.array_equal(group_draws[metric], draws, equal_nan=True), metric
