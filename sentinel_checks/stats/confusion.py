"""Confusion counts: a 2×2 matrix at one threshold and the counts at every threshold.

:class:`Confusion` holds TP, FP, FN, TN in rows with the rates the checks judge
(recall, FNR, precision, flagged fraction, FPR). :class:`ThresholdCounts` holds the
cumulative TP and FP at every distinct score, as produced once per split by
:class:`~sentinel_checks.stats.ranking.RankedScores`; :meth:`ThresholdCounts.at`
reads a :class:`Confusion` off it at any threshold.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

__all__ = ["Confusion", "ThresholdCounts"]


@dataclass(frozen=True)
class ThresholdCounts:
    """Confusion counts when flagging ``score >= thresholds[i]`` (thresholds descending).

    Attributes
    ----------
    thresholds : ndarray of float, shape (k,)
        The distinct scores, descending.
    tp, fp : ndarray of int, shape (k,)
        Cumulative true and false positives (rows) at each threshold.
    positives, negatives : int
        Risky and safe rows in total.
    grid : int
        0 when ``thresholds`` are the rows' distinct scores. Otherwise an engine grouped
        the scores into cells of width ``1 / grid`` (``floor(score · grid)``), each cell
        split at every value of ``split_at`` and standing for its smallest score
        (:func:`~sentinel_checks.engine.threshold_grid.grid_threshold_counts`): every
        threshold listed is a real score with its exact counts, but a threshold inside a
        cell is not (:meth:`exact_at`).
    split_at : tuple of float
        On a grid, the thresholds the cells were split at (exact there).
    score_sums : ndarray of float, shape (k,), optional
        On a grid, the sum of the scores of each group's rows (not cumulative): the
        groups' mean scores, which calibration reads instead of their smallest
        (:meth:`~sentinel_checks.stats.calibration_cells.CalibrationCells.from_counts`).
    """

    thresholds: np.ndarray  # distinct scores, descending
    tp: np.ndarray  # true positives at each threshold
    fp: np.ndarray  # false positives at each threshold
    positives: int
    negatives: int
    grid: int = 0
    split_at: tuple[float, ...] = ()
    score_sums: np.ndarray | None = None

    @property
    def n(self) -> int:
        """Rows in total."""
        return self.positives + self.negatives

    def at(self, threshold: float) -> Confusion:
        """Counts when flagging ``score >= threshold`` (any threshold, not only a score).

        Parameters
        ----------
        threshold : float
            Score at or above which a row is flagged risky (same units as the scores).

        Returns
        -------
        Confusion
            TP, FP, FN, TN in rows.

        Raises
        ------
        ValueError
            The counts are on a grid and ``threshold`` falls inside a cell whose rows
            it would divide (:meth:`exact_at` is False): the counts there are unknown.
        """
        if not self.exact_at(threshold):
            raise ValueError(
                f"threshold {threshold!r} falls inside a cell of scores grouped on a 1/{self.grid} grid: "
                "its counts are not known from the grouped counts (count it in the engine, or split "
                "the cells at it)"
            )
        # thresholds are descending: how many distinct scores are >= threshold
        k = int(np.searchsorted(-self.thresholds, -threshold, side="right"))
        tp = int(self.tp[k - 1]) if k else 0
        fp = int(self.fp[k - 1]) if k else 0
        return Confusion(tp=tp, fp=fp, fn=self.positives - tp, tn=self.negatives - fp)

    def exact_at(self, threshold: float) -> bool:
        """Whether :meth:`at` gives the rows' exact counts at ``threshold``.

        Always without a grid. On a grid, when no group below ``threshold`` can hold a
        row at or above it: the group just below (the largest listed score ``r`` under
        ``threshold``) holds rows in ``[r, end)``, where ``end`` is the next cell's
        start or a split value in between.

        >>> c = ThresholdCounts(np.array([0.75, 0.5]), np.array([1, 2]), np.array([0, 1]), 2, 1, grid=4)
        >>> c.exact_at(0.75), c.exact_at(0.25), c.exact_at(0.6), c.exact_at(0.8)  # 0.6 and 0.8 divide a cell
        (True, True, False, False)
        """
        if not self.grid:
            return True
        k = int(np.searchsorted(-self.thresholds, -threshold, side="right"))
        if k == len(self.thresholds):  # no listed score below it: no row below it
            return True
        below = float(self.thresholds[k])
        cell = math.floor(below * self.grid)
        if math.floor(threshold * self.grid) > cell:
            return True
        return any(below < s <= threshold and math.floor(s * self.grid) == cell for s in self.split_at)


@dataclass(frozen=True)
class Confusion:
    """A 2×2 confusion matrix in rows; rates are NaN when their denominator is 0.

    >>> c = Confusion(tp=8, fp=2, fn=2, tn=88)
    >>> c.recall, c.precision, round(c.fnr, 2), c.flagged_fraction
    (0.8, 0.8, 0.2, 0.1)
    """

    tp: int
    fp: int
    fn: int
    tn: int

    @property
    def positives(self) -> int:
        """Risky rows: TP + FN."""
        return self.tp + self.fn

    @property
    def n(self) -> int:
        """Rows in total: TP + FP + FN + TN."""
        return self.tp + self.fp + self.fn + self.tn

    @property
    def recall(self) -> float:
        """TP / (TP + FN), a proportion in [0, 1]; NaN without a risky row."""
        return self.tp / self.positives if self.positives else math.nan

    @property
    def fnr(self) -> float:
        """False negative rate, 1 − recall, in [0, 1]; NaN without a risky row."""
        return 1.0 - self.recall

    @property
    def precision(self) -> float:
        """TP / (TP + FP), in [0, 1]; NaN when nothing is flagged."""
        flagged = self.tp + self.fp
        return self.tp / flagged if flagged else math.nan

    @property
    def flagged_fraction(self) -> float:
        """(TP + FP) / n, the share of rows flagged, in [0, 1]; NaN without rows."""
        return (self.tp + self.fp) / self.n if self.n else math.nan

    @property
    def fpr(self) -> float:
        """False positive rate FP / (FP + TN), in [0, 1]; NaN without a safe row."""
        negatives = self.fp + self.tn
        return self.fp / negatives if negatives else math.nan
