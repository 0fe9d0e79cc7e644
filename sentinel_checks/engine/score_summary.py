"""``model.scores``' numbers computed where the scored rows live: one aggregate (rows,
unusable scores, min, max, median) and, only when some scores are unusable, the
positions of the first few. Nothing per row leaves the engine.

Equal to :meth:`~sentinel_checks.stats.score_summary.ScoreSummary.from_array` on the
score column read in row order (``ORDER BY`` :data:`~sentinel_checks.engine.ibis_connection.ROW`):
the median is the engine's exact one (DuckDB ``quantile_cont``, Spark ``percentile``: the
mean of the two middle values, as numpy's). Parity: ``tests/test_engine_score_summary.py``.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from sentinel_checks.engine.float_values import undefined
from sentinel_checks.engine.ibis_connection import ROW, whole_count
from sentinel_checks.stats.score_summary import BAD_ROWS_KEPT, ScoreSummary

if TYPE_CHECKING:
    from ibis.expr.types import Table


def score_summary(table: Table, score: str) -> ScoreSummary:
    """The :class:`ScoreSummary` of ``table[score]``, rows in :data:`ROW` order.

    Parameters
    ----------
    table : ibis Table, n rows
        Holds ``score`` (float) and ``ROW`` (int64, the rows' order).
    score : str
        The score column.

    Returns
    -------
    ScoreSummary

    Raises
    ------
    KeyError
        ``score`` or ``ROW`` is not a column of ``table``.
    """
    import ibis

    for name in (score, ROW):
        if name not in table.columns:
            raise KeyError(f"column {name!r} is not in the table (columns: {', '.join(table.columns)})")
    s = table[score].cast("float64")
    bad = (undefined(s) | (s < 0).fill_null(True) | (s > 1).fill_null(True)).fill_null(True)
    totals = table.aggregate(
        n=table.count(), bad=ibis.ifelse(bad, 1, 0).sum(), low=s.min(), high=s.max(), median=s.median()
    ).to_pyarrow()
    n, n_bad = (whole_count(totals.column(c)[0].as_py()) for c in ("n", "bad"))
    if n == 0 or n_bad == 0:
        usable = n > 0
        low, high, median = (
            float(totals.column(c)[0].as_py()) if usable else math.nan for c in ("low", "high", "median")
        )
        return ScoreSummary(n=n, bad=n_bad, low=low, high=high, median=median)
    first = table.filter(bad).select(ROW).order_by(ROW).limit(BAD_ROWS_KEPT).to_pyarrow()
    rows = [int(v) for v in first.column(ROW).to_pylist()]
    # each one's position: the rows before it in ROW order
    before = table.aggregate(
        **{
            f"p{i}": ibis.ifelse(table[ROW] < ibis.literal(r, type="int64"), 1, 0).sum()
            for i, r in enumerate(rows)
        }
    ).to_pyarrow()
    positions = tuple(whole_count(before.column(f"p{i}")[0].as_py()) for i in range(len(rows)))
    return ScoreSummary(n=n, bad=n_bad, low=math.nan, high=math.nan, median=math.nan, bad_rows=positions)
