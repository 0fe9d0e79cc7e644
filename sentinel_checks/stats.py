"""Small statistics the split and leakage checks decide on.

Checks compute these first and judge only on them. They are the seam where a larger
engine (DuckDB, Spark) can replace pandas without touching the decisions. Every
function here looks at every row: leakage checks never sample.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score


@dataclass(frozen=True)
class TimeRange:
    n: int
    min: pd.Timestamp | None
    max: pd.Timestamp | None


def time_range(timestamps: pd.Series) -> TimeRange:
    values = timestamps.dropna()
    if values.empty:
        return TimeRange(0, None, None)
    return TimeRange(len(values), values.min(), values.max())


def distinct_ids(ids: pd.Series) -> np.ndarray:
    """Distinct non-null entity ids (hash-based, in order of appearance)."""
    return np.asarray(pd.unique(ids.dropna()))


def shared_ids(earlier: np.ndarray, later: np.ndarray) -> np.ndarray:
    """Ids present in both distinct sets, sorted so evidence is the same on every run.

    Only the shared ids are sorted: sorting millions of distinct string ids would
    cost more than the hash join itself.
    """
    shared = later[pd.Index(later).isin(earlier)]
    try:
        return np.sort(shared)
    except TypeError:  # mixed types: order by their text, still deterministic
        return np.asarray(sorted(shared, key=str), dtype=object)


def row_hashes(frame: pd.DataFrame, columns: list[str]) -> np.ndarray:
    """A 64-bit hash per row over ``columns`` (index ignored).

    Two rows with equal values get equal hashes; the chance that two different rows
    collide is about n²/2⁶⁵, negligible for the sizes the gate sees.
    """
    if not columns:
        return np.zeros(len(frame), dtype=np.uint64)
    return pd.util.hash_pandas_object(frame[columns], index=False, categorize=True).to_numpy()


def numeric_view(values: pd.Series) -> np.ndarray | None:
    """A float view of a numeric, boolean or datetime column; None for text/categories.

    Missing values become one level below the minimum, so "missing for one class
    only" still shows up as predictive.
    """
    dtype = values.dtype
    if pd.api.types.is_bool_dtype(dtype) or pd.api.types.is_numeric_dtype(dtype):
        arr = values.to_numpy(dtype=float, na_value=np.nan)
    elif pd.api.types.is_datetime64_any_dtype(dtype):
        arr = values.astype("int64").to_numpy(dtype=float)
        arr[values.isna().to_numpy()] = np.nan
    else:
        return None
    finite = np.isfinite(arr)
    if not finite.all():
        low = np.nanmin(arr[finite]) - 1.0 if finite.any() else 0.0
        arr = np.where(finite, arr, low)
    return arr


def symmetric_auc(y: np.ndarray, score: np.ndarray) -> float:
    """ROC AUC of one score, folded so 0.2 and 0.8 both read 0.8 (a feature predicts
    either way). NaN when ``y`` has one class."""
    if y.min() == y.max():
        return float("nan")
    auc = float(roc_auc_score(y, score))
    return max(auc, 1.0 - auc)


def out_of_fold_target_encoding(values: pd.Series, y: np.ndarray, *, seed: int) -> np.ndarray:
    """Cross-fitted mean-label encoding of a categorical column (scikit-learn's TargetEncoder).

    Cross fitting keeps a high-cardinality column from scoring a perfect in-sample
    AUC merely by memorising its categories.
    """
    from sklearn.model_selection import StratifiedKFold
    from sklearn.preprocessing import TargetEncoder

    text = values.astype("string").fillna("<missing>").to_numpy(dtype=object).reshape(-1, 1)
    folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=seed)
    encoder = TargetEncoder(target_type="binary", cv=folds)
    return np.asarray(encoder.fit_transform(text, y.astype(int))).ravel()
