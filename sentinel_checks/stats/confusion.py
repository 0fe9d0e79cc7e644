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
    """

    thresholds: np.ndarray  # distinct scores, descending
    tp: np.ndarray  # true positives at each threshold
    fp: np.ndarray  # false positives at each threshold
    positives: int
    negatives: int

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
        """
        # thresholds are descending: how many distinct scores are >= threshold
        k = int(np.searchsorted(-self.thresholds, -threshold, side="right"))
        tp = int(self.tp[k - 1]) if k else 0
        fp = int(self.fp[k - 1]) if k else 0
        return Confusion(tp=tp, fp=fp, fn=self.positives - tp, tn=self.negatives - fp)


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
