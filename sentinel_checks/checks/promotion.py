"""Runbook steps 10–12 and 15: may the candidate replace the champion?

``promotion.vs_champion`` judges a :class:`~sentinel_checks.stats.comparison.PairedComparison`
(both models on the same rows) against the promotion criteria:

- **FNR non-inferiority** — the upper end of the paired bootstrap interval of
  ``FNR(candidate) − FNR(champion)`` is at most ``max_fnr_increase``: the candidate
  demonstrably does not let more risky requests through (the incident's harm);
- **precision non-inferiority** — the lower end of the precision difference is at
  least ``−max_precision_drop``;
- **the target metric improves** — the candidate's lead on PR-AUC (or ROC-AUC), its
  point estimate or its lower bound, reaches ``min_target_lead``;
- **no large val/test gap** — the quality suite's ``quality.val_test_gap`` verdict;
- optionally, the share of decisions that change (``max_flip_rate``).

The segments that drive an FNR regression travel as evidence.
"""

from __future__ import annotations

from typing import Any

from sentinel_checks.options import LeadBound, RankMetric, check_option
from sentinel_checks.reasons import Reason
from sentinel_checks.result import CheckResult, Direction, Evidence, Status, judge
from sentinel_checks.stats.comparison import PairedComparison

VS_CHAMPION_ID = "promotion.vs_champion"


def check_vs_champion(
    comparison: PairedComparison,
    *,
    max_fnr_increase: float = 0.03,
    max_precision_drop: float = 0.02,
    target_metric: RankMetric = "pr_auc",
    min_target_lead: float = 0.0,
    target_bound: LeadBound = "point",
    max_flip_rate: float | None = None,
    min_positives: int = 30,
    val_test_gap: CheckResult | None = None,
) -> CheckResult:
    """Judge the candidate against the champion on one split (see the module doc).

    Parameters
    ----------
    comparison : PairedComparison
        Both models on the same rows, with paired Poisson-bootstrap intervals of the
        differences (two-sided, at ``comparison.confidence``).
    max_fnr_increase : float
        Largest allowed upper end of the interval of ``FNR(candidate) − FNR(champion)``.
    max_precision_drop : float
        Largest allowed drop of the lower end of the precision difference.
    target_metric : {"pr_auc", "roc_auc"}
        The ranking metric the candidate must improve.
    min_target_lead : float
        The lead on ``target_metric`` the candidate must reach.
    target_bound : {"point", "bootstrap"}
        Judge the point lead or the lower end of its bootstrap interval.
    max_flip_rate : float or None
        Largest share of decisions allowed to change (None: not judged).
    min_positives : int
        Fewest risky rows the comparison is judged on.
    val_test_gap : CheckResult or None
        The candidate's ``quality.val_test_gap`` verdict, judged as a criterion.

    Returns
    -------
    CheckResult
        ``promotion.vs_champion``: measured is the upper end of the two-sided
        interval of ``FNR(candidate) − FNR(champion)`` (a difference of
        proportions, in [-1, 1]); limit ``max_fnr_increase``; direction at most.
        The upper end of a two-sided 95% interval is a one-sided 97.5% bound. The
        reason of a failure is the first failed criterion; every criterion, the
        segment regressions and McNemar's exact p-value travel as evidence.
        ``ERROR`` with fewer than ``min_positives`` risky rows, one class only
        (``Reason.TOO_FEW_POSITIVES`` / ``Reason.ONE_CLASS``) or an undefined
        criterion (``Reason.UNDEFINED_METRIC``).

    Raises
    ------
    ValueError
        When ``target_metric`` or ``target_bound`` is not one of the allowed values.

    Notes
    -----
    Never raises for bad data: an undefined statistic is a CheckResult with status
    ``error``.

    References
    ----------
    Hanley, J. A. and MacGibbon, B. (2006). Computer Methods and Programs in
    Biomedicine 83(1); Chamandy, N. et al. (2012), Google technical report (the
    Poisson bootstrap).
    McNemar, Q. (1947). Note on the sampling error of the difference between
    correlated proportions or percentages. Psychometrika 12(2), 153–157.
    Saito, T. and Rehmsmeier, M. (2015). PLoS ONE 10(3), e0118432 (PR AUC);
    Hanley, J. A. and McNeil, B. J. (1982). Radiology 143(1), 29–36 (ROC AUC).
    """
    check_option("target_metric", target_metric, RankMetric)
    check_option("target_bound", target_bound, LeadBound)
    c = comparison
    params = {"split": c.split, "target_metric": target_metric}
    support = {"n": c.n, "n_positive": c.n_positive, "resamples": c.resamples}
    if c.n_positive < min_positives or c.n_positive == c.n:
        what = "one class only" if c.n_positive in (0, c.n) else f"only {c.n_positive} risky row(s)"
        return CheckResult.undefined(
            VS_CHAMPION_ID,
            f"{c.split}: {what} (need ≥ {min_positives} and some safe rows): "
            "the two models cannot be compared",
            reason=Reason.TOO_FEW_POSITIVES if c.n_positive < c.n else Reason.ONE_CLASS,
            parameters=params,
            support=support,
            hint="Compare on a larger labelled sample (a longer test window or more labelled production).",
        )
    criteria = _criteria(
        c,
        max_fnr_increase=max_fnr_increase,
        max_precision_drop=max_precision_drop,
        target_metric=target_metric,
        min_target_lead=min_target_lead,
        target_bound=target_bound,
        max_flip_rate=max_flip_rate,
        val_test_gap=val_test_gap,
    )
    undefined = [r["criterion"] for r in criteria if r["verdict"] == "error"]
    failed = [r["criterion"] for r in criteria if r["verdict"] == "fail"]
    fnr = c.delta["fnr"]
    regressions = [s for s in c.segments if s["measurable"] and s["fnr_change"] > max_fnr_increase]
    if undefined:
        status, reason = Status.ERROR, Reason.UNDEFINED_METRIC
    elif failed:
        status, reason = Status.FAIL, Reason(failed[0])
    else:
        status, reason = Status.PASS, Reason.OK
    pct = f"{c.confidence:.0%}"
    cand, champ = c.candidate, c.champion
    message = (
        f"{c.split}: FNR {cand['fnr'].point:.3f} (candidate @ {c.thresholds['candidate']:.3f}) vs "
        f"{champ['fnr'].point:.3f} (champion @ {c.thresholds['champion']:.3f}), "
        f"change {fnr.point:+.3f} ({pct} CI [{fnr.low:+.3f}, {fnr.high:+.3f}], "
        f"limit ≤ {max_fnr_increase:+.3f}); "
        f"{_verdicts(criteria)}; {c.flips['changed']} decision(s) change ({c.flip_rate:.1%})"
    )
    return CheckResult(
        id=VS_CHAMPION_ID,
        status=status,
        message=message,
        measured=fnr.high,
        limit=max_fnr_increase,
        direction=Direction.AT_MOST,
        reason=reason,
        support=support,
        evidence=(
            Evidence.capped("criteria", criteria),
            Evidence.capped(
                "segment_regressions",
                regressions,
                detail={"mcnemar_p": c.mcnemar_p, "flips": dict(c.flips)},
            ),
        ),
        parameters=params,
        hint=_hint(c, status, failed, max_fnr_increase),
    )


