"""``drift.scores``: has the candidate's score distribution, or its flagged fraction, moved?"""

from __future__ import annotations

import numpy as np

from sentinel_checks.adapters.evidently_drift import ColumnDrift
from sentinel_checks.reasons import Reason
from sentinel_checks.result import CheckResult, Direction, Evidence, Status
from sentinel_checks.stats.drift import population_stability_index

SCORES_ID = "drift.scores"


def check_score_drift(
    reference: np.ndarray,
    current: np.ndarray,
    *,
    threshold: float,
    pair: tuple[str, str],
    max_psi: float = 0.2,
    max_flagged_change: float = 0.05,
    evidently_score: ColumnDrift | None = None,
) -> CheckResult:
    """The candidate's score distribution and flagged fraction, reference vs current.

    Fails when PSI exceeds ``max_psi`` or the flagged fraction at the operating
    threshold moves by more than ``max_flagged_change`` (absolute). Evidently's drift
    score for the score column is reported beside PSI.

    Parameters
    ----------
    reference : ndarray of float, shape (n,), in [0, 1]
        The candidate's scores on the reference sample (e.g. validation).
    current : ndarray of float, shape (m,), in [0, 1]
        Its scores on the current sample (e.g. production).
    threshold : float, in [0, 1]
        The operating threshold: a score ``>= threshold`` is flagged.
    pair : (str, str)
        Names of the reference and current samples.
    max_psi : float, default 0.2
        Largest population stability index (10 quantile bins of the reference) that passes.
    max_flagged_change : float, default 0.05
        Largest absolute change of the flagged fraction (proportion, 0.05 = five
        percentage points) that passes.
    evidently_score : ColumnDrift, optional
        Evidently's drift score for the score column, reported only.

    Returns
    -------
    CheckResult
        Id ``drift.scores``. Measured: the PSI (>= 0, dimensionless); limit
        ``max_psi``; direction at most. The flagged fractions are in the evidence.

    Notes
    -----
    Never raises for bad data: an empty sample, or a NaN or infinite score, is a
    CheckResult with status ``error``.

    References
    ----------
    Siddiqi, N. (2006). Credit Risk Scorecards. Wiley (the population stability
    index; see :func:`sentinel_checks.stats.drift.population_stability_index`).
    """
    params = {"pair": f"{pair[0]}→{pair[1]}"}
    reference, current = np.asarray(reference, dtype=float), np.asarray(current, dtype=float)
    support = {f"n_{pair[0]}": len(reference), f"n_{pair[1]}": len(current)}
    if len(reference) == 0 or len(current) == 0:
        return CheckResult.undefined(
            SCORES_ID, "an empty sample", reason=Reason.EMPTY, parameters=params, support=support
        )
    if not (np.isfinite(reference).all() and np.isfinite(current).all()):
        return CheckResult.undefined(
            SCORES_ID, "NaN or infinite scores", reason=Reason.INVALID_SCORES, parameters=params
        )
    psi = population_stability_index(reference, current)
    f_ref, f_cur = float(np.mean(reference >= threshold)), float(np.mean(current >= threshold))
    failures = []
    if psi > max_psi:
        failures.append(f"PSI {psi:.3f} > {max_psi:.2f}")
    if abs(f_cur - f_ref) > max_flagged_change:
        failures.append(f"flagged fraction {f_ref:.2%} → {f_cur:.2%} (limit ±{max_flagged_change:.0%})")
    detail: dict[str, object] = {"psi": psi, "flagged_reference": f_ref, "flagged_current": f_cur}
    extra = ""
    if evidently_score is not None:
        detail.update(evidently_method=evidently_score.method, evidently_score=evidently_score.score)
        extra = f"; Evidently {evidently_score.method} {evidently_score.score:.3g}"
    return CheckResult(
        id=SCORES_ID,
        status=Status.FAIL if failures else Status.PASS,
        message=(
            f"{pair[0]}→{pair[1]}: "
            + (
                "; ".join(failures)
                if failures
                else f"PSI {psi:.3f} ≤ {max_psi:.2f}, flagged {f_ref:.2%} → {f_cur:.2%}"
            )
            + extra
        ),
        measured=psi,
        limit=max_psi,
        direction=Direction.AT_MOST,
        reason=Reason.SCORE_SHIFT if failures else Reason.OK,
        support=support,
        evidence=(Evidence.capped("score_distribution", [], total=0, detail=detail),),
        parameters=params,
        hint=(
            "The model sees a different population than it was tested on: the flagged volume "
            "and the recall at this threshold will move. Re-validate on recent data before promoting."
        ),
    )
