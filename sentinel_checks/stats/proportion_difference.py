"""The interval of a difference between two independent proportions (Newcombe's hybrid score)."""

from __future__ import annotations

import math


def newcombe_interval(
    successes_a: int, n_a: int, successes_b: int, n_b: int, *, confidence: float = 0.95
) -> tuple[float, float, float]:
    """Difference ``p_a − p_b`` of two independent proportions with its hybrid score interval.

    Newcombe's method 10: from the Wilson intervals ``[l_a, u_a]`` and ``[l_b, u_b]``
    of each proportion at ``confidence``, the difference ``d = p_a − p_b`` has bounds
    ``d − sqrt((p_a − l_a)² + (u_b − p_b)²)`` and ``d + sqrt((u_a − p_a)² + (p_b − l_b)²)``.
    Good coverage at small counts and near 0 or 1, where the Wald interval fails.
    Computed by statsmodels (``confint_proportions_2indep(method="newcomb")``).

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
    from statsmodels.stats.proportion import confint_proportions_2indep

    low, high = confint_proportions_2indep(
        successes_a, n_a, successes_b, n_b, method="newcomb", compare="diff", alpha=1 - confidence
    )
    d = successes_a / n_a - successes_b / n_b
    return d, max(-1.0, float(low)), min(1.0, float(high))
