"""Which bin a value falls in, among edges the engine compares it with.

One expression for every binning the engine does on quantile edges: the leakage
check's numeric features (:mod:`~sentinel_checks.engine.encoding_statistics`), the
calibration bins (:mod:`~sentinel_checks.engine.calibration_statistics`) and the score
PSI (:mod:`~sentinel_checks.engine.score_drift_statistics`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from sentinel_checks.engine.ibis_connection import with_floats

if TYPE_CHECKING:
    from ibis.expr.types import Table


def binned(table: Table, column: str, edges: Iterable[float]) -> tuple[Table, Any]:
    """``table`` with ``edges`` brought in as data (float64 columns ``__sentinel_edge<i>``:
    :func:`~sentinel_checks.engine.ibis_connection.with_floats`, never SQL text), and the
    bin of each row's ``column`` on it: :func:`edges_at_or_below`, int64 in
    ``[0, len(edges)]``.

    Parameters
    ----------
    table : ibis Table
    column : str
        A numeric column of ``table``.
    edges : iterable of float (a float ndarray)
        Strictly ascending (e.g. ``numpy.unique`` of quantiles), none NaN.
    """
    names = {f"__sentinel_edge{i}": float(e) for i, e in enumerate(edges)}
    edged = with_floats(table, **names)
    return edged, edges_at_or_below(edged[column], [edged[name] for name in names])


def edges_at_or_below(value: Any, edges: Sequence[Any], lo: int = 0, hi: int | None = None) -> Any:
    """How many of the ascending ``edges`` are ≤ ``value``: ``numpy.searchsorted(edges,
    value, side="right")``, as an Ibis int64 expression.

    A binary search of nested ``CASE``\\ s: about log2(len(edges)) comparisons per row,
    where a sum of one comparison per edge makes len(edges) (10M-row train split, 19
    edges, grouped by bin and fold on DuckDB: 0.21 s against 0.66 s per feature). The
    result equals that sum for every value, since ``value >= edge`` holds for a prefix of
    ascending edges on either engine: a null compares false (0), a NaN above every edge
    (``len(edges)``: NaN sorts last on DuckDB and Spark).

    Parameters
    ----------
    value : ibis numeric Value
    edges : sequence of ibis numeric Values
        Strictly ascending (e.g. ``numpy.unique`` of quantiles, brought in as data:
        :func:`~sentinel_checks.engine.ibis_connection.with_floats`), none null.
    lo, hi : int
        The part of ``edges`` searched (default all); the count starts at ``lo``.

    Returns
    -------
    ibis int64 Value
        In ``[lo, hi]``.
    """
    import ibis

    hi = len(edges) if hi is None else hi
    if lo == hi:
        return ibis.literal(lo, type="int64")
    mid = (lo + hi) // 2
    below, above = edges_at_or_below(value, edges, lo, mid), edges_at_or_below(value, edges, mid + 1, hi)
    return ibis.ifelse(value >= edges[mid], above, below)
