"""Confidence intervals: the Wilson score interval and the Poisson bootstrap.

One implementation of each, used by every check, the threshold choice, the
champion comparison and monitoring; :func:`bounded_proportion` is the value a
proportion floor is judged on (the Wilson lower bound or the point estimate).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Literal, overload

import numpy as np
from scipy.stats import norm

from sentinel_checks.options import ProportionBound, check_option
from sentinel_checks.stats.poisson_weights import poisson_weights


@overload
def wilson_interval(successes: int, n: int, *, confidence: float = 0.95) -> tuple[float, float]: ...


@overload
def wilson_interval(
    successes: np.ndarray, n: int | np.ndarray, *, confidence: float = 0.95
) -> tuple[np.ndarray, np.ndarray]: ...


def wilson_interval(
    successes: int | np.ndarray, n: int | np.ndarray, *, confidence: float = 0.95
) -> tuple[float, float] | tuple[np.ndarray, np.ndarray]:
    """Wilson score interval of the proportion ``successes / n`` (scalar or vectorised).

    Parameters
    ----------
    successes : int or ndarray of int, shape (m,)
        Success counts (e.g. true positives), in rows.
    n : int or ndarray of int, shape (m,)
        Trials (e.g. risky rows), in rows; 0 or less gives NaN bounds.
    confidence : float, default 0.95
        Coverage of the **two-sided** interval. Its lower end alone is a one-sided
        bound at ``1 - (1 - confidence) / 2``: the gate's "95% lower bound" of a
        recall is a one-sided 97.5% lower bound.

    Returns
    -------
    (low, high) : tuple of float, or of ndarray of float with shape (m,)
        Bounds clipped to [0, 1]; floats when both inputs are scalars.

    References
    ----------
    Wilson, E. B. (1927). Probable inference, the law of succession, and
    statistical inference. JASA 22(158), 209–212.

    Examples
    --------
    >>> lo, hi = wilson_interval(36, 40)
    >>> round(lo, 3), round(hi, 3)
    (0.769, 0.96)
    >>> wilson_interval(np.array([36, 40]), 40)[0].round(3).tolist()
    [0.769, 0.912]
    """
    k = np.asarray(successes, dtype=float)
    m = np.asarray(n)
    z = float(norm.ppf(0.5 + confidence / 2))
    with np.errstate(invalid="ignore", divide="ignore"):
        p = k / m
        denom = 1 + z * z / m
        centre = (p + z * z / (2 * m)) / denom
        half = z * np.sqrt(p * (1 - p) / m + z * z / (4 * m * m)) / denom
        low = np.where(m > 0, np.maximum(0.0, centre - half), np.nan)
        high = np.where(m > 0, np.minimum(1.0, centre + half), np.nan)
    if k.ndim == 0 and m.ndim == 0:
        return float(low), float(high)
    return low, high


def bounded_proportion(
    successes: int, n: int, *, bound: ProportionBound, confidence: float
) -> tuple[float, float, float]:
    """The value a floor on ``successes / n`` is judged on, with the Wilson interval.

    Parameters
    ----------
    successes : int
        Success counts (e.g. true positives), in rows.
    n : int
        Trials (e.g. risky rows), in rows; 0 gives NaN throughout.
    bound : {"wilson", "point"}
        ``"wilson"``: judge the lower end of the two-sided Wilson score interval at
        ``confidence`` (a one-sided ``(1 + confidence) / 2`` lower bound);
        ``"point"``: judge the proportion itself.
    confidence : float
        Coverage of the two-sided interval, in (0, 1).

    Returns
    -------
    (judged, low, high) : tuple of float
        The judged value and the interval's bounds, proportions in [0, 1] (NaN when
        ``n`` is 0).

    Raises
    ------
    ValueError
        When ``bound`` is not one of the allowed values.

    References
    ----------
    Wilson, E. B. (1927). JASA 22(158), 209–212 (see :func:`wilson_interval`).

    Examples
    --------
    >>> [round(v, 3) for v in bounded_proportion(36, 40, bound="wilson", confidence=0.95)]
    [0.769, 0.769, 0.96]
    >>> [round(v, 3) for v in bounded_proportion(36, 40, bound="point", confidence=0.95)]
    [0.9, 0.769, 0.96]
    """
    check_option("bound", bound, ProportionBound)
    point = successes / n if n else math.nan
    lo, hi = wilson_interval(successes, n, confidence=confidence)
    return (lo if bound == "wilson" else point), lo, hi


def poisson_bootstrap(
    statistic: Callable[[np.ndarray], Sequence[float] | np.ndarray | float],
    n: int,
    *,
    resamples: int,
    seed: int,
) -> np.ndarray:
    """Poisson (online) bootstrap: ``statistic`` under independent Poisson(1) row weights.

    Each resample weights every one of the ``n`` rows by an independent Poisson(1)
    count, which approximates drawing n rows with replacement (the multinomial
    counts of the classic bootstrap) without materialising the resampled rows.
    A statistic that scores several models under the same weights gives *paired*
    draws. The draws are reproducible: one ``numpy.random.default_rng(seed)``
    stream, one row of :func:`~sentinel_checks.stats.poisson_weights.poisson_weights` per resample.

    Parameters
    ----------
    statistic : callable
        Takes the weights (ndarray of float, shape (n,)) and returns one value or a
        fixed-length sequence of values (NaN allowed).
    n : int
        Rows to weight.
    resamples : int
        Bootstrap resamples (0 gives an empty result).
    seed : int
        Seed of the generator.

    Returns
    -------
    ndarray of float, shape (resamples, k)
        One row per resample, one column per value ``statistic`` returns; shape
        (0, 0) when ``resamples`` is 0.

    References
    ----------
    Hanley, J. A. and MacGibbon, B. (2006). Creating non-parametric bootstrap samples
    using Poisson frequencies. Computer Methods and Programs in Biomedicine 83(1).
    Oza, N. C. (2005). Online bagging and boosting. IEEE SMC.
    Chamandy, N., Muralidharan, O., Najmi, A. and Naidu, S. (2012). Estimating
    uncertainty for massive data streams. Google technical report.

    Examples
    --------
    >>> draws = poisson_bootstrap(lambda w: w.sum(), 100, resamples=3, seed=0)
    >>> again = poisson_bootstrap(lambda w: w.sum(), 100, resamples=3, seed=0)
    >>> draws.shape, bool(np.array_equal(draws, again))
    ((3, 1), True)
    """
    rng = np.random.default_rng(seed)
    rows = []
    for _ in range(resamples):
        w = poisson_weights(rng, None, 1, n)[0]
        rows.append(np.atleast_1d(np.asarray(statistic(w), dtype=float)))
    if not rows:
        return np.empty((0, 0))
    return np.vstack(rows)


def coverage_text(confidence: float) -> str:
    """An interval's coverage as messages show it, to two decimals at most.

    Parameters
    ----------
    confidence : float
        Two-sided coverage in (0, 1).

    Returns
    -------
    str
        E.g. ``"95%"``, ``"99.17%"``; never rounded up to ``"100%"``.

    Examples
    --------
    >>> coverage_text(0.95), coverage_text(0.991666), coverage_text(0.99966)
    ('95%', '99.17%', '99.97%')
    """
    shown = f"{100 * confidence:.2f}".rstrip("0").rstrip(".")
    if shown == "100":
        shown = "99.99"
    return shown + "%"


#: Fewest bootstrap draws beyond each end for a percentile end to be read off the
#: draws; with fewer, the interval is the normal one from the draws' spread.
MIN_TAIL_DRAWS = 10


def bootstrap_interval(
    point: float,
    draws: np.ndarray,
    *,
    confidence: float,
    kind: Literal["percentile", "basic"] = "percentile",
) -> tuple[float, float]:
    """A two-sided bootstrap interval of ``point`` from its draws.

    ``percentile``: the ``(1 − c)/2`` and ``(1 + c)/2`` quantiles of the draws;
    ``basic``: those reflected around ``point`` (``[2θ − q_hi, 2θ − q_lo]``, which
    corrects the bootstrap's estimate of a bias). When fewer than
    :data:`MIN_TAIL_DRAWS` draws would lie beyond each end — a high coverage (the
    false-block budget gives 99.5%+) on a few hundred draws — the quantiles are not
    estimable, and the normal interval ``point ± z · sd(draws)`` is returned
    instead (``basic`` then centres on ``2θ − mean(draws)``).

    Parameters
    ----------
    point : float
        The statistic on the sample.
    draws : ndarray of float, shape (resamples,)
        Its bootstrap draws; NaN draws are ignored.
    confidence : float
        Coverage of the two-sided interval, in (0, 1).
    kind : {"percentile", "basic"}
        Which interval.

    Returns
    -------
    (low, high) : tuple of float
        NaN when ``point`` is not finite or no draw is.

    References
    ----------
    Efron, B. and Tibshirani, R. J. (1993). An Introduction to the Bootstrap.
    Chapman & Hall, §13.3 (percentile) and §12.5 (the normal interval from the
    bootstrap standard error). Davison, A. C. and Hinkley, D. V. (1997). Bootstrap
    Methods and their Application, §5.2 (basic interval).

    Examples
    --------
    >>> draws = np.linspace(-1.0, 1.0, 2001)
    >>> [round(v, 2) for v in bootstrap_interval(0.0, draws, confidence=0.9)]
    [-0.9, 0.9]
    >>> lo, hi = bootstrap_interval(0.0, draws[::10], confidence=0.999)  # 201 draws: normal
    >>> round(hi, 2)
    1.91
    """
    check_option("kind", kind, Literal["percentile", "basic"])
    finite = np.asarray(draws, dtype=float)
    finite = finite[np.isfinite(finite)]
    if not math.isfinite(point) or len(finite) == 0:
        return math.nan, math.nan
    alpha = (1 - confidence) / 2
    if alpha * len(finite) >= MIN_TAIL_DRAWS:
        q_lo, q_hi = (float(q) for q in np.quantile(finite, [alpha, 1 - alpha]))
        if kind == "basic":
            return 2 * point - q_hi, 2 * point - q_lo
        return q_lo, q_hi
    z = float(norm.ppf(1 - alpha))
    spread = z * float(np.std(finite, ddof=1)) if len(finite) > 1 else math.nan
    centre = 2 * point - float(np.mean(finite)) if kind == "basic" else point
    return centre - spread, centre + spread
