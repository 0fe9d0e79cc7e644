"""``quality.recall``, ``quality.precision``, ``quality.auc``: floors at the operating threshold.

Every check takes counts or values already computed (scores once per split, one
sort per split) and keyword-only limits. Recall and precision are judged on the
Wilson lower bound of the proportion by default (``bound="point"`` judges the point
estimate), and an undefined metric (no positives, nothing flagged, one class) never
passes.
"""

from __future__ import annotations

import math

from sentinel_checks.options import ProportionBound, check_option
from sentinel_checks.reasons import Reason
from sentinel_checks.result import CheckResult, Direction, Evidence, Status
from sentinel_checks.stats.confusion import Confusion
from sentinel_checks.stats.intervals import bounded_proportion

RECALL_ID = "quality.recall"
PRECISION_ID = "quality.precision"
AUC_ID = "quality.auc"

RECALL_HINT = (
    "Too many risky requests get through. Choose the threshold on validation for the recall "
    "the business needs ([quality] target_recall), weight the risky class in training, or fix "
    "the splits and features; a small test set widens the bound: collect more labelled positives."
)


def check_recall(
    confusion: Confusion,
    *,
    split: str,
    threshold: float,
    min_recall: float,
    bound: ProportionBound = "wilson",
    confidence: float = 0.95,
    min_positives: int = 30,
) -> CheckResult:
    """Recall of the risky class (FNR = 1 - recall) at the operating threshold.

    Judged on the Wilson lower bound by default. Fewer than ``min_positives`` risky
    rows cannot be measured: a failure with that reason, never a pass.

    Parameters
    ----------
    confusion : Confusion
        Counts of the split at ``threshold`` (risky = positive).
    split : str
        The split's name, shown in the label and message.
    threshold : float
        The operating threshold the counts were taken at (a score in [0, 1]).
    min_recall : float
        The floor on recall, a proportion in [0, 1].
    bound : {"wilson", "point"}
        ``"wilson"``: judge the lower end of the two-sided Wilson score interval at
        ``confidence`` (a one-sided ``(1 + confidence) / 2`` lower bound, 97.5% for
        0.95); ``"point"``: judge the recall itself.
    confidence : float
        Coverage of the two-sided interval, in (0.5, 1).
    min_positives : int
        Fewest risky rows recall is measured on; fewer is a failure
        (``Reason.TOO_FEW_POSITIVES``).

    Returns
    -------
    CheckResult
        ``quality.recall``: measured is the judged recall (a proportion in [0, 1]),
        limit ``min_recall``, direction at least. With ``bound="wilson"`` the
        message's "95% lower bound" is the lower end of the two-sided 95% Wilson
        interval, i.e. a one-sided 97.5% bound. Fewer than ``min_positives`` risky
        rows is a ``FAIL`` (``Reason.TOO_FEW_POSITIVES``; measured None with no
        risky row), never a pass.

    Raises
    ------
    ValueError
        When ``bound`` is not one of the allowed values.

    References
    ----------
    Wilson, E. B. (1927). Probable inference, the law of succession, and statistical
    inference. JASA 22(158), 209–212.

    Examples
    --------
    >>> c = Confusion(tp=90, fp=50, fn=10, tn=850)
    >>> check_recall(c, split="test", threshold=0.3, min_recall=0.8).status.value
    'pass'
    >>> check_recall(Confusion(5, 1, 1, 90), split="test", threshold=0.3, min_recall=0.5).reason
    <Reason.TOO_FEW_POSITIVES: 'too_few_positives'>
    """
    check_option("bound", bound, ProportionBound)
    params = {"split": split, "threshold": round(threshold, 6), "bound": bound}
    p = confusion.positives
    support = {"n": confusion.n, "n_positive": p, "tp": confusion.tp, "fn": confusion.fn}
    judged, lo, hi = bounded_proportion(confusion.tp, p, bound=bound, confidence=confidence)
    evidence = (
        Evidence.capped(
            "recall",
            [],
            total=confusion.fn,
            detail={
                "recall": confusion.recall,
                "fnr": confusion.fnr,
                "interval": [lo, hi],
                "confidence": confidence,
                "missed_risky": confusion.fn,
            },
        ),
    )
    if p < min_positives:
        return CheckResult(
            id=RECALL_ID,
            status=Status.FAIL,
            message=f"{split}: {p} risky row(s), fewer than the {min_positives} needed to measure recall",
            measured=None if p == 0 else judged,
            limit=min_recall,
            direction=Direction.AT_LEAST,
            reason=Reason.TOO_FEW_POSITIVES,
            support=support,
            evidence=evidence,
            parameters=params,
            hint="Collect more labelled risky requests for this split, or lengthen its window.",
        )
    status = Status.PASS if judged >= min_recall else Status.FAIL
    which = f"{confidence:.0%} lower bound" if bound == "wilson" else "point estimate"
    message = (
        f"{split}: recall {confusion.recall:.3f} (FNR {confusion.fnr:.3f}; {which} {judged:.3f}) "
        f"at threshold {threshold:.4g} on {p} risky row(s); floor {min_recall:.2f}"
    )
    return CheckResult(
        id=RECALL_ID,
        status=status,
        message=message,
        measured=judged,
        limit=min_recall,
        direction=Direction.AT_LEAST,
        reason=Reason.OK if status is Status.PASS else Reason.RECALL_BELOW_FLOOR,
        support=support,
        evidence=evidence,
        parameters=params,
        hint=RECALL_HINT,
    )


