"""The interval of a ROC AUC (Hanley and McNeil) and the skill of an average precision.

:func:`roc_auc_interval` is the normal-approximation interval the ranking floor
(``quality.auc``) and the validation→test gap (``quality.val_test_gap``) judge a ROC
AUC on; :func:`average_precision_skill` puts an average precision on a scale that
is the same at every prevalence.
"""

from __future__ import annotations

import math

from scipy.stats import norm


def roc_auc_standard_error(auc: float, n_positive: int, n_negative: int) -> float:
    """Standard error of a ROC AUC (Hanley and McNeil 1982, eq. 2).

    Parameters
    ----------
    auc : float
        The ROC AUC, in [0, 1].
    n_positive, n_negative : int
        Risky and safe rows it was measured on.

    Returns
    -------
    float
        The standard error (AUC units); NaN when a class is empty or ``auc`` is not finite.

    References
    ----------
    Hanley, J. A. and McNeil, B. J. (1982). The meaning and use of the area under a
    receiver operating characteristic (ROC) curve. Radiology 143(1), 29–36.

    Examples
    --------
    >>> round(roc_auc_standard_error(0.90, 100, 900), 4)
    0.0209
    >>> roc_auc_standard_error(1.0, 50, 50)
    0.0
    """
    if not math.isfinite(auc) or n_positive <= 0 or n_negative <= 0:
        return math.nan
    q1 = auc / (2 - auc)
    q2 = 2 * auc * auc / (1 + auc)
    variance = (
        auc * (1 - auc) + (n_positive - 1) * (q1 - auc * auc) + (n_negative - 1) * (q2 - auc * auc)
    ) / (n_positive * n_negative)
    return math.sqrt(max(variance, 0.0))


def roc_auc_interval(
    auc: float, n_positive: int, n_negative: int, *, confidence: float = 0.95
) -> tuple[float, float]:
    """Two-sided normal interval ``auc ± z · SE`` with the Hanley–McNeil SE, clipped to [0, 1].

    Parameters
    ----------
    auc : float
        The ROC AUC, in [0, 1].
    n_positive, n_negative : int
        Risky and safe rows it was measured on.
    confidence : float, default 0.95
        Coverage of the two-sided interval.

    Returns
    -------
    (low, high) : tuple of float
        NaN when the standard error is undefined.

    References
    ----------
    Hanley and McNeil (1982), see :func:`roc_auc_standard_error`.

    Examples
    --------
    >>> [round(v, 3) for v in roc_auc_interval(0.90, 100, 900)]
    [0.859, 0.941]
    """
    se = roc_auc_standard_error(auc, n_positive, n_negative)
    z = float(norm.ppf(0.5 + confidence / 2))
    return max(0.0, auc - z * se), min(1.0, auc + z * se)


def average_precision_skill(average_precision: float, prevalence: float) -> float:
    """Average precision rescaled so 0 is a random ranking and 1 a perfect one.

    ``(AP − π) / (1 − π)`` with ``π`` the prevalence: the skill-score form
    ``(score − reference) / (perfect − reference)`` with a random ranking (whose AP
    is ``π``, Saito and Rehmsmeier 2015) as the reference. Unlike the lift ``AP / π``
    it can reach its maximum at every prevalence (the lift cannot exceed ``1 / π``,
    2 at ``π = 0.5``), the normalisation Boyd et al. (2012) argue for because the
    region of precision-recall space below the random baseline is unachievable by
    a useful ranking.

    Parameters
    ----------
    average_precision : float
        Average precision (PR AUC), in [0, 1].
    prevalence : float
        Share of risky rows, in (0, 1).

    Returns
    -------
    float
        The skill, at most 1 (negative: worse than random); NaN when the prevalence
        is not in (0, 1) or the AP is not finite.

    References
    ----------
    Boyd, K., Costa, V. S., Davis, J. and Page, C. D. (2012). Unachievable region in
    precision-recall space and its effect on empirical evaluation. ICML 2012.
    Saito, T. and Rehmsmeier, M. (2015). PLoS ONE 10(3), e0118432.

    Examples
    --------
    >>> average_precision_skill(1.0, 0.51)
    1.0
    >>> round(average_precision_skill(0.10, 0.05), 4)  # the old 2× lift at 5%
    0.0526
    """
    if not (math.isfinite(average_precision) and 0.0 < prevalence < 1.0):
        return math.nan
    return (average_precision - prevalence) / (1.0 - prevalence)
