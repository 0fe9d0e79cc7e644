"""``quality.auc``: the ranking floors — ROC AUC on an interval, average precision as skill.

Two criteria, both must hold:

* **ROC AUC ≥ min_roc_auc**, judged on the two-sided Hanley–McNeil interval at
  ``confidence``: pass when its lower end is at or above the floor, fail when its
  upper end is below, inconclusive otherwise (with the risky rows that would settle
  it, :func:`~sentinel_checks.stats.power.rows_to_show_difference`).
* **Average-precision skill ≥ min_pr_auc_skill**, where skill =
  (AP − prevalence) / (1 − prevalence): 0 for a random ranking, 1 for a perfect one,
  reachable at every prevalence (the old lift AP / prevalence cannot exceed
  1 / prevalence, so a floor of 2× failed every model at prevalence ≥ 0.5). Judged
  on the point estimate: it is a sanity floor far below a useful model's skill.

The result's status is the worse of the two; ``measured`` / ``limit`` are those of
the criterion that decided (the one with the worse status, else the one nearer its
floor on the [floor, 1] scale), named in ``parameters["criterion"]`` (``"ROC AUC"`` or
``"average-precision skill"``) so no report labels the skill as ROC AUC; the evidence
carries both.
"""

from __future__ import annotations

import math

from sentinel_checks.reasons import Reason
from sentinel_checks.result import CheckResult, Direction, Evidence, Status, judge, judge_interval
from sentinel_checks.stats.auc_interval import average_precision_skill, roc_auc_interval
from sentinel_checks.stats.intervals import coverage_text
from sentinel_checks.stats.power import rows_to_show_difference
from sentinel_checks.stats.tie_bounds import TieBounds, grid_entry, grid_keeps_open, grid_note

AUC_ID = "quality.auc"

_SEVERITY = {Status.PASS: 0, Status.INCONCLUSIVE: 1, Status.FAIL: 2}
_WORD = {Status.PASS: "≥", Status.FAIL: "<", Status.INCONCLUSIVE: "holds"}