def check_precision(
    confusion: Confusion,
    *,
    split: str,
    threshold: float,
    min_precision: float,
    bound: ProportionBound = "wilson",
    confidence: float = 0.95,
) -> CheckResult:
    """Precision at the operating threshold: the share of flagged requests that are risky.

    Parameters
    ----------
    confusion : Confusion
        Counts of the split at ``threshold``.
    split : str
        The split's name.
    threshold : float
        The operating threshold (a score in [0, 1]).
    min_precision : float
        The floor on precision, a proportion in [0, 1].
    bound : {"wilson", "point"}
        Judge the lower end of the two-sided Wilson score interval at ``confidence``
        (a one-sided ``(1 + confidence) / 2`` bound), or the point estimate.
    confidence : float
        Coverage of the two-sided interval.

    Returns
    -------
    CheckResult
        ``quality.precision``: measured is the judged precision (a proportion in
        [0, 1]), limit ``min_precision``, direction at least; an ``ERROR``
        (``Reason.NOTHING_FLAGGED``) when nothing is flagged. With
        ``bound="wilson"``, a "95% lower bound" is the lower end of the two-sided
        95% Wilson interval (a one-sided 97.5% bound).

    Raises
    ------
    ValueError
        When ``bound`` is not one of the allowed values.

    References
    ----------
    Wilson, E. B. (1927). JASA 22(158), 209–212 (the score interval).

    Examples
    --------
    >>> check_precision(Confusion(0, 0, 10, 90), split="test", threshold=0.9, min_precision=0.1).reason
    <Reason.NOTHING_FLAGGED: 'nothing_flagged'>
    """
    check_option("bound", bound, ProportionBound)
    params = {"split": split, "threshold": round(threshold, 6), "bound": bound}
    flagged = confusion.tp + confusion.fp
    support = {"n": confusion.n, "flagged": flagged, "tp": confusion.tp, "fp": confusion.fp}
    if flagged == 0:
        return CheckResult.undefined(
            PRECISION_ID,
            f"{split}: nothing is flagged at threshold {threshold:.4g}: precision is undefined",
            reason=Reason.NOTHING_FLAGGED,
            parameters=params,
            support=support,
            hint="No score reaches the threshold: the threshold or the scores are wrong.",
        )
    judged, lo, hi = bounded_proportion(confusion.tp, flagged, bound=bound, confidence=confidence)
    status = Status.PASS if judged >= min_precision else Status.FAIL
    return CheckResult(
        id=PRECISION_ID,
        status=status,
        message=(
            f"{split}: precision {confusion.precision:.3f} (judged {judged:.3f}) flagging "
            f"{confusion.flagged_fraction:.2%} of requests; floor {min_precision:.2f}"
        ),
        measured=judged,
        limit=min_precision,
        direction=Direction.AT_LEAST,
        reason=Reason.OK if status is Status.PASS else Reason.PRECISION_BELOW_FLOOR,
        support=support,
        evidence=(Evidence.capped("precision", [], total=0, detail={"interval": [lo, hi]}),),
        parameters=params,
        hint="Too many safe requests are flagged: improve the model or features before lowering the floor.",
    )


