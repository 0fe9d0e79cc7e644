"""``drift.labels``: has the prevalence of the risky class moved between two samples?"""

from __future__ import annotations

import math

from scipy.stats import norm

from sentinel_checks.reasons import Reason
from sentinel_checks.result import CheckResult, Direction, Evidence, Status

LABELS_ID = "drift.labels"


def check_label_drift(
    reference_positives: int,
    reference_n: int,
    current_positives: int,
    current_n: int,
    *,
    pair: tuple[str, str],
    max_abs_change: float = 0.01,
    max_rel_change: float = 1.0,
    alpha: float = 0.01,
) -> CheckResult:
    """Prevalence of the risky class in two samples.

    Fails when the change is beyond ``max_abs_change`` (absolute) **and** beyond
    ``max_rel_change`` (relative to the reference), **and** a two-proportion z-test
    rejects equality at ``alpha``: a small sample moving by chance does not trigger.

    The test is the two-sided two-proportion z-test with the pooled proportion:
    ``z = (p2 - p1) / sqrt(p (1 - p) (1/n1 + 1/n2))``.

    Parameters
    ----------
    reference_positives : int
        Risky rows in the reference sample.
    reference_n : int
        Rows in the reference sample.
    current_positives : int
        Risky rows in the current sample.
    current_n : int
        Rows in the current sample.
    pair : (str, str)
        Names of the reference and current samples.
    max_abs_change : float, default 0.01
        Largest absolute change of the prevalence (proportion, 0.01 = one
        percentage point) that passes.
    max_rel_change : float, default 1.0
        Largest change relative to the reference prevalence (1.0 = ±100%) that passes.
    alpha : float, default 0.01
        Significance level of the two-sided z-test.

    Returns
    -------
    CheckResult
        Id ``drift.labels``. Measured: ``|p2 - p1|``, the absolute prevalence
        change (proportion in [0, 1]); limit ``max_abs_change``; direction at most.
        The prevalences and the p-value are in the evidence.

    Notes
    -----
    Never raises for bad data: an empty sample is a CheckResult with status
    ``error``.

    References
    ----------
    Two-proportion z-test (pooled), e.g. Agresti, A. (2013). Categorical Data
    Analysis, 3rd ed. Wiley, §2.2.

    Examples
    --------
    >>> check_label_drift(50, 1000, 52, 1000, pair=("train", "production")).status.value
    'pass'
    >>> check_label_drift(50, 1000, 150, 1000, pair=("train", "production")).status.value
    'fail'
    """
    params = {"pair": f"{pair[0]}→{pair[1]}"}
    support = {
        f"n_{pair[0]}": reference_n,
        f"positives_{pair[0]}": reference_positives,
        f"n_{pair[1]}": current_n,
        f"positives_{pair[1]}": current_positives,
    }
    if reference_n == 0 or current_n == 0:
        return CheckResult.undefined(
            LABELS_ID,
            f"{pair[0]}→{pair[1]}: an empty sample",
            reason=Reason.EMPTY,
            parameters=params,
            support=support,
        )
    p1, p2 = reference_positives / reference_n, current_positives / current_n
    pooled = (reference_positives + current_positives) / (reference_n + current_n)
    se = math.sqrt(pooled * (1 - pooled) * (1 / reference_n + 1 / current_n))
    p_value = 2 * (1 - norm.cdf(abs(p2 - p1) / se)) if se > 0 else (1.0 if p1 == p2 else 0.0)
    abs_change = p2 - p1
    rel_change = abs_change / p1 if p1 > 0 else math.inf
    shifted = abs(abs_change) > max_abs_change and abs(rel_change) > max_rel_change and p_value < alpha
    return CheckResult(
        id=LABELS_ID,
        status=Status.FAIL if shifted else Status.PASS,
        message=(
            f"{pair[0]}→{pair[1]}: prevalence {p1:.2%} → {p2:.2%} (change {abs_change:+.2%}, "
            f"{rel_change:+.0%} relative; two-proportion p={p_value:.2g}); limits ±{max_abs_change:.2%} "
            f"and ±{max_rel_change:.0%} at α={alpha:g}"
        ),
        measured=abs(abs_change),
        limit=max_abs_change,
        direction=Direction.AT_MOST,
        reason=Reason.PREVALENCE_SHIFT if shifted else Reason.OK,
        support=support,
        evidence=(
            Evidence.capped(
                "prevalence", [], total=0, detail={"reference": p1, "current": p2, "p_value": p_value}
            ),
        ),
        parameters=params,
        hint=(
            "The share of risky requests moved: thresholds and calibration chosen on old data "
            "no longer hold. Re-choose the threshold on recent labelled data and recalibrate."
        ),
    )
