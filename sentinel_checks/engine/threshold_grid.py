"""Threshold counts past a bound on groups: the scores grouped on a grid, exact at every
threshold that decides something.

:func:`~sentinel_checks.engine.quality_statistics.threshold_counts` brings one row per
distinct score out of the engine: about one per scored row for continuous scores (a
logistic regression's), which grows with the data and does not fit a driver at 10⁸
rows. Past ``[engine] max_threshold_groups`` groups it calls
:func:`grid_threshold_counts`: each score falls in a cell of width ``1 / grid``
(``floor(score · grid)``, a power of two, so the same cell on every engine), the cells
are split at the thresholds already known (a fixed threshold, the one chosen on
validation), and each cell stands for its smallest score; the grid is the finest the
bound allows (2¹⁷ cells per unit by default). So:

* every listed threshold is a real score with its exact counts (the rows of a cell are
  at or above its smallest score; the cells above hold larger scores): recall, FNR,
  precision at it and every point of the PR curve read off the counts are exact;
* the counts at a split value are exact (the split puts the rows above it in a group
  of their own);
* the threshold chosen for a target recall is exact: it is the ``k``-th largest risky
  score for the fewest caught risky rows ``k`` meeting the target
  (:func:`risky_score_at_rank`), and the cells are split there, so the choice made on
  the grouped counts falls on it;
* rows inside a cell count as tied: ROC AUC and average precision are those of the
  grouped scores, and the true values lie within
  :func:`~sentinel_checks.stats.tie_bounds.tie_bounds` of them (``quality.auc``
  widens its interval by that much); calibration bins hold whole cells, each at its
  rows' mean score (the engine sums the scores of each group), so every bin's mean
  score is the rows' own.

:meth:`~sentinel_checks.stats.confusion.ThresholdCounts.at` refuses a threshold inside
a cell (``exact_at``) rather than guess. Parity: ``tests/test_engine_threshold_grid.py``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from sentinel_checks.errors import DataError
from sentinel_checks.stats.confusion import ThresholdCounts

if TYPE_CHECKING:
    from ibis.expr.types import Table

#: The most distinct-score groups :func:`~sentinel_checks.engine.quality_statistics.threshold_counts`
#: brings to Python by default (``[engine] max_threshold_groups``; 24 bytes a group).
MAX_THRESHOLD_GROUPS = 1 << 18
#: Grids (cells per unit of score) the paired comparison tries, finest first
#: (:func:`~sentinel_checks.engine.paired_statistics.paired_rows`).
GRIDS = (1 << 16, 1 << 14, 1 << 12, 1 << 10, 1 << 8, 1 << 6, 1 << 4, 1 << 2, 1)


def grid_threshold_counts(
    rows: Table,
    *,
    split_at: Sequence[float] = (),
    max_groups: int = MAX_THRESHOLD_GROUPS,
    finest: int | None = None,
    column: str = "score",
) -> ThresholdCounts:
    """Cumulative TP and FP at the smallest score of each grid cell, on the finest
    power-of-two grid giving at most ``max_groups`` groups.

    Scores in [0, 1] fall in ``grid + 1`` cells at most (1.0 in a cell of its own) and
    each split adds one group, so the grid tried first is the largest power of two with
    ``grid + 1 + len(split_at) <= max_groups`` (2¹⁷ for the default 262,144): a larger
    ``max_groups`` always gives a finer grid. Coarser ones (halving) follow only for
    scores outside [0, 1].

    Parameters
    ----------
    rows : ibis Table
        ``score`` (float64, finite) and ``risky`` (bool) of every row
        (:func:`~sentinel_checks.engine.quality_statistics.scored_rows`).
    split_at : sequence of float
        Thresholds (flag ``score >= t``) a cell holding one is split at.
    max_groups : int
        The most groups brought to Python.
    finest : int, optional
        The finest grid to try (a power of two) instead of the one ``max_groups`` allows.
    column : str
        The score column's name, for the error.

    Returns
    -------
    ThresholdCounts
        ``thresholds`` the groups' smallest scores, descending; ``grid`` the grid used.

    Raises
    ------
    DataError
        Even the coarsest grid gives more than ``max_groups`` groups (scores far outside [0, 1]).
    """
    import ibis

    from sentinel_checks.engine.ibis_connection import with_floats

    cuts = tuple(sorted(float(t) for t in split_at))
    keyed = with_floats(rows, **{f"cut_{i}": t for i, t in enumerate(cuts)}) if cuts else rows
    flags = {f"flag_{i}": keyed.score >= keyed[f"cut_{i}"] for i in range(len(cuts))}
    top = finest or 1 << max(0, (max_groups - 1 - len(cuts)).bit_length() - 1)
    grid = top
    while grid >= 1:
        cells = keyed.mutate(cell=(keyed.score * grid).floor(), **flags)
        groups = (
            cells.group_by(["cell", *flags])
            .aggregate(
                low=cells.score.min(),
                total=cells.score.sum(),
                pos=cells.risky.cast("int64").sum(),
                neg=(~cells.risky).cast("int64").sum(),
            )
            .order_by(ibis.desc("low"))
            .limit(max_groups + 1)
            .to_pyarrow()
        )
        if groups.num_rows <= max_groups:
            return _cumulative(groups, grid=grid, split_at=cuts)
        grid //= 2
    raise DataError(
        f"score column {column!r} gives more than {max_groups:,} groups even on a grid of width "
        "1/1: are the scores probabilities in [0, 1]?"
    )


def risky_score_at_rank(rows: Table, k: int, counts: ThresholdCounts) -> float:
    """The ``k``-th largest score among the risky rows (1-based, ties counted row by row).

    The threshold a target recall chooses is this score for ``k`` the fewest caught risky
    rows meeting it (:func:`~sentinel_checks.models.thresholds.caught_needed`): it catches
    at least ``k``, every higher score fewer. Splitting the grid at it keeps the choice
    made on the grouped counts equal to the one made on every distinct score.

    Only the group of ``counts`` where the caught risky rows reach ``k`` is read: its
    rows are the scores from its smallest up to the next group's, and its distinct risky
    scores come back with their rows, descending (``GROUP BY … ORDER BY``, no
    ``OFFSET``: Ibis' offset on Spark numbers rows over an unordered window), at most
    :data:`MAX_THRESHOLD_GROUPS` of them (one cell of a grid that fine).

    Parameters
    ----------
    rows : ibis Table
        ``score`` and ``risky`` (:func:`~sentinel_checks.engine.quality_statistics.scored_rows`).
    k : int
        At least 1 and at most the risky rows.
    counts : ThresholdCounts
        The rows' counts (grouped or exact).

    Returns
    -------
    float

    Raises
    ------
    ValueError
        ``k`` is outside [1, risky rows], or the engine's rows no longer match ``counts``.
    """
    import ibis

    from sentinel_checks.engine.ibis_connection import with_floats

    if not 1 <= k <= counts.positives:
        raise ValueError(f"rank {k} is outside the {counts.positives} risky rows")
    j = int(np.argmax(counts.tp >= k))  # the first group reaching k
    above = int(counts.tp[j - 1]) if j else 0
    bounds = {"low": float(counts.thresholds[j])}
    if j:
        bounds["high"] = float(counts.thresholds[j - 1])
    bounded = with_floats(rows, **bounds)
    inside = bounded.risky & (bounded.score >= bounded.low)
    if j:
        inside = inside & (bounded.score < bounded.high)
    risky = bounded.filter(inside)
    # the group's distinct risky scores with their rows (ties collapse: a tree's leaf is one row)
    found = (
        risky.group_by("score")
        .aggregate(rows=risky.count())
        .order_by(ibis.desc("score"))
        .limit(MAX_THRESHOLD_GROUPS)
        .to_pyarrow()
    )
    caught = np.cumsum(found.column("rows").to_numpy().astype(np.int64, copy=False))
    reached = np.flatnonzero(caught >= k - above)
    if not len(reached):
        raise ValueError(
            f"the risky rows from {bounds['low']!r} hold {int(caught[-1]) if len(caught) else 0} row(s) "
            f"where the counts say at least {k - above}: the scored table changed between two queries"
        )
    return float(found.column("score")[int(reached[0])].as_py())


def _cumulative(groups: object, *, grid: int, split_at: tuple[float, ...]) -> ThresholdCounts:
    """ThresholdCounts of Arrow groups (``low``, ``pos``, ``neg``, descending by ``low``)."""
    pos = groups.column("pos").to_numpy().astype(np.int64, copy=False)  # type: ignore[attr-defined]
    neg = groups.column("neg").to_numpy().astype(np.int64, copy=False)  # type: ignore[attr-defined]
    return ThresholdCounts(
        groups.column("low").to_numpy().astype(np.float64, copy=False),  # type: ignore[attr-defined]
        np.cumsum(pos),
        np.cumsum(neg),
        int(pos.sum()),
        int(neg.sum()),
        grid=grid,
        split_at=split_at,
        score_sums=groups.column("total").to_numpy().astype(np.float64, copy=False),  # type: ignore[attr-defined]
    )
