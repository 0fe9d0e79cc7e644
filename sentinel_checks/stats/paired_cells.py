"""Rows of a paired comparison pooled into cells, so a bootstrap resamples counts, not rows.

A cell holds the rows with the same label, the same score bucket of each model and
the same decision of each model. Under a Poisson bootstrap every row gets an
independent Poisson(1) weight; the weight of a cell (the sum over its rows) is then
Poisson(count), so drawing one Poisson(count) per cell draws exactly the
distribution the row bootstrap gives every statistic computed from the cells —
paired, because one draw serves both models. A resample costs O(cells), and the
cells are bounded by ``2 × 4 × (buckets + 2)²`` whatever the number of rows.

Which statistics are exact: the decision counts (recall, FNR, precision, flagged
fraction), always, because each model's decision is part of the cell. ROC-AUC and
PR-AUC (average precision) are exact when each model has at most ``buckets``
distinct scores (each distinct score is then its own bucket); otherwise they are
computed on score buckets whose edges are quantiles of all scores and of the risky
rows' scores (where the ranking metrics are decided), with rows in one bucket
counted as ties. :func:`sentinel_checks.stats.comparison.compare_paired` shifts
those draws by the bucketing's offset at the point estimate, so the interval is
centred on the exact metric and only its width comes from the buckets.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: Score buckets per model for the ranking metrics (ROC-AUC, PR-AUC) of a resample.
AUC_BUCKETS = 128


@dataclass(frozen=True)
class PairedCells:
    """The cells of a paired comparison; arrays of shape (k,), one entry per cell.

    ``a`` and ``b`` are order-preserving bucket codes of the candidate's and the
    champion's scores (equal codes are ties); ``flag_a``/``flag_b`` the decisions;
    ``counts`` the rows in each cell; ``first_row`` the position of one of its rows.
    """

    y: np.ndarray
    a: np.ndarray
    b: np.ndarray
    flag_a: np.ndarray
    flag_b: np.ndarray
    counts: np.ndarray
    first_row: np.ndarray
    exact: bool  # every distinct score is its own bucket: ranking metrics exact too

    def __len__(self) -> int:
        return len(self.counts)


def paired_cells(
    y: np.ndarray,
    a: np.ndarray,
    b: np.ndarray,
    flag_a: np.ndarray,
    flag_b: np.ndarray,
    *,
    buckets: int = AUC_BUCKETS,
) -> PairedCells:
    """Pool rows into cells of (label, candidate bucket, champion bucket, both decisions).

    Parameters
    ----------
    y : ndarray of bool, shape (n,)
        True where the row is risky.
    a, b : ndarray of float, shape (n,)
        The candidate's and the champion's scores (finite).
    flag_a, flag_b : ndarray of bool, shape (n,)
        Each model's decision (flagged) on each row.
    buckets : int, default :data:`AUC_BUCKETS`
        Most buckets per model beyond which scores are bucketed (fewer distinct
        scores: exact).

    Returns
    -------
    PairedCells
        The cells, ordered by their key; ``counts`` sums to ``n``.

    Examples
    --------
    >>> y = np.array([1, 1, 0, 0, 0], dtype=bool)
    >>> s = np.array([0.9, 0.9, 0.1, 0.1, 0.5])
    >>> c = paired_cells(y, s, s, s >= 0.5, s >= 0.5)
    >>> len(c), c.counts.tolist(), c.exact
    (3, [2, 1, 2], True)
    """
    code_a, exact_a = _bucket_codes(a, y, flag_a, buckets)
    code_b, exact_b = _bucket_codes(b, y, flag_b, buckets)
    width = int(code_b.max(initial=0)) + 1
    key = ((code_a.astype(np.int64) * width + code_b) * 2 + y) * 4 + flag_a * 2 + flag_b
    _, first, counts = np.unique(key, return_index=True, return_counts=True)
    return PairedCells(
        y=y[first],
        a=code_a[first].astype(float),
        b=code_b[first].astype(float),
        flag_a=flag_a[first],
        flag_b=flag_b[first],
        counts=counts,
        first_row=first,
        exact=exact_a and exact_b,
    )


def _bucket_codes(s: np.ndarray, y: np.ndarray, flag: np.ndarray, buckets: int) -> tuple[np.ndarray, bool]:
    """Order-preserving integer codes of ``s``: its distinct values when there are at
    most ``buckets``, else buckets between quantiles of all scores and of the risky
    rows' scores, with the lowest flagged score as an edge (a bucket never straddles
    the threshold)."""
    distinct = np.unique(s)
    if len(distinct) <= buckets:
        return np.searchsorted(distinct, s), True
    grid = np.linspace(0.0, 1.0, buckets // 2 + 1)
    parts = [np.quantile(s, grid)]
    if y.any():
        parts.append(np.quantile(s[y], grid))
    if flag.any():
        parts.append(np.array([s[flag].min()]))
    edges = np.unique(np.concatenate(parts))
    return np.searchsorted(edges, s, side="right"), False
