"""Model-quality statistics on an Ibis table of scores: counts by threshold, calibration
bins and per-segment counts, computed where the scored rows live.

Each returns the object its pandas counterpart returns, from aggregates only (one
row per distinct score up to a bound, per bin or per segment value leaves the engine,
never one per scored row):

* :func:`threshold_counts` — :class:`~sentinel_checks.stats.confusion.ThresholdCounts`,
  as :func:`sentinel_checks.stats.ranking.threshold_counts`: grouped by the exact
  score, so threshold choice, recall, precision, FNR and the PR curve are the
  pandas values; past ``[engine] max_threshold_groups`` distinct scores, grouped on a
  grid that keeps them exact at every threshold that decides
  (:mod:`~sentinel_checks.engine.threshold_grid`).
* :func:`confusion_at` — the :class:`~sentinel_checks.stats.confusion.Confusion` at
  one threshold (``ThresholdCounts.at``) without bringing back every distinct score.
* :func:`~sentinel_checks.engine.calibration_statistics.calibration_bins` (its own
  module) — :class:`~sentinel_checks.stats.calibration.CalibrationBins` with the
  edges of :func:`sentinel_checks.stats.calibration.bin_index`.
* :func:`segment_counts` — :class:`SegmentCounts`, the rows, risky rows and caught
  risky rows per segment value that ``quality.segments`` judges.

The input is a table with a score column and a label column (e.g. the table
:func:`~sentinel_checks.engine.scores.score_table` writes). Scores must be finite and
labels one of the two configured values; otherwise :class:`~sentinel_checks.errors.DataError`
names the column. Parity: ``tests/test_engine_quality_parity.py``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd  # noqa: F401  (the doctests use it)

from sentinel_checks.config.section import LabelValue
from sentinel_checks.engine.float_values import undefined
from sentinel_checks.engine.ibis_connection import whole_count, with_floats
from sentinel_checks.errors import DataError
from sentinel_checks.stats.confusion import Confusion, ThresholdCounts
from sentinel_checks.stats.segment_counts import MISSING_SEGMENT as MISSING_SEGMENT
from sentinel_checks.stats.segment_counts import SegmentCounts, counts_by_name

if TYPE_CHECKING:
    from ibis.expr.types import Table


@dataclass(frozen=True)
class ScoredColumns:
    """Where the scores and labels are in a scored table.

    Attributes
    ----------
    score : str
        The score column (float, the probability of the risky class).
    label : str
        The label column.
    positive, negative : bool, int, float or str
        The risky and the safe label value (``[columns] positive`` / ``negative``).
    """

    score: str
    label: str
    positive: LabelValue
    negative: LabelValue


def threshold_counts(
    table: Table,
    columns: ScoredColumns,
    *,
    split_at: Sequence[float] = (),
    max_groups: int | None = None,
) -> ThresholdCounts:
    """Cumulative TP and FP at every distinct score, descending, grouped in the engine;
    past ``max_groups`` distinct scores, at every grid cell's smallest score.

    Rows are grouped by their exact score (each group counting risky and safe rows);
    the groups come back in descending order and are summed cumulatively, which is
    :func:`sentinel_checks.stats.ranking.threshold_counts` (one threshold per
    distinct score, ties as one threshold) on integers, hence exactly equal. With more
    than ``max_groups`` distinct scores (continuous scores on millions of rows) the
    scores are grouped on a grid instead, split at ``split_at``
    (:func:`~sentinel_checks.engine.threshold_grid.grid_threshold_counts`: exact at
    every listed threshold and at ``split_at``, ties inside a cell).

    Parameters
    ----------
    table : ibis Table, n rows
        Holds ``columns.score`` and ``columns.label``.
    columns : ScoredColumns
    split_at : sequence of float
        Thresholds whose counts must stay exact on a grid (the operating threshold).
    max_groups : int, optional
        The most groups brought to Python (``[engine] max_threshold_groups``; default
        :data:`~sentinel_checks.engine.threshold_grid.MAX_THRESHOLD_GROUPS`; 24 bytes a group).

    Returns
    -------
    ThresholdCounts
        ``thresholds`` float64, ``tp`` and ``fp`` int64, shape (k,) for k distinct
        scores (``grid`` 0), or k groups on a grid (``grid`` the cells per unit of score).

    Raises
    ------
    KeyError
        A column is not in the table.
    DataError
        A score is NULL, NaN or infinite, or a label is NULL or neither value; or even
        the coarsest grid gives more than ``max_groups`` groups (scores far outside [0, 1]).

    Examples
    --------
    >>> from sentinel_checks.engine.ibis_connection import connect_duckdb, table_from_frame
    >>> con = connect_duckdb(threads=1)
    >>> t = table_from_frame(con, pd.DataFrame({"s": [0.9, 0.8, 0.8, 0.1], "y": [1, 0, 1, 0]}), name="t")
    >>> c = threshold_counts(t, ScoredColumns(score="s", label="y", positive=1, negative=0))
    >>> c.thresholds.tolist(), c.tp.tolist(), c.fp.tolist()
    ([0.9, 0.8, 0.1], [1, 2, 2], [0, 1, 2])
    >>> cols = ScoredColumns(score="s", label="y", positive=1, negative=0)
    >>> g = threshold_counts(t, cols, split_at=(0.5,), max_groups=2)  # 3 scores, 2 groups at most
    >>> g.grid, g.thresholds.tolist(), g.tp.tolist(), g.fp.tolist()  # one cell, split at 0.5
    (1, [0.8, 0.1], [2, 2], [1, 2])
    """
    import ibis

    from sentinel_checks.engine.threshold_grid import MAX_THRESHOLD_GROUPS, grid_threshold_counts

    limit = MAX_THRESHOLD_GROUPS if max_groups is None else max_groups
    rows = scored_rows(table, columns)
    # one row per distinct score (about one per row for continuous scores): read as Arrow
    # columns straight to numpy, not through a pandas frame (at 1.6M groups 0.8 s instead
    # of 2.3 s, and 170 MB less at the peak); at most limit + 1 of them
    groups = (
        rows.group_by("score")
        .aggregate(pos=rows.risky.cast("int64").sum(), neg=(~rows.risky).cast("int64").sum())
        .order_by(ibis.desc("score"))
        .limit(limit + 1)
        .to_pyarrow()
    )
    if groups.num_rows > limit:
        return grid_threshold_counts(rows, split_at=split_at, max_groups=limit, column=columns.score)
    pos = groups.column("pos").to_numpy().astype(np.int64, copy=False)
    neg = groups.column("neg").to_numpy().astype(np.int64, copy=False)
    return ThresholdCounts(
        groups.column("score").to_numpy().astype(np.float64, copy=False),
        np.cumsum(pos),
        np.cumsum(neg),
        int(pos.sum()),
        int(neg.sum()),
    )


def confusion_at(table: Table, threshold: float, columns: ScoredColumns) -> Confusion:
    """TP, FP, FN, TN when flagging ``score >= threshold``, counted in one engine aggregate.

    Equals ``threshold_counts(table, columns).at(threshold)`` without bringing back
    every distinct score.

    Parameters
    ----------
    table : ibis Table, n rows
    threshold : float
        Score at or above which a row is flagged (score units).
    columns : ScoredColumns

    Returns
    -------
    Confusion
        Counts in rows.

    Raises
    ------
    KeyError, DataError
        As :func:`threshold_counts`.
    """

    rows = with_floats(scored_rows(table, columns), threshold=threshold)
    hit = rows.score >= rows.threshold
    totals = rows.aggregate(
        tp=(rows.risky & hit).cast("int64").sum(),
        fp=(~rows.risky & hit).cast("int64").sum(),
        pos=rows.risky.cast("int64").sum(),
        n=rows.count(),
    ).to_pandas()
    tp, fp, pos, n = (whole_count(totals[c].iloc[0]) for c in ("tp", "fp", "pos", "n"))
    return Confusion(tp=tp, fp=fp, fn=pos - tp, tn=(n - pos) - fp)


def segment_counts(table: Table, columns: ScoredColumns, *, segment: str, threshold: float) -> SegmentCounts:
    """Rows, risky rows and caught risky rows per value of ``segment``, grouped in the engine.

    Rows are grouped by the segment's value (NULL a group of its own); only the
    groups leave the engine. Each value is then named as ``quality.segments`` names
    it (its text, :data:`MISSING_SEGMENT` for NULL or NaN) and groups with one name
    are added, so the result equals :meth:`SegmentCounts.from_arrays` on the rows.

    Parameters
    ----------
    table : ibis Table, n rows
    columns : ScoredColumns
    segment : str
        The segment column (``[columns] segments``).
    threshold : float
        The operating threshold: a row is flagged when its score is at or above it.

    Returns
    -------
    SegmentCounts

    Raises
    ------
    KeyError, DataError
        As :func:`threshold_counts` (also for ``segment``).
    """

    rows = with_floats(scored_rows(table, columns, extra=(segment,)), threshold=threshold)
    hit = rows.score >= rows.threshold
    groups = (
        rows.group_by(value=rows[segment])
        .aggregate(
            rows=rows.count(),
            pos=rows.risky.cast("int64").sum(),
            tp=(rows.risky & hit).cast("int64").sum(),
            flagged=hit.cast("int64").sum(),
        )
        .to_pandas()
    )
    return counts_by_name(
        groups["value"].to_numpy(dtype=object),
        groups["rows"].to_numpy(dtype=np.int64),
        groups["pos"].to_numpy(dtype=np.int64),
        groups["tp"].to_numpy(dtype=np.int64),
        groups["flagged"].to_numpy(dtype=np.int64),
    )


def scored_rows(table: Table, columns: ScoredColumns, *, extra: tuple[str, ...] = ()) -> Table:
    """``score`` (float64) and ``risky`` (bool) of every row, and the ``extra`` columns.

    Every statistic here starts from it: one aggregate first checks that every score
    is finite and every label is ``columns.positive`` or ``columns.negative``.

    Parameters
    ----------
    table : ibis Table, n rows
    columns : ScoredColumns
    extra : tuple of str
        Columns kept as they are (a segment).

    Returns
    -------
    ibis Table, n rows
        Columns ``score``, ``risky`` and ``extra``.

    Raises
    ------
    KeyError
        A column is not in the table (named, with the table's columns).
    DataError
        A score is NULL, NaN or infinite; a label is NULL or neither value; or the
        label column cannot be compared with them (counts and the column named).
    """
    from sentinel_checks.engine.labels import risky as is_label

    for name in (columns.score, columns.label, *extra):
        if name not in table.columns:
            raise KeyError(f"column {name!r} is not in the table (columns: {', '.join(table.columns)})")
    score = table[columns.score].cast("float64")
    label = table[columns.label]
    try:
        risky = is_label(table, columns.label, columns.positive)
        safe = is_label(table, columns.label, columns.negative)
    except Exception as error:  # Ibis refuses to compare, e.g. text labels with a number
        raise DataError(
            f"label column {columns.label!r} ({label.type()}) cannot be compared with "
            f"positive {columns.positive} / negative {columns.negative}: {error}"
        ) from None
    bad_score = undefined(score)
    check = table.aggregate(
        bad_score=bad_score.cast("int64").sum(),
        null_label=label.isnull().cast("int64").sum(),
        other_label=(label.notnull() & ~risky & ~safe).cast("int64").sum(),
    ).to_pandas()
    bad, null, other = (whole_count(check[c].iloc[0]) for c in ("bad_score", "null_label", "other_label"))
    if bad:
        raise DataError(
            f"score column {columns.score!r} has {bad:,} {_values(bad)} "
            f"{'that is' if bad == 1 else 'that are'} NULL, NaN or infinite; quality cannot be measured"
        )
    if null or other:
        raise DataError(
            f"label column {columns.label!r} has {null:,} null {_values(null)} and {other:,} "
            f"{_values(other)} outside {columns.positive} / {columns.negative}"
        )
    return table.select(score=score, risky=risky, **{name: table[name] for name in extra})


def _values(count: int) -> str:
    return "value" if count == 1 else "values"


def labelled_rows(table: Table, label: str) -> Table:
    """The rows of ``table`` whose ``label`` is present: neither NULL nor a float NaN (pandas
    counts both as missing, and the in-memory path drops both; DuckDB and Spark hold NaN as
    a value, which a parquet file written by Spark, DuckDB or pyarrow keeps as NaN).

    Raises
    ------
    KeyError
        ``label`` is not a column of ``table`` (named).
    """
    from sentinel_checks.engine.split_statistics import plain_value

    return table.filter(plain_value(table, label).notnull())
