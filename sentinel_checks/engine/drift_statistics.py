"""The drift checks' whole-row statistics on an Ibis table: row and missing counts,
segment rows, label counts (:func:`~sentinel_checks.engine.labels.label_counts`), and
what :func:`~sentinel_checks.checks.drift_inputs.describe_shift` reads (medians, ranges,
level shares).

The engine counterparts of what ``drift.features`` and ``drift.labels`` compute on
every row of a pandas frame; only aggregates leave the engine. Evidently itself runs
on the bounded seeded sample (:func:`~sentinel_checks.engine.samples.sample_table`),
the rows the pandas path samples. Parity: ``tests/test_engine_drift.py``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from sentinel_checks.checks.drift_inputs import MISSING_LEVEL, ColumnShift
from sentinel_checks.engine.columns import missing
from sentinel_checks.engine.ibis_connection import ROW, whole_count
from sentinel_checks.engine.labels import label_counts as label_counts  # drift.labels' counts

if TYPE_CHECKING:
    from ibis.expr.types import Table


def row_count(table: Table) -> int:
    """Rows of ``table``."""
    return whole_count(table.count().execute())


def missing_counts(
    reference: Table, current: Table, features: Sequence[str]
) -> dict[str, tuple[int, int, int, int]]:
    """Missing values per feature on every row of both tables, in one aggregate a side.

    The engine counterpart of :func:`sentinel_checks.checks.missing_share.missing_counts`
    (equal: NULL, and NaN in a floating column, count as missing, as ``isna`` counts them).

    Parameters
    ----------
    reference, current : ibis Table
        Each holds every name in ``features``.
    features : sequence of str

    Returns
    -------
    dict of str to (int, int, int, int)
        ``(missing in reference, rows of reference, missing in current, rows of current)``.
    """

    def counts(table: Table) -> tuple[int, dict[str, int]]:
        metrics = {f"m{i}": missing(table, f).cast("int64").sum() for i, f in enumerate(features)}
        row = table.aggregate(n=table.count(), **metrics).to_pandas().iloc[0]
        return whole_count(row["n"]), {f: whole_count(row[f"m{i}"]) for i, f in enumerate(features)}

    n_ref, ref = counts(reference)
    n_cur, cur = counts(current)
    return {f: (ref[f], n_ref, cur[f], n_cur) for f in features}


def segment_levels(table: Table, column: str) -> dict[str, pd.Series]:
    """The values of ``column`` grouped by their text, as pandas writes them (``astype("string")``).

    One row per distinct raw value leaves the engine; each is named in pandas, so a
    segment is the same set of rows on both engines (``True``, ``1.0``, a category).

    Returns
    -------
    dict of str to Series
        Text → the raw values carrying it (nulls and NaN, which have no text, left out).
    """
    raw = table.select(column).distinct().to_pandas()[column]
    text = raw.astype("string")
    keep = text.notna().to_numpy()
    raw, text = raw[keep], text[keep]
    return {str(t): raw[text.to_numpy() == t] for t in sorted(set(text.tolist()))}


def segment_rows(table: Table, column: str, raw_values: pd.Series) -> Table:
    """The rows whose ``column`` is one of ``raw_values`` (a semi join on the values as
    data, never literals), :data:`ROW` renumbered 0..m-1 in the table's order."""
    import ibis
    import pyarrow as pa

    values = pa.Table.from_pandas(
        pd.DataFrame({column: raw_values.reset_index(drop=True)}), preserve_index=False
    )
    rows = table.semi_join(ibis.memtable(values), column)
    position = ibis.row_number().over(order_by=rows[ROW])
    return rows.mutate(**{ROW: position.cast("int64")})


def column_shift(table: Table, column: str) -> ColumnShift:
    """One column's summary for ``describe_shift``, from aggregates over every row.

    Numbers (not booleans): the median as pandas takes it (the mean of the two middle
    order statistics, NaN/NULL skipped: exact), and the mean (a float sum whose order
    differs from pandas': equal to ~1e-15 relative; the text shows four digits). Dates:
    the median (the midpoint of the two middle instants), min and max. Anything else:
    each level's share of the rows, levels named by their text, nulls ``(missing)``.
    """
    kind = table[column].type()
    if kind.is_timestamp():
        return _dates(table, column)
    if kind.is_numeric() and not kind.is_boolean():
        return _numbers(table, column)
    counts = table.group_by(value=table[column]).aggregate(rows=table.count()).to_pandas()
    names = counts["value"].astype("string").fillna(MISSING_LEVEL)
    summed = counts["rows"].groupby(names.to_numpy()).sum()
    return ColumnShift("levels", shares=summed / summed.sum())


def _present(table: Table, column: str) -> Table:
    values = table.select(v=table[column])
    return values.filter(~missing(values, "v"))


def _middle(values: Table) -> tuple[int, Any, Any]:
    """(n, the value at rank (n-1)//2, the value at rank n//2) of column ``v``, from the
    cumulative counts of its distinct values (a window over the per-value aggregate)."""
    import ibis

    groups = values.group_by("v").aggregate(rows=values.count())
    upto = groups.mutate(upto=groups.rows.sum().over(ibis.cumulative_window(order_by=groups.v)))
    n = whole_count(groups.rows.sum().execute())
    if n == 0:
        return 0, None, None
    lo, hi = (n - 1) // 2, n // 2
    got = upto.aggregate(a=upto.v.min(where=upto.upto > lo), b=upto.v.min(where=upto.upto > hi))
    row = got.to_pandas().iloc[0]
    return n, row["a"], row["b"]


def _numbers(table: Table, column: str) -> ColumnShift:
    values = _present(table, column)
    n, a, b = _middle(values)
    if n == 0:
        return ColumnShift("numbers", median=float("nan"))
    mean = values.v.cast("float64").mean().execute()
    median = float(np.mean(np.array([a, b], dtype=np.float64)))
    return ColumnShift("numbers", median=median, mean=float(mean))


def _dates(table: Table, column: str) -> ColumnShift:
    values = _present(table, column)
    n, a, b = _middle(values)
    if n == 0:
        return ColumnShift("dates", median=pd.NaT, low=pd.NaT, high=pd.NaT)
    edge = values.aggregate(low=values.v.min(), high=values.v.max()).to_pandas().iloc[0]
    a, b, low, high = (_utc(v) for v in (a, b, edge["low"], edge["high"]))
    return ColumnShift("dates", median=a + (b - a) / 2, low=low, high=high)


def _utc(value: Any) -> pd.Timestamp:
    """An instant as a naive UTC Timestamp (``describe_shift`` reads zoned dates in UTC)."""
    stamp = pd.Timestamp(value)
    return stamp.tz_convert("UTC").tz_localize(None) if stamp.tzinfo is not None else stamp