def _hint(c: PairedComparison, status: Status, failed: list[str], max_fnr_increase: float) -> str:
    if status is Status.PASS:
        return ""
    fnr = c.delta["fnr"]
    if failed == ["fnr_non_inferior"] and fnr.point <= max_fnr_increase:
        # not shown worse, only not shown no worse: the interval is wider than the margin allows
        return (
            f"Keep the champion for now. The FNR change {fnr.point:+.3f} is within the margin but its "
            f"interval reaches {fnr.high:+.3f}: on {c.n_positive} risky rows the comparison cannot show "
            "the candidate lets no more risky requests through. Compare on more labelled rows (a longer "
            "test window, labelled production) or state a wider [promotion] max_fnr_increase."
        )
    return (
        "Keep the champion. The candidate misses risky requests the champion catches: look at the "
        "segments listed, the training window and the threshold (reports/promotion.md)."
    )


def check_champion_missing(*, required: bool) -> CheckResult:
    """No champion configured: a skip with the reason, or a failure when one is required.

    Parameters
    ----------
    required : bool
        ``[promotion] require_champion``: True makes a missing champion a failure.

    Returns
    -------
    CheckResult
        Id ``promotion.vs_champion``, with ``Reason.NO_CHAMPION`` and no measured
        value: ``fail`` when ``required``, else ``skip``.

    Examples
    --------
    >>> check_champion_missing(required=False).status.value
    'skip'
    >>> check_champion_missing(required=True).status.value
    'fail'
    """
    if required:
        return CheckResult(
            id=VS_CHAMPION_ID,
            status=Status.FAIL,
            message="no [models.champion] configured, but [promotion] require_champion = true",
            reason=Reason.NO_CHAMPION,
            hint="Point [models.champion] at the model in production (a file or models:/name@champion).",
        )
    return CheckResult(
        id=VS_CHAMPION_ID,
        status=Status.SKIP,
        message="no [models.champion] configured: nothing to compare with (first model?)",
        reason=Reason.NO_CHAMPION,
    )


def _criteria(
    c: PairedComparison,
    *,
    max_fnr_increase: float,
    max_precision_drop: float,
    target_metric: RankMetric,
    min_target_lead: float,
    target_bound: LeadBound,
    max_flip_rate: float | None,
    val_test_gap: CheckResult | None,
) -> list[dict[str, Any]]:
    fnr, precision, target = c.delta["fnr"], c.delta["precision"], c.delta[target_metric]
    target_judged = target.low if target_bound == "bootstrap" else target.point
    rows = [
        _row(
            "fnr_non_inferior",
            f"FNR change, upper {c.confidence:.0%} bound",
            fnr.high,
            max_fnr_increase,
            Direction.AT_MOST,
        ),
        _row(
            "precision_non_inferior",
            f"precision change, lower {c.confidence:.0%} bound",
            precision.low,
            -max_precision_drop,
            Direction.AT_LEAST,
        ),
        _row(
            "target_metric_improves",
            f"{target_metric} lead"
            + (f", lower {c.confidence:.0%} bound" if target_bound == "bootstrap" else ""),
            target_judged,
            min_target_lead,
            Direction.AT_LEAST,
        ),
    ]
    if max_flip_rate is not None:
        rows.append(
            _row("flip_rate", "share of decisions that change", c.flip_rate, max_flip_rate, Direction.AT_MOST)
        )
    if val_test_gap is not None:
        rows.append(
            {
                "criterion": "no_val_test_gap",
                "what": val_test_gap.message,
                "measured": val_test_gap.measured,
                "limit": val_test_gap.limit,
                "verdict": "pass"
                if val_test_gap.passed
                else ("error" if val_test_gap.status is Status.ERROR else "fail"),
            }
        )
    return rows


def _row(name: str, what: str, measured: float, limit: float, direction: Direction) -> dict[str, Any]:
    verdict = judge(measured, limit, direction).value
    return {"criterion": name, "what": what, "measured": measured, "limit": limit, "verdict": verdict}


def _verdicts(criteria: list[dict[str, Any]]) -> str:
    return ", ".join(f"{r['criterion']} {r['verdict']}" for r in criteria[1:])
