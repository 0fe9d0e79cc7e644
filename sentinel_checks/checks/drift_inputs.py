"""Columns typed for a drift comparison, and a one-line description of a shift.

:func:`prepare_drift_inputs` turns the feature columns of two samples into frames
Evidently can compare (datetimes as epoch seconds, booleans as categories, rare
levels lumped); :func:`describe_shift` says in a few words how one column moved.
Both feed :func:`sentinel_checks.checks.drift.check_feature_drift`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class DriftInputs:
    """Two frames ready for Evidently, and what was set aside and why."""

    reference: pd.DataFrame
    current: pd.DataFrame
    numerical: list[str]
    categorical: list[str]
    notes: Mapping[str, str] = field(default_factory=dict)  # column -> why skipped / caution
    id_like: tuple[str, ...] = ()


#: Categorical levels compared one by one; rarer levels are lumped into :data:`OTHER`.
MAX_CATEGORIES = 200
OTHER = "(other)"
#: A missing value among a categorical column's levels (the engine's
#: :func:`~sentinel_checks.engine.drift_statistics.column_shift` names it the same).
MISSING_LEVEL = "(missing)"


def drift_kind(dtype: object) -> str:
    """``"num"`` or ``"cat"``: how :func:`prepare_drift_inputs` types a column of pandas
    ``dtype`` for Evidently (datetimes and numbers are numerical; booleans, text and
    anything else categorical). The preflight reads it off the data's schema."""
    if pd.api.types.is_bool_dtype(dtype):
        return "cat"
    if pd.api.types.is_datetime64_any_dtype(dtype) or pd.api.types.is_numeric_dtype(dtype):
        return "num"
    return "cat"


def prepare_drift_inputs(
    reference: pd.DataFrame, current: pd.DataFrame, features: Sequence[str]
) -> DriftInputs:
    """Type the feature columns for a drift comparison, on every row of both frames.

    Datetimes become epoch seconds by their actual unit (float, numerical; tz-aware
    values in UTC, naive ones taken as UTC); booleans become strings
    (categorical); other numbers become float (numerical); anything else becomes a
    string with nulls as ``"(missing)"`` (categorical), keeping the
    :data:`MAX_CATEGORIES` most frequent reference levels and lumping the rest into
    :data:`OTHER`. Columns null on both sides are skipped; columns null on one side only are
    skipped with a note (their missing share fails ``drift.features``); columns where over 90% of
    more than 100 reference values are distinct are noted as id-like.

    Parameters
    ----------
    reference : pandas.DataFrame, shape (n, ...)
        The reference sample (e.g. train); must hold every name in ``features``.
    current : pandas.DataFrame, shape (m, ...)
        The sample compared with it (e.g. production); same requirement.
    features : sequence of str
        Feature column names to prepare.

    Returns
    -------
    DriftInputs
        The typed frames (same indexes as the inputs), the numerical and
        categorical column names, notes per column (skipped, lumped, id-like) and
        the id-like columns.

    Raises
    ------
    KeyError
        When a name in ``features`` is missing from either frame.
    """
    ref, cur = {}, {}
    numerical, categorical, notes, id_like = [], [], {}, []
    for name in features:
        a, b = reference[name], current[name]
        if a.isna().all() and b.isna().all():
            notes[name] = "null in every row of both samples: skipped"
            continue
        if a.isna().all() or b.isna().all():
            # no distribution to compare on one side: the missing share judges it
            # (see :mod:`sentinel_checks.checks.missing_share`), a fail
            side = "reference" if a.isna().all() else "current"
            notes[name] = f"null in every {side} row only: judged by its missing share"
            continue
        dtype = a.dtype if not a.isna().all() else b.dtype
        kind = drift_kind(dtype)  # the preflight reads the same rule off the schema
        if kind == "num" and pd.api.types.is_datetime64_any_dtype(dtype):
            ref[name], cur[name] = _epoch_seconds(a), _epoch_seconds(b)
            numerical.append(name)
        elif kind == "cat" and pd.api.types.is_bool_dtype(dtype):
            ref[name], cur[name] = a.astype("string"), b.astype("string")
            categorical.append(name)
        elif kind == "num":
            ref[name], cur[name] = a.astype(float), b.astype(float)
            numerical.append(name)
            if pd.api.types.is_integer_dtype(dtype) and a.nunique() > 0.9 * max(len(a), 1) > 100:
                id_like.append(name)
        else:
            ra, cb = a.astype("string").fillna(MISSING_LEVEL), b.astype("string").fillna(MISSING_LEVEL)
            counts = ra.value_counts()
            if len(counts) > MAX_CATEGORIES:
                # Drift tests over thousands of levels are slow and say nothing the top
                # levels do not: keep the reference's most frequent, lump the rest.
                keep = counts.index[:MAX_CATEGORIES]
                ra, cb = ra.where(ra.isin(keep), OTHER), cb.where(cb.isin(keep), OTHER)
                notes[name] = (
                    f"{len(counts)} distinct values: the {MAX_CATEGORIES} most frequent in the reference "
                    f"are compared, the rest as {OTHER!r}"
                )
            ref[name], cur[name] = ra, cb
            categorical.append(name)
            if a.nunique() > 0.9 * max(len(a), 1) > 100:
                id_like.append(name)
    for name in id_like:
        notes[name] = "almost every value is distinct: looks like an id, and ids are not features"
    return DriftInputs(
        pd.DataFrame(ref, index=reference.index),
        pd.DataFrame(cur, index=current.index),
        numerical,
        categorical,
        notes,
        tuple(id_like),
    )


