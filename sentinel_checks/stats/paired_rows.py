"""The rows of a paired comparison as counts: what :func:`~sentinel_checks.stats.comparison.compare_paired`
reads, whether the rows are in memory or were grouped in an engine.

Every figure of the champion comparison is a function of two kinds of counts:

* :class:`PairedRows` — rows grouped by (label, candidate score, champion score),
  each group with its row count. Both models' decisions, confusion counts, flips,
  McNemar's test, the ROC and PR AUC (through
  :class:`~sentinel_checks.stats.confusion.ThresholdCounts`) and the paired
  bootstrap's cells (:func:`~sentinel_checks.stats.paired_cells.paired_cells` with
  ``counts=``) are exact functions of these groups.
* :class:`SegmentFlips` — per segment value, the risky rows by (candidate flagged,
  champion flagged): the per-segment FNR rows.

The in-memory entry (:meth:`PairedRows.from_arrays`, :meth:`SegmentFlips.from_arrays`)
groups the rows here; the engine entry
(:mod:`sentinel_checks.engine.paired_statistics`) groups them with ``GROUP BY`` and
brings back only the groups. Both then run the same comparison.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sentinel_checks.stats.confusion import ThresholdCounts
from sentinel_checks.stats.tie_bounds import TieBounds, lead_widening, tie_bounds

#: How ``promotion.vs_champion`` names a missing segment value.
MISSING_VALUE = "<missing>"


@dataclass(frozen=True)
class PairedRows:
    """Rows grouped by (label, candidate score, champion score); arrays of shape (k,).

    Attributes
    ----------
    y : ndarray of bool
        True for the risky groups.
    a, b : ndarray of float64
        The candidate's and the champion's score (finite, probabilities).
    counts : ndarray of int64
        Rows in each group (at least 1).
    grid : int
        0 when the groups are the rows' exact scores. Otherwise the engine grouped
        each model's scores into cells of width ``1 / grid`` (split at its threshold),
        and ``a`` and ``b`` are each cell's smallest score: every threshold read off
        them is a real score with its exact counts, but rows inside a cell count as
        tied (:mod:`~sentinel_checks.stats.tie_bounds` gives how far the AUCs can move).
    split_at : (float, float) or None
        On a grid, the candidate's and the champion's thresholds its cells were split
        at (decisions are exact at those thresholds only); None when not split.
    """

    y: np.ndarray
    a: np.ndarray
    b: np.ndarray
    counts: np.ndarray
    grid: int = 0
    split_at: tuple[float, float] | None = None

    @classmethod
    def from_arrays(cls, y: np.ndarray, a: np.ndarray, b: np.ndarray) -> PairedRows:
        """Group rows in memory (``y`` bool, ``a``/``b`` float, all shape (n,)).

        Raises
        ------
        ValueError
            The three arrays differ in length, or a score is NaN or infinite.

        Examples
        --------
        >>> y = np.array([1, 1, 0], dtype=bool)
        >>> r = PairedRows.from_arrays(y, np.array([0.9, 0.9, 0.1]), np.array([0.5, 0.5, 0.5]))
        >>> r.counts.tolist(), r.n, r.positives
        ([1, 2], 3, 2)
        """
        y = np.asarray(y, dtype=bool)
        a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
        if not (len(y) == len(a) == len(b)):
            raise ValueError("labels and the two score arrays differ in length")
        if not (np.isfinite(a).all() and np.isfinite(b).all()):
            raise ValueError("scores contain NaN or infinity")
        frame = pd.DataFrame({"y": y, "a": a, "b": b})
        groups = frame.groupby(["y", "a", "b"], sort=True).size().reset_index(name="n")
        return cls.from_groups(groups["y"], groups["a"], groups["b"], groups["n"])

    @classmethod
    def from_groups(
        cls,
        y: object,
        a: object,
        b: object,
        counts: object,
        *,
        grid: int = 0,
        split_at: tuple[float, float] | None = None,
    ) -> PairedRows:
        """Groups counted elsewhere (any order); put in the one order every caller sees."""
        y = np.asarray(y, dtype=bool)
        a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
        counts = np.asarray(counts, dtype=np.int64)
        order = np.lexsort((b, a, y))
        return cls(y[order], a[order], b[order], counts[order], grid=grid, split_at=split_at)

    @property
    def n(self) -> int:
        """Rows in total."""
        return int(self.counts.sum())

    @property
    def positives(self) -> int:
        """Risky rows in total."""
        return int(self.counts[self.y].sum())

    def threshold_counts(self, model: str) -> ThresholdCounts:
        """TP and FP at each distinct score of ``model`` (``"candidate"`` or ``"champion"``),
        equal to :func:`~sentinel_checks.stats.ranking.threshold_counts` on the rows (integer sums);
        on a grid, with its ``grid`` and the model's threshold as ``split_at``, so ``.at``
        refuses a threshold inside a cell."""
        s = self.a if model == "candidate" else self.b
        scores, inverse = np.unique(s, return_inverse=True)
        k = len(scores)
        pos = np.bincount(inverse, weights=np.where(self.y, self.counts, 0), minlength=k).astype(np.int64)
        neg = np.bincount(inverse, weights=np.where(self.y, 0, self.counts), minlength=k).astype(np.int64)
        pos, neg = pos[::-1], neg[::-1]  # descending scores
        # on a grid, exact only at the model's own threshold the cells were split at
        split = () if self.split_at is None else (self.split_at[0 if model == "candidate" else 1],)
        return ThresholdCounts(
            scores[::-1].copy(),
            np.cumsum(pos),
            np.cumsum(neg),
            int(pos.sum()),
            int(neg.sum()),
            grid=self.grid,
            split_at=split if self.grid else (),
        )

    def tie_bounds(self, model: str) -> TieBounds:
        """The range of ``model``'s AUCs over every order of the rows inside its tied groups."""
        return tie_bounds(self.threshold_counts(model))

    def lead_widening(self, metric: str) -> tuple[float, float]:
        """How far below and above the grouped lead (candidate − champion) of ``metric``
        (``"roc_auc"`` or ``"pr_auc"``) the rows' true lead can lie.

        ``(0.0, 0.0)`` for exact scores (``grid`` 0). On a grid: the candidate's range
        below plus the champion's above, and the reverse (NaN when the metric is
        undefined), so an interval widened by it holds every lead the rows could have.

        Examples
        --------
        >>> r = PairedRows.from_groups([True, False], [0.5, 0.5], [0.9, 0.1], [1, 1], grid=2)
        >>> r.lead_widening("roc_auc")  # the candidate ties its two rows: anywhere in [0, 1]
        (0.5, 0.5)
        """
        if not self.grid:
            return 0.0, 0.0
        a, b = self.tie_bounds("candidate"), self.tie_bounds("champion")
        return lead_widening((a.below(metric), a.above(metric)), (b.below(metric), b.above(metric)))


