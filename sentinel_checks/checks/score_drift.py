"""``drift.scores``: has the candidate's score distribution, or its flagged fraction, moved?

The flagged fraction is judged on an interval, not on the two observed fractions: on a
300-row production sample the fraction itself moves by ±5.5 points (95%) by chance
alone, so "39.2% → 33.7%" says nothing against a ±5-point limit. The Newcombe hybrid
score interval of the difference (current − reference; Newcombe 1998, method 10)
decides three ways: ``fail`` when the whole interval lies beyond ±``max_flagged_change``,
``pass`` when it lies within, ``inconclusive`` when it holds a limit (with the rows a
side that would settle it).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from sentinel_checks.adapters.evidently_drift import ColumnDrift
from sentinel_checks.reasons import Reason
from sentinel_checks.result import CheckResult, Direction, Evidence, Status
from sentinel_checks.stats.drift import population_stability_index
from sentinel_checks.stats.intervals import coverage_text
from sentinel_checks.stats.power import rows_to_show_difference
from sentinel_checks.stats.proportion_difference import newcombe_interval

SCORES_ID = "drift.scores"


def check_score_drift(
    reference: np.ndarray,
    current: np.ndarray,
    *,
    threshold: float,
    pair: tuple[str, str],
    max_psi: float = 0.2,
    max_flagged_change: float = 0.05,
    confidence: float = 0.95,
    evidently_score: ColumnDrift | None = None,
) -> CheckResult:
    """The candidate's score distribution and flagged fraction, reference vs current.

    Fails when PSI exceeds ``max_psi`` or the flagged fraction at the operating
    threshold is shown to move by more than ``max_flagged_change`` (absolute): the
    whole Newcombe interval of the change lies beyond ±``max_flagged_change``.
    Inconclusive when that interval holds a limit and PSI passes; ``needed`` then says
    how many rows a side would settle it. Evidently's drift score for the score column
    is reported beside PSI.

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
    confidence : float, default 0.95
        Two-sided coverage of the flagged fraction's change interval (the gate passes
        its share of the false-block budget, family ``"drift"``).
    evidently_score : ColumnDrift, optional
        Evidently's drift score for the score column, reported only.

    Returns
    -------
    CheckResult
        Id ``drift.scores``. Measured: the PSI (>= 0, dimensionless); limit
        ``max_psi``; direction at most. The flagged fractions and the change's interval
        (``flagged_change``, ``flagged_ci_low``, ``flagged_ci_high``) are in the evidence.

    Notes
    -----
    Never raises for bad data: an empty sample, or a NaN or infinite score, is a
    CheckResult with status ``error``.

    References
    ----------
    Siddiqi, N. (2006). Credit Risk Scorecards. Wiley (the population stability
    index; see :func:`sentinel_checks.stats.drift.population_stability_index`).
    Newcombe, R. G. (1998). Interval estimation for the difference between independent
    proportions. Statistics in Medicine 17, 873–890.
    """
    return judge_score_drift(
        count_score_drift(reference, current, threshold),
        pair=pair,
        max_psi=max_psi,
        max_flagged_change=max_flagged_change,
        confidence=confidence,
        evidently_score=evidently_score,
    )


@dataclass(frozen=True)
class ScoreDriftCounts:
    """What ``drift.scores`` judges: rows and flagged rows per side, whether every score
    is finite, and the PSI (NaN when a side is empty or a score is not finite)."""

    n_reference: int
    n_current: int
    finite: bool
    psi: float
    flagged_reference: int
    flagged_current: int


def count_score_drift(reference: np.ndarray, current: np.ndarray, threshold: float) -> ScoreDriftCounts:
    """:class:`ScoreDriftCounts` of two score arrays (float, shapes (n,) and (m,)):
    the PSI (:func:`~sentinel_checks.stats.drift.population_stability_index`) and the
    rows at or above ``threshold`` per side."""
    reference, current = np.asarray(reference, dtype=float), np.asarray(current, dtype=float)
    finite = bool(np.isfinite(reference).all() and np.isfinite(current).all())
    empty = len(reference) == 0 or len(current) == 0
    return ScoreDriftCounts(
        n_reference=len(reference),
        n_current=len(current),
        finite=finite,
        psi=population_stability_index(reference, current) if finite and not empty else math.nan,
        flagged_reference=int(np.sum(reference >= threshold)),
        flagged_current=int(np.sum(current >= threshold)),
    )


def judge_score_drift(
    counts: ScoreDriftCounts,
    *,
    pair: tuple[str, str],
    max_psi: float = 0.2,
    max_flagged_change: float = 0.05,
    confidence: float = 0.95,
    evidently_score: ColumnDrift | None = None,
) -> CheckResult:
    """:func:`check_score_drift` from counts (the engine's
    :func:`~sentinel_checks.engine.score_drift_statistics.score_drift_counts`, or the
    arrays counted); parameters and result as there."""
    params = {"pair": f"{pair[0]}→{pair[1]}"}
    n_ref, n_cur = counts.n_reference, counts.n_current
    support = {f"n_{pair[0]}": n_ref, f"n_{pair[1]}": n_cur}
    if n_ref == 0 or n_cur == 0:
        return CheckResult.undefined(
            SCORES_ID, "an empty sample", reason=Reason.EMPTY, parameters=params, support=support
        )
    if not counts.finite:
        return CheckResult.undefined(
            SCORES_ID, "NaN or infinite scores", reason=Reason.INVALID_SCORES, parameters=params
        )
    psi = counts.psi
    k_ref, k_cur = counts.flagged_reference, counts.flagged_current
    f_ref, f_cur = k_ref / n_ref, k_cur / n_cur
    change, low, high = newcombe_interval(k_cur, n_cur, k_ref, n_ref, confidence=confidence)
    flagged = _judge_change(low, high, max_flagged_change)
    shown = (
        f"flagged fraction {f_ref:.1%} → {f_cur:.1%} ({change * 100:+.1f} pts, "
        f"{coverage_text(confidence)} CI [{low * 100:+.1f}, {high * 100:+.1f}], "
        f"limit ±{max_flagged_change * 100:g} pts)"
    )
    failures = []
    if psi > max_psi:
        failures.append(f"PSI {psi:.3f} > {max_psi:.2f}")
    if flagged is Status.FAIL:
        failures.append(shown)
    needed: dict[str, int] = {}
    if failures:
        status, reason = Status.FAIL, Reason.SCORE_SHIFT
        text = "; ".join(failures)
    elif flagged is Status.INCONCLUSIVE:
        status, reason = Status.INCONCLUSIVE, Reason.TOO_FEW_ROWS
        near = max_flagged_change if change >= 0 else -max_flagged_change
        inside = abs(change) <= max_flagged_change
        half = (high - change) if (change >= 0) == inside else (change - low)  # the half facing the limit
        rows = rows_to_show_difference(min(n_ref, n_cur), change, abs(half), near)
        needed = {f"n_{pair[0]}": rows, f"n_{pair[1]}": rows}
        text = (
            f"PSI {psi:.3f} ≤ {max_psi:.2f}; {shown}: not settled at these sizes, ≈ {rows} rows a side would"
        )
    else:
        status, reason = Status.PASS, Reason.OK
        text = f"PSI {psi:.3f} ≤ {max_psi:.2f}, {shown}"
    # the number that decided (trial: "score PSI: measured 0.099 · limit ≤ 0.2" beside a FAIL
    # the flagged fraction decided): the change's interval end nearest zero, its size
    # when unsettled; the PSI otherwise
    measured, limit, params_shown = psi, max_psi, params
    if psi <= max_psi and flagged in (Status.FAIL, Status.INCONCLUSIVE):
        near = low if low > max_flagged_change else -high if high < -max_flagged_change else abs(change)
        measured, limit = near, max_flagged_change
        params_shown = {**params, "criterion": "flagged fraction change"}
    detail: dict[str, object] = {
        "psi": psi,
        "flagged_reference": f_ref,
        "flagged_current": f_cur,
        "flagged_change": change,
        "flagged_ci_low": low,
        "flagged_ci_high": high,
        "confidence": confidence,
    }
    extra = ""
    if evidently_score is not None:
        detail.update(evidently_method=evidently_score.method, evidently_score=evidently_score.score)
        extra = f"; Evidently {evidently_score.method} {evidently_score.score:.3g}"
    return CheckResult(
        id=SCORES_ID,
        status=status,
        message=f"{pair[0]}→{pair[1]}: {text}{extra}",
        measured=measured,
        limit=limit,
        direction=Direction.AT_MOST,
        reason=reason,
        support=support,
        needed=needed,
        evidence=(Evidence.capped("score_distribution", [], total=0, detail=detail),),
        parameters=params_shown,
        hint=(
            "The model sees a different population than it was tested on: the flagged volume "
            "and the recall at this threshold will move. Re-validate on recent data before promoting."
        ),
    )


def _judge_change(low: float, high: float, limit: float) -> Status:
    """Three outcomes of a change interval against ±``limit``: inside, beyond, or holding a limit."""
    if not (math.isfinite(low) and math.isfinite(high)):
        return Status.ERROR
    if low > limit or high < -limit:
        return Status.FAIL
    if -limit <= low and high <= limit:
        return Status.PASS
    return Status.INCONCLUSIVE
