"""``quality.calibration``: reliability of the scores on equal-mass bins (ECE, Brier).

The statistics are computed in :mod:`sentinel_checks.stats.calibration`; this check
judges them against their limits.
"""

from __future__ import annotations

import math

from sentinel_checks.reasons import Reason
from sentinel_checks.result import CheckResult, Direction, Evidence, Status
from sentinel_checks.stats.calibration import CalibrationBins

CALIBRATION_ID = "quality.calibration"


def check_calibration(
    bins: CalibrationBins,
    brier_score: float,
    *,
    split: str,
    max_ece: float,
    max_brier: float | None = None,
) -> CheckResult:
    """Reliability on equal-mass bins: ECE (and optionally Brier) at or below limits.

    Parameters
    ----------
    bins : CalibrationBins
        From :func:`~sentinel_checks.stats.calibration.calibration_bins` (its ``ece`` is in
        probability units, [0, 1]).
    brier_score : float
        From :func:`~sentinel_checks.stats.calibration.brier`, in [0, 1].
    split : str
        The split's name.
    max_ece, max_brier : float
        Limits, in probability units; no Brier limit when ``max_brier`` is None.

    Returns
    -------
    CheckResult
        ``quality.calibration``: measured is the ECE, limit ``max_ece``; ``FAIL``
        (``Reason.MISCALIBRATED``) when a limit is exceeded, ``ERROR``
        (``Reason.EMPTY``) without scored rows or with a non-finite statistic.

    Notes
    -----
    Never raises for bad data: an undefined statistic is a CheckResult with status
    ``error``.

    References
    ----------
    Naeini et al. (2015), AAAI, and Guo et al. (2017), ICML (expected calibration
    error); Brier, G. W. (1950), Monthly Weather Review 78(1).
    """
    params = {"split": split}
    n = int(bins.count.sum())
    ece = bins.ece
    if n == 0 or not math.isfinite(ece) or not math.isfinite(brier_score):
        return CheckResult.undefined(
            CALIBRATION_ID, f"{split}: no scored rows to calibrate", reason=Reason.EMPTY, parameters=params
        )
    failures = []
    if ece > max_ece:
        failures.append(f"ECE {ece:.4f} > {max_ece:.4f}")
    if max_brier is not None and brier_score > max_brier:
        failures.append(f"Brier {brier_score:.4f} > {max_brier:.4f}")
    worst = sorted(bins.rows(), key=lambda r: -abs(r["observed_rate"] - r["mean_score"]))
    return CheckResult(
        id=CALIBRATION_ID,
        status=Status.FAIL if failures else Status.PASS,
        message=(
            f"{split}: " + "; ".join(failures)
            if failures
            else f"{split}: ECE {ece:.4f} ≤ {max_ece:.4f} over {len(bins.count)} equal-mass bins; "
            f"Brier {brier_score:.4f}"
        ),
        measured=ece,
        limit=max_ece,
        direction=Direction.AT_MOST,
        reason=Reason.OK if not failures else Reason.MISCALIBRATED,
        support={"n": n, "bins": len(bins.count)},
        evidence=(Evidence.capped("worst_bins", worst, detail={"brier": brier_score}),),
        parameters=params,
        hint=(
            "Scores do not mean what they say: calibrate on held-out data (isotonic or sigmoid, "
            "e.g. CalibratedClassifierCV), especially after class weighting or a prevalence shift."
        ),
    )
