"""How many rows would settle an inconclusive result.

An inconclusive check's interval holds its limit. Assuming the estimate stays
where it is, these functions give the sample size at which the interval would
clear the limit (on whichever side the estimate lies): the figure an inconclusive
result reports ("test has 130 risky rows; showing recall ≥ 0.75 when it is 0.80
needs ≈ 290").
"""

from __future__ import annotations

import math

from sentinel_checks.stats.intervals import wilson_interval

#: Beyond this many rows the answer is reported as "more than" this: the estimate is
#: (nearly) on the limit, and no realistic sample separates them.
MAX_ROWS = 100_000_000


def rows_to_show_proportion(proportion: float, limit: float, *, confidence: float = 0.95) -> int:
    """Fewest trials at which the Wilson interval of ``proportion`` excludes ``limit``.

    Parameters
    ----------
    proportion : float
        The observed proportion (e.g. a recall), in [0, 1]; assumed to stay as it is.
    limit : float
        The floor or ceiling it is judged against, in [0, 1].
    confidence : float, default 0.95
        Coverage of the two-sided Wilson interval the check uses.

    Returns
    -------
    int
        The number of trials (e.g. risky rows), at least 1; :data:`MAX_ROWS` when the
        proportion equals the limit or no sample up to that size separates them.

    References
    ----------
    Wilson, E. B. (1927). JASA 22(158), 209–212 (the interval being inverted).

    Examples
    --------
    >>> rows_to_show_proportion(0.80, 0.75)
    289
    >>> rows_to_show_proportion(0.70, 0.75)
    289
    >>> rows_to_show_proportion(0.75, 0.75) == MAX_ROWS
    True
    """
    if not (math.isfinite(proportion) and math.isfinite(limit)) or proportion == limit:
        return MAX_ROWS

    def separated(n: int) -> bool:
        low, high = wilson_interval(proportion * n, n, confidence=confidence)  # type: ignore[call-overload]
        return bool(low >= limit) if proportion > limit else bool(high < limit)

    high_n = 1
    while not separated(high_n):
        high_n *= 2
        if high_n > MAX_ROWS:
            return MAX_ROWS
    low_n = high_n // 2
    while high_n - low_n > 1:  # smallest separating n: the bound moves monotonically with n
        mid = (low_n + high_n) // 2
        if separated(mid):
            high_n = mid
        else:
            low_n = mid
    return high_n


def rows_to_show_difference(
    n: int, estimate: float, half_width: float, limit: float, *, fixed: float = 0.0
) -> int:
    """Rows at which an interval of half-width ``half_width`` on ``n`` rows would clear ``limit``.

    For intervals that shrink as ``1 / sqrt(n)`` (normal-approximation and bootstrap
    intervals of a mean, a difference of proportions, an AUC): the half-width at
    ``m`` rows is ``half_width * sqrt(n / m)``, so the interval clears the limit when
    ``m > n * (half_width / |estimate - limit|) ** 2``. A part ``fixed`` of the
    half-width that more rows do not shrink (the widening for scores grouped on a
    grid, :mod:`~sentinel_checks.stats.tie_bounds`) is taken off both: ``m > n *
    ((half_width - fixed) / (|estimate - limit| - fixed)) ** 2``, and :data:`MAX_ROWS`
    when ``fixed`` alone reaches the limit.

    Parameters
    ----------
    n : int
        Rows the interval was computed on (the same unit the answer is in, e.g. risky rows).
    estimate : float
        The point estimate, assumed to stay as it is.
    half_width : float
        Half the interval's width (for an asymmetric interval, the half facing the limit).
    limit : float
        The limit the interval holds.

    Returns
    -------
    int
        Rows needed, at least ``n + 1``; :data:`MAX_ROWS` when the estimate is on the limit.

    Examples
    --------
    >>> rows_to_show_difference(126, 0.0, 0.08, 0.03)
    897
    >>> rows_to_show_difference(126, 0.0, 0.08, 0.03, fixed=0.01)  # 0.01 of it from a grid
    1544
    >>> rows_to_show_difference(126, 0.0, 0.08, 0.03, fixed=0.03)  # rows cannot settle it
    100000000
    """
    distance = abs(estimate - limit) - fixed
    half_width = half_width - fixed
    if not (math.isfinite(distance) and math.isfinite(half_width)) or distance <= 0 or n <= 0:
        return MAX_ROWS
    needed = math.ceil(n * (half_width / distance) ** 2)
    return int(min(MAX_ROWS, max(n + 1, needed)))
