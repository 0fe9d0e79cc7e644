"""How far ROC AUC and average precision can move when tied scores are put in any order.

When an engine groups scores on a grid (:mod:`sentinel_checks.engine.paired_statistics`,
at most a bounded number of groups leaving the engine), every row of a grid cell
carries one score, so the rows' true order inside the cell is lost. The AUCs
computed on the grouped scores count those pairs as ties; the true AUCs of the
rows lie between the values every order inside the groups could give. This module
computes that range exactly, from the groups' counts alone:

* ROC AUC (pairs in order, ties half): a group holding ``p`` risky and ``n`` safe
  rows adds ``p·n / 2`` to the tied count; any order inside it adds between 0 and
  ``p·n``. So the true value is the tied value ± ``Σ p·n / (2·P·N)``
  (Hanley and McNeil, 1982, the area as a pair probability).
* Average precision (scikit-learn's ``average_precision_score``: Σ Δrecall ×
  precision at each distinct score, so tied rows share the precision at their
  group's end). The rows' own order inside a cell may hold ties of its own (a tree
  model's scores), so the range is over every *weak* order. With ``T`` risky and
  ``F`` safe rows above the group: largest with its risky rows first, tied among
  themselves, ``p·(T+p)/(T+F+p) / P``; smallest with them last, one by one,
  ``Σ_{i=1..p} (T+i)/(T+F+n+i) / P`` = ``(p − (T+F+n−T)·(ψ(T+F+n+p+1) − ψ(T+F+n+1))) / P``
  (ψ the digamma function: ``Σ 1/(C+i)`` as a difference of ψ), so the bound costs
  O(groups). The tied value (every row of the group tied) lies between them.

Both ends are attained by some weak order of the rows, so they are the tightest
bounds the grouped counts allow. Parity with every weak order of small inputs:
``tests/test_tie_bounds.py``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.special import digamma

from sentinel_checks.stats.confusion import ThresholdCounts
from sentinel_checks.stats.ranking import pr_auc_from_counts, roc_auc_from_counts


@dataclass(frozen=True)
class TieBounds:
    """The tied value of each AUC and the range every order inside the groups gives.

    Attributes
    ----------
    roc_auc, pr_auc : tuple of float
        ``(low, tied, high)``: the smallest value, the value with ties (what the
        gate reports) and the largest; NaN where the metric is undefined.
    """

    roc_auc: tuple[float, float, float]
    pr_auc: tuple[float, float, float]

    def below(self, metric: str) -> float:
        """How far the true value can lie below the tied one (≥ 0; NaN when undefined)."""
        low, tied, _ = getattr(self, metric)
        return tied - low

    def above(self, metric: str) -> float:
        """How far the true value can lie above the tied one (≥ 0; NaN when undefined)."""
        _, tied, high = getattr(self, metric)
        return high - tied


def tie_bounds(counts: ThresholdCounts) -> TieBounds:
    """The range of ROC AUC and average precision over every order of the rows inside each group.

    Parameters
    ----------
    counts : ThresholdCounts
        Cumulative TP and FP (rows) at each distinct (grouped) score, descending.

    Returns
    -------
    TieBounds
        ROC AUC's range is NaN without a risky or a safe row; average precision's
        without a risky row.

    Examples
    --------
    >>> from sentinel_checks.stats.ranking import threshold_counts
    >>> b = tie_bounds(threshold_counts(np.array([1, 0, 1, 0]), np.array([0.5, 0.5, 0.5, 0.1])))
    >>> [round(v, 4) for v in b.roc_auc], [round(v, 4) for v in b.pr_auc]
    ([0.5, 0.75, 1.0], [0.5833, 0.6667, 1.0])
    >>> b = tie_bounds(threshold_counts(np.array([0, 1, 1]), np.array([0.9, 0.5, 0.5])))
    >>> [round(v, 4) for v in b.pr_auc]  # two risky rows tied under a safe one: the tie is the top
    [0.5833, 0.6667, 0.6667]
    """
    tp = np.asarray(counts.tp, dtype=np.float64)
    fp = np.asarray(counts.fp, dtype=np.float64)
    p_total, n_total = float(counts.positives), float(counts.negatives)
    pos = np.diff(tp, prepend=0.0)
    neg = np.diff(fp, prepend=0.0)
    roc = roc_auc_from_counts(counts)
    ap = pr_auc_from_counts(counts)
    if p_total > 0 and n_total > 0:
        half = float(np.sum(pos * neg)) / (2.0 * p_total * n_total)
        roc_range = (roc - half, roc, roc + half)
    else:
        roc_range = (math.nan, math.nan, math.nan)
    if p_total > 0:
        above_tp, above_fp = tp - pos, fp - neg
        with np.errstate(invalid="ignore"):
            best = np.where(pos > 0, pos * (above_tp + pos) / (above_tp + above_fp + pos), 0.0)
        worst = _precision_sums(pos, above_tp, above_tp + above_fp + neg)
        # the tied value lies between them; float rounding must not put it outside
        ap_range = (min(float(np.sum(worst)) / p_total, ap), ap, max(float(np.sum(best)) / p_total, ap))
    else:
        ap_range = (math.nan, math.nan, math.nan)
    return TieBounds(roc_auc=roc_range, pr_auc=ap_range)


def _precision_sums(p: np.ndarray, above: np.ndarray, before: np.ndarray) -> np.ndarray:
    """``Σ_{i=1..p} (above + i) / (before + i)`` per group (0 where ``p`` is 0)."""
    with np.errstate(invalid="ignore"):
        harmonic = digamma(before + p + 1.0) - digamma(before + 1.0)
    return np.where(p > 0, p - (before - above) * harmonic, 0.0)


def lead_widening(candidate: tuple[float, float], other: tuple[float, float]) -> tuple[float, float]:
    """How far a lead (candidate − other) can lie below and above its grouped value, from each
    model's ``(below, above)`` range: the candidate's below plus the other's above, and the reverse.

    >>> lead_widening((0.01, 0.02), (0.003, 0.004))
    (0.014, 0.023)
    """
    return candidate[0] + other[1], candidate[1] + other[0]


def grid_entry(grid: int, **widening: object) -> dict[str, object]:
    """gate.json's ``score_grid``: the grid (cells per unit of score), the cells' width, and
    how the check's intervals were widened (``widening``).

    >>> grid_entry(1024, widened_by=[0.01, 0.02])
    {'grid': 1024, 'cell_width': 0.0009765625, 'widened_by': [0.01, 0.02]}
    """
    return {"grid": grid, "cell_width": 1 / grid, **widening}


def grid_note(grid: int, setting: str = "max_paired_groups") -> str:
    """How a check says its AUCs came from scores grouped on a grid (``grid`` > 0);
    ``setting`` the ``[engine]`` key whose larger value gives a finer grid.

    >>> grid_note(1024).split(":")[0]
    'AUCs of scores grouped in the engine on a 1/1024 grid'
    """
    return (
        f"AUCs of scores grouped in the engine on a 1/{grid} grid: "
        "intervals widened by how far ties in a cell could move them; "
        f"a larger [engine] {setting} gives a finer grid"
    )


def grid_keeps_open(setting: str) -> str:
    """What an inconclusive result says when the grid's widening alone holds the limit."""
    return (
        "the score grid keeps it open (more rows cannot settle it): "
        f"raise [engine] {setting} for a finer grid"
    )


#: :func:`grid_keeps_open` of the paired comparisons (``[engine] max_paired_groups``).
GRID_KEEPS_OPEN = grid_keeps_open("max_paired_groups")