def check_auc(
    roc_auc: float,
    pr_auc: float,
    *,
    prevalence: float,
    split: str,
    min_roc_auc: float,
    min_pr_auc_lift: float,
    n: int = 0,
    n_positive: int = 0,
) -> CheckResult:
    """ROC AUC at or above its floor and PR-AUC at least ``min_pr_auc_lift`` × prevalence
    (a random ranking's PR-AUC equals the prevalence). Measured: ROC AUC.

    Parameters
    ----------
    roc_auc : float
        ROC AUC of the split's scores, in [0, 1] (NaN with one class only).
    pr_auc : float
        Average precision of the split's scores, in [0, 1].
    prevalence : float
        Share of risky rows in the split, in [0, 1]: the PR-AUC of a random ranking.
    split : str
        The split's name.
    min_roc_auc : float
        The floor on ROC AUC, in [0, 1].
    min_pr_auc_lift : float
        The floor on ``pr_auc / prevalence`` (a ratio; 1.0 is a random ranking).
    n, n_positive : int
        Rows and risky rows in the split, recorded as support.

    Returns
    -------
    CheckResult
        ``quality.auc``: measured is the ROC AUC, limit ``min_roc_auc``; ``FAIL``
        (``Reason.AUC_BELOW_FLOOR``) when either floor is missed, ``ERROR``
        (``Reason.UNDEFINED_METRIC``) when an AUC is not finite or the prevalence is 0.

    Notes
    -----
    Never raises for bad data: an undefined statistic is a CheckResult with status
    ``error``.

    References
    ----------
    Hanley, J. A. and McNeil, B. J. (1982). The meaning and use of the area under a
    receiver operating characteristic (ROC) curve. Radiology 143(1), 29–36.
    Saito, T. and Rehmsmeier, M. (2015). The precision-recall plot is more informative
    than the ROC plot when evaluating binary classifiers on imbalanced datasets.
    PLoS ONE 10(3), e0118432 (a random classifier's PR-AUC is the prevalence).

    Examples
    --------
    >>> r = check_auc(0.85, 0.30, prevalence=0.05, split="test", min_roc_auc=0.7, min_pr_auc_lift=2.0)
    >>> r.status.value, r.measured
    ('pass', 0.85)
    """
    params = {"split": split}
    support = {"n": n, "n_positive": n_positive}
    if not (math.isfinite(roc_auc) and math.isfinite(pr_auc) and prevalence > 0):
        return CheckResult.undefined(
            AUC_ID,
            f"{split}: AUC undefined (one class only)",
            reason=Reason.UNDEFINED_METRIC,
            parameters=params,
            support=support,
        )
    lift = pr_auc / prevalence
    failures = []
    if roc_auc < min_roc_auc:
        failures.append(f"ROC AUC {roc_auc:.3f} < {min_roc_auc:.2f}")
    if lift < min_pr_auc_lift:
        failures.append(f"PR-AUC {pr_auc:.3f} is {lift:.1f}× prevalence < {min_pr_auc_lift:.1f}×")
    status = Status.FAIL if failures else Status.PASS
    message = (
        "; ".join(failures)
        if failures
        else (
            f"{split}: ROC AUC {roc_auc:.3f} ≥ {min_roc_auc:.2f}; PR-AUC {pr_auc:.3f} = "
            f"{lift:.1f}× prevalence ≥ {min_pr_auc_lift:.1f}×"
        )
    )
    return CheckResult(
        id=AUC_ID,
        status=status,
        message=f"{split}: {message}" if failures else message,
        measured=roc_auc,
        limit=min_roc_auc,
        direction=Direction.AT_LEAST,
        reason=Reason.OK if not failures else Reason.AUC_BELOW_FLOOR,
        support=support,
        evidence=(
            Evidence.capped(
                "auc", [], total=0, detail={"roc_auc": roc_auc, "pr_auc": pr_auc, "prevalence": prevalence}
            ),
        ),
        parameters=params,
        hint="The model ranks risky requests poorly: revisit features, splits and training.",
    )
