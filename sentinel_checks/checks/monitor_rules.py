"""The five ``monitor.*`` alert rules, each on one scope of a batch against the same
scope of the reference: :func:`score_shift`, :func:`flagged_fraction`,
:func:`recall`, :func:`brier` and :func:`estimated_recall`.

:func:`sentinel_checks.checks.monitor.judge_scope` runs them all in that order.
"""

from __future__ import annotations

import math

from sentinel_checks.monitor.statistics import ScopeStats
from sentinel_checks.options import Severity, check_option
from sentinel_checks.reasons import Reason
from sentinel_checks.result import CheckResult, Direction, Status


def _status(alert: bool, severity: Severity) -> Status:
    if not alert:
        return Status.PASS
    return Status.FAIL if severity == "critical" else Status.WARN


def _support(batch: ScopeStats) -> dict[str, int]:
    return {"n": batch.n, "n_labelled": batch.n_labelled, "n_positive": batch.n_positive}


def score_shift(
    batch: ScopeStats, reference: ScopeStats, *, max_score_psi: float, severity: Severity
) -> CheckResult:
    """``monitor.score_shift``: the PSI of the batch's scores against the reference's
    (``skip`` when undefined).

    Parameters
    ----------
    batch, reference : ScopeStats
        The same scope (all rows, or one segment value) of the batch and of the reference.
    max_score_psi : float
        Largest population stability index (>= 0, dimensionless) without an alert.
    severity : {"warning", "critical"}
        ``warning``: an alert is a ``warn``; ``critical``: an alert is a ``fail``.

    Returns
    -------
    CheckResult
        Id ``monitor.score_shift``. Measured: ``batch.psi`` (None when it is
        undefined, and the status is then ``skip``); limit ``max_score_psi``;
        direction at most.

    Raises
    ------
    ValueError
        When ``severity`` is not ``"warning"`` or ``"critical"``.

    References
    ----------
    Siddiqi, N. (2006). Credit Risk Scorecards. Wiley (the population stability index).
    """
    check_option("severity", severity, Severity)
    psi = batch.psi if batch.psi is not None else math.nan
    return CheckResult(
        id="monitor.score_shift",
        status=_status(psi > max_score_psi, severity) if math.isfinite(psi) else Status.SKIP,
        message=f"{batch.scope}: score PSI {f'{psi:.3f}' if math.isfinite(psi) else 'undefined'} vs the "
        f"reference (limit {max_score_psi:.2f}); "
        f"mean score {reference.score_mean:.4f} → {batch.score_mean:.4f}",
        measured=psi if math.isfinite(psi) else None,
        limit=max_score_psi,
        direction=Direction.AT_MOST,
        reason=Reason.SCORE_SHIFT if psi > max_score_psi else Reason.OK,
        support=_support(batch),
        parameters={"segment": batch.scope},
        hint="The model sees a different population: check upstream features and the traffic mix.",
    )


def flagged_fraction(
    batch: ScopeStats, reference: ScopeStats, *, max_flagged_change: float, severity: Severity
) -> CheckResult:
    """``monitor.flagged_fraction``: the relative change of the flagged fraction.

    Parameters
    ----------
    batch, reference : ScopeStats
        The same scope (all rows, or one segment value) of the batch and of the reference.
    max_flagged_change : float
        Largest relative change ``|f_batch - f_ref| / f_ref`` without an alert
        (0.5 = ±50%); a reference flagging nothing makes any flagging an infinite change.
    severity : {"warning", "critical"}
        ``warning``: an alert is a ``warn``; ``critical``: an alert is a ``fail``.

    Returns
    -------
    CheckResult
        Id ``monitor.flagged_fraction``. Measured: the relative change (>= 0, may
        be ``inf``); limit ``max_flagged_change``; direction at most.

    Raises
    ------
    ValueError
        When ``severity`` is not ``"warning"`` or ``"critical"``.
    """
    check_option("severity", severity, Severity)
    f_ref, f_cur = reference.flagged_fraction, batch.flagged_fraction
    change = abs(f_cur - f_ref) / f_ref if f_ref > 0 else (math.inf if f_cur > 0 else 0.0)
    return CheckResult(
        id="monitor.flagged_fraction",
        status=_status(change > max_flagged_change, severity),
        message=f"{batch.scope}: flagged {f_ref:.2%} → {f_cur:.2%} (relative change {change:.0%}, "
        f"band ±{max_flagged_change:.0%})",
        measured=change,
        limit=max_flagged_change,
        direction=Direction.AT_MOST,
        reason=Reason.FLAGGED_OUT_OF_BAND if change > max_flagged_change else Reason.OK,
        support=_support(batch),
        parameters={"segment": batch.scope},
        hint="Review load and risk exposure move with the flagged volume: find what moved the scores.",
    )


