"""Threshold metrics from one sort of the scores, confidence intervals, calibration bins.

The statistics core of the gate:

* :class:`RankedScores` sorts the scores once (descending, ties grouped) and
  accumulates true and false positives at every distinct score, unweighted or
  under sample weights (in the spirit of scikit-learn's ``_binary_clf_curve``).
  Every threshold metric is a view of it: :func:`threshold_counts` (recall,
  precision, flagged fraction at any threshold, the PR curve) and the weighted
  :meth:`RankedScores.roc_auc` / :meth:`RankedScores.pr_auc` the bootstrap uses.
* AUC leads of two models under the paired bootstrap:
  :func:`~sentinel_checks.stats.paired_cells.paired_cell_leads`.

Re-exported from their own modules: :func:`~sentinel_checks.stats.intervals.wilson_interval`
(the one Wilson score interval, scalar or vectorised),
:func:`~sentinel_checks.stats.intervals.poisson_bootstrap` (the one seeded Poisson
bootstrap), :mod:`sentinel_checks.stats.calibration` (calibration bins, ECE, Brier)
and :mod:`sentinel_checks.stats.confusion` (:class:`~sentinel_checks.stats.confusion.Confusion`
and :class:`~sentinel_checks.stats.confusion.ThresholdCounts`, the counts themselves).
"""

from __future__ import annotations

import math

import numpy as np
from sklearn.metrics import average_precision_score, roc_auc_score

from sentinel_checks.options import RankMetric, check_option
from sentinel_checks.stats.calibration import CalibrationBins, brier, calibration_bins
from sentinel_checks.stats.confusion import Confusion, ThresholdCounts
from sentinel_checks.stats.intervals import poisson_bootstrap, wilson_interval

__all__ = [
    "CalibrationBins",
    "Confusion",
    "RankedScores",
    "ThresholdCounts",
    "brier",
    "calibration_bins",
    "poisson_bootstrap",
    "pr_auc",
    "pr_auc_from_counts",
    "roc_auc",
    "roc_auc_from_counts",
    "threshold_counts",
    "weighted_auc",
    "wilson_interval",
]


