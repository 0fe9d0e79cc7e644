"""Calibration bins on an Ibis table of scores, with the pandas version's bins exactly.

The engine counterpart of :func:`sentinel_checks.stats.calibration.calibration_bins`:
only the order statistics the quantile edges need and one aggregate per bin leave
the engine. Parity: ``tests/test_engine_quality_parity.py``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from sentinel_checks.engine.bins import binned
from sentinel_checks.engine.ibis_connection import whole_count
from sentinel_checks.engine.quality_statistics import ScoredColumns, scored_rows
from sentinel_checks.stats.calibration import CalibrationBins

if TYPE_CHECKING:
    from ibis.expr.types import Table


def calibration_bins(table: Table, columns: ScoredColumns, *, n_bins: int = 10) -> CalibrationBins:
    """Equal-mass calibration bins, with the bins of :func:`sentinel_checks.stats.calibration.bin_index`.

    The rule, as the pandas version makes it: with at most ``n_bins`` distinct
    scores each distinct score is its own bin (``lower == upper``). Otherwise the
    edges are numpy's default ("linear", Hyndman–Fan type 7) quantiles at
    ``linspace(0, 1, n_bins + 1)``, made unique; bin ``i`` holds
    ``edges[i] <= s < edges[i + 1]``, the top bin closed. Here the engine brings back
    only the order statistics the quantiles interpolate between (read off the
    cumulative counts of the distinct scores), the interpolation is numpy's own
    float arithmetic on them (``(n - 1) * q``, its floor, ``a + (b - a) * g`` or
    ``b - (b - a) * (1 - g)`` from ``g >= 0.5``), and each row's bin is the number of
    inner edges at or below its score, counted in the engine.

    Edges, counts and observed rates equal the pandas values exactly. The mean score
    per bin is a float sum whose order differs between engines (numpy adds row by
    row; the engine in parallel), so it and the ECE agree to 1e-12 relative (the
    parity tests' tolerance), not to the last bit.

    Parameters
    ----------
    table : ibis Table, n rows
    columns : ScoredColumns
    n_bins : int, default 10
        Bins requested (``[quality] calibration_bins``).

    Returns
    -------
    CalibrationBins
        The non-empty bins: ``lower``/``upper``/``mean_score``/``observed_rate`` float64,
        ``count`` int64, shape (b,), b <= n_bins.

    Raises
    ------
    KeyError, DataError
        As :func:`threshold_counts`.
    ValueError
        ``n_bins`` < 1.

    References
    ----------
    Hyndman, R. J. and Fan, Y. (1996). Sample quantiles in statistical packages.
    The American Statistician 50(4), 361–365 (type 7, numpy's default).
    """
    if n_bins < 1:
        raise ValueError(f"n_bins must be at least 1, got {n_bins}")
    rows = scored_rows(table, columns)
    shape = rows.aggregate(n=rows.count(), distinct=rows.score.nunique()).to_pandas()
    n, distinct = whole_count(shape["n"].iloc[0]), whole_count(shape["distinct"].iloc[0])
    if n == 0:
        empty = np.array([], dtype=np.float64)
        return CalibrationBins(empty, empty, np.array([], dtype=np.int64), empty, empty)
    if distinct <= n_bins:
        per_score = _bin_sums(rows, rows.score).order_by("bin").to_pandas()
        scores = per_score["bin"].to_numpy(dtype=np.float64)
        return _bins(scores, scores, per_score)
    edges = np.unique(_quantiles(rows, n, np.linspace(0, 1, n_bins + 1)))
    edged, index = binned(rows, "score", edges[1:-1])
    sums = _bins_by_index(_bin_sums(edged, index).to_pandas(), len(edges) - 1)
    keep = sums["count"].to_numpy() > 0
    return _bins(edges[:-1][keep], edges[1:][keep], sums[keep])


def _bin_sums(rows: Table, index: Any) -> Table:
    return rows.group_by(bin=index).aggregate(
        count=rows.count(), pos=rows.risky.cast("int64").sum(), sum_score=rows.score.sum()
    )


def _bins_by_index(sums: pd.DataFrame, bins: int) -> pd.DataFrame:
    """Per-bin sums at positions 0..bins-1 (a bin no row fell in has count 0)."""
    full = pd.DataFrame({"count": 0, "pos": 0, "sum_score": 0.0}, index=pd.RangeIndex(bins))
    found = sums.set_index(sums["bin"].astype(np.int64))[["count", "pos", "sum_score"]]
    full.loc[found.index] = found
    return full


def _bins(lower: np.ndarray, upper: np.ndarray, sums: pd.DataFrame) -> CalibrationBins:
    count = sums["count"].to_numpy(dtype=np.int64)
    return CalibrationBins(
        np.asarray(lower, dtype=np.float64),
        np.asarray(upper, dtype=np.float64),
        count,
        sums["sum_score"].to_numpy(dtype=np.float64) / count,
        sums["pos"].to_numpy(dtype=np.float64) / count,
    )


def _quantiles(rows: Table, n: int, q: np.ndarray) -> np.ndarray:
    """numpy's "linear" quantiles of the n scores at ``q``, from the order statistics they need.

    The arithmetic is numpy's (``numpy.lib._function_base_impl._quantile`` and
    ``_lerp``), step by step on float64 arrays, so the result is bit-equal; only the
    order statistics come from the engine (:func:`_order_statistics`).
    """
    virtual = (n - 1) * q
    previous = np.floor(virtual)
    above = virtual >= n - 1  # numpy takes the last value there
    previous[above] = n - 1
    following = np.where(above, n - 1, previous + 1)
    gamma = virtual - np.where(above, -1.0, previous)  # numpy's gamma uses index -1 there
    ranks = sorted({int(r) for r in np.r_[previous, following]})
    value = _order_statistics(rows, ranks)
    a = np.array([value[int(r)] for r in previous], dtype=np.float64)
    b = np.array([value[int(r)] for r in following], dtype=np.float64)
    diff = b - a
    result = np.add(a, diff * gamma)
    np.subtract(b, diff * (1 - gamma), out=result, where=gamma >= 0.5)
    return result


def _order_statistics(rows: Table, ranks: list[int]) -> dict[int, float]:
    """The scores at 0-based ascending ``ranks``: the least distinct score whose cumulative
    count passes the rank (a window over the per-score aggregate, not over the rows)."""
    import ibis

    groups = rows.group_by("score").aggregate(rows=rows.count())
    upto = groups.mutate(upto=groups.rows.sum().over(ibis.cumulative_window(order_by=groups.score)))
    picked = upto.aggregate(**{f"r{r}": upto.score.min(where=upto.upto > r) for r in ranks}).to_pandas()
    return {r: float(picked[f"r{r}"].iloc[0]) for r in ranks}


def reference_quantiles(rows: Table, n: int, q: np.ndarray) -> np.ndarray:
    """numpy's default ("linear", type 7) quantiles at ``q`` of the ``n`` values of column
    ``score`` of ``rows`` (no NULL), bit-equal to ``np.quantile``: the calibration edges'
    arithmetic (:func:`_quantiles`), shared with ``drift.scores``' PSI bins
    (:mod:`sentinel_checks.engine.score_drift_statistics`)."""
    return _quantiles(rows, n, q)
