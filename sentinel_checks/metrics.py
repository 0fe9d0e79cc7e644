"""Threshold metrics from one sort of the scores, confidence bounds, calibration bins.

One core, :func:`threshold_counts`, sorts the scores once and accumulates true and
false positives at every distinct score; every threshold metric (recall, precision,
flagged fraction at any threshold, the PR curve) is a lookup into it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.stats import norm
from sklearn.metrics import average_precision_score, roc_auc_score

from sentinel_checks.options import RankMetric, check_option


@dataclass(frozen=True)
class ThresholdCounts:
    """Confusion counts when flagging ``score >= thresholds[i]`` (thresholds descending)."""

    thresholds: np.ndarray  # distinct scores, descending
    tp: np.ndarray  # true positives at each threshold
    fp: np.ndarray  # false positives at each threshold
    positives: int
    negatives: int

    @property
    def n(self) -> int:
        return self.positives + self.negatives

    def at(self, threshold: float) -> Confusion:
        """Counts when flagging ``score >= threshold`` (any threshold, not only a score)."""
        # thresholds are descending: how many distinct scores are >= threshold
        k = int(np.searchsorted(-self.thresholds, -threshold, side="right"))
        tp = int(self.tp[k - 1]) if k else 0
        fp = int(self.fp[k - 1]) if k else 0
        return Confusion(tp=tp, fp=fp, fn=self.positives - tp, tn=self.negatives - fp)


@dataclass(frozen=True)
class Confusion:
    tp: int
    fp: int
    fn: int
    tn: int

    @property
    def positives(self) -> int:
        return self.tp + self.fn

    @property
    def n(self) -> int:
        return self.tp + self.fp + self.fn + self.tn

    @property
    def recall(self) -> float:
        return self.tp / self.positives if self.positives else math.nan

    @property
    def fnr(self) -> float:
        return 1.0 - self.recall

    @property
    def precision(self) -> float:
        flagged = self.tp + self.fp
        return self.tp / flagged if flagged else math.nan

    @property
    def flagged_fraction(self) -> float:
        return (self.tp + self.fp) / self.n if self.n else math.nan

    @property
    def fpr(self) -> float:
        negatives = self.fp + self.tn
        return self.fp / negatives if negatives else math.nan


def threshold_counts(y: np.ndarray, scores: np.ndarray) -> ThresholdCounts:
    """Sort once; cumulative TP/FP at each distinct score (ties handled as one threshold).

    >>> c = threshold_counts(np.array([1, 0, 1, 0]), np.array([0.9, 0.8, 0.8, 0.1]))
    >>> c.thresholds.tolist(), c.tp.tolist(), c.fp.tolist()
    ([0.9, 0.8, 0.1], [1, 2, 2], [0, 1, 2])
    >>> c.at(0.85).recall, c.at(0.5).precision
    (0.5, 0.6666666666666666)
    """
    y = np.asarray(y, dtype=bool)
    scores = np.asarray(scores, dtype=float)
    if y.shape != scores.shape:
        raise ValueError(f"y has shape {y.shape}, scores {scores.shape}")
    if not np.isfinite(scores).all():
        raise ValueError("scores contain NaN or infinity")
    order = np.argsort(-scores, kind="mergesort")
    s, t = scores[order], y[order]
    # the last index of each run of equal scores: thresholds are distinct
    last = np.r_[np.flatnonzero(np.diff(s)), len(s) - 1] if len(s) else np.array([], dtype=int)
    tp = np.cumsum(t)[last] if len(s) else np.array([], dtype=int)
    fp = (last + 1) - tp
    return ThresholdCounts(s[last], tp, fp, int(y.sum()), int((~y).sum()))


def wilson_interval(successes: int, n: int, *, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval of a proportion; (nan, nan) when n == 0.

    >>> lo, hi = wilson_interval(36, 40)
    >>> round(lo, 3), round(hi, 3)
    (0.769, 0.96)
    """
    if n <= 0:
        return math.nan, math.nan
    z = float(norm.ppf(0.5 + confidence / 2))
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def wilson_lower(successes: np.ndarray, n: int, *, confidence: float = 0.95) -> np.ndarray:
    """Vectorised lower Wilson bound of ``successes / n`` for many success counts."""
    k = np.asarray(successes, dtype=float)
    if n <= 0:
        return np.full(k.shape, np.nan)
    z = float(norm.ppf(0.5 + confidence / 2))
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return np.maximum(0.0, centre - half)


def roc_auc(y: np.ndarray, scores: np.ndarray) -> float:
    y = np.asarray(y, dtype=bool)
    if y.all() or not y.any():
        return math.nan
    return float(roc_auc_score(y, scores))


def pr_auc(y: np.ndarray, scores: np.ndarray) -> float:
    """Average precision (the step-wise area under the PR curve)."""
    y = np.asarray(y, dtype=bool)
    if not y.any():
        return math.nan
    return float(average_precision_score(y, scores))


