"""What ``model.scores`` judges of a score column, in a few numbers: how many rows, how
many scores are unusable (NaN, infinite, outside [0, 1]) and where the first are, and
the range and median of the usable ones.

:meth:`ScoreSummary.from_array` reads a score array; the engine's counterpart
(:func:`~sentinel_checks.engine.score_summary.score_summary`) computes the same numbers
where the scored rows live, so no per-row array leaves the engine. Parity:
``tests/test_engine_score_summary.py``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from sentinel_checks.result import EVIDENCE_CAP

#: The most positions of unusable scores a summary keeps (the evidence's cap).
BAD_ROWS_KEPT = EVIDENCE_CAP


@dataclass(frozen=True)
class ScoreSummary:
    """A split's scores, summarised.

    Attributes
    ----------
    n : int
        Rows scored.
    bad : int
        Scores that are NaN, infinite, NULL or outside [0, 1].
    low, high, median : float
        Smallest, largest and median score (numpy's median: the mean of the two middle
        ones); NaN when ``bad`` > 0 or ``n`` is 0.
    bad_rows : tuple of int
        Positions (0-based, in the split's row order) of the first :data:`BAD_ROWS_KEPT`
        unusable scores.
    """

    n: int
    bad: int
    low: float
    high: float
    median: float
    bad_rows: tuple[int, ...] = ()

    @classmethod
    def from_array(cls, scores: np.ndarray) -> ScoreSummary:
        """The summary of ``scores`` (array_like of float, shape (n,)).

        >>> ScoreSummary.from_array(np.array([0.1, 1.7, np.nan, 0.4]))
        ScoreSummary(n=4, bad=2, low=nan, high=nan, median=nan, bad_rows=(1, 2))
        >>> s = ScoreSummary.from_array(np.array([0.1, 0.7, 0.4]))
        >>> s.low, s.high, s.median
        (0.1, 0.7, 0.4)
        """
        scores = np.asarray(scores, dtype=float)
        bad = ~np.isfinite(scores) | (scores < 0) | (scores > 1)
        n_bad = int(bad.sum())
        usable = n_bad == 0 and scores.size > 0
        return cls(
            n=int(scores.size),
            bad=n_bad,
            low=float(scores.min()) if usable else math.nan,
            high=float(scores.max()) if usable else math.nan,
            median=float(np.median(scores)) if usable else math.nan,
            bad_rows=tuple(int(i) for i in np.flatnonzero(bad)[:BAD_ROWS_KEPT]),
        )