def check_auc(
    roc_auc: float,
    pr_auc: float,
    *,
    prevalence: float,
    split: str,
    min_roc_auc: float,
    min_pr_auc_skill: float,
    confidence: float = 0.95,
    n: int = 0,
    n_positive: int = 0,
    ties: TieBounds | None = None,
    grid: int = 0,
) -> CheckResult:
    """ROC AUC at or above its floor (on an interval) and average-precision skill at or above its floor.

    Parameters
    ----------
    roc_auc : float
        ROC AUC of the split's scores, in [0, 1] (NaN with one class only).
    pr_auc : float
        Average precision of the split's scores, in [0, 1].
    prevalence : float
        Share of risky rows in the split, in (0, 1): the average precision of a random ranking.
    split : str
        The split's name.
    min_roc_auc : float
        The floor on ROC AUC, in [0, 1].
    min_pr_auc_skill : float
        The floor on ``(pr_auc − prevalence) / (1 − prevalence)``, in [0, 1]
        (0 is a random ranking, 1 a perfect one).
    confidence : float, default 0.95
        Coverage of the two-sided ROC AUC interval.
    n, n_positive : int
        Rows and risky rows in the split (support, and the interval's sample sizes).
        When either class count is 0 (not given), ROC AUC is judged on its point
        estimate.
    ties : TieBounds, optional
        With ``grid`` > 0: how far each AUC can move over every order of the rows
        inside a grid cell (:func:`~sentinel_checks.stats.tie_bounds.tie_bounds` of
        counts grouped in the engine, :mod:`~sentinel_checks.engine.threshold_grid`).
        The ROC interval is widened by it, and the skill judged on its range; a call
        only the widening holds open says so (more rows cannot settle it).
    grid : int
        Cells per unit of score of those counts; 0 when the scores are exact.

    Returns
    -------
    CheckResult
        ``quality.auc``: status the worse of the two criteria; measured / limit
        those of the deciding criterion (a ROC AUC bound or estimate, or the AP
        skill), direction at least; ``INCONCLUSIVE`` (``Reason.TOO_FEW_POSITIVES``)
        when the ROC interval holds its floor and the skill passes, with
        ``needed`` = {"n_positive", "n"}; ``FAIL`` (``Reason.AUC_BELOW_FLOOR``);
        ``ERROR`` (``Reason.UNDEFINED_METRIC``) when an AUC is not finite or the
        prevalence is not in (0, 1).

    Notes
    -----
    Never raises for bad data: an undefined statistic is a CheckResult with status
    ``error``. ``needed`` assumes the AUC and the class ratio stay as measured and the
    interval shrinks as 1/sqrt(rows).

    References
    ----------
    Hanley, J. A. and McNeil, B. J. (1982). The meaning and use of the area under a
    receiver operating characteristic (ROC) curve. Radiology 143(1), 29–36.
    Boyd, K., Costa, V. S., Davis, J. and Page, C. D. (2012). Unachievable region in
    precision-recall space and its effect on empirical evaluation. ICML 2012.
    Saito, T. and Rehmsmeier, M. (2015). PLoS ONE 10(3), e0118432 (a random ranking's
    average precision is the prevalence).

    Examples
    --------
    >>> r = check_auc(0.85, 0.30, prevalence=0.05, split="test", min_roc_auc=0.7, min_pr_auc_skill=0.1,
    ...               n=10_000, n_positive=500)
    >>> r.status.value, round(r.measured, 3), r.limit
    ('pass', 0.263, 0.1)
    >>> check_auc(1.0, 1.0, prevalence=0.51, split="test", min_roc_auc=0.7, min_pr_auc_skill=0.1).status.value
    'pass'
    """
    params = {"split": split}
    support = {"n": n, "n_positive": n_positive}
    skill = average_precision_skill(pr_auc, prevalence)
    if not (math.isfinite(roc_auc) and math.isfinite(skill)):
        return CheckResult.undefined(
            AUC_ID,
            f"{split}: AUC undefined (one class only)",
            reason=Reason.UNDEFINED_METRIC,
            parameters=params,
            support=support,
        )
    n_negative = n - n_positive
    counted = n_positive > 0 and n_negative > 0
    bounds = ties if grid > 0 else None
    gridded = bounds is not None
    roc_below, roc_above = (bounds.below("roc_auc"), bounds.above("roc_auc")) if bounds else (0.0, 0.0)
    if counted:
        low, high = roc_auc_interval(roc_auc, n_positive, n_negative, confidence=confidence)
        low, high = low - roc_below, high + roc_above
        roc_status = judge_interval(low, high, min_roc_auc, Direction.AT_LEAST)
        roc_judged = {Status.PASS: low, Status.FAIL: high}.get(roc_status, roc_auc)
        roc_text = f"ROC AUC {roc_auc:.3f} ({coverage_text(confidence)} CI [{low:.3f}, {high:.3f}])"
    elif gridded:
        low, high = roc_auc - roc_below, roc_auc + roc_above
        roc_status = judge_interval(low, high, min_roc_auc, Direction.AT_LEAST)
        roc_judged = {Status.PASS: low, Status.FAIL: high}.get(roc_status, roc_auc)
        roc_text = f"ROC AUC {roc_auc:.3f} (range over ties in a cell [{low:.3f}, {high:.3f}])"
    else:
        low = high = math.nan
        roc_status = judge(roc_auc, min_roc_auc, Direction.AT_LEAST)
        roc_judged = roc_auc
        roc_text = f"ROC AUC {roc_auc:.3f} (point estimate: no class counts given)"
    if bounds is not None:
        skill_low, _, skill_high = (average_precision_skill(v, prevalence) for v in bounds.pr_auc)
        skill_status = judge_interval(skill_low, skill_high, min_pr_auc_skill, Direction.AT_LEAST)
    else:
        skill_status = judge(skill, min_pr_auc_skill, Direction.AT_LEAST)
    skill_text = f"AP {pr_auc:.3f} at prevalence {prevalence:.3f}: skill {skill:.3f}"

    def margin(value: float, floor: float) -> float:
        return (value - floor) / (1 - floor) if floor < 1 else value - floor

    roc_first = (_SEVERITY[roc_status], -margin(roc_judged, min_roc_auc)) >= (
        _SEVERITY[skill_status],
        -margin(skill, min_pr_auc_skill),
    )
    status = roc_status if roc_first else skill_status
    measured, limit = (roc_judged, min_roc_auc) if roc_first else (skill, min_pr_auc_skill)
    roc_word = _WORD[roc_status]
    parts = [
        f"{roc_text} {roc_word} floor {min_roc_auc:.2f}",
        f"{skill_text} {_WORD[skill_status]} floor {min_pr_auc_skill:.2f}",
    ]
    message = f"{split}: " + "; ".join(parts if roc_first else parts[::-1])
    if gridded:
        message += f" ({grid_note(grid, 'max_threshold_groups')})"
    needed: dict[str, int] = {}
    # facing the floor: the interval's half toward it, and the part of it more rows cannot shrink
    half, fixed = (roc_auc - low, roc_below) if roc_auc >= min_roc_auc else (high - roc_auc, roc_above)
    # the grid alone holds it open when its widening reaches the floor (no rows can settle
    # it), as promotion.vs_champion and quality.baselines decide it; the skill is judged on
    # its grid range alone, and without class counts the interval is the grid's range
    grid_open = status is Status.INCONCLUSIVE and (
        not roc_first or not counted or (fixed > 0 and abs(roc_auc - min_roc_auc) <= fixed)
    )
    if status is Status.INCONCLUSIVE and grid_open:
        message += f": inconclusive; {grid_keeps_open('max_threshold_groups')}"
    elif status is Status.INCONCLUSIVE:
        need = rows_to_show_difference(n_positive, roc_auc, half, min_roc_auc, fixed=fixed)
        needed = {"n_positive": need, "n": math.ceil(need / prevalence)}
        message += (
            f": inconclusive; showing ROC AUC vs {min_roc_auc:.2f} at {roc_auc:.3f} needs ≈ {need} risky rows"
        )
    grid_detail = (
        {"score_grid": grid_entry(grid, roc_auc_range=list(bounds.roc_auc), pr_auc_range=list(bounds.pr_auc))}
        if bounds is not None
        else {}
    )
    reason = {
        Status.PASS: Reason.OK,
        Status.FAIL: Reason.AUC_BELOW_FLOOR,
        Status.INCONCLUSIVE: Reason.SCORE_GRID if grid_open else Reason.TOO_FEW_POSITIVES,
    }[status]
    return CheckResult(
        id=AUC_ID,
        status=status,
        message=message,
        measured=measured,
        limit=limit,
        direction=Direction.AT_LEAST,
        reason=reason,
        support=support,
        evidence=(
            Evidence.capped(
                "auc",
                [],
                total=0,
                detail={
                    "decided_by": "roc_auc" if roc_first else "pr_auc_skill",
                    "roc_auc": roc_auc,
                    "roc_auc_interval": [low, high],
                    "roc_auc_status": roc_status.value,
                    "confidence": confidence,
                    "pr_auc": pr_auc,
                    "prevalence": prevalence,
                    "pr_auc_skill": skill,
                    "pr_auc_skill_status": skill_status.value,
                    **grid_detail,
                },
            ),
        ),
        # the criterion that decided names the number: the skill read as "ROC AUC" (issue 17)
        parameters={**params, "criterion": "ROC AUC" if roc_first else "average-precision skill"},
        hint="The model ranks risky requests poorly: revisit features, splits and training.",
        needed=needed,
    )
