"""Small statistics the split and leakage checks decide on.

Checks compute these first and judge only on them. They are the seam where a larger
engine (DuckDB, Spark) can replace pandas without touching the decisions. Every
function here looks at every row: leakage checks never sample.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sentinel_checks.stats.target_encoding import count_auc


@dataclass(frozen=True)
class TimeRange:
    """Non-null timestamps of a column: how many, the earliest and the latest."""

    n: int
    min: pd.Timestamp | None
    max: pd.Timestamp | None


def time_range(timestamps: pd.Series) -> TimeRange:
    """The count, minimum and maximum of the non-null timestamps.

    Parameters
    ----------
    timestamps : Series of datetime64, n rows

    Returns
    -------
    TimeRange
        ``TimeRange(0, None, None)`` when every value is null.

    Examples
    --------
    >>> time_range(pd.Series(pd.to_datetime(["2025-01-02", None, "2025-01-01"]))).n
    2
    """
    values = timestamps.dropna()
    if values.empty:
        return TimeRange(0, None, None)
    return TimeRange(len(values), values.min(), values.max())


#: Rows hashed per step: bounds the Python objects a text column is turned into.
CHUNK_ROWS = 1_000_000


def value_hashes(values: pd.Series | pd.DataFrame, columns: list[str] | None = None) -> np.ndarray:
    """A 64-bit hash per row (index ignored; over ``columns`` of a frame when given),
    computed in chunks of ``CHUNK_ROWS`` rows.

    Equal values get equal hashes whatever the column's storage (Python objects or
    Arrow strings); chunking keeps the transient memory to one chunk's worth instead
    of a copy of every hashed column.

    Parameters
    ----------
    values : Series or DataFrame, n rows
    columns : list of str, optional
        Columns of a frame to hash together; all columns when None.

    Returns
    -------
    ndarray of uint64, shape (n,)

    Examples
    --------
    >>> h = value_hashes(pd.Series(["a", "b", "a"]))
    >>> bool(h[0] == h[2]), bool(h[0] == h[1])
    (True, False)
    """
    out = np.empty(len(values), dtype=np.uint64)
    for start in range(0, len(values), CHUNK_ROWS):
        chunk = values.iloc[start : start + CHUNK_ROWS]
        if columns is not None:
            chunk = chunk[columns]
        out[start : start + len(chunk)] = pd.util.hash_pandas_object(
            _without_negative_zero(chunk), index=False, categorize=True
        )
    return out


def _without_negative_zero(chunk: pd.Series | pd.DataFrame) -> pd.Series | pd.DataFrame:
    """``-0.0`` as ``0.0`` in float columns: equal values must hash equal (IEEE ``-0.0 + 0.0``
    is ``+0.0``; NaN stays NaN)."""
    if isinstance(chunk, pd.Series):
        return chunk + 0.0 if pd.api.types.is_float_dtype(chunk.dtype) else chunk
    floats = [c for c in chunk.columns if pd.api.types.is_float_dtype(chunk[c].dtype)]
    if not floats:
        return chunk
    out = chunk.copy(deep=False)
    for c in floats:
        out[c] = chunk[c] + 0.0
    return out


def sorted_distinct(hashes: np.ndarray) -> np.ndarray:
    """The distinct values of a uint64 array, sorted (one sort, no hash table).

    Parameters
    ----------
    hashes : ndarray of uint64, shape (n,)

    Returns
    -------
    ndarray of uint64, shape (k,), k <= n, ascending

    Examples
    --------
    >>> sorted_distinct(np.array([3, 1, 3], dtype=np.uint64)).tolist()
    [1, 3]
    """
    ordered = np.sort(hashes)
    if len(ordered) < 2:
        return ordered
    keep = np.empty(len(ordered), dtype=bool)
    keep[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=keep[1:])
    return ordered[keep]


def member_of(hashes: np.ndarray, distinct: np.ndarray) -> np.ndarray:
    """Which entries of ``hashes`` occur in ``distinct`` (sorted, as from :func:`sorted_distinct`).

    Parameters
    ----------
    hashes : ndarray of uint64, shape (n,)
    distinct : ndarray of uint64, shape (k,), sorted ascending

    Returns
    -------
    ndarray of bool, shape (n,)

    Examples
    --------
    >>> member_of(np.array([1, 2], dtype=np.uint64), np.array([2, 5], dtype=np.uint64)).tolist()
    [False, True]
    """
    if len(distinct) == 0:
        return np.zeros(len(hashes), dtype=bool)
    at = np.searchsorted(distinct, hashes)
    np.minimum(at, len(distinct) - 1, out=at)
    return np.asarray(distinct[at] == hashes)


@dataclass(frozen=True)
class SharedIds:
    """Distinct non-null ids on each side and the ids on both, sorted.

    ``n_earlier`` and ``n_later`` count distinct ids (by hash); ``shared`` holds the
    ids on both sides (confirmed by value), sorted, or only the first of them when
    ``n_shared`` is given (an engine counts them and reads back the first few, so a
    split sharing millions of ids does not bring them all to Python); ``later_rows``
    counts rows of the later side that carry one of them.
    """

    n_earlier: int
    n_later: int
    shared: np.ndarray
    later_rows: int  # rows of the later side carrying a shared id
    n_shared: int | None = None  # distinct shared ids when ``shared`` holds only the first

    @property
    def count(self) -> int:
        """Distinct ids on both sides."""
        return len(self.shared) if self.n_shared is None else self.n_shared


def shared_ids(earlier: pd.Series, later: pd.Series) -> SharedIds:
    """Entity ids on both sides, on every row, without a hash table of the ids themselves.

    Ids are hashed to 64 bits and compared as sorted integers (a few bytes per row
    instead of one Python string per distinct id: at 10M rows this is the difference
    between tens of MiB and a GiB). The candidates found by hash are then confirmed
    by value, so a hash collision can never invent a shared id; it could only shift
    a distinct count by one, with a chance of about n²/2⁶⁵. Shared ids are sorted so
    evidence is the same on every run.

    Parameters
    ----------
    earlier, later : Series
        The id column of the earlier and the later split (nulls ignored).

    Returns
    -------
    SharedIds

    Examples
    --------
    >>> r = shared_ids(pd.Series(["u1", "u2"]), pd.Series(["u2", "u2", "u3", None]))
    >>> r.n_earlier, r.n_later, r.shared.tolist(), r.later_rows
    (2, 2, ['u2'], 2)
    """
    earlier, later = earlier.dropna(), later.dropna()
    first = sorted_distinct(value_hashes(earlier))
    later_hashes = value_hashes(later)
    second = sorted_distinct(later_hashes)
    hit = member_of(later_hashes, first)
    candidates = pd.unique(later[hit])
    if len(candidates):
        confirmed = pd.Index(candidates).isin(earlier[earlier.isin(candidates)].unique())
        candidates = np.asarray(candidates)[confirmed]
    rows = int(later.isin(candidates).sum()) if len(candidates) else 0
    try:
        shared = np.sort(np.asarray(candidates))
    except TypeError:  # mixed types: order by their text, still deterministic
        shared = np.asarray(sorted(candidates, key=str), dtype=object)
    return SharedIds(len(first), len(second), shared, rows)


def row_hashes(frame: pd.DataFrame, columns: list[str]) -> np.ndarray:
    """A 64-bit hash per row over ``columns`` (index ignored), in chunks of rows.

    Two rows with equal values get equal hashes; the chance that two different rows
    collide is about n²/2⁶⁵, negligible for the sizes the gate sees.

    Parameters
    ----------
    frame : DataFrame, n rows
    columns : list of str
        The columns compared; no columns give all-zero hashes.

    Returns
    -------
    ndarray of uint64, shape (n,)
    """
    if not columns:
        return np.zeros(len(frame), dtype=np.uint64)
    return value_hashes(frame, columns)


def numeric_view(values: pd.Series) -> np.ndarray | None:
    """A float view of a numeric, boolean or datetime column; None for text/categories.

    Missing values become one level below the minimum, so "missing for one class
    only" still shows up as predictive.

    Parameters
    ----------
    values : Series, n rows

    Returns
    -------
    ndarray of float, shape (n,), or None
        Datetimes as nanoseconds since the epoch; None for text or categories.

    Examples
    --------
    >>> numeric_view(pd.Series([1.0, None, 3.0])).tolist()
    [1.0, 0.0, 3.0]
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
    either way). NaN when ``y`` has one class.

    Parameters
    ----------
    y : ndarray of bool or {0, 1}, shape (n,)
        True (1) where the row is risky.
    score : ndarray of float, shape (n,)
        One feature's values (see :func:`numeric_view`) or its encoding.

    Returns
    -------
    float
        ``max(AUC, 1 - AUC)``, in [0.5, 1]; NaN with one class.

    References
    ----------
    Hanley, J. A. and McNeil, B. J. (1982). Radiology 143(1), 29–36 (ROC AUC).

    Examples
    --------
    >>> symmetric_auc(np.array([0, 0, 1, 1]), np.array([0.9, 0.8, 0.2, 0.1]))
    1.0
    """
    risky = np.asarray(y).astype(bool)
    # Mann-Whitney from tie-group counts in integers, divided once: the same float as
    # engine.leakage_statistics.monotone_auc (and scikit-learn's roc_auc_score to 1e-12)
    return count_auc(np.asarray(score), risky.astype(np.int64), (~risky).astype(np.int64))


def category_codes(values: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """Integer codes of a column's values, missing values as a category of their own.

    Parameters
    ----------
    values : Series, n rows

    Returns
    -------
    codes : ndarray of int, shape (n,)
    uniques : Index
        The value of each code.

    Examples
    --------
    >>> codes, uniques = category_codes(pd.Series(["b", None, "b"]))
    >>> codes.tolist(), len(uniques)
    ([0, 1, 0], 2)
    """
    codes, uniques = pd.factorize(values, use_na_sentinel=False)
    return codes, pd.Index(uniques)
