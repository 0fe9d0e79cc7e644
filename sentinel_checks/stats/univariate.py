"""One feature against the label, read every way a model could exploit it alone.

A numeric feature is read twice and scored by the stronger reading:

* **monotone**: the folded ROC AUC of the values themselves (missing values as one
  level below the minimum), :func:`~sentinel_checks.stats.leakage.symmetric_auc`;
* **binned**: the folded ROC AUC of a cross-fitted target encoding of its quantile
  bins, with missing values as a bin of their own. This catches relations that are
  not monotone (a U shape; "missing or ≥ 60") which the monotone reading ranks as
  near chance.

Text and category features are read once, through the cross-fitted target encoding
of their categories. Every function looks at every row; memory is a few arrays of
n numbers per feature (no copy of the column as Python objects).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from sentinel_checks.stats.leakage import category_codes, numeric_view, symmetric_auc
from sentinel_checks.stats.target_encoding import cells_from_codes, cross_fitted_auc, row_folds

#: Quantile bins of the binned reading (missing values get one more).
BINS = 20

#: Rows each class needs for the 5 cross-fitting folds.
MIN_ROWS_PER_CLASS = 5

Reading = Literal["monotone", "binned", "categories"]


def quantile_bin_codes(values: np.ndarray, *, bins: int = BINS) -> np.ndarray:
    """Integer bin codes of a float array: quantile bins, non-finite values their own bin.

    A column with at most ``bins`` distinct finite values gets one bin per value (so
    a skewed integer code keeps its rare levels apart); otherwise the edges are the
    ``bins``-quantiles of the finite values with repeated edges dropped (as
    ``pandas.qcut(..., duplicates="drop")``), so a heavily tied value fills one bin.

    Parameters
    ----------
    values : ndarray of float, shape (n,)
        NaN (and ±inf) are missing.
    bins : int, default 20
        At most this many bins of finite values.

    Returns
    -------
    ndarray of int64, shape (n,)
        Codes in [0, bins]; the missing bin is the highest code.

    Examples
    --------
    >>> quantile_bin_codes(np.array([1.0, np.nan, 3.0, 1.0])).tolist()
    [0, 2, 1, 0]
    >>> len(set(quantile_bin_codes(np.arange(1000.0), bins=4).tolist()))
    4
    """
    finite = np.isfinite(values)
    observed = values[finite]
    codes = np.empty(len(values), dtype=np.int64)
    distinct = np.unique(observed)
    if len(distinct) <= bins:
        codes[finite] = np.searchsorted(distinct, observed)
        codes[~finite] = len(distinct)
        return codes
    edges = np.unique(np.quantile(observed, np.linspace(0.0, 1.0, bins + 1)[1:-1]))
    codes[finite] = np.searchsorted(edges, observed, side="right")
    codes[~finite] = len(edges) + 1
    return codes


@dataclass(frozen=True)
class FeatureAssociation:
    """How well one feature alone separates the classes.

    ``score`` is the larger of the readings (NaN when undefined); ``decided_by`` names
    the reading that gave it. ``monotone_auc`` is None for text and categories.
    ``missing_risky`` / ``missing_safe`` are the shares of each class's rows where the
    feature is missing (in [0, 1]); ``n_missing_risky`` / ``n_missing_safe`` the counts.
    """

    score: float
    decided_by: Reading
    monotone_auc: float | None
    binned_auc: float
    missing_risky: float
    missing_safe: float
    n_missing_risky: int
    n_missing_safe: int


def feature_association(
    values: pd.Series,
    y: np.ndarray,
    *,
    seed: int,
    bins: int = BINS,
    folds: np.ndarray | None = None,
) -> FeatureAssociation:
    """The monotone and binned readings of one feature, and its missing share per class.

    Parameters
    ----------
    values : Series, n rows
        One feature column (numeric, boolean, datetime, text or category).
    y : ndarray of bool, shape (n,)
        True where the row is risky; each class must have at least
        :data:`MIN_ROWS_PER_CLASS` rows (the caller checks).
    seed : int
        Seed of the 5 stratified folds of the cross-fitted encoding (the same seed
        gives the same folds, hence the same answer).
    bins : int, default 20
        Quantile bins of a numeric feature (:func:`quantile_bin_codes`).
    folds : ndarray of int8, shape (n,), optional
        Each row's cross-fitting fold (:func:`~sentinel_checks.stats.target_encoding.row_folds`
        of ``y`` and ``seed``, computed here when None): pass it to reuse it across features.

    Returns
    -------
    FeatureAssociation
        Folded ROC AUCs in [0.5, 1] (NaN when undefined).

    Notes
    -----
    Cross fitting (each row encoded by a model of the other folds, scikit-learn's
    ``TargetEncoder`` with its shrinkage) keeps 20 bins of pure noise near AUC 0.5:
    an in-sample encoding would score its own sampling noise. The encoding is computed
    from counts per (bin or category, fold, class)
    (:mod:`~sentinel_checks.stats.target_encoding`), the same code an engine feeds.

    Examples
    --------
    >>> x = np.tile(np.arange(-10.0, 10.0), 20)
    >>> a = feature_association(pd.Series(x), np.abs(x) > 6, seed=0)
    >>> a.decided_by, a.binned_auc, round(a.monotone_auc, 2)
    ('binned', 1.0, 0.57)
    """
    missing = values.isna().to_numpy()
    n_risky, n_safe = int(y.sum()), int((~y).sum())
    miss_risky, miss_safe = int(missing[y].sum()), int(missing[~y].sum())
    if folds is None:
        folds = row_folds(y, seed=seed)
    numeric = numeric_view(values)
    if numeric is None:
        codes, _ = category_codes(values)
        auc = cross_fitted_auc(cells_from_codes(codes, folds, y))
        return association(None, auc, n_risky, n_safe, miss_risky, miss_safe)
    monotone = symmetric_auc(y, numeric)
    raw = numeric.copy()
    # numeric_view filled missing and ±inf below the minimum; for the bins both are missing
    # (quantile_bin_codes), as the engine reads ±inf (NULL there)
    raw[missing | _infinite(values)] = np.nan
    binned = cross_fitted_auc(cells_from_codes(quantile_bin_codes(raw, bins=bins), folds, y))
    return association(monotone, binned, n_risky, n_safe, miss_risky, miss_safe)


def association(
    monotone: float | None, binned: float, n_risky: int, n_safe: int, miss_risky: int, miss_safe: int
) -> FeatureAssociation:
    """The :class:`FeatureAssociation` of the readings and the missing counts per class.

    Parameters
    ----------
    monotone : float or None
        The monotone reading; None for text and categories (``binned`` is then the
        category reading).
    binned : float
        The cross-fitted reading of the bins (or categories).
    n_risky, n_safe : int
        Rows of each class (> 0).
    miss_risky, miss_safe : int
        Rows of each class where the feature is missing.
    """
    shares = (miss_risky / n_risky, miss_safe / n_safe, miss_risky, miss_safe)
    if monotone is None:
        return FeatureAssociation(binned, "categories", None, binned, *shares)
    if math.isnan(monotone) or math.isnan(binned):
        return FeatureAssociation(math.nan, "monotone", monotone, binned, *shares)
    decided: Reading = "binned" if binned > monotone else "monotone"
    return FeatureAssociation(max(monotone, binned), decided, monotone, binned, *shares)


def _infinite(values: pd.Series) -> np.ndarray:
    """Whether each value is +inf or -inf (never for booleans, datetimes, text)."""
    dtype = values.dtype
    if pd.api.types.is_bool_dtype(dtype) or not pd.api.types.is_numeric_dtype(dtype):
        return np.zeros(len(values), dtype=bool)
    return np.isinf(values.to_numpy(dtype=float, na_value=np.nan))
