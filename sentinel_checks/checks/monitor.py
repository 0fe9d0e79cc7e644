"""Alert rules for one production batch (runbook step 14): ``monitor.*``.

Each rule compares a scope of the batch (all rows, or one segment value) with the
same scope of the reference and returns a :class:`CheckResult`: ``pass`` when
healthy, ``warn`` or ``fail`` for an alert of severity ``warning`` or ``critical``
(``[monitor] severity``), ``skip`` when the batch cannot say (too few labelled
risky rows). Recall is judged on its Wilson **upper** bound, so a small labelled
sample cannot raise a false "recall dropped" alert.
"""

from __future__ import annotations

from collections.abc import Mapping

from scipy.stats import norm

from sentinel_checks.checks.monitor_rules import brier as brier
from sentinel_checks.checks.monitor_rules import estimated_recall as estimated_recall
from sentinel_checks.checks.monitor_rules import flagged_fraction as flagged_fraction
from sentinel_checks.checks.monitor_rules import recall as recall
from sentinel_checks.checks.monitor_rules import score_shift as score_shift
from sentinel_checks.monitor.statistics import OVERALL, ScopeStats
from sentinel_checks.options import Severity, check_option_map
from sentinel_checks.result import CheckResult, Status

RULES = ("score_shift", "flagged_fraction", "recall", "brier", "estimated_recall")


def judge_scope(
    batch: ScopeStats,
    reference: ScopeStats,
    *,
    max_score_psi: float,
    max_flagged_change: float,
    max_recall_drop: float,
    max_brier_increase: float,
    max_estimated_recall_drop: float,
    min_labelled_positives: int,
    severity: Mapping[str, Severity],
    confidence: float = 0.95,
) -> list[CheckResult]:
    """Every rule on one scope: :func:`score_shift`, :func:`flagged_fraction`,
    :func:`recall`, :func:`brier` and :func:`estimated_recall`, in that order.

    Parameters
    ----------
    batch, reference : ScopeStats
        The same scope (all rows, or one segment value) of the batch and of the reference.
    max_score_psi : float
        Largest population stability index of the scores before ``monitor.score_shift`` alerts.
    max_flagged_change : float
        Largest relative change of the flagged fraction (0.5 = ±50%).
    max_recall_drop : float
        Alert when the upper end of the batch's two-sided Wilson recall interval at
        ``confidence`` is below reference recall minus this.
    max_brier_increase : float
        Alert when the lower end of the Brier increase exceeds this.
    max_estimated_recall_drop : float
        As ``max_recall_drop``, for the recall estimated from the scores.
    min_labelled_positives : int
        Labelled risky rows needed to judge recall (fewer: ``skip``, ``Reason.TOO_FEW_POSITIVES``).
    severity : Mapping[str, {"warning", "critical"}]
        Severity of each rule of :data:`RULES`: ``warning`` warns, ``critical`` fails.
    confidence : float
        Coverage of the two-sided intervals.

    Returns
    -------
    list of CheckResult
        One ``monitor.*`` result per rule that applies to the scope.

    Raises
    ------
    ValueError
        When a value of ``severity`` is not ``"warning"`` or ``"critical"``.
    KeyError
        When ``severity`` lacks one of the rules of :data:`RULES`.

    References
    ----------
    Wilson, E. B. (1927). JASA 22(158), 209–212 (recall interval); Siddiqi, N.
    (2006). Credit Risk Scorecards. Wiley (PSI); Brier, G. W. (1950). Monthly
    Weather Review 78(1), 1–3.
    """
    check_option_map("severity", severity, Severity)
    z = float(norm.ppf(1 - (1 - confidence) / 2))
    judged = [
        score_shift(batch, reference, max_score_psi=max_score_psi, severity=severity["score_shift"]),
        flagged_fraction(
            batch, reference, max_flagged_change=max_flagged_change, severity=severity["flagged_fraction"]
        ),
        recall(
            batch,
            reference,
            max_recall_drop=max_recall_drop,
            min_labelled_positives=min_labelled_positives,
            severity=severity["recall"],
        ),
        brier(
            batch,
            reference,
            max_brier_increase=max_brier_increase,
            min_labelled_positives=min_labelled_positives,
            severity=severity["brier"],
            z=z,
        ),
        estimated_recall(
            batch,
            reference,
            max_estimated_recall_drop=max_estimated_recall_drop,
            severity=severity["estimated_recall"],
            z=z,
        ),
    ]
    return [r for r in judged if r is not None]


def alerts(results: list[CheckResult]) -> list[CheckResult]:
    """The results that are alerts: status ``warn`` or ``fail``, in their order.

    Parameters
    ----------
    results : list of CheckResult
        Results of :func:`judge_scope` (any scopes).

    Returns
    -------
    list of CheckResult
        The ``warn`` and ``fail`` results.
    """
    return [r for r in results if r.status in (Status.WARN, Status.FAIL)]


def overall_first(results: list[CheckResult]) -> list[CheckResult]:
    """The results sorted for display: the overall scope first, then by segment and id.

    Parameters
    ----------
    results : list of CheckResult
        Results of :func:`judge_scope`, each with ``parameters["segment"]``.

    Returns
    -------
    list of CheckResult
        A new list: the :data:`~sentinel_checks.monitor.statistics.OVERALL` scope
        first, then the other segments by name, each by check id.
    """
    return sorted(
        results, key=lambda r: (r.parameters.get("segment") != OVERALL, r.parameters.get("segment"), r.id)
    )
