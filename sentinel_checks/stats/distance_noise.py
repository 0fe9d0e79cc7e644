"""How large a drift distance gets by sampling noise alone, at the actual sample sizes.

A distance between two samples is never 0 when both come from one population: on 300
rows, the Jensen–Shannon distance of a 150-level categorical is ≈ 0.25 and the normed
Wasserstein distance of a skewed number ≈ 0.1, over Evidently's drift threshold of 0.1.
This module draws the distance's null distribution by permutation: pool the two
samples, split the pool at random into samples of the original sizes (seeded,
``draws`` times), and compute the same statistic Evidently computes (the same bins, the
same norm). The tail at a small ``alpha`` is read from a gamma distribution matched to
the draws' mean and variance (Satterthwaite's moment matching; the Jensen–Shannon
divergence is asymptotically a scaled chi-square, Lin 1991), so a few hundred draws
resolve an ``alpha`` of 1e-4.

References
----------
Lin, J. (1991). Divergence measures based on the Shannon entropy. IEEE Trans.
Information Theory 37(1), 145–151.
Satterthwaite, F. E. (1946). An approximate distribution of estimates of variance
components. Biometrics Bulletin 2(6), 110–114.
Evidently 0.7, ``legacy/calculations/stattests`` (``jensenshannon``: bins of
``get_binned_data``; ``wasserstein``: ``wasserstein_distance / max(std(reference), 0.001)``).
"""

from __future__ import annotations

import math
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats

#: The statistics whose null this module draws (Evidently stattest names).
NOISE_STATISTICS = ("jensenshannon", "wasserstein")
_CHUNK = 25  # draws computed together (memory: _CHUNK times the rows)


def distance_null(
    reference: pd.Series,
    current: pd.Series,
    *,
    statistic: Literal["jensenshannon", "wasserstein"],
    categorical: bool,
    draws: int = 200,
    seed: int = 0,
) -> np.ndarray:
    """The distance between two same-population samples of these sizes, ``draws`` times.

    Parameters
    ----------
    reference, current : pandas.Series, shape (n,) and (m,)
        The column in the two samples; nulls are dropped. Numbers for
        ``"wasserstein"``; any values for ``"jensenshannon"``.
    statistic : {"jensenshannon", "wasserstein"}
        Evidently's Jensen–Shannon distance (natural log) or normed Wasserstein distance.
    categorical : bool
        Whether the column is categorical (Jensen–Shannon compares its levels; a number
        with over 20 reference values is binned by Sturges' rule on the pooled values, as
        Evidently does).
    draws : int, default 200
        Random splits of the pooled sample.
    seed : int, default 0
        Seed of the splits.

    Returns
    -------
    ndarray of float, shape (draws,)
        The statistic on each split; empty when a side has no value.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> a = pd.Series(rng.choice(list("abcdefghij"), 2000))
    >>> null = distance_null(a[:1700], a[1700:], statistic="jensenshannon", categorical=True)
    >>> 0.04 < float(np.median(null)) < 0.08  # sqrt(9 / 8 · (1/1700 + 1/300)) ≈ 0.066
    True
    """
    a, b = reference.dropna().to_numpy(), current.dropna().to_numpy()
    if len(a) == 0 or len(b) == 0:
        return np.empty(0)
    pooled = np.concatenate([a, b])
    # what does not depend on the draw, computed once: the bins, or the sorted values
    codes = _bins(a, pooled, categorical) if statistic == "jensenshannon" else None
    values = pooled.astype(float) if codes is None else pooled
    order = np.argsort(values, kind="stable") if codes is None else None
    out = []
    for is_current in _SPLITS.chunks(len(pooled), len(b), seed=seed, draws=draws):
        if codes is not None:
            out.append(_jensenshannon(codes, is_current, len(a), len(b)))
        else:
            assert order is not None
            out.append(_wasserstein(values[order], is_current[:, order], len(a), len(b)))
    return np.concatenate(out)


class _Splits:
    """The random splits of a pooled sample, kept for the next column of the same sizes.

    A split depends only on the pooled size, the current side's size and the seed
    (and its place in the seeded stream: row ``r`` of the draws always takes the
    stream's ``r``-th block of ``n_pooled`` keys, however the rows are chunked), not on
    the values. Every column of a drift pair without nulls has the same sizes, so
    its splits are drawn once and reused: the same draws, bit for bit, as drawing
    them again. The last :data:`_KEPT` size pairs are kept, each only when it holds at
    most :data:`_KEPT_BYTES` (200 draws of 100k pooled rows: 20 MB). The arrays
    returned are shared: callers only read them.
    """

    def __init__(self) -> None:
        self._kept: dict[tuple[int, int, int], tuple[np.random.Generator, list[np.ndarray]]] = {}

    def chunks(self, n_pooled: int, n_current: int, *, seed: int, draws: int) -> list[np.ndarray]:
        """The first ``draws`` splits, in chunks of at most :data:`_CHUNK` rows: bool arrays
        of shape (rows, ``n_pooled``), True on the ``n_current`` positions of the current sample."""
        key = (n_pooled, n_current, seed)
        kept = self._kept.pop(key, None)
        rng, made = kept if kept is not None else (np.random.default_rng(seed), [])
        have = sum(len(c) for c in made)
        while have < draws:
            count = min(_CHUNK, draws - have)
            # each row: which pooled values form the "current" sample of this draw — the
            # n_current smallest random keys; only the set matters, so a partial selection
            # (O(N)) stands in for a full sort (O(N log N)) and gives the same set
            keys = rng.random((count, n_pooled))
            picked = keys.argpartition(n_current - 1, axis=1)[:, :n_current]
            is_current = np.zeros((count, n_pooled), dtype=bool)
            np.put_along_axis(is_current, picked, True, axis=1)
            made.append(is_current)
            have += count
        if draws * n_pooled <= _KEPT_BYTES:  # a larger [drift] max_rows: drawn again, not kept
            self._kept[key] = (rng, made)
        while len(self._kept) > _KEPT:
            self._kept.pop(next(iter(self._kept)))
        out, left = [], draws
        for chunk in made:
            if left <= 0:
                break
            out.append(chunk[:left])
            left -= len(chunk)
        return out


