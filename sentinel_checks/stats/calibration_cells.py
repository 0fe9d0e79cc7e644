"""Calibration from cells: the rows grouped by (score, label), with their counts.

One implementation of the calibration bins, the Brier score and their Poisson
bootstrap for both engines. The cells are what the threshold counts already hold
(:class:`~sentinel_checks.stats.confusion.ThresholdCounts`: per distinct score, its
risky and safe rows), so the same integers come out of memory
(:meth:`CalibrationCells.from_arrays`) or out of the engine
(:meth:`CalibrationCells.from_counts` of
:func:`~sentinel_checks.engine.quality_statistics.threshold_counts`), and every
figure below is computed from them by the same arithmetic: equal to the last bit
between engines. Memory: two cells per distinct score, never one value per row.

The bootstrap draws one Poisson(count) weight per cell. A Poisson(1) weight per
row summed over the rows of a cell is Poisson(count), and every row of a cell has
the same score and label (so the same bin and the same contribution): the
distribution of each resample's ECE and Brier score is that of the per-row Poisson
bootstrap (Hanley and MacGibbon, 2006); the seeded draws are not the same numbers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from sentinel_checks.stats.calibration import CalibrationBins
from sentinel_checks.stats.confusion import ThresholdCounts
from sentinel_checks.stats.poisson_weights import poisson_weights

#: Resamples drawn at once (a block holds at most this many cells' weights in total).
_BLOCK_WEIGHTS = 4_000_000


@dataclass(frozen=True)
class CalibrationCells:
    """Rows grouped by distinct score: per score its risky and safe rows.

    Attributes
    ----------
    score : ndarray of float64, shape (k,)
        The distinct scores, ascending (probability units).
    risky, safe : ndarray of int64, shape (k,)
        Risky and safe rows with that score.
    """

    score: np.ndarray
    risky: np.ndarray
    safe: np.ndarray

    @property
    def count(self) -> np.ndarray:
        """Rows per distinct score (int64, shape (k,))."""
        return self.risky + self.safe

    @property
    def n(self) -> int:
        """Rows in total."""
        return int(self.count.sum())

    @classmethod
    def from_arrays(cls, y: np.ndarray, scores: np.ndarray) -> CalibrationCells:
        """The cells of per-row labels and scores.

        Parameters
        ----------
        y : array_like of bool or {0, 1}, shape (n,)
            True (1) where the row is risky.
        scores : array_like of float, shape (n,)
            Predicted probabilities, finite.

        Examples
        --------
        >>> c = CalibrationCells.from_arrays(np.array([1, 0, 1]), np.array([0.2, 0.2, 0.9]))
        >>> c.score.tolist(), c.risky.tolist(), c.safe.tolist()
        ([0.2, 0.9], [1, 1], [1, 0])
        """
        y = np.asarray(y, dtype=float) > 0.5
        scores = np.asarray(scores, dtype=np.float64)
        distinct, inverse = np.unique(scores, return_inverse=True)
        inverse = inverse.ravel()
        risky = np.bincount(inverse[y], minlength=len(distinct)).astype(np.int64)
        count = np.bincount(inverse, minlength=len(distinct)).astype(np.int64)
        return cls(distinct, risky, count - risky)

    @classmethod
    def from_counts(cls, counts: ThresholdCounts) -> CalibrationCells:
        """The cells behind :class:`ThresholdCounts` (its cumulative TP/FP differenced); for
        counts grouped on a grid, one cell per group at its rows' mean score (``score_sums``).

        Examples
        --------
        >>> from sentinel_checks.stats.ranking import threshold_counts
        >>> y, s = np.array([1, 0, 1]), np.array([0.2, 0.2, 0.9])
        >>> CalibrationCells.from_counts(threshold_counts(y, s)) == CalibrationCells.from_arrays(y, s)
        True
        """
        tp = np.asarray(counts.tp, dtype=np.int64)
        fp = np.asarray(counts.fp, dtype=np.int64)
        risky = np.diff(tp, prepend=0)[::-1]
        safe = np.diff(fp, prepend=0)[::-1]
        score = np.asarray(counts.thresholds, dtype=np.float64)[::-1]
        if counts.score_sums is not None:  # groups on a grid: each at its rows' mean score
            score = np.asarray(counts.score_sums, dtype=np.float64)[::-1] / np.maximum(risky + safe, 1)
        return cls(np.ascontiguousarray(score), np.ascontiguousarray(risky), np.ascontiguousarray(safe))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, CalibrationCells):
            return NotImplemented
        return all(np.array_equal(getattr(self, f), getattr(other, f)) for f in ("score", "risky", "safe"))

    __hash__ = None  # type: ignore[assignment]

    def bin_index(self, n_bins: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Each distinct score's calibration bin, with the rule of
        :func:`~sentinel_checks.stats.calibration.bin_index` on the rows.

        With at most ``n_bins`` distinct scores, one bin per score; otherwise numpy's
        default (type 7) quantiles of the rows at ``linspace(0, 1, n_bins + 1)``,
        computed from the order statistics the cumulative counts give and numpy's own
        interpolation steps (bit-equal to ``np.quantile`` on the rows), made unique;
        bin ``i`` holds ``edges[i] <= s < edges[i+1]``, the top bin closed.

        Returns
        -------
        (index, lower, upper) : tuple of ndarray
            ``index`` int, shape (k,); ``lower``/``upper`` float64, shape (b,).
        """
        if len(self.score) <= n_bins:
            return np.arange(len(self.score)), self.score, self.score
        edges = np.unique(self.quantiles(np.linspace(0, 1, n_bins + 1)))
        idx = np.clip(np.searchsorted(edges, self.score, side="right") - 1, 0, len(edges) - 2)
        return idx, edges[:-1], edges[1:]

    def quantiles(self, q: np.ndarray) -> np.ndarray:
        """numpy's default (type 7) quantiles of the rows at ``q``, bit-equal to ``np.quantile``
        on the per-row scores, from the cumulative counts (float64, shape of ``q``; ``q`` in [0, 1]).
        """
        n = self.n
        virtual = (n - 1) * q
        previous = np.floor(virtual)
        above = virtual >= n - 1  # numpy takes the last value there
        previous[above] = n - 1
        following = np.where(above, n - 1, previous + 1)
        gamma = virtual - np.where(above, -1.0, previous)
        ends = np.cumsum(self.count)  # rank r (0-based) holds the first score whose cumulative count > r
        a = self.score[np.searchsorted(ends, previous.astype(np.int64), side="right")]
        b = self.score[np.searchsorted(ends, following.astype(np.int64), side="right")]
        diff = b - a
        result = np.add(a, diff * gamma)
        np.subtract(b, diff * (1 - gamma), out=result, where=gamma >= 0.5)
        return result

    def bins(self, n_bins: int) -> CalibrationBins:
        """The non-empty calibration bins (counts, mean score, observed risky rate).

        Parameters
        ----------
        n_bins : int
            Bins requested (``[quality] calibration_bins``).

        Returns
        -------
        CalibrationBins
            Empty arrays without rows.
        """
        if self.n == 0:
            empty = np.array([], dtype=np.float64)
            return CalibrationBins(empty, empty, np.array([], dtype=np.int64), empty, empty)
        idx, lower, upper = self.bin_index(n_bins)
        b = len(lower)
        count = np.bincount(idx, weights=self.count, minlength=b).astype(np.int64)
        sum_s = np.bincount(idx, weights=self.count * self.score, minlength=b)
        sum_y = np.bincount(idx, weights=self.risky, minlength=b)
        keep = count > 0
        return CalibrationBins(
            lower[keep], upper[keep], count[keep], sum_s[keep] / count[keep], sum_y[keep] / count[keep]
        )

    def brier(self) -> float:
        """Brier score: the count-weighted mean of ``(score - label)²``; NaN without rows."""
        n = self.n
        if n == 0:
            return math.nan
        return float((self.risky @ (1 - self.score) ** 2 + self.safe @ self.score**2) / n)

    def draws(self, *, n_bins: int, resamples: int, seed: int) -> np.ndarray:
        """Poisson-bootstrap draws of the ECE and the Brier score, the bins held fixed.

        One ``Poisson(count)`` weight per (score, label) cell with rows, from
        ``numpy.random.default_rng(seed)`` (:func:`~sentinel_checks.stats.poisson_weights.poisson_weights`:
        its Poisson(count − 1) parts from two streams spawned from it; the cells in score order, the
        risky cell of a score before its safe cell).

        Returns
        -------
        ndarray of float, shape (resamples, 2)
            Column 0 the ECE, column 1 the Brier score (NaN for a resample that
            weights no row).
        """
        idx, lower, _ = self.bin_index(n_bins) if self.n else (np.zeros(0, int), np.zeros(0), None)
        b = len(lower)
        label = np.r_[np.ones(len(self.score)), np.zeros(len(self.score))]
        score = np.r_[self.score, self.score]
        bins = np.r_[idx, idx]
        size = np.r_[self.risky, self.safe]
        order = np.lexsort((1 - label, score))  # by score, risky first
        cells = order[size[order] > 0]
        label, score, bins, size = label[cells], score[cells], bins[cells], size[cells]
        gap_cell, squared = label - score, (score - label) ** 2
        rng = np.random.default_rng(seed)
        out = np.full((resamples, 2), np.nan)
        block = max(1, _BLOCK_WEIGHTS // max(len(size), 1))
        for start in range(0, resamples, block):
            w = poisson_weights(rng, size, min(block, resamples - start), len(size))
            total = w.sum(axis=1)
            gaps = np.zeros((len(w), b))
            for k in range(len(w)):
                gaps[k] = np.bincount(bins, weights=w[k] * gap_cell, minlength=b)
            with np.errstate(invalid="ignore", divide="ignore"):
                ece = np.abs(gaps).sum(axis=1) / total
                brier = (w @ squared) / total
            rows = slice(start, start + len(w))
            out[rows, 0] = np.where(total > 0, ece, np.nan)
            out[rows, 1] = np.where(total > 0, brier, np.nan)
        return out