def recall(
    batch: ScopeStats,
    reference: ScopeStats,
    *,
    max_recall_drop: float,
    min_labelled_positives: int,
    severity: Severity,
) -> CheckResult:
    """``monitor.recall``: judged on the upper end of the batch's Wilson interval
    (``skip`` with fewer than ``min_labelled_positives`` labelled risky rows).

    The alert fires when ``batch.recall_high`` (the upper end of the two-sided
    Wilson score interval the batch statistics were computed with) is below
    ``reference.recall - max_recall_drop``: only a drop the sample cannot explain.

    Parameters
    ----------
    batch, reference : ScopeStats
        The same scope (all rows, or one segment value) of the batch and of the reference.
    max_recall_drop : float
        Largest drop of recall (proportion, 0.05 = five points) below the reference's.
    min_labelled_positives : int
        Labelled risky rows the batch needs (the reference needs at least one).
    severity : {"warning", "critical"}
        ``warning``: an alert is a ``warn``; ``critical``: an alert is a ``fail``.

    Returns
    -------
    CheckResult
        Id ``monitor.recall``. Measured: the batch's Wilson upper bound of recall,
        in [0, 1]; limit ``reference.recall - max_recall_drop``; direction at
        least. ``skip`` with ``Reason.TOO_FEW_POSITIVES`` when too few labelled.

    Raises
    ------
    ValueError
        When ``severity`` is not ``"warning"`` or ``"critical"``.

    References
    ----------
    Wilson, E. B. (1927). JASA 22(158), 209–212 (the score interval).
    """
    check_option("severity", severity, Severity)
    support, params = _support(batch), {"segment": batch.scope}
    enough = batch.n_positive >= min_labelled_positives and reference.n_positive > 0
    floor = reference.recall - max_recall_drop
    if not enough:
        return CheckResult(
            id="monitor.recall",
            status=Status.SKIP,
            message=f"{batch.scope}: {batch.n_positive} labelled risky row(s), fewer than "
            f"{min_labelled_positives}: recall not judged (see monitor.estimated_recall)",
            reason=Reason.TOO_FEW_POSITIVES,
            support=support,
            parameters=params,
        )
    dropped = batch.recall_high < floor
    return CheckResult(
        id="monitor.recall",
        status=_status(dropped, severity),
        message=f"{batch.scope}: recall {batch.recall:.3f} "
        f"(CI {batch.recall_low:.3f}–{batch.recall_high:.3f}, {batch.n_positive} labelled risky) "
        f"vs reference {reference.recall:.3f}; alert when the upper bound < {floor:.3f}",
        measured=batch.recall_high,
        limit=floor,
        direction=Direction.AT_LEAST,
        reason=Reason.RECALL_DROPPED if dropped else Reason.OK,
        support=support,
        parameters=params,
        hint="Risky requests get through: consider `sentinel rollback`, then retrain on recent data.",
    )