@dataclass(frozen=True, eq=False)
class SegmentFlips:
    """Risky rows of each value of one segment column, by both models' decisions.

    Attributes
    ----------
    names : tuple of str, length g
        Values named as ``promotion.vs_champion`` names them (``str(value)``,
        :data:`MISSING_VALUE` for None/NaN), sorted as :func:`numpy.unique` sorts text.
    both, candidate_only, champion_only, neither : ndarray of int64, shape (g,)
        Risky rows flagged by both models, by the candidate only, by the champion
        only, by neither.
    """

    names: tuple[str, ...]
    both: np.ndarray
    candidate_only: np.ndarray
    champion_only: np.ndarray
    neither: np.ndarray

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SegmentFlips):
            return NotImplemented
        mine = (self.both, self.candidate_only, self.champion_only, self.neither)
        theirs = (other.both, other.candidate_only, other.champion_only, other.neither)
        return self.names == other.names and all(
            np.array_equal(x, z) for x, z in zip(mine, theirs, strict=True)
        )

    __hash__ = None  # type: ignore[assignment]

    @classmethod
    def from_arrays(
        cls, values: object, y: np.ndarray, flag_a: np.ndarray, flag_b: np.ndarray
    ) -> SegmentFlips:
        """From rows in memory: segment ``values`` (any dtype), ``y``, both flags (bool), shape (n,)."""
        y = np.asarray(y, dtype=bool)
        kept = np.asarray(values, dtype=object)[y]
        ones = np.ones(len(kept), dtype=np.int64)
        return cls.from_groups(kept, np.asarray(flag_a, bool)[y], np.asarray(flag_b, bool)[y], ones)

    @classmethod
    def from_groups(
        cls, values: np.ndarray, flag_a: np.ndarray, flag_b: np.ndarray, counts: np.ndarray
    ) -> SegmentFlips:
        """From risky rows grouped by (raw value, flag_a, flag_b) with their counts, shape (k,)."""
        values = np.asarray(values, dtype=object)
        missing = np.asarray(pd.isna(values), dtype=bool)
        keys = np.where(missing, MISSING_VALUE, values.astype(str))
        names, inverse = np.unique(keys.astype(str), return_inverse=True)
        fa, fb = np.asarray(flag_a, dtype=bool), np.asarray(flag_b, dtype=bool)
        counts = np.asarray(counts, dtype=np.int64)

        def total(mask: np.ndarray) -> np.ndarray:
            return np.bincount(inverse, weights=np.where(mask, counts, 0), minlength=len(names)).astype(
                np.int64
            )

        return cls(
            tuple(str(v) for v in names), total(fa & fb), total(fa & ~fb), total(~fa & fb), total(~fa & ~fb)
        )