def _epoch_seconds(values: pd.Series) -> pd.Series:
    """Seconds since 1970-01-01 UTC, by the column's actual unit (s, ms, us or ns);
    tz-aware values are converted to UTC, naive ones are taken as UTC."""
    values = _naive_utc(values)
    unit, _ = np.datetime_data(values.dtype)
    per_second = {"s": 1.0, "ms": 1e3, "us": 1e6, "ns": 1e9}[unit]
    out = values.to_numpy().view("int64").astype(float) / per_second
    out[values.isna().to_numpy()] = np.nan
    return pd.Series(out, index=values.index)


def _naive_utc(values: pd.Series) -> pd.Series:
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        return values.dt.tz_convert("UTC").dt.tz_localize(None)
    return values


def describe_shift(reference: pd.Series, current: pd.Series) -> str:
    """One line on how a column moved: medians for numbers and dates, the largest share
    change for categories.

    Dates (datetime64 of any unit, tz-aware in UTC) by their median day and range;
    numbers (not bool) by their medians, or by their means when the medians are equal;
    anything else by the level whose share moved most.

    Parameters
    ----------
    reference, current : pandas.Series
        The same column in the reference and current samples (nulls count as a
        ``"(missing)"`` level for categories).

    Returns
    -------
    str
        E.g. ``"median 31 → 78"``, ``"median 2025-07-02 → 2026-01-18 (range
        2025-01-01–2025-12-31 → 2025-07-20–2026-07-19)"`` or ``"share of BR 4% → 38%"``
        (shares rounded to whole percent).

    Examples
    --------

    >>> describe_shift(pd.Series([30.0, 31, 32]), pd.Series([70.0, 78, 90]))
    'median 31 → 78'
    >>> describe_shift(pd.Series(["US"] * 96 + ["BR"] * 4), pd.Series(["US"] * 62 + ["BR"] * 38))
    'share of BR 4% → 38%'
    """
    return describe_column_shift(column_shift_of(reference), column_shift_of(current))


@dataclass(frozen=True)
class ColumnShift:
    """What :func:`describe_shift` reads of one column on one side.

    ``kind``: ``"dates"`` (``median``, ``low``, ``high``: Timestamps in UTC, naive, or
    NaT), ``"numbers"`` (``median``, ``mean``: float, NaN when no value) or ``"levels"``
    (``shares``: each level's share of the rows, nulls as ``"(missing)"``). Made from a
    pandas Series (:func:`column_shift_of`) or from engine aggregates
    (:func:`sentinel_checks.engine.drift_statistics.column_shift`).
    """

    kind: str
    median: object = None
    mean: float = float("nan")
    low: object = None
    high: object = None
    shares: pd.Series | None = None


def column_shift_of(values: pd.Series) -> ColumnShift:
    """The :class:`ColumnShift` of one pandas column (every row)."""
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        present = _naive_utc(values).dropna()
        return ColumnShift("dates", median=present.median(), low=present.min(), high=present.max())
    if pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(values.dtype):
        return ColumnShift("numbers", median=values.median(), mean=values.mean())
    return ColumnShift(
        "levels", shares=values.astype("string").fillna(MISSING_LEVEL).value_counts(normalize=True)
    )


def describe_column_shift(reference: ColumnShift, current: ColumnShift) -> str:
    """:func:`describe_shift`'s line from the two sides' :class:`ColumnShift` (the
    reference's kind decides, as the reference's dtype does there)."""
    if reference.kind == "dates" and current.kind == "dates":
        return _describe_dates(reference, current)
    if reference.kind == "numbers":
        a, b = reference.median, current.median
        if a == b:  # zero-inflated or discrete: the median hides the move
            return f"mean {reference.mean:.4g} → {current.mean:.4g}"
        return f"median {a:.4g} → {b:.4g}"
    pa, pb = reference.shares, current.shares
    assert pa is not None and pb is not None
    delta = pb.reindex(pa.index.union(pb.index), fill_value=0) - pa.reindex(
        pa.index.union(pb.index), fill_value=0
    )
    key = delta.abs().sort_values(ascending=False, kind="stable").index[0]
    return f"share of {key} {pa.get(key, 0.0):.0%} → {pb.get(key, 0.0):.0%}"


def _describe_dates(reference: ColumnShift, current: ColumnShift) -> str:
    """E.g. ``"median 2025-07-01 → 2026-01-17 (range 2025-01-01–2025-12-31 → 2025-07-20–2026-07-18)"``."""

    def day(value: object) -> str:
        return "none" if pd.isna(value) else pd.Timestamp(value).strftime("%Y-%m-%d")

    a, b = reference, current
    return (
        f"median {day(a.median)} → {day(b.median)} "
        f"(range {day(a.low)}–{day(a.high)} → {day(b.low)}–{day(b.high)})"
    )