def brier(
    batch: ScopeStats,
    reference: ScopeStats,
    *,
    max_brier_increase: float,
    min_labelled_positives: int,
    severity: Severity,
    z: float,
) -> CheckResult | None:
    """``monitor.brier``: the lower bound of the Brier increase (None, no result, with
    fewer than ``min_labelled_positives`` labelled rows or no reference Brier).

    The judged value is ``(batch.brier - reference.brier) - z · hypot(se_batch,
    se_ref)``, the lower end of a normal interval on the increase (an undefined
    standard error counts as 0).

    Parameters
    ----------
    batch, reference : ScopeStats
        The same scope (all rows, or one segment value) of the batch and of the reference.
    max_brier_increase : float
        Largest increase of the Brier score (mean squared error of the
        probabilities, in [0, 1]) without an alert.
    min_labelled_positives : int
        Labelled rows (of either class) the batch needs; note: compared with
        ``batch.n_labelled``, not with the risky rows.
    severity : {"warning", "critical"}
        ``warning``: an alert is a ``warn``; ``critical``: an alert is a ``fail``.
    z : float
        Normal quantile of the bound (1.96 for the lower end of a two-sided 95%
        interval, i.e. a one-sided 97.5% bound).

    Returns
    -------
    CheckResult or None
        Id ``monitor.brier``. Measured: the lower bound of the increase; limit
        ``max_brier_increase``; direction at most. None when not judged.

    Raises
    ------
    ValueError
        When ``severity`` is not ``"warning"`` or ``"critical"``.

    References
    ----------
    Brier, G. W. (1950). Verification of forecasts expressed in terms of
    probability. Monthly Weather Review 78(1), 1–3.
    """
    check_option("severity", severity, Severity)
    if not (batch.n_labelled >= min_labelled_positives and math.isfinite(reference.brier)):
        return None
    increase = batch.brier - reference.brier
    # judged on the lower bound: a few extra misses in a small segment move Brier a lot
    judged = increase - z * _hypot(batch.brier_se, reference.brier_se)
    return CheckResult(
        id="monitor.brier",
        status=_status(judged > max_brier_increase, severity),
        message=f"{batch.scope}: Brier {reference.brier:.4f} → {batch.brier:.4f} on "
        f"{batch.n_labelled} labelled rows (increase {increase:+.4f}, lower bound {judged:+.4f}; "
        f"limit +{max_brier_increase:.3f})",
        measured=judged,
        limit=max_brier_increase,
        direction=Direction.AT_MOST,
        reason=Reason.CALIBRATION_DRIFT if judged > max_brier_increase else Reason.OK,
        support=_support(batch),
        parameters={"segment": batch.scope},
        hint="The scores no longer mean what they say: recalibrate on recent labelled data.",
    )


def estimated_recall(
    batch: ScopeStats,
    reference: ScopeStats,
    *,
    max_estimated_recall_drop: float,
    severity: Severity,
    z: float,
) -> CheckResult:
    """``monitor.estimated_recall``: recall estimated from the scores alone, judged on
    its upper bound against the same estimate on the reference (``skip`` when undefined).

    The estimate assumes calibrated scores; comparing it with the same estimate on
    the reference cancels a steady calibration bias. Its upper bound is
    ``estimated_recall + z · estimated_recall_se`` (delta-method standard error).

    Parameters
    ----------
    batch, reference : ScopeStats
        The same scope (all rows, or one segment value) of the batch and of the reference.
    max_estimated_recall_drop : float
        Largest drop of the estimated recall (proportion) below the reference's estimate.
    severity : {"warning", "critical"}
        ``warning``: an alert is a ``warn``; ``critical``: an alert is a ``fail``.
    z : float
        Normal quantile of the bound (1.96: the upper end of a two-sided 95% interval).

    Returns
    -------
    CheckResult
        Id ``monitor.estimated_recall``. Measured: the upper bound (None when
        undefined, and the status is then ``skip``); limit the reference estimate
        minus ``max_estimated_recall_drop``; direction at least.

    Raises
    ------
    ValueError
        When ``severity`` is not ``"warning"`` or ``"critical"``.
    """
    check_option("severity", severity, Severity)
    # The estimate is compared with the same estimate on the reference: a segment's
    # calibration bias then cancels out, and what is left is the change.
    # Judged, like recall, on its upper bound (the delta-method error of the ratio).
    est, ref_est = batch.estimated_recall, reference.estimated_recall
    est_floor = ref_est - max_estimated_recall_drop
    upper = est + z * batch.estimated_recall_se
    measurable = math.isfinite(upper) and math.isfinite(ref_est)
    dropped = measurable and upper < est_floor
    return CheckResult(
        id="monitor.estimated_recall",
        status=_status(dropped, severity) if measurable else Status.SKIP,
        message=f"{batch.scope}: ESTIMATED recall {est:.3f} (upper bound {upper:.3f}) from the scores "
        f"alone (no labels needed; assumes calibrated scores) vs {ref_est:.3f} estimated the same way "
        f"on the reference; alert when the upper bound < {est_floor:.3f}",
        measured=upper if math.isfinite(upper) else None,
        limit=est_floor,
        direction=Direction.AT_LEAST,
        reason=Reason.ESTIMATED_RECALL_DROPPED if dropped else Reason.OK,
        support=_support(batch),
        parameters={"segment": batch.scope},
        hint="An estimate: confirm with labels as they arrive before acting on it alone.",
    )


def _hypot(a: float, b: float) -> float:
    return math.hypot(a if math.isfinite(a) else 0.0, b if math.isfinite(b) else 0.0)
