"""The count-based cross-fitted target encoding against scikit-learn on rows: the folds
equal StratifiedKFold's to the row; the encodings are within a few ulps of
TargetEncoder's; the AUC equals roc_auc_score of TargetEncoder's output wherever
scikit-learn's rounding leaves the ties of equal counts alone (else within 1e-3, and the
verdicts of splits.target_leakage do not move)."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold
from sklearn.preprocessing import TargetEncoder

from sentinel_checks.stats.target_encoding import (
    cells_from_codes,
    class_folds,
    count_auc,
    cross_fitted_auc,
    encoded_cells,
    row_folds,
)
from sentinel_checks.stats.univariate import quantile_bin_codes


def _sklearn_folds(y: np.ndarray, seed: int) -> np.ndarray:
    out = np.full(len(y), -1)
    for k, (_, test) in enumerate(
        StratifiedKFold(5, shuffle=True, random_state=seed).split(np.zeros(len(y)), y)
    ):
        out[test] = k
    return out


def _sklearn_encoding(codes: np.ndarray, y: np.ndarray, seed: int) -> np.ndarray:
    folds = StratifiedKFold(5, shuffle=True, random_state=seed)
    encoder = TargetEncoder(target_type="binary", cv=folds)
    return np.asarray(encoder.fit_transform(codes.reshape(-1, 1), y.astype(np.int8))).ravel()


def _cases(count: int, seed: int):
    rng = np.random.default_rng(seed)
    for t in range(count):
        n = int(rng.integers(12, 2500))
        y = rng.random(n) < rng.uniform(0.01, 0.7)
        if y.sum() < 5 or (~y).sum() < 5:
            continue
        kind = t % 3
        if kind == 0:  # few categories, many ties of equal counts
            codes = rng.integers(0, int(rng.integers(1, 8)), n)
        elif kind == 1:  # rare categories: a long tail of one-row levels
            codes = np.minimum(rng.geometric(0.05, n), 10_000)
        else:  # quantile bins of a float with missing values and ties
            x = np.round(rng.normal(size=n) + 2 * y, 1)
            x[rng.random(n) < 0.1] = np.nan
            codes = quantile_bin_codes(x)
        yield y, codes, int(rng.integers(0, 10_000))


@pytest.mark.parametrize("first_risky", [True, False])
def test_folds_equal_stratified_kfold_row_for_row(first_risky):
    rng = np.random.default_rng(0)
    for _ in range(60):
        n = int(rng.integers(10, 5000))
        y = rng.random(n) < rng.uniform(0.002, 0.9)
        y[0] = first_risky
        if min(y.sum(), (~y).sum()) == 0 or max(y.sum(), (~y).sum()) < 5:
            continue
        seed = int(rng.integers(0, 2**31 - 1))
        assert np.array_equal(row_folds(y, seed=seed), _sklearn_folds(y, seed))


def test_a_planted_fault_in_the_folds_is_caught():
    """The check above can fail: shuffling the other class first gives other folds."""
    y = np.r_[np.ones(40, bool), np.zeros(160, bool)]
    a, b = class_folds(160, 40, seed=3)  # the classes in the wrong order
    wrong = np.empty(200, np.int8)
    wrong[~y], wrong[y] = a, b
    assert not np.array_equal(wrong, _sklearn_folds(y, 3))


def test_class_folds_refuse_when_every_class_is_below_the_folds():
    with pytest.raises(ValueError, match="n_splits=5"):
        class_folds(4, 3, seed=0)


def _per_row(codes: np.ndarray, y: np.ndarray, seed: int) -> np.ndarray:
    """Each row's count-based encoding (its cell's, in cells_from_codes' (code, fold) order)."""
    folds = row_folds(y, seed=seed)
    per_cell = encoded_cells(cells_from_codes(codes, folds, y))
    key = codes.astype(np.int64) * 5 + folds
    return per_cell[np.searchsorted(np.unique(key), key)]


def test_encodings_within_a_few_ulps_of_target_encoder():
    worst = 0.0
    for y, codes, seed in _cases(90, 1):
        want = _sklearn_encoding(codes, y, seed)
        got = _per_row(codes, y, seed)
        worst = max(worst, float(np.max(np.abs(got - want) / np.spacing(np.abs(want)))))
    assert worst <= 16  # measured: 12 ulps (scikit-learn sums squared differences row by row)


def test_auc_equals_roc_auc_of_target_encoder_where_its_ties_survive():
    exact = near = 0
    worst: list[float] = []
    for y, codes, seed in _cases(150, 2):
        want_enc = _sklearn_encoding(codes, y, seed)
        auc = roc_auc_score(y, want_enc)
        want = max(auc, 1 - auc)
        got = cross_fitted_auc(cells_from_codes(codes, row_folds(y, seed=seed), y))
        # the same AUC, computed exactly from scikit-learn's own encodings
        theirs = count_auc(want_enc, y.astype(np.int64), (~y).astype(np.int64))
        assert theirs == pytest.approx(want, abs=1e-12)
        mine = _per_row(codes, y, seed)
        # the same partition of the rows into tied groups: then the same order too
        pairs = len(np.unique(np.c_[mine, want_enc], axis=0))
        same_ties = pairs == len(np.unique(mine)) == len(np.unique(want_enc))
        if same_ties:
            assert got == theirs
            exact += 1
        else:  # scikit-learn's last-ulp noise split cells of equal counts apart
            assert abs(got - theirs) < 1e-3  # measured: at most 3.4e-4, median 8e-6
            worst.append(abs(got - theirs))
            near += 1
    assert exact > 80 and near > 0  # measured: 113 bit-equal, 37 near


def test_identical_cells_are_counted_once_and_give_the_same_auc():
    rng = np.random.default_rng(4)
    y = rng.random(3000) < 0.3
    codes = rng.integers(0, 2000, 3000)  # mostly one- and two-row categories
    cells = cells_from_codes(codes, row_folds(y, seed=7), y)
    keys = np.c_[cells.fold, cells.pos, cells.neg, cells.cat_pos, cells.cat_neg]
    merged, inverse = np.unique(keys, axis=0, return_inverse=True)
    counted = np.bincount(inverse.ravel())
    from sentinel_checks.stats.target_encoding import Cells

    summary = Cells(*(merged[:, i] for i in range(5)), counted.astype(np.int64))
    assert len(summary.fold) < len(cells.fold) / 3
    assert cross_fitted_auc(summary) == cross_fitted_auc(cells)
