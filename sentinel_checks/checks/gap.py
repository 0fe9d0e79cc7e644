"""``quality.val_test_gap``: how much worse test is than validation at the same threshold."""

from __future__ import annotations

import math
from collections.abc import Mapping

from sentinel_checks.reasons import Reason
from sentinel_checks.result import CheckResult, Direction, Evidence, Status

GAP_ID = "quality.val_test_gap"


def check_val_test_gap(
    validation: Mapping[str, float],
    test: Mapping[str, float],
    *,
    max_gap: float,
    max_auc_gap: float,
) -> CheckResult:
    """How much worse test is than validation at the same threshold (val − test).

    ``validation`` / ``test`` map ``recall``, ``precision``, ``roc_auc`` to values. A
    positive gap above the limit means the model (or the threshold) was fitted to
    validation and does not transfer; test being better is not a failure.
    Measured: the largest gap relative to its limit (1.0 = at the limit).

    Parameters
    ----------
    validation : Mapping[str, float]
        ``recall``, ``precision`` (proportions in [0, 1]) and ``roc_auc`` (in [0, 1])
        on validation at the operating threshold; a missing key counts as NaN.
    test : Mapping[str, float]
        The same metrics on test at the same threshold.
    max_gap : float
        The largest allowed drop (validation − test) in recall and in precision, in
        proportion units.
    max_auc_gap : float
        The largest allowed drop in ROC AUC.

    Returns
    -------
    CheckResult
        ``quality.val_test_gap``: measured is the largest gap divided by its limit
        (a ratio, limit 1.0); ``FAIL`` (``Reason.OVERFIT_TO_VALIDATION``) when a gap
        exceeds its limit, ``ERROR`` (``Reason.UNDEFINED_METRIC``) when a gap is not
        finite.

    Notes
    -----
    Never raises for bad data: an undefined statistic (a missing or NaN metric) is
    a CheckResult with status ``error``.

    Examples
    --------
    >>> val = {"recall": 0.85, "precision": 0.30, "roc_auc": 0.90}
    >>> test = {"recall": 0.70, "precision": 0.29, "roc_auc": 0.89}
    >>> r = check_val_test_gap(val, test, max_gap=0.10, max_auc_gap=0.05)
    >>> r.status.value, round(r.measured, 2)
    ('fail', 1.5)
    """
    limits = {"recall": max_gap, "precision": max_gap, "roc_auc": max_auc_gap}
    gaps: dict[str, float] = {}
    for metric in limits:
        a, b = validation.get(metric, math.nan), test.get(metric, math.nan)
        gaps[metric] = a - b
    undefined = [m for m, g in gaps.items() if not math.isfinite(g)]
    if undefined:
        return CheckResult.undefined(
            GAP_ID,
            f"val/test gap undefined for {undefined}",
            reason=Reason.UNDEFINED_METRIC,
        )

    def relative(m: str) -> float:
        if limits[m] > 0:
            return gaps[m] / limits[m]
        return math.inf if gaps[m] > 0 else 0.0

    worst = max(limits, key=relative)
    over = [m for m in limits if gaps[m] > limits[m]]
    ratio = relative(worst)
    status = Status.FAIL if over else Status.PASS
    shown = ", ".join(
        f"{m} {validation[m]:.3f}→{test[m]:.3f} (gap {gaps[m]:+.3f}, limit {limits[m]:.2f})" for m in limits
    )
    return CheckResult(
        id=GAP_ID,
        status=status,
        message=f"validation→test: {shown}",
        measured=ratio,
        limit=1.0,
        direction=Direction.AT_MOST,
        reason=Reason.OK if not over else Reason.OVERFIT_TO_VALIDATION,
        evidence=(Evidence.capped("gaps", over, total=len(over), detail={"gaps": gaps, "limits": limits}),),
        parameters={"pair": "val→test"},
        hint=(
            "Test is clearly worse than validation: the model or the threshold was tuned to "
            "validation, or validation does not resemble later data. Re-split by time and re-tune."
        ),
    )
