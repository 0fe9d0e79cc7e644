"""The champion comparison's counts, grouped in the engine: both models' scores of one
split joined by row position, each row's (label, candidate score, champion score)
counted with ``GROUP BY``.

What leaves the engine is one row per distinct (label, candidate score, champion
score) (:class:`~sentinel_checks.stats.paired_rows.PairedRows`) and one per
(segment value, candidate flagged, champion flagged) of the risky rows
(:class:`~sentinel_checks.stats.paired_rows.SegmentFlips`), never one per scored row,
and never more than :data:`MAX_PAIRED_GROUPS` groups: past that, the scores are
grouped on a grid (:func:`paired_rows`), which keeps every decision at the thresholds
exact and bounds how far the AUCs can move (:mod:`~sentinel_checks.stats.tie_bounds`).
:func:`~sentinel_checks.stats.comparison.compare_paired_rows` then gives the
comparison :func:`~sentinel_checks.stats.comparison.compare_paired` gives on the rows,
field for field (same cells, same seeded draws) when the groups are exact. Parity:
``tests/test_engine_promotion.py``, ``tests/test_engine_paired_grid.py``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from sentinel_checks.engine.ibis_connection import ROW, whole_count, with_floats
from sentinel_checks.engine.quality_statistics import ScoredColumns, scored_rows
from sentinel_checks.engine.threshold_grid import GRIDS
from sentinel_checks.errors import DataError
from sentinel_checks.stats.paired_rows import PairedRows, SegmentFlips

if TYPE_CHECKING:
    from ibis.expr.types import Table

#: The champion's score in the joined table (the candidate's is ``columns.score``).
CHAMPION_SCORE = "__sentinel_champion_score"
_CHAMPION_ROW = "__sentinel_champion_row"
#: The most (risky, candidate score, champion score) groups :func:`paired_rows` brings to Python.
MAX_PAIRED_GROUPS = 1 << 18


def joined_scores(
    candidate: Table,
    champion: Table,
    columns: ScoredColumns,
    *,
    champion_score: str,
    segments: Sequence[str] = (),
) -> Table:
    """The candidate's scored rows beside the champion's score of the same row, joined on
    :data:`~sentinel_checks.engine.ibis_connection.ROW` (a value join).

    Parameters
    ----------
    candidate, champion : ibis Table, n rows each
        Scored tables of the same split (:func:`~sentinel_checks.engine.scores.score_table`),
        with ``ROW``; the candidate's holds ``columns.score``, ``columns.label`` and ``segments``.
    columns : ScoredColumns
        The candidate's score and the label.
    champion_score : str
        The score column of ``champion``.
    segments : sequence of str
        Segment columns kept from ``candidate``.

    Returns
    -------
    ibis Table, n rows
        ``score`` (the candidate's), ``risky``, :data:`CHAMPION_SCORE` and ``segments``.

    Raises
    ------
    KeyError
        A column is not in a table.
    DataError
        A score of either model is NULL, NaN or infinite, a label is NULL or neither
        value, or the two tables do not hold the same rows (counts named).
    """
    for table, name in ((candidate, ROW), (champion, ROW), (champion, champion_score)):
        if name not in table.columns:
            raise KeyError(f"column {name!r} is not in the table (columns: {', '.join(table.columns)})")
    right = champion.select(**{_CHAMPION_ROW: champion[ROW], CHAMPION_SCORE: champion[champion_score]})
    joined = candidate.join(right, candidate[ROW] == right[_CHAMPION_ROW])
    sizes = {
        "candidate": whole_count(candidate.count().execute()),
        "champion": whole_count(champion.count().execute()),
        "both": whole_count(joined.count().execute()),
    }
    if len(set(sizes.values())) != 1:
        raise DataError(
            f"the candidate's and the champion's scores are not of the same rows: {sizes['candidate']:,} "
            f"and {sizes['champion']:,} rows, {sizes['both']:,} matched by {ROW!r}"
        )
    scored_rows(joined, ScoredColumns(CHAMPION_SCORE, columns.label, columns.positive, columns.negative))
    return scored_rows(joined, columns, extra=(CHAMPION_SCORE, *segments))


def paired_rows(
    joined: Table,
    *,
    thresholds: tuple[float, float] | None = None,
    max_groups: int | None = None,
) -> PairedRows:
    """The rows of :func:`joined_scores` grouped by (risky, candidate score, champion score),
    at most ``max_groups`` groups brought out of the engine.

    With at most ``max_groups`` distinct (risky, score, score) groups, they come back as
    they are: :meth:`PairedRows.from_arrays` on the rows (exact scores, integer counts).
    With more (continuous scores on millions of rows: about one group per row), each
    model's score is grouped into cells of width ``1 / grid`` on [0, 1] (``floor(score ·
    grid)``, a power of two, so the same cell on every engine) and split at the model's
    threshold; the finest grid of :data:`GRIDS` giving at most ``max_groups`` groups is
    used. Each cell stands for its smallest score, so:

    * every decision at the thresholds (recall, FNR, precision, flips, McNemar, the
      segment counts) is exact, as is every point of the ROC and PR curves read off it
      (each a real score with its exact counts);
    * rows inside a cell count as tied: the AUCs are those of the grouped scores and
      the true ones lie within :func:`~sentinel_checks.stats.tie_bounds.tie_bounds`
      of them, which :func:`~sentinel_checks.stats.comparison.compare_paired_rows` and
      :func:`~sentinel_checks.checks.baselines.check_baselines_rows` add to their intervals.

    Parameters
    ----------
    joined : ibis Table
        From :func:`joined_scores`.
    thresholds : (float, float), optional
        The candidate's and the champion's operating threshold (each flags ``score >=
        threshold``); a grid cell holding one is split there. None when nothing is
        decided at a threshold (``quality.baselines``: AUCs only).
    max_groups : int, optional
        The most groups brought to Python (``[engine] max_paired_groups``; default
        :data:`MAX_PAIRED_GROUPS`; memory is about 40 bytes a group).

    Returns
    -------
    PairedRows
        ``grid`` 0 when exact, else the grid used.

    Raises
    ------
    DataError
        Even the coarsest grid gives more than ``max_groups`` groups (scores spread far
        outside [0, 1]).
    """
    max_groups = MAX_PAIRED_GROUPS if max_groups is None else max_groups
    exact = joined.group_by(["risky", "score", CHAMPION_SCORE]).aggregate(rows=joined.count())
    groups = exact.limit(max_groups + 1).to_pandas()
    if len(groups) <= max_groups:
        return PairedRows.from_groups(
            groups["risky"].to_numpy(dtype=bool),
            groups["score"].to_numpy(dtype=np.float64),
            groups[CHAMPION_SCORE].to_numpy(dtype=np.float64),
            groups["rows"].to_numpy(dtype=np.int64),
        )
    for grid in GRIDS:
        rows = _on_grid(joined, grid, thresholds, max_groups)
        if rows is not None:
            return rows
    raise DataError(
        f"the paired scores give more than {max_groups:,} groups even on a grid of width 1/{GRIDS[-1]}: "
        "are the scores probabilities in [0, 1]?"
    )


def _on_grid(
    joined: Table, grid: int, thresholds: tuple[float, float] | None, max_groups: int
) -> PairedRows | None:
    """The groups on one grid, each model's cell standing for its smallest score; None
    when they are more than ``max_groups``."""
    rows = (
        joined
        if thresholds is None
        else with_floats(joined, threshold_a=thresholds[0], threshold_b=thresholds[1])
    )
    keys = {}
    for side, score, threshold in (
        ("a", rows.score, "threshold_a"),
        ("b", rows[CHAMPION_SCORE], "threshold_b"),
    ):
        keys[f"cell_{side}"] = (score * grid).floor()
        keys[f"flag_{side}"] = score >= rows[threshold] if thresholds is not None else False
    keyed = rows.mutate(**keys)
    cells = keyed.group_by(["risky", *keys]).aggregate(rows=keyed.count()).limit(max_groups + 1).to_pandas()
    if len(cells) > max_groups:
        return None
    smallest = {}
    for side, score in (("a", keyed.score), ("b", keyed[CHAMPION_SCORE])):
        cell = [f"cell_{side}", f"flag_{side}"]
        rep = keyed.group_by(cell).aggregate(**{f"rep_{side}": score.min()}).to_pandas()
        smallest[side] = cells[cell].merge(rep, on=cell, how="left")[f"rep_{side}"]
    return PairedRows.from_groups(
        cells["risky"].to_numpy(dtype=bool),
        smallest["a"].to_numpy(dtype=np.float64),
        smallest["b"].to_numpy(dtype=np.float64),
        cells["rows"].to_numpy(dtype=np.int64),
        grid=grid,
        split_at=thresholds,
    )


def segment_flips(
    joined: Table, segment: str, *, candidate_threshold: float, champion_threshold: float
) -> SegmentFlips:
    """The risky rows of :func:`joined_scores` per value of ``segment`` by both decisions.

    Parameters
    ----------
    joined : ibis Table
        From :func:`joined_scores` with ``segment`` among its segments.
    segment : str
        A segment column.
    candidate_threshold, champion_threshold : float
        Each model flags ``score >= threshold`` (brought in as data,
        :func:`~sentinel_checks.engine.ibis_connection.with_floats`).

    Returns
    -------
    SegmentFlips
        Equal to :meth:`SegmentFlips.from_arrays` on the rows: each raw value is named
        after it leaves the engine, with the in-memory rule.
    """
    rows = with_floats(joined, threshold_a=candidate_threshold, threshold_b=champion_threshold)
    risky = rows.filter(rows.risky)
    groups = (
        risky.group_by(
            value=risky[segment],
            flag_a=risky.score >= risky.threshold_a,
            flag_b=risky[CHAMPION_SCORE] >= risky.threshold_b,
        )
        .aggregate(rows=risky.count())
        .to_pandas()
    )
    return SegmentFlips.from_groups(
        groups["value"].to_numpy(dtype=object),
        groups["flag_a"].to_numpy(dtype=bool),
        groups["flag_b"].to_numpy(dtype=bool),
        groups["rows"].to_numpy(dtype=np.int64),
    )