class RankedScores:
    """Labels and scores sorted once by descending score, ties grouped: the counting core.

    Sorting costs O(n log n) once; :meth:`counts` under any sample weights then
    costs O(n), which is what makes a bootstrap of AUCs affordable.

    Parameters
    ----------
    y : array_like of bool, shape (n,)
        True where the row is risky.
    scores : array_like of float, shape (n,)
        Risk scores (any monotone scale; probabilities in the gate).

    Raises
    ------
    ValueError
        When ``y`` and ``scores`` differ in shape, or a score is NaN or infinite.

    References
    ----------
    scikit-learn, ``sklearn.metrics._ranking._binary_clf_curve`` (cumulative
    weighted TP/FP at each distinct score).

    Examples
    --------
    >>> r = RankedScores(np.array([1, 0, 1, 0]), np.array([0.9, 0.8, 0.8, 0.1]))
    >>> r.thresholds.tolist(), [v.tolist() for v in r.counts()]
    ([0.9, 0.8, 0.1], [[1, 2, 2], [0, 1, 2]])
    >>> [v.tolist() for v in r.counts(np.array([2.0, 1.0, 1.0, 1.0]))]
    [[2.0, 3.0, 3.0], [0.0, 1.0, 2.0]]
    """

    def __init__(self, y: np.ndarray, scores: np.ndarray) -> None:
        y = np.asarray(y, dtype=bool)
        s = np.asarray(scores, dtype=float)
        if y.shape != s.shape:
            raise ValueError(f"y has shape {y.shape}, scores {s.shape}")
        if not np.isfinite(s).all():
            raise ValueError("scores contain NaN or infinity")
        self.order = np.argsort(-s, kind="mergesort")
        s = s[self.order]
        self.y = y[self.order]
        # the last index of each run of equal scores: thresholds are distinct
        self.ends = np.r_[np.flatnonzero(np.diff(s)), len(s) - 1] if len(s) else np.array([], dtype=int)
        self.thresholds = s[self.ends]
        self.positives = int(y.sum())
        self.negatives = int((~y).sum())

    def counts(self, sample_weight: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Cumulative (weighted) true and false positives at each threshold.

        Parameters
        ----------
        sample_weight : ndarray of float, shape (n,), optional
            A weight per row, in the caller's row order. None counts rows (exact
            integers).

        Returns
        -------
        tp, fp : ndarray, shape (k,)
            int64 without weights, float64 with them; one entry per distinct score,
            descending (``self.thresholds``).
        """
        if sample_weight is None:
            tp = np.cumsum(self.y)[self.ends] if len(self.y) else np.array([], dtype=int)
            return tp, (self.ends + 1) - tp
        w = np.asarray(sample_weight, dtype=float)[self.order]
        return np.cumsum(w * self.y)[self.ends], np.cumsum(w * ~self.y)[self.ends]

    def threshold_counts(self) -> ThresholdCounts:
        """The unweighted counts as a :class:`ThresholdCounts`."""
        tp, fp = self.counts()
        return ThresholdCounts(self.thresholds, tp, fp, self.positives, self.negatives)

    def roc_auc(self, sample_weight: np.ndarray | None = None) -> float:
        """Weighted ROC AUC (ties count half); NaN without a weighted positive or negative.

        Parameters
        ----------
        sample_weight : ndarray of float, shape (n,), optional
            Row weights (e.g. Poisson bootstrap counts); None weighs every row 1.

        Returns
        -------
        float
            Probability that a random risky row outscores a random safe one, in [0, 1].

        References
        ----------
        Hanley, J. A. and McNeil, B. J. (1982). The meaning and use of the area under a
        receiver operating characteristic (ROC) curve. Radiology 143(1), 29–36.
        """
        tp, fp = self._weighted(sample_weight)
        p, n = tp[-1], fp[-1]
        if p <= 0 or n <= 0:
            return math.nan
        # each negative group counts positives ranked above it, ties count half
        d_tp, d_fp = np.diff(np.r_[0.0, tp]), np.diff(np.r_[0.0, fp])
        above = tp - d_tp
        return float(np.sum(d_fp * (above + d_tp / 2)) / (p * n))

    def pr_auc(self, sample_weight: np.ndarray | None = None) -> float:
        """Weighted average precision (step-wise area under the PR curve, as scikit-learn).

        Parameters
        ----------
        sample_weight : ndarray of float, shape (n,), optional
            Row weights; None weighs every row 1.

        Returns
        -------
        float
            Σ over thresholds of Δrecall × precision, in [0, 1]; NaN without a
            weighted positive.

        References
        ----------
        Saito, T. and Rehmsmeier, M. (2015). The precision-recall plot is more
        informative than the ROC plot when evaluating binary classifiers on
        imbalanced datasets. PLoS ONE 10(3), e0118432.
        """
        tp, fp = self._weighted(sample_weight)
        p = tp[-1]
        if p <= 0:
            return math.nan
        d_tp = np.diff(np.r_[0.0, tp])
        return float(np.sum(d_tp / p * tp / np.maximum(tp + fp, 1e-300)))

    def _weighted(self, sample_weight: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
        if not len(self.y):
            return np.zeros(1), np.zeros(1)
        return self.counts(np.ones(len(self.y)) if sample_weight is None else sample_weight)


def threshold_counts(y: np.ndarray, scores: np.ndarray) -> ThresholdCounts:
    """Sort once; cumulative TP/FP at each distinct score (ties handled as one threshold).

    A view of :class:`RankedScores` without weights.

    Parameters
    ----------
    y : array_like of bool, shape (n,)
        True where the row is risky.
    scores : array_like of float, shape (n,)
        Risk scores; a row is flagged when its score is ``>=`` the threshold.

    Returns
    -------
    ThresholdCounts
        Integer row counts at each distinct score, descending.

    Raises
    ------
    ValueError
        When shapes differ or a score is NaN or infinite.

    Examples
    --------
    >>> c = threshold_counts(np.array([1, 0, 1, 0]), np.array([0.9, 0.8, 0.8, 0.1]))
    >>> c.thresholds.tolist(), c.tp.tolist(), c.fp.tolist()
    ([0.9, 0.8, 0.1], [1, 2, 2], [0, 1, 2])
    >>> c.at(0.85).recall, c.at(0.5).precision
    (0.5, 0.6666666666666666)
    """
    return RankedScores(y, scores).threshold_counts()


def roc_auc(y: np.ndarray, scores: np.ndarray) -> float:
    """ROC AUC of the scores for the risky class (scikit-learn); NaN with one class only.

    Parameters
    ----------
    y : array_like of bool, shape (n,)
        True where the row is risky.
    scores : array_like of float, shape (n,)
        Risk scores.

    Returns
    -------
    float
        In [0, 1]; 0.5 is uninformative.

    References
    ----------
    Hanley, J. A. and McNeil, B. J. (1982). Radiology 143(1), 29–36.

    Examples
    --------
    >>> roc_auc(np.array([1, 0, 1, 0]), np.array([0.9, 0.8, 0.8, 0.1]))
    0.875
    """
    y = np.asarray(y, dtype=bool)
    if y.all() or not y.any():
        return math.nan
    return float(roc_auc_score(y, scores))


def pr_auc(y: np.ndarray, scores: np.ndarray) -> float:
    """Average precision (the step-wise area under the PR curve, scikit-learn).

    Parameters
    ----------
    y : array_like of bool, shape (n,)
        True where the row is risky.
    scores : array_like of float, shape (n,)
        Risk scores.

    Returns
    -------
    float
        In [0, 1]; the prevalence for an uninformative model; NaN without a risky row.

    References
    ----------
    Saito, T. and Rehmsmeier, M. (2015). The precision-recall plot is more
    informative than the ROC plot when evaluating binary classifiers on imbalanced
    datasets. PLoS ONE 10(3), e0118432 (PR AUC; a random ranking scores the
    prevalence). scikit-learn, ``sklearn.metrics.average_precision_score``.

    Examples
    --------
    >>> round(pr_auc(np.array([1, 0, 1, 0]), np.array([0.9, 0.8, 0.8, 0.1])), 4)
    0.8333
    """
    y = np.asarray(y, dtype=bool)
    if not y.any():
        return math.nan
    return float(average_precision_score(y, scores))


def roc_auc_from_counts(counts: ThresholdCounts) -> float:
    """ROC AUC read off the counts at every distinct score (the trapezoid, ties count half).

    The engine returns only :class:`ThresholdCounts` (one row per distinct score), so
    this is how ROC AUC is measured there; on the same rows it equals
    :func:`roc_auc` (scikit-learn's ``roc_auc_score``) to 1e-12
    (``tests/test_engine_quality_counts.py``).

    Parameters
    ----------
    counts : ThresholdCounts
        Cumulative TP and FP (rows) at each distinct score, descending.

    Returns
    -------
    float
        In [0, 1]; NaN without a risky or without a safe row.

    References
    ----------
    Hanley, J. A. and McNeil, B. J. (1982). Radiology 143(1), 29–36 (the area as the
    probability that a risky row outscores a safe one, ties counting half).

    Examples
    --------
    >>> roc_auc_from_counts(threshold_counts(np.array([1, 0, 1, 0]), np.array([0.9, 0.8, 0.8, 0.1])))
    0.875
    """
    p, n = counts.positives, counts.negatives
    if p <= 0 or n <= 0:
        return math.nan
    tp = np.asarray(counts.tp, dtype=float)
    fp = np.asarray(counts.fp, dtype=float)
    d_tp, d_fp = np.diff(tp, prepend=0.0), np.diff(fp, prepend=0.0)
    # each group of safe rows counts the risky rows ranked above it, ties count half
    return float(np.sum(d_fp * (tp - d_tp / 2)) / (p * n))


def pr_auc_from_counts(counts: ThresholdCounts) -> float:
    """Average precision (PR AUC) read off the counts at every distinct score.

    Σ over distinct scores of Δrecall × precision, as scikit-learn's
    ``average_precision_score``; equal to :func:`pr_auc` on the same rows to 1e-12
    (``tests/test_engine_quality_counts.py``).

    Parameters
    ----------
    counts : ThresholdCounts
        Cumulative TP and FP (rows) at each distinct score, descending.

    Returns
    -------
    float
        In [0, 1]; NaN without a risky row.

    References
    ----------
    Saito, T. and Rehmsmeier, M. (2015). PLoS ONE 10(3), e0118432.

    Examples
    --------
    >>> round(pr_auc_from_counts(threshold_counts(np.array([1, 0, 1, 0]), np.array([0.9, 0.8, 0.8, 0.1]))), 4)
    0.8333
    """
    p = counts.positives
    if p <= 0:
        return math.nan
    tp = np.asarray(counts.tp, dtype=float)
    fp = np.asarray(counts.fp, dtype=float)
    d_tp = np.diff(tp, prepend=0.0)
    return float(np.sum(d_tp / p * tp / np.maximum(tp + fp, 1.0)))


def weighted_auc(ranked: RankedScores, weights: np.ndarray, kind: RankMetric) -> float:
    """``ranked.pr_auc(weights)`` or ``ranked.roc_auc(weights)`` by name (see :class:`RankedScores`).

    Parameters
    ----------
    ranked : RankedScores
        One model's labels and scores, sorted once.
    weights : ndarray of float, shape (n,)
        Row weights in the caller's row order (e.g. Poisson bootstrap counts).
    kind : {"pr_auc", "roc_auc"}
        The metric.

    Returns
    -------
    float
        The weighted metric, in [0, 1]; NaN without a weighted positive (or, for ROC
        AUC, a weighted negative).

    Raises
    ------
    ValueError
        When ``kind`` is not one of the allowed values.

    Examples
    --------
    >>> r = RankedScores(np.array([1, 0, 1, 0]), np.array([0.9, 0.8, 0.8, 0.1]))
    >>> weighted_auc(r, np.ones(4), "roc_auc")
    0.875
    """
    check_option("kind", kind, RankMetric)
    return ranked.pr_auc(weights) if kind == "pr_auc" else ranked.roc_auc(weights)
