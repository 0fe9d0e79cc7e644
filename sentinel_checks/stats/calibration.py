"""Calibration statistics: calibration bins (ECE), the Brier score and their bootstrap intervals."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from sentinel_checks.stats.intervals import bootstrap_interval


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


def bin_index(scores: np.ndarray, *, n_bins: int = 10) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The calibration bin of each score: equal-mass bins, or one bin per distinct score.

    With more than ``n_bins`` distinct scores the bins are equal-mass (quantiles of
    the scores; tied scores stay in one bin). With at most ``n_bins`` distinct scores
    (a score table, a tree with few leaves) quantile edges collapse and would merge
    distinct scores into one bin, hiding their miscalibration; each distinct score
    is then its own bin.

    Parameters
    ----------
    scores : array_like of float, shape (n,)
        Predicted probabilities of the risky class, in [0, 1]; n > 0.
    n_bins : int, default 10
        Bins requested.

    Returns
    -------
    (index, lower, upper) : tuple of ndarray
        ``index`` (int, shape (n,)): each row's bin, in ``range(b)``; ``lower`` and
        ``upper`` (float, shape (b,)): each bin's edges in score units (equal for a
        one-value bin). Some bins may be empty.

    Examples
    --------
    >>> bin_index(np.array([0.1, 0.1, 0.9, 0.1]), n_bins=10)[0].tolist()
    [0, 0, 1, 0]
    """
    scores = np.asarray(scores, dtype=float)
    distinct = np.unique(scores)
    if len(distinct) <= n_bins:
        return np.searchsorted(distinct, scores), distinct, distinct
    edges = np.unique(np.quantile(scores, np.linspace(0, 1, n_bins + 1)))
    # bin i holds edges[i] <= s < edges[i+1]; the top edge is closed
    idx = np.clip(np.searchsorted(edges, scores, side="right") - 1, 0, len(edges) - 2)
    return idx, edges[:-1], edges[1:]


def calibration_bins(y: np.ndarray, scores: np.ndarray, *, n_bins: int = 10) -> CalibrationBins:
    """Equal-mass bins (quantiles of the scores), or one bin per distinct score (:func:`bin_index`).

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
        The non-empty bins; its ``ece`` is the expected calibration error. Computed
        from the rows grouped by score
        (:meth:`~sentinel_checks.stats.calibration_cells.CalibrationCells.bins`, the
        arithmetic the engine's counts go through too).

    References
    ----------
    Naeini et al. (2015), AAAI; Guo et al. (2017), ICML (see :attr:`CalibrationBins.ece`).

    Examples
    --------
    >>> b = calibration_bins(np.array([0, 0, 1, 1]), np.array([0.1, 0.2, 0.7, 0.9]), n_bins=2)
    >>> b.count.tolist(), round(b.ece, 3)
    ([2, 2], 0.175)
    """
    from sentinel_checks.stats.calibration_cells import CalibrationCells

    return CalibrationCells.from_arrays(y, scores).bins(n_bins)


def calibration_draws(
    y: np.ndarray, scores: np.ndarray, *, n_bins: int, resamples: int, seed: int
) -> np.ndarray:
    """Poisson-bootstrap draws of the ECE and the Brier score, the bins held fixed.

    The rows keep the bins of :func:`bin_index` on the full sample; each resample
    reweights them: the rows grouped by (score, label), one Poisson(count) weight per
    cell (:meth:`~sentinel_checks.stats.calibration_cells.CalibrationCells.draws`, the
    distribution of a Poisson(1) weight per row).

    Parameters
    ----------
    y : array_like of bool or {0, 1}, shape (n,)
        True (1) where the row is risky.
    scores : array_like of float, shape (n,)
        Predicted probabilities of the risky class, in [0, 1]; n > 0.
    n_bins : int
        Bins requested (as :func:`calibration_bins`).
    resamples : int
        Bootstrap resamples.
    seed : int
        Seed of the bootstrap.

    Returns
    -------
    ndarray of float, shape (resamples, 2)
        Column 0 the ECE, column 1 the Brier score of each resample (probability units).

    Examples
    --------
    >>> d = calibration_draws(np.array([0, 1] * 50), np.full(100, 0.5), n_bins=10, resamples=5, seed=0)
    >>> d.shape, bool((d[:, 1] == 0.25).all())
    ((5, 2), True)
    """
    from sentinel_checks.stats.calibration_cells import CalibrationCells

    return CalibrationCells.from_arrays(y, scores).draws(n_bins=n_bins, resamples=resamples, seed=seed)


def basic_interval(
    estimate: float, draws: np.ndarray, *, confidence: float, floor: float = 0.0
) -> tuple[float, float]:
    """The basic (reverse-percentile) bootstrap interval: ``[2θ − q_hi, 2θ − q_lo]``.

    Unlike the percentile interval it corrects the bootstrap's estimate of the
    statistic's bias: the ECE of a finite sample is biased upward (sampling noise in
    each bin adds to ``|observed − predicted|``), and the resamples are biased further
    up, so reflecting them around the estimate moves the interval down by about the
    bias. Bounds are clipped at ``floor`` (0: the ECE and Brier score are
    non-negative; ``-inf`` for a difference).

    Parameters
    ----------
    estimate : float
        The statistic on the sample.
    draws : ndarray of float, shape (resamples,)
        Its bootstrap draws (NaN draws ignored).
    confidence : float
        Coverage of the two-sided interval.
    floor : float, default 0.0
        Smallest value a bound may take.

    Returns
    -------
    (low, high) : tuple of float
        NaN when no draw is finite.

    References
    ----------
    Davison, A. C. and Hinkley, D. V. (1997). Bootstrap Methods and their
    Application. Cambridge University Press, §5.2 (basic bootstrap interval).

    Examples
    --------
    >>> draws = np.linspace(0.04, 0.08, 201)  # resamples centred 0.01 above the estimate
    >>> [round(v, 3) for v in basic_interval(0.05, draws, confidence=0.5)]
    [0.03, 0.05]
    """
    low, high = bootstrap_interval(estimate, draws, confidence=confidence, kind="basic")
    if math.isnan(low):
        return math.nan, math.nan
    return max(floor, low), max(floor, high)


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
