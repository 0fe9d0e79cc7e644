"""Rows of a paired comparison pooled into cells, so a bootstrap resamples counts, not rows.

Under a Poisson bootstrap every row gets an independent Poisson(1) weight; the
weight of a group of rows (the sum over them) is then Poisson(count). So rows that
every statistic treats alike can be pooled into one cell and resampled with one
Poisson(count) draw: the same distribution, paired (one draw serves both models),
at O(cells) per resample instead of O(rows).

What every statistic here treats alike, exactly: the label, both models' decisions,
and each model's score *relative to the risky rows' scores*. ROC-AUC counts
(risky, safe) pairs in order, and average precision (PR-AUC) takes the precision at
each risky row's score: neither changes when safe rows that fall between the same
two consecutive risky scores are reordered among themselves. Each score is
therefore coded by its slot among the distinct risky scores (``2k`` strictly below
the k-th, ``2k + 1`` equal to it), which keeps ties with risky rows exact. The
number of cells is at most the risky rows plus the occupied (slot, slot) pairs of
the safe rows: on the demo's test and production splits (21k–30k rows, 300–800
risky) 1.7k–14k cells. Nothing is approximated; binning scores instead would lose
the spread of the lead of two near-identical models, whose rankings differ only
inside a bin.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sentinel_checks.options import RankMetric, check_option
from sentinel_checks.stats.poisson_weights import poisson_weights
from sentinel_checks.stats.ranking import RankedScores

#: The metrics each resample gives for both models (differences: candidate - champion).
DELTA_METRICS = ("fnr", "precision", "roc_auc", "pr_auc")


@dataclass(frozen=True)
class PairedCells:
    """The cells of a paired comparison; arrays of shape (k,), one entry per cell.

    ``a`` and ``b`` are order-preserving slot codes of the candidate's and the
    champion's scores among the risky rows' scores (equal codes rank alike for every
    statistic); ``flag_a``/``flag_b`` the decisions; ``counts`` the rows in each
    cell; ``first_row`` the position of one of its rows.
    """

    y: np.ndarray
    a: np.ndarray
    b: np.ndarray
    flag_a: np.ndarray
    flag_b: np.ndarray
    counts: np.ndarray
    first_row: np.ndarray

    def __len__(self) -> int:
        return len(self.counts)


def paired_cells(
    y: np.ndarray,
    a: np.ndarray,
    b: np.ndarray,
    flag_a: np.ndarray,
    flag_b: np.ndarray,
    *,
    counts: np.ndarray | None = None,
) -> PairedCells:
    """Pool rows into cells of (label, candidate slot, champion slot, both decisions).

    The rows may come already grouped (``counts``): e.g. an engine's group-by on
    (label, candidate score, champion score), each group one entry with its row
    count. The cells, their order and counts are then those of the rows themselves
    (a group never straddles two cells), so a bootstrap of them draws the same.

    Parameters
    ----------
    y : ndarray of bool, shape (n,)
        True where the row is risky.
    a, b : ndarray of float, shape (n,)
        The candidate's and the champion's scores (finite).
    flag_a, flag_b : ndarray of bool, shape (n,)
        Each model's decision (flagged) on each row.
    counts : ndarray of int, shape (n,), optional
        Rows each entry stands for (at least 1); default one row each.

    Returns
    -------
    PairedCells
        The cells, ordered by their key; ``counts`` sums to ``n`` (to ``counts.sum()``
        with grouped rows); ``first_row`` is the position of one entry of each cell.

    Examples
    --------
    >>> y = np.array([1, 1, 0, 0, 0], dtype=bool)
    >>> s = np.array([0.9, 0.9, 0.1, 0.1, 0.5])
    >>> c = paired_cells(y, s, s, s >= 0.5, s >= 0.5)
    >>> len(c), c.counts.tolist()
    (3, [2, 1, 2])
    """
    code_a, code_b = _slot_codes(a, y), _slot_codes(b, y)
    width = int(code_b.max(initial=0)) + 1
    key = ((code_a.astype(np.int64) * width + code_b) * 2 + y) * 4 + flag_a * 2 + flag_b
    _, first, inverse, sizes = np.unique(key, return_index=True, return_inverse=True, return_counts=True)
    if counts is not None:
        sizes = np.bincount(inverse.ravel(), weights=counts, minlength=len(first)).astype(np.int64)
    return PairedCells(
        y=y[first],
        a=code_a[first].astype(float),
        b=code_b[first].astype(float),
        flag_a=flag_a[first],
        flag_b=flag_b[first],
        counts=sizes,
        first_row=first,
    )


def _slot_codes(s: np.ndarray, y: np.ndarray) -> np.ndarray:
    """``2k`` for a score strictly below the k-th distinct risky score (ascending),
    ``2k + 1`` for a score equal to it: order-preserving, exact for every pair order
    and tie between a risky and another row."""
    risky = np.unique(s[y])
    return np.searchsorted(risky, s, side="left") + np.searchsorted(risky, s, side="right")


def paired_cell_bootstrap(
    y: np.ndarray,
    a: np.ndarray,
    b: np.ndarray,
    flag_a: np.ndarray,
    flag_b: np.ndarray,
    *,
    resamples: int,
    seed: int,
    return_cells: bool = False,
    counts: np.ndarray | None = None,
) -> tuple[dict[str, np.ndarray], CellDraws]:
    """Per resample, each of :data:`DELTA_METRICS` of (candidate ``a``, champion ``b``)
    under the same Poisson weights:
    ``{metric: (resamples, 2)}``, and the :class:`CellDraws` (its weights only with
    ``return_cells``: they take resamples x cells floats).

    The rows are pooled into cells (:func:`paired_cells`: label x each model's score
    slot x both decisions) and each resample draws one Poisson(count) weight per cell
    from ``default_rng(seed)`` (:func:`~sentinel_checks.stats.poisson_weights.poisson_weights`:
    its Poisson(count − 1) parts from two streams spawned from it), a block of resamples at a time: the
    distribution a row-by-row Poisson(1) bootstrap gives every metric (all exact
    functions of the cells), at O(cells) per resample. FNR and precision are drawn on
    the (label, both decisions) cells alone (:func:`decision_draws`, their own stream),
    so they are the same draws however finely the scores were grouped. With ``counts`` the entries
    are grouped rows (:func:`paired_cells`): the same cells, hence the same draws
    for the same seed.
    """
    cells = paired_cells(y, a, b, flag_a, flag_b, counts=counts)
    slots = (_SlotSums(cells.y, cells.a), _SlotSums(cells.y, cells.b))
    k_cells = len(cells)
    rng = np.random.default_rng(seed)
    out = np.empty((resamples, 2, len(DELTA_METRICS)))
    out[:, :, :2], per_key = decision_draws(
        cells.y, cells.flag_a, cells.flag_b, cells.counts, resamples, seed
    )
    drawn = np.empty((resamples, k_cells)) if return_cells else None
    block = max(1, _BLOCK_CELLS // max(k_cells, 1))
    for start in range(0, resamples, block):
        w = poisson_weights(rng, cells.counts, min(block, resamples - start), k_cells)
        rows = slice(start, start + len(w))
        if drawn is not None:
            drawn[rows] = w
        with np.errstate(divide="ignore", invalid="ignore"):
            for k, model in enumerate(slots):
                out[rows, k, 2], out[rows, k, 3] = _weighted_aucs(model.ranked, model.sums(w))
    draws = {m: out[:, :, k] for k, m in enumerate(DELTA_METRICS)}
    weights = drawn if drawn is not None else np.empty((0, k_cells))
    return draws, CellDraws(cells, weights, per_key if return_cells else np.empty((0, 8)))


def decision_draws(
    y: np.ndarray, flag_a: np.ndarray, flag_b: np.ndarray, counts: np.ndarray, resamples: int, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """Each resample's FNR and precision of both models, drawn on the (label, both decisions) cells.

    FNR and precision at the thresholds depend on the rows only through their label and
    both decisions: at most eight cells, each drawing one Poisson(count) weight per
    resample (the per-row Poisson(1) bootstrap's distribution, paired: one draw serves
    both models), from their own stream (``default_rng([seed, 1])``, in the cells' key
    order). So the draws are the same whatever finer cells the rows came in: exact
    scores, or scores an engine grouped on a grid
    (:func:`~sentinel_checks.engine.paired_statistics.paired_rows`).

    Parameters
    ----------
    y, flag_a, flag_b : ndarray of bool, shape (k,)
        Each entry's label and both models' decisions.
    counts : ndarray of int, shape (k,)
        Rows per entry.
    resamples, seed : int

    Returns
    -------
    (draws, weights) : tuple of ndarray of float64
        ``draws`` shape (resamples, 2, 2): ``[:, model, 0]`` FNR and ``[:, model, 1]``
        precision (model 0 the candidate), NaN where a resample has no risky (or no
        flagged) weight; ``weights`` shape (resamples, 8): the drawn weight of each
        (label, candidate flagged, champion flagged), keyed ``4·label + 2·flag_a + flag_b``.
    """
    key = (np.asarray(y, bool) * 4 + np.asarray(flag_a, bool) * 2 + np.asarray(flag_b, bool)).astype(np.int64)
    totals = np.bincount(key, weights=np.asarray(counts, dtype=np.float64), minlength=8)
    present = np.flatnonzero(totals > 0)
    w = poisson_weights(
        np.random.default_rng([seed, 1]), totals[present].astype(np.int64), resamples, len(present)
    )
    cell = np.zeros((len(present), 8))
    cell[np.arange(len(present)), present] = 1.0
    per_key = w @ cell  # (resamples, 8): weight of each (label, flag_a, flag_b)
    risky = per_key[:, 4:].sum(axis=1)
    out = np.empty((resamples, 2, 2))
    with np.errstate(divide="ignore", invalid="ignore"):
        for model, flagged_keys in ((0, (2, 3)), (1, (1, 3))):
            caught = per_key[:, [4 + k for k in flagged_keys]].sum(axis=1)
            flagged = caught + per_key[:, list(flagged_keys)].sum(axis=1)
            out[:, model, 0] = np.where(risky > 0, 1 - caught / risky, np.nan)
            out[:, model, 1] = np.where(flagged > 0, caught / flagged, np.nan)
    return out, per_key


@dataclass(frozen=True)
class CellDraws:
    """The cells a bootstrap resampled and their drawn weights, shape (resamples, cells), and
    the weights FNR and precision were drawn with, shape (resamples, 8) (:func:`decision_draws`)."""

    cells: PairedCells
    weights: np.ndarray
    decisions: np.ndarray

    @property
    def first_row(self) -> np.ndarray:
        """Position of one row of each cell, shape (cells,)."""
        return self.cells.first_row


#: Weights (resamples x cells) drawn at once: bounds the memory of a block.
_BLOCK_CELLS = 1_000_000


class _SlotSums:
    """One model's view of the cells: their weights summed per (score slot, label).

    ROC-AUC and average precision read only the risky and the safe weight at each
    distinct slot (the cumulative counts at each slot's end), so the cells of one
    (slot, label) are summed first: one ``bincount`` per resample over the cells,
    then the AUCs over at most two entries per slot instead of every cell. Weights
    are whole numbers (Poisson draws times whole counts), so the sums are exact in
    float64 and the AUCs are bit for bit those of the cells themselves.

    Parameters
    ----------
    y : ndarray of bool, shape (k,)
        The cells' labels.
    slot : ndarray of float, shape (k,)
        The cells' slot codes for this model (:func:`_slot_codes`).
    """

    def __init__(self, y: np.ndarray, slot: np.ndarray) -> None:
        key = slot.astype(np.int64) * 2 + y
        entries, inverse = np.unique(key, return_inverse=True)
        self._entry = inverse.ravel()
        self.ranked = RankedScores((entries % 2).astype(bool), (entries // 2).astype(float))

    def sums(self, w: np.ndarray) -> np.ndarray:
        """``w`` (shape (b, k), one row of cell weights per resample) summed per entry: (b, entries)."""
        n = len(self.ranked.y)
        return np.stack([np.bincount(self._entry, weights=row, minlength=n) for row in w])


def _weighted_aucs(r: RankedScores, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """ROC-AUC and average precision under each row of weights ``w`` (shape (b, n)).

    The formulas of :meth:`RankedScores.roc_auc` and :meth:`RankedScores.pr_auc`,
    one resample per row; NaN where a resample has no weighted positive (or negative).
    """
    wo = w[:, r.order]
    tp = np.cumsum(wo * r.y, axis=1)[:, r.ends]
    fp = np.cumsum(wo * ~r.y, axis=1)[:, r.ends]
    p, neg = tp[:, -1:], fp[:, -1:]
    d_tp = np.diff(tp, axis=1, prepend=0.0)
    d_fp = np.diff(fp, axis=1, prepend=0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        roc = np.sum(d_fp * (tp - d_tp + d_tp / 2), axis=1) / (p * neg)[:, 0]
        terms = d_tp / p * tp / np.maximum(tp + fp, 1e-300)
        # row by row: the same pairwise summation as the one-resample formula, bit for bit
        ap = np.array([np.sum(row) for row in terms])
    roc[(p[:, 0] <= 0) | (neg[:, 0] <= 0)] = np.nan
    ap[p[:, 0] <= 0] = np.nan
    return roc, ap


def paired_cell_leads(
    y: np.ndarray,
    candidate: np.ndarray,
    other: np.ndarray,
    *,
    metric: RankMetric,
    resamples: int,
    seed: int,
    counts: np.ndarray | None = None,
) -> tuple[np.ndarray, int]:
    """Bootstrap draws of ``metric(candidate) − metric(other)`` on the same rows, resampled on cells.

    Parameters
    ----------
    y : ndarray of bool, shape (n,)
        True where the row is risky.
    candidate, other : ndarray of float, shape (n,)
        The two models' scores on the same rows (finite).
    metric : {"pr_auc", "roc_auc"}
        The ranking metric whose lead is resampled.
    resamples : int
        Poisson bootstrap resamples (:func:`paired_cell_bootstrap`).
    seed : int
        Seed of the draws.
    counts : ndarray of int, shape (n,), optional
        Rows each entry stands for (grouped rows, :func:`paired_cells`): the same cells
        and draws as the rows themselves.

    Returns
    -------
    (leads, cells) : tuple of ndarray of shape (r,) and int
        The finite leads (r ≤ ``resamples``: a resample without a weighted risky or
        safe row has no AUC), and the number of cells resampled.

    Raises
    ------
    ValueError
        For an unknown ``metric``.

    Examples
    --------
    >>> y = np.array([1, 0, 1, 0, 1, 0] * 5, dtype=bool)
    >>> leads, cells = paired_cell_leads(y, y + 0.0, np.zeros(30), metric="roc_auc", resamples=20, seed=0)
    >>> bool(np.all(leads == 0.5)), cells
    (True, 2)
    """
    check_option("metric", metric, RankMetric)
    y = np.asarray(y, dtype=bool)
    a, b = np.asarray(candidate, dtype=float), np.asarray(other, dtype=float)
    none = np.zeros(len(y), dtype=bool)
    draws, drawn = paired_cell_bootstrap(y, a, b, none, none, resamples=resamples, seed=seed, counts=counts)
    leads = draws[metric][:, 0] - draws[metric][:, 1]
    return leads[np.isfinite(leads)], len(drawn.cells)
