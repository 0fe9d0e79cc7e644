"""Drift statistics: the population stability index of two samples."""

from __future__ import annotations

import math

import numpy as np


def population_stability_index(reference: np.ndarray, current: np.ndarray, *, bins: int = 10) -> float:
    """Population stability index over quantile bins of the reference.

    ``Σ (c_i - r_i) · ln(c_i / r_i)`` over the bins, where ``r_i`` and ``c_i`` are the
    shares of reference and current rows in bin i; bin edges are quantiles of the
    reference, and empty bins are floored at a share of 1e-4. Common reading: below
    0.1 stable, 0.1–0.25 moderate shift, above 0.25 a major shift.

    Parameters
    ----------
    reference : array_like of float, shape (n,)
        The reference values (e.g. validation scores, probability units).
    current : array_like of float, shape (m,)
        The values compared with it.
    bins : int, default 10
        Quantile bins of the reference requested (fewer when quantiles coincide).

    Returns
    -------
    float
        PSI, >= 0 (dimensionless); 0.0 when the reference is constant and the
        current equals it, ``inf`` when the reference is constant and it does not.

    References
    ----------
    Siddiqi, N. (2006). Credit Risk Scorecards: Developing and Implementing
    Intelligent Credit Scoring. Wiley (the population stability index).

    Examples
    --------
    >>> x = np.linspace(0, 1, 1000)
    >>> round(population_stability_index(x, x), 6)
    0.0
    """
    reference = np.asarray(reference, dtype=float)
    current = np.asarray(current, dtype=float)
    edges = np.unique(np.quantile(reference, np.linspace(0, 1, bins + 1)))
    if len(edges) < 2:
        return 0.0 if np.all(current == reference[0]) else math.inf
    inner = edges[1:-1]
    a = np.bincount(np.searchsorted(inner, reference, side="right"), minlength=len(edges) - 1)
    b = np.bincount(np.searchsorted(inner, current, side="right"), minlength=len(edges) - 1)
    return psi_from_counts(a, len(reference), b, len(current))


def psi_from_counts(reference: np.ndarray, n_reference: int, current: np.ndarray, n_current: int) -> float:
    """The population stability index from the rows per bin of each side.

    Parameters
    ----------
    reference, current : ndarray of int, shape (k,)
        Rows of each side in each of the k bins (the bins of
        :func:`population_stability_index`: quantiles of the reference).
    n_reference, n_current : int
        Rows of each side (> 0).

    Returns
    -------
    float
        ``Σ (c_i - r_i) · ln(c_i / r_i)`` over the shares, empty bins floored at 1e-4;
        the same float :func:`population_stability_index` returns for the same counts.

    Examples
    --------
    >>> round(psi_from_counts(np.array([50, 50]), 100, np.array([10, 90]), 100), 4)
    0.8789
    """
    a = np.asarray(reference) / n_reference
    b = np.asarray(current) / n_current
    a, b = np.maximum(a, 1e-4), np.maximum(b, 1e-4)
    return float(np.sum((b - a) * np.log(b / a)))
