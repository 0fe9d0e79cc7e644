"""``drift.scores`` counted in the engine: the PSI's bins and the flagged rows of two
tables of scores, with the pandas values exactly.

The engine counterpart of :func:`sentinel_checks.stats.drift.population_stability_index`
and of the flagged counts of :func:`sentinel_checks.checks.score_drift.check_score_drift`.
The PSI's bin edges are numpy's type-7 quantiles of the reference, computed from the
order statistics they interpolate between
(:func:`sentinel_checks.engine.calibration_statistics.reference_quantiles`, bit-equal);
they and the threshold enter the engine as data (``with_floats``), each row's bin is the
number of inner edges at or below its score, and only the per-bin counts come back. The
PSI is then :func:`~sentinel_checks.stats.drift.psi_from_counts` on those integers: the
same float as pandas'. Parity: ``tests/test_engine_drift.py``.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from sentinel_checks.checks.score_drift import ScoreDriftCounts
from sentinel_checks.engine.bins import binned
from sentinel_checks.engine.calibration_statistics import reference_quantiles
from sentinel_checks.engine.float_values import undefined
from sentinel_checks.engine.ibis_connection import whole_count, with_floats
from sentinel_checks.stats.drift import psi_from_counts

if TYPE_CHECKING:
    from ibis.expr.types import Table


def score_drift_counts(
    reference: Table, current: Table, column: str, *, threshold: float, bins: int = 10
) -> ScoreDriftCounts:
    """Rows, flagged rows (``score >= threshold``) and the PSI of two tables' ``column``.

    Parameters
    ----------
    reference, current : ibis Table
        Each holds ``column`` (float64 scores; e.g. ``SessionModels.scored_table``).
    column : str
        The score column.
    threshold : float
        The operating threshold.
    bins : int, default 10
        Quantile bins of the reference requested (fewer when quantiles coincide).

    Returns
    -------
    ScoreDriftCounts
        ``finite`` False (and PSI NaN) when a score on either side is NULL, NaN or
        infinite; PSI NaN when a side is empty; otherwise every field equals what
        ``check_score_drift`` counts on the arrays.
    """
    ref, cur = _scores(reference, column), _scores(current, column)
    (n_ref, bad_ref, k_ref), (n_cur, bad_cur, k_cur) = _shape(ref, threshold), _shape(cur, threshold)
    finite = bad_ref == 0 and bad_cur == 0
    psi = math.nan
    if finite and n_ref and n_cur:
        psi = _psi(ref, cur, n_ref, n_cur, bins)
    return ScoreDriftCounts(n_ref, n_cur, finite, psi, k_ref, k_cur)


def _scores(table: Table, column: str) -> Table:
    if column not in table.columns:
        raise KeyError(f"column {column!r} is not in the table (columns: {', '.join(table.columns)})")
    return table.select(score=table[column].cast("float64"))


def _shape(rows: Table, threshold: float) -> tuple[int, int, int]:
    """(rows, NULL/NaN/infinite scores, scores >= threshold) in one aggregate."""
    edged = with_floats(rows, threshold=threshold)
    bad = undefined(edged.score)
    flagged = (edged.score >= edged.threshold).fill_null(False)
    row = (
        edged.aggregate(n=edged.count(), bad=bad.cast("int64").sum(), flagged=flagged.cast("int64").sum())
        .to_pandas()
        .iloc[0]
    )
    return whole_count(row["n"]), whole_count(row["bad"]), whole_count(row["flagged"])


def _psi(reference: Table, current: Table, n_ref: int, n_cur: int, bins: int) -> float:
    edges = np.unique(reference_quantiles(reference, n_ref, np.linspace(0, 1, bins + 1)))
    if len(edges) < 2:  # a constant reference: 0 when the current equals it, else inf
        same = with_floats(current, value=float(edges[0]))
        moved = whole_count((same.score != same.value).cast("int64").sum().execute())
        return 0.0 if moved == 0 else math.inf

    def counts(rows: Table) -> np.ndarray:
        edged, index = binned(rows, "score", edges[1:-1])
        per_bin = edged.group_by(bin=index).aggregate(rows=edged.count()).to_pandas()
        out = np.zeros(len(edges) - 1, dtype=np.int64)
        out[per_bin["bin"].to_numpy(dtype=np.int64)] = per_bin["rows"].to_numpy(dtype=np.int64)
        return out

    return psi_from_counts(counts(reference), n_ref, counts(current), n_cur)