@dataclass(frozen=True)
class CalibrationBins:
    """Equal-mass bins of the scores: per bin, count, mean score and observed rate."""

    lower: np.ndarray
    upper: np.ndarray
    count: np.ndarray
    mean_score: np.ndarray
    observed_rate: np.ndarray

    @property
    def ece(self) -> float:
        """Expected calibration error: count-weighted mean |observed - predicted|."""
        total = self.count.sum()
        if total == 0:
            return math.nan
        return float(np.sum(self.count * np.abs(self.observed_rate - self.mean_score)) / total)

    def rows(self) -> list[dict[str, float]]:
        return [
            {
                "lower": float(lo),
                "upper": float(hi),
                "count": int(c),
                "mean_score": float(m),
                "observed_rate": float(o),
            }
            for lo, hi, c, m, o in zip(
                self.lower, self.upper, self.count, self.mean_score, self.observed_rate, strict=True
            )
        ]


def calibration_bins(y: np.ndarray, scores: np.ndarray, *, n_bins: int = 10) -> CalibrationBins:
    """Equal-mass bins (quantiles of the scores); tied scores stay in one bin."""
    y = np.asarray(y, dtype=float)
    scores = np.asarray(scores, dtype=float)
    if len(scores) == 0:
        empty = np.array([], dtype=float)
        return CalibrationBins(empty, empty, np.array([], dtype=int), empty, empty)
    edges = np.unique(np.quantile(scores, np.linspace(0, 1, n_bins + 1)))
    # bin i holds edges[i] <= s < edges[i+1]; the top edge is closed
    idx = np.clip(np.searchsorted(edges, scores, side="right") - 1, 0, max(len(edges) - 2, 0))
    n = max(len(edges) - 1, 1)
    count = np.bincount(idx, minlength=n)
    sum_s = np.bincount(idx, weights=scores, minlength=n)
    sum_y = np.bincount(idx, weights=y, minlength=n)
    keep = count > 0
    lower = edges[:-1] if len(edges) > 1 else edges
    upper = edges[1:] if len(edges) > 1 else edges
    with np.errstate(invalid="ignore", divide="ignore"):
        return CalibrationBins(
            lower[keep], upper[keep], count[keep], (sum_s / count)[keep], (sum_y / count)[keep]
        )


def brier(y: np.ndarray, scores: np.ndarray) -> float:
    y = np.asarray(y, dtype=float)
    if len(y) == 0:
        return math.nan
    return float(np.mean((np.asarray(scores, dtype=float) - y) ** 2))


class _SortedScores:
    """Scores sorted once (descending) with tie groups, for fast weighted metrics."""

    def __init__(self, y: np.ndarray, scores: np.ndarray) -> None:
        order = np.argsort(-np.asarray(scores, dtype=float), kind="mergesort")
        s = np.asarray(scores, dtype=float)[order]
        self.order = order
        self.y = np.asarray(y, dtype=bool)[order]
        # index of the last row of each run of tied scores
        self.ends = np.r_[np.flatnonzero(np.diff(s)), len(s) - 1]

    def metric(self, weights: np.ndarray, kind: str) -> float:
        w = weights[self.order]
        tp = np.cumsum(w * self.y)[self.ends]
        fp = np.cumsum(w * ~self.y)[self.ends]
        p, n = tp[-1], fp[-1]
        if p <= 0 or (kind == "roc_auc" and n <= 0):
            return math.nan
        if kind == "pr_auc":  # average precision: sum over thresholds of Δrecall * precision
            d_tp = np.diff(np.r_[0.0, tp])
            return float(np.sum(d_tp / p * tp / np.maximum(tp + fp, 1e-300)))
        # ROC AUC: each negative group counts positives ranked above it, ties count half
        d_tp, d_fp = np.diff(np.r_[0.0, tp]), np.diff(np.r_[0.0, fp])
        above = tp - d_tp
        return float(np.sum(d_fp * (above + d_tp / 2)) / (p * n))


def paired_bootstrap_leads(
    y: np.ndarray,
    candidate: np.ndarray,
    other: np.ndarray,
    *,
    metric: RankMetric,
    resamples: int,
    seed: int,
) -> np.ndarray:
    """Bootstrap distribution of ``metric(candidate) - metric(other)`` on the same rows.

    A Poisson(1) bootstrap: each resample weights every row by an independent
    Poisson(1) count, which approximates drawing n rows with replacement. Both
    models are scored under the same weights (paired); each model is sorted once, so
    a resample costs O(n), not a sort.
    """
    check_option("metric", metric, RankMetric)
    a, b = _SortedScores(y, candidate), _SortedScores(y, other)
    rng = np.random.default_rng(seed)
    leads = np.empty(resamples)
    for i in range(resamples):
        w = rng.poisson(1.0, len(y)).astype(float)
        leads[i] = a.metric(w, metric) - b.metric(w, metric)
    return leads[np.isfinite(leads)]
