"""The champion comparison's counts, grouped in the engine: both models' scores of one
split joined by row position, each row's (label, candidate score, champion score)
counted with ``GROUP BY``.

What leaves the engine is one row per distinct (label, candidate score, champion
score) (:class:`~sentinel_checks.stats.paired_rows.PairedRows`) and one per
(segment value, candidate flagged, champion flagged) of the risky rows
(:class:`~sentinel_checks.stats.paired_rows.SegmentFlips`), never one per scored row.
:func:`~sentinel_checks.stats.comparison.compare_paired_rows` then gives the
comparison :func:`~sentinel_checks.stats.comparison.compare_paired` gives on the rows,
field for field (same cells, same seeded draws). Parity:
``tests/test_engine_promotion.py``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from sentinel_checks.engine.ibis_connection import ROW, whole_count, with_floats
from sentinel_checks.engine.quality_statistics import ScoredColumns, scored_rows
from sentinel_checks.errors import DataError
from sentinel_checks.stats.paired_rows import PairedRows, SegmentFlips

if TYPE_CHECKING:
    from ibis.expr.types import Table

#: The champion's score in the joined table (the candidate's is ``columns.score``).
CHAMPION_SCORE = "__sentinel_champion_score"
_CHAMPION_ROW = "__sentinel_champion_row"


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


def paired_rows(joined: Table) -> PairedRows:
    """The rows of :func:`joined_scores` grouped by (risky, candidate score, champion score).

    Parameters
    ----------
    joined : ibis Table
        From :func:`joined_scores`.

    Returns
    -------
    PairedRows
        Equal to :meth:`PairedRows.from_arrays` on the rows (exact scores, integer counts).
    """
    groups = joined.group_by(["risky", "score", CHAMPION_SCORE]).aggregate(rows=joined.count()).to_pandas()
    return PairedRows.from_groups(
        groups["risky"].to_numpy(dtype=bool),
        groups["score"].to_numpy(dtype=np.float64),
        groups[CHAMPION_SCORE].to_numpy(dtype=np.float64),
        groups["rows"].to_numpy(dtype=np.int64),
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
