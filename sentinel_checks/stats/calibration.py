"""Calibration statistics: equal-mass calibration bins (ECE) and the Brier score."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class CalibrationBins:
    """Equal-mass bins of the scores: per bin, count, mean score and observed rate.

    Attributes
    ----------
    lower, upper : ndarray of float, shape (b,)
        Bin edges (score units); a bin holds ``lower <= s < upper``, the top one closed.
    count : ndarray of int, shape (b,)
        Rows per bin (empty bins dropped).
    mean_score, observed_rate : ndarray of float, shape (b,)
        Mean predicted probability and fraction of risky rows per bin.
    """

    lower: np.ndarray
    upper: np.ndarray
    count: np.ndarray
    mean_score: np.ndarray
    observed_rate: np.ndarray

    @property
    def ece(self) -> float:
        """Expected calibration error: count-weighted mean |observed - predicted|.

        Returns
        -------
        float
            In [0, 1] (probability units); NaN without rows.

        References
        ----------
        Naeini, M. P., Cooper, G. F. and Hauskrecht, M. (2015). Obtaining well
        calibrated probabilities using Bayesian binning. AAAI. Guo, C., Pleiss, G.,
        Sun, Y. and Weinberger, K. Q. (2017). On calibration of modern neural
        networks. ICML. (Here with equal-mass bins, not equal-width ones.)
        """
        total = self.count.sum()
        if total == 0:
            return math.nan
        return float(np.sum(self.count * np.abs(self.observed_rate - self.mean_score)) / total)

    def rows(self) -> list[dict[str, float]]:
        """One dict per bin (lower, upper, count, mean_score, observed_rate), for reports."""
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
    """Equal-mass bins (quantiles of the scores); tied scores stay in one bin.

    Parameters
    ----------
    y : array_like of bool or {0, 1}, shape (n,)
        True (1) where the row is risky.
    scores : array_like of float, shape (n,)
        Predicted probabilities of the risky class, in [0, 1].
    n_bins : int, default 10
        Bins requested; fewer when quantiles coincide.

    Returns
    -------
    CalibrationBins
        The non-empty bins; its ``ece`` is the expected calibration error.

    References
    ----------
    Naeini et al. (2015), AAAI; Guo et al. (2017), ICML (see :attr:`CalibrationBins.ece`).

    Examples
    --------
    >>> b = calibration_bins(np.array([0, 0, 1, 1]), np.array([0.1, 0.2, 0.7, 0.9]), n_bins=2)
    >>> b.count.tolist(), round(b.ece, 3)
    ([2, 2], 0.175)
    """
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
    """Brier score: mean squared difference between predicted probability and outcome.

    Parameters
    ----------
    y : array_like of bool or {0, 1}, shape (n,)
        True (1) where the row is risky.
    scores : array_like of float, shape (n,)
        Predicted probabilities of the risky class, in [0, 1].

    Returns
    -------
    float
        In [0, 1] (squared probability units; lower is better); NaN without rows.

    References
    ----------
    Brier, G. W. (1950). Verification of forecasts expressed in terms of
    probability. Monthly Weather Review 78(1), 1–3.

    Examples
    --------
    >>> round(brier(np.array([1, 0]), np.array([0.8, 0.4])), 2)
    0.1
    """
    y = np.asarray(y, dtype=float)
    if len(y) == 0:
        return math.nan
    return float(np.mean((np.asarray(scores, dtype=float) - y) ** 2))
