"""The interval of a difference between two independent proportions (Newcombe's hybrid score)."""

from __future__ import annotations

import math

from sentinel_checks.stats.intervals import wilson_interval


def newcombe_interval(
    successes_a: int, n_a: int, successes_b: int, n_b: int, *, confidence: float = 0.95
) -> tuple[float, float, float]:
    """Difference ``p_a − p_b`` of two independent proportions with its hybrid score interval.

    Newcombe's method 10: from the Wilson intervals ``[l_a, u_a]`` and ``[l_b, u_b]``
    of each proportion at ``confidence``, the difference ``d = p_a − p_b`` has bounds
    ``d − sqrt((p_a − l_a)² + (u_b − p_b)²)`` and ``d + sqrt((u_a − p_a)² + (p_b − l_b)²)``.
    Good coverage at small counts and near 0 or 1, where the Wald interval fails.

    Parameters
    ----------
    successes_a, n_a : int
        Successes and trials of the first proportion (e.g. validation true positives
        and risky rows).
    successes_b, n_b : int
        The same for the second (e.g. test).
    confidence : float, default 0.95
        Coverage of the two-sided interval.

    Returns
    -------
    (difference, low, high) : tuple of float
        In [-1, 1]; NaN throughout when either ``n`` is 0.

    References
    ----------
    Newcombe, R. G. (1998). Interval estimation for the difference between
    independent proportions: comparison of eleven methods. Statistics in Medicine
    17(8), 873–890 (method 10).

    Examples
    --------
    >>> [round(v, 4) for v in newcombe_interval(56, 70, 48, 80)]  # Newcombe's example (b)
    [0.2, 0.0524, 0.3339]
    """
    if n_a <= 0 or n_b <= 0:
        return math.nan, math.nan, math.nan
    p_a, p_b = successes_a / n_a, successes_b / n_b
    l_a, u_a = wilson_interval(successes_a, n_a, confidence=confidence)
    l_b, u_b = wilson_interval(successes_b, n_b, confidence=confidence)
    d = p_a - p_b
    low = d - math.sqrt((p_a - l_a) ** 2 + (u_b - p_b) ** 2)
    high = d + math.sqrt((u_a - p_a) ** 2 + (p_b - l_b) ** 2)
    return d, max(-1.0, low), min(1.0, high)
