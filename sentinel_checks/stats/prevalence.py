"""Comparing the prevalence of two independent samples: odds ratio and difference.

The log odds ratio is symmetric (a halving and a doubling of the odds are equally
far from 1 on the log scale) and defined at any prevalence; the difference of the
two proportions is what moves a precision or a flagged count. Both come with a
two-sided interval at a stated confidence.
"""

from __future__ import annotations

import math

from scipy.stats import norm


def log_odds_ratio_interval(
    reference_positives: int,
    reference_n: int,
    current_positives: int,
    current_n: int,
    *,
    confidence: float = 0.95,
) -> tuple[float, float, float, float]:
    """Log odds ratio of ``current`` vs ``reference`` with Woolf's (Wald) interval.

    ``log OR = log(c / d) - log(a / b)`` where ``a, b`` are the reference's risky and
    safe rows and ``c, d`` the current's; ``SE = sqrt(1/a + 1/b + 1/c + 1/d)``. When a
    cell is zero, 0.5 is added to every cell (Haldane–Anscombe correction), so the
    estimate and interval stay finite.

    Parameters
    ----------
    reference_positives, reference_n : int
        Risky rows and rows of the reference sample.
    current_positives, current_n : int
        Risky rows and rows of the current sample.
    confidence : float, default 0.95
        Coverage of the two-sided interval.

    Returns
    -------
    (log_or, low, high, se) : tuple of float
        Natural-log odds ratio, its interval and standard error; NaN when a sample is empty.

    References
    ----------
    Woolf, B. (1955). On estimating the relation between blood group and disease.
    Annals of Human Genetics 19(3), 251–253. Agresti, A. (2013). Categorical Data
    Analysis, 3rd ed., §3.1.1 (Wald interval of the log odds ratio, 0.5 correction).

    Examples
    --------
    >>> [round(v, 3) for v in log_odds_ratio_interval(100, 1000, 200, 1000)]
    [0.811, 0.553, 1.069, 0.132]
    """
    if reference_n <= 0 or current_n <= 0:
        return math.nan, math.nan, math.nan, math.nan
    cells = [
        float(reference_positives),
        float(reference_n - reference_positives),
        float(current_positives),
        float(current_n - current_positives),
    ]
    if min(cells) == 0:
        cells = [c + 0.5 for c in cells]
    a, b, c, d = cells
    log_or = math.log(c / d) - math.log(a / b)
    se = math.sqrt(1 / a + 1 / b + 1 / c + 1 / d)
    z = float(norm.ppf(0.5 + confidence / 2))
    return log_or, log_or - z * se, log_or + z * se, se
