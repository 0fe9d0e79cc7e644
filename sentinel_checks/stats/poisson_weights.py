"""Poisson bootstrap weights, drawn by exact inversion from a 16-bit table.

A Poisson bootstrap gives each row an independent Poisson(1) weight, and a cell of
``c`` rows a Poisson(c) weight (their sum). Every resample of the gate's paired and
calibration bootstraps draws one weight per cell, so on a split of a million rows the
draws are most of the bootstrap's cost: numpy's ``Generator.poisson`` takes 37–44 ns a
draw in blocks of a million (2-core machine, 2026-12-02), this table 10 ns.

How a Poisson(1) draw is made: inversion, ``X = min{k : U < F(k)}`` with ``F`` the
Poisson(1) CDF and ``U`` uniform on [0, 1). ``U`` is split into its first 16 bits
``V`` (a uniform integer) and the rest; for every ``V`` whose interval
``[V / 2¹⁶, (V + 1) / 2¹⁶)`` lies inside one step of ``F``, ``X`` is fixed by ``V``
alone and read off a 65,536-entry table. The few ``V`` whose interval holds a step
of ``F`` (8 of 65,536, the last one holding the whole tail ``k ≥ 7``) draw the
remaining bits as a float64 and invert ``F`` there. So the draws follow Poisson(1)
to float64's resolution of ``F``, as numpy's own sampler does. A cell of ``c > 1``
rows adds one Poisson(c − 1) draw from numpy (independent Poisson draws sum to a
Poisson draw): the columns in two halves, each from its own stream spawned from the
caller's (``Generator.spawn``), drawn in two threads when the block is large (numpy
releases the GIL while it draws; a 10M-row gate spent ~9 s in one core on them). The
halves are fixed, so the draws are the same whether threads ran or not, on any machine.

Reference: Devroye, L. (1986). Non-Uniform Random Variate Generation, Springer,
§III.2 (inversion by sequential search and by guide tables).
"""

from __future__ import annotations

import math

import numpy as np

_BITS = 16
_SIZE = 1 << _BITS


def _poisson1_cdf() -> np.ndarray:
    """``F(k) = e⁻¹ Σ_{j ≤ k} 1/j!`` for k = 0, 1, … until a term no longer changes it."""
    cdf: list[float] = []
    total, term, k = 0.0, math.exp(-1.0), 0
    while total + term != total or not cdf:
        total += term
        cdf.append(min(total, 1.0))
        k += 1
        term /= k
    return np.array(cdf)


_CDF = _poisson1_cdf()
_LOW = np.arange(_SIZE) / _SIZE
#: The draw for every ``U`` in ``[V / 2¹⁶, (V + 1) / 2¹⁶)`` when it is the same for all.
_TABLE = np.searchsorted(_CDF, _LOW, side="right").astype(np.uint8)
#: The ``V`` whose interval holds a step of F: the rest of ``U`` decides.
_HIGH = np.searchsorted(_CDF, np.nextafter(_LOW + 1 / _SIZE, 0.0), side="right")
_SPLIT = _HIGH != _TABLE


def poisson_weights(
    rng: np.random.Generator, counts: np.ndarray | None, resamples: int, n: int
) -> np.ndarray:
    """Poisson bootstrap weights: one Poisson(``counts[j]``) draw per resample and column.

    Parameters
    ----------
    rng : numpy.random.Generator
        The seeded stream the draws come from (the same seed, the same weights).
    counts : ndarray of int, shape (n,), or None
        Rows each column stands for (whole numbers ≥ 1); None for one row each.
    resamples : int
        Rows of the result.
    n : int
        Columns of the result.

    Returns
    -------
    ndarray of float64, shape (resamples, n)
        Whole-number weights.

    Raises
    ------
    ValueError
        ``counts`` is not ``n`` whole numbers of at least 1.

    Examples
    --------
    >>> w = poisson_weights(np.random.default_rng(0), None, 4000, 250)
    >>> round(float(w.mean()), 2), round(float(w.var()), 2)
    (1.0, 1.0)
    >>> w = poisson_weights(np.random.default_rng(0), np.array([1, 5]), 20000, 2)
    >>> [round(float(v), 1) for v in w.mean(axis=0)]
    [1.0, 5.0]
    """
    if counts is not None:
        counts = np.asarray(counts)
        if counts.shape != (n,) or not np.all((counts >= 1) & (counts == np.floor(counts))):
            raise ValueError(f"counts must be {n} whole numbers of at least 1 (rows per column)")
    v = rng.integers(0, _SIZE, (resamples, n), dtype=np.uint16)
    drawn = _TABLE[v]
    split = np.flatnonzero(_SPLIT[v])
    if len(split):
        u = (v.ravel()[split] + rng.random(len(split))) / _SIZE
        # (65535 + f) / 2^16 can round up to 1.0: keep it below, in the last step
        drawn.ravel()[split] = np.searchsorted(_CDF, np.minimum(u, np.nextafter(1.0, 0.0)), side="right")
    weights = drawn.astype(np.float64)
    if counts is not None:
        more = np.flatnonzero(counts > 1)
        if len(more):
            weights[:, more] += _poisson_halves(rng, counts[more] - 1, resamples)
    return weights


#: Fewer draws than this in a block: its two halves are drawn one after the other (a
#: block of 1M cells, 200k of them Poisson(c - 1): 76 → 47 ms in two threads).
THREADED_DRAWS = 100_000


def _poisson_halves(rng: np.random.Generator, lam: np.ndarray, resamples: int) -> np.ndarray:
    """``(resamples, len(lam))`` Poisson(``lam[j]``) draws: the first ``len(lam) // 2``
    columns from the first of two streams spawned from ``rng``, the rest from the
    second; in two threads from :data:`THREADED_DRAWS` draws (the same values)."""
    from concurrent.futures import ThreadPoolExecutor

    cut = len(lam) // 2
    halves = list(zip(rng.spawn(2), (lam[:cut], lam[cut:]), strict=True))

    def draw(half: tuple[np.random.Generator, np.ndarray]) -> np.ndarray:
        stream, part = half
        return stream.poisson(part, (resamples, len(part)))

    if resamples * len(lam) < THREADED_DRAWS:
        return np.concatenate([draw(h) for h in halves], axis=1)
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="sentinel-poisson") as pool:
        return np.concatenate(list(pool.map(draw, halves)), axis=1)