#: Size pairs whose splits are kept (a drift pair's columns, with and without nulls).
_KEPT = 3
#: Most bytes one size pair's splits may hold to be kept (one bool per pooled row and
#: draw: 200 draws of the default 50k + 50k rows take 20 MB).
_KEPT_BYTES = 32 * 2**20
_SPLITS = _Splits()


def noise_level(null: np.ndarray, *, alpha: float, statistic: str) -> float:
    """The distance same-population samples exceed with probability ``alpha``.

    Parameters
    ----------
    null : ndarray of float
        Draws from :func:`distance_null`.
    alpha : float
        One-sided error, in (0, 1).
    statistic : str
        ``"jensenshannon"`` (the gamma is matched to the squared distance, the
        divergence) or ``"wasserstein"`` (to the distance).

    Returns
    -------
    float
        The upper ``alpha`` quantile of the moment-matched gamma, never below the largest
        draw; NaN without draws.

    Examples
    --------
    >>> null = np.sqrt(np.random.default_rng(1).chisquare(9, 400) / 8 * (2 / 300))
    >>> round(noise_level(null, alpha=0.001, statistic="jensenshannon"), 2)  # chi2(9) 99.9% = 27.9
    0.15
    """
    if len(null) == 0:
        return math.nan
    values = null**2 if statistic == "jensenshannon" else null
    mean, var = float(np.mean(values)), float(np.var(values))
    if mean <= 0 or var <= 0:
        level = float(np.max(values))
    else:
        level = max(float(stats.gamma.ppf(1 - alpha, mean**2 / var, scale=var / mean)), float(np.max(values)))
    return math.sqrt(level) if statistic == "jensenshannon" else level


def _bins(reference: np.ndarray, pooled: np.ndarray, categorical: bool) -> np.ndarray:
    """Bin codes of the pooled values, as Evidently's ``get_binned_data`` bins them."""
    if not categorical and len(np.unique(reference)) > 20:
        edges = np.histogram_bin_edges(pooled.astype(float), bins="sturges")
        return np.clip(np.searchsorted(edges, pooled.astype(float), side="right") - 1, 0, len(edges) - 2)
    codes, _ = pd.factorize(pd.Series(pooled))
    return np.asarray(codes)


def _jensenshannon(codes: np.ndarray, is_current: np.ndarray, n_ref: int, n_cur: int) -> np.ndarray:
    k = int(codes.max()) + 1
    rows = is_current.shape[0]
    total = np.bincount(codes, minlength=k)
    flat = (codes[None, :] + k * np.arange(rows)[:, None])[is_current]
    cur = np.bincount(flat, minlength=rows * k).reshape(rows, k)
    p, q = (total[None, :] - cur) / n_ref, cur / n_cur
    m = (p + q) / 2
    with np.errstate(divide="ignore", invalid="ignore"):
        kl_p = np.where(p > 0, p * np.log(p / m), 0.0).sum(axis=1)
        kl_q = np.where(q > 0, q * np.log(q / m), 0.0).sum(axis=1)
    return np.sqrt(np.maximum((kl_p + kl_q) / 2, 0.0))


def _wasserstein(x: np.ndarray, cur: np.ndarray, n_ref: int, n_cur: int) -> np.ndarray:
    """Normed Wasserstein distance per draw; ``x`` sorted, ``cur`` (draws, N) flags in its order."""
    gaps = np.diff(x)
    # the reference's count up to row k is k minus the current's: one cumulative sum
    taken: np.ndarray = np.cumsum(cur[:, :-1], axis=1, dtype=np.int32 if len(x) < 2**31 else np.int64)
    # a tie (gap 0) adds exactly 0 to the integral: only the rows before a step of x
    # enter it (on the demo's columns 13-99% of the pooled values are ties)
    steps = np.flatnonzero(gaps)
    taken = taken[:, steps]
    cdf_cur = taken / n_cur
    cdf_ref = ((steps + 1)[None, :] - taken) / n_ref
    distance = (np.abs(cdf_ref - cdf_cur) * gaps[steps][None, :]).sum(axis=1)
    # the reference's moments as the total minus the current's (one matrix product
    # each), about the pooled mean (the variance does not move; rounding shrinks)
    cur_f, centred = cur.astype(float), x - x.mean()
    mean = (centred.sum() - cur_f @ centred) / n_ref
    var = np.maximum((float((centred**2).sum()) - cur_f @ centred**2) / n_ref - mean**2, 0.0)
    return distance / np.maximum(np.sqrt(var), 0.001)
