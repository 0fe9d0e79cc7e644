"""``quality.*``: the candidate judged where the incident hurt — missed risky requests.

Every check takes counts or arrays already computed (scores once per split, one
sort per split) and keyword-only limits. Floors are judged on the Wilson lower
bound of a proportion by default (``bound="point"`` judges the point estimate), and
an undefined metric (no positives, nothing flagged, one class) never passes.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from sentinel_checks.models.thresholds import ThresholdChoice
from sentinel_checks.options import LeadBound, ProportionBound, RankMetric, check_option
from sentinel_checks.reasons import Reason
from sentinel_checks.result import CheckResult, Direction, Evidence, Status
from sentinel_checks.stats.ranking import CalibrationBins, Confusion, paired_bootstrap_leads, wilson_interval

THRESHOLD_ID = "quality.threshold"
RECALL_ID = "quality.recall"
PRECISION_ID = "quality.precision"
AUC_ID = "quality.auc"
GAP_ID = "quality.val_test_gap"
CALIBRATION_ID = "quality.calibration"
SEGMENTS_ID = "quality.segments"
BASELINES_ID = "quality.baselines"

RECALL_HINT = (
    "Too many risky requests get through. Choose the threshold on validation for the recall "
    "the business needs ([quality] target_recall), weight the risky class in training, or fix "
    "the splits and features; a small test set widens the bound: collect more labelled positives."
)


def _bounded(
    successes: int, n: int, *, bound: ProportionBound, confidence: float
) -> tuple[float, float, float]:
    """(judged value, lower, upper) of a proportion."""
    point = successes / n if n else math.nan
    lo, hi = wilson_interval(successes, n, confidence=confidence)
    return (lo if bound == "wilson" else point), lo, hi


def check_threshold(
    choice: ThresholdChoice,
    *,
    test: Confusion | None = None,
    at_default: Confusion | None = None,
) -> CheckResult:
    """The operating threshold reaches the target recall on validation; records why.

    Evidence carries the rationale: recall, precision, flagged fraction and FNR at the
    threshold on validation (and test), and what the library default 0.5 would give.
    """
    v = choice.validation
    rows = {"validation": v} | ({"test": test} if test is not None else {})
    if at_default is not None:
        rows["validation_at_0.5"] = at_default
    detail = {
        name: {
            "recall": c.recall,
            "fnr": c.fnr,
            "precision": c.precision,
            "flagged_fraction": c.flagged_fraction,
            "positives": c.positives,
        }
        for name, c in rows.items()
    }
    measured = v.recall
    status = Status.PASS if choice.reached else Status.FAIL
    message = f"threshold {choice.threshold:.4g}: {choice.rationale()}"
    if at_default is not None and choice.rule != "fixed":
        message += f"; at 0.5 validation recall would be {at_default.recall:.3f}"
    if not choice.reached:
        message = (
            f"threshold {choice.threshold:.4g} ({choice.rule}) does not reach target recall "
            f"{choice.target_recall:.2f} on validation: recall {v.recall:.3f} "
            f"(FNR {v.fnr:.3f}, flags {v.flagged_fraction:.2%} of requests)"
        )
        if choice.suggested is not None:
            message += f"; the highest threshold reaching it is {choice.suggested:.4g}"
    return CheckResult(
        id=THRESHOLD_ID,
        status=status if math.isfinite(measured) else Status.ERROR,
        message=message,
        measured=measured,
        limit=choice.target_recall,
        direction=Direction.AT_LEAST,
        reason=Reason.OK if choice.reached else Reason.TARGET_NOT_REACHED,
        support={"n": v.n, "n_positive": v.positives},
        evidence=(
            Evidence.capped(
                "threshold_rationale",
                [],
                total=0,
                detail={
                    "threshold": choice.threshold,
                    "rule": choice.rule,
                    "suggested": choice.suggested,
                    **detail,
                },
            ),
        ),
        parameters={"split": "validation", "threshold": round(choice.threshold, 6)},
        hint=(
            "Lower the threshold or raise the model's recall; a threshold fixed in config must "
            "reach the target recall on validation."
        ),
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
        ``quality.recall``: measured is the judged recall, limit ``min_recall``.

    Raises
    ------
    ValueError
        When ``bound`` is not one of the allowed values.

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
    judged, lo, hi = _bounded(confusion.tp, p, bound=bound, confidence=confidence)
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
        ``quality.precision``; an ``ERROR`` (``Reason.NOTHING_FLAGGED``) when nothing
        is flagged.

    Raises
    ------
    ValueError
        When ``bound`` is not one of the allowed values.
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
    judged, lo, hi = _bounded(confusion.tp, flagged, bound=bound, confidence=confidence)
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
    (a random ranking's PR-AUC equals the prevalence). Measured: ROC AUC."""
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
    max_ece, max_brier : float
        Limits; no Brier limit when ``max_brier`` is None.

    Returns
    -------
    CheckResult
        Measured: the ECE.

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


def check_segments(
    segments: np.ndarray,
    y: np.ndarray,
    flagged: np.ndarray,
    *,
    column: str,
    split: str,
    min_recall: float,
    min_positives: int = 20,
    bound: ProportionBound = "point",
    confidence: float = 0.95,
) -> CheckResult:
    """Recall within each value of one segment column; the worst segment is judged.

    A segment with at least ``min_positives`` risky rows is judged on its recall
    (``bound="point"``, the default) or on the Wilson lower bound (``"wilson"``). A
    smaller segment fails only when it is *shown* below the floor (even the upper
    end of its Wilson interval is below it: e.g. 0 of 8 risky rows caught);
    otherwise it is listed as not judged. When no segment can be judged, the check
    errors. Measured: the lowest judged value.

    Why the point estimate by default: segments are small, and a lower bound on 45
    risky rows is ~0.14 below the recall it bounds, so a segment at recall 0.68 fails
    a 0.50 floor on the bound in 8 of 20 clean 80% resamples of the demo (docs/selftest.md).

    Parameters
    ----------
    segments : numpy.ndarray, shape (n,)
        The segment value of each row (any dtype; missing values form ``"(missing)"``).
    y : numpy.ndarray of bool, shape (n,)
        True for a risky row.
    flagged : numpy.ndarray of bool, shape (n,)
        True where the score reaches the operating threshold.
    column : str
        The segment column's name.
    split : str
        The split's name.
    min_recall : float
        The floor on each segment's recall, in [0, 1].
    min_positives : int
        Risky rows a segment needs to be judged on ``bound``.
    bound : {"point", "wilson"}
        Judge a segment's recall or the lower end of its two-sided Wilson interval.
    confidence : float
        Coverage of the two-sided Wilson interval.

    Returns
    -------
    CheckResult
        ``quality.segments``: measured is the lowest judged value.

    Raises
    ------
    ValueError
        When ``bound`` is not one of the allowed values.
    """
    check_option("bound", bound, ProportionBound)
    params = {"column": column, "split": split, "bound": bound}
    y = np.asarray(y, dtype=bool)
    flagged = np.asarray(flagged, dtype=bool)
    labels = pd.Series(np.asarray(segments, dtype=object)).astype("string").fillna("(missing)")
    names, inverse = np.unique(labels.to_numpy(dtype=str), return_inverse=True)
    pos = np.bincount(inverse, weights=y, minlength=len(names)).astype(int)
    tp = np.bincount(inverse, weights=y & flagged, minlength=len(names)).astype(int)
    rows = np.bincount(inverse, minlength=len(names))
    table: list[dict[str, Any]] = []
    for name, p, k, n in zip(names, pos, tp, rows, strict=True):
        judged, low, high = _bounded(int(k), int(p), bound=bound, confidence=confidence)
        if p >= min_positives:
            basis = "point" if bound == "point" else "lower bound"
        elif p and high < min_recall:
            judged, basis = high, "upper bound"
        else:
            basis = None
        table.append(
            {
                "segment": str(name),
                "rows": int(n),
                "positives": int(p),
                "recall": float(k / p) if p else None,
                "low": float(low) if p else None,
                "high": float(high) if p else None,
                "judged": float(judged) if basis else None,
                "basis": basis,
            }
        )
    judged_rows = [r for r in table if r["judged"] is not None]
    small = [r["segment"] for r in table if r["judged"] is None]
    if not judged_rows:
        return CheckResult.undefined(
            SEGMENTS_ID,
            f"{split}: no {column} segment has {min_positives} risky rows: segment recall cannot be judged",
            reason=Reason.TOO_FEW_POSITIVES,
            parameters=params,
            support={"segments": len(table)},
        )
    judged_rows.sort(key=lambda r: (r["judged"], r["segment"]))
    worst = judged_rows[0]
    below = [r for r in judged_rows if r["judged"] < min_recall]
    status = Status.FAIL if below else Status.PASS
    if below:
        shown = ", ".join(
            f"{r['segment']} {r['recall']:.3f} ({r['positives']} risky"
            + (f", {r['basis']} {r['judged']:.3f})" if r["basis"] != "point" else ")")
            for r in below[:5]
        )
        message = f"{split}: {len(below)} {column} segment(s) below recall floor {min_recall:.2f}: {shown}"
    else:
        message = (
            f"{split}: every {column} segment with ≥{min_positives} risky rows has recall "
            f"({'point' if bound == 'point' else f'{confidence:.0%} lower bound'}) ≥ "
            f"{min_recall:.2f}; worst {worst['segment']} {worst['recall']:.3f} ({worst['positives']} risky)"
        )
    if small:
        message += f"; not judged (too few risky rows): {', '.join(small[:5])}"
    return CheckResult(
        id=SEGMENTS_ID,
        status=status,
        message=message,
        measured=float(worst["judged"]),
        limit=min_recall,
        direction=Direction.AT_LEAST,
        reason=Reason.OK if not below else Reason.SEGMENT_RECALL_BELOW_FLOOR,
        support={"segments": len(table), "judged": len(judged_rows)},
        evidence=(Evidence.capped("worst_segments", judged_rows, detail={"not_judged": small}),),
        parameters=params,
        hint=(
            "The model misses risky requests in this segment: check its training data (was the "
            "segment's risky behaviour seen?), add segment features, or set a segment threshold."
        ),
    )


def check_baselines(
    y: np.ndarray,
    candidate: np.ndarray,
    baselines: Mapping[str, np.ndarray],
    *,
    metric: RankMetric = "pr_auc",
    split: str = "test",
    margin: float = 0.0,
    bound: LeadBound = "bootstrap",
    confidence: float = 0.95,
    resamples: int = 200,
    seed: int = 0,
) -> CheckResult:
    """The candidate's lead over every simple baseline on ``metric`` (scores on the same rows).

    With ``bound="bootstrap"`` the lead over each baseline gets a paired (Poisson)
    bootstrap interval (the same resampled rows for both models), and the check passes only when
    the lower end reaches ``margin``: the candidate demonstrably beats every simple
    model. ``bound="point"`` judges the point lead. Measured: the judged lead over the
    strongest baseline.

    Parameters
    ----------
    y : numpy.ndarray of bool, shape (n,)
        True for a risky row.
    candidate : numpy.ndarray of float, shape (n,)
        The candidate's scores on those rows.
    baselines : Mapping[str, numpy.ndarray]
        Each baseline's scores on the same rows, by name.
    metric : {"pr_auc", "roc_auc"}
        The ranking metric compared.
    split : str
        The split's name.
    margin : float
        The lead (in metric units) the candidate must reach over every baseline.
    bound : {"bootstrap", "point"}
        Judge the lower end of the two-sided paired Poisson-bootstrap interval of the
        lead at ``confidence``, or the point lead.
    confidence : float
        Coverage of the two-sided bootstrap interval.
    resamples : int
        Bootstrap resamples (``bound="bootstrap"`` only).
    seed : int
        Seed of the bootstrap.

    Returns
    -------
    CheckResult
        ``quality.baselines``: measured is the judged lead over the strongest baseline.

    Raises
    ------
    ValueError
        When ``metric`` or ``bound`` is not one of the allowed values.
    """
    check_option("metric", metric, RankMetric)
    check_option("bound", bound, LeadBound)
    params = {"split": split, "metric": metric}
    y = np.asarray(y, dtype=bool)
    score = _METRICS[metric]
    if not baselines:
        return CheckResult.undefined(BASELINES_ID, "no baselines to compare", reason=Reason.NO_BASELINES)
    if y.all() or not y.any():
        return CheckResult.undefined(
            BASELINES_ID,
            f"{split}: one class only: {metric} undefined",
            reason=Reason.ONE_CLASS,
            parameters=params,
        )
    base_values = {name: score(y, s) for name, s in baselines.items()}
    cand_value = score(y, candidate)
    rows: list[dict[str, Any]] = []
    for name, s in sorted(baselines.items()):
        lead = cand_value - base_values[name]
        lo = hi = lead
        if bound == "bootstrap":
            leads = paired_bootstrap_leads(
                y, candidate, np.asarray(s), metric=metric, resamples=resamples, seed=seed
            )
            alpha = (1 - confidence) / 2
            lo, hi = (float(v) for v in np.quantile(leads, [alpha, 1 - alpha]))
        judged = lo if bound == "bootstrap" else lead
        rows.append(
            {
                "baseline": name,
                "value": base_values[name],
                "lead": lead,
                "interval": [lo, hi],
                "judged": judged,
            }
        )
    worst = min(rows, key=lambda r: r["judged"])
    status = Status.PASS if worst["judged"] >= margin else Status.FAIL
    shown = ", ".join(
        f"{r['baseline']} {r['value']:.3f} (lead {r['lead']:+.3f}, {confidence:.0%} CI "
        f"[{r['interval'][0]:+.3f}, {r['interval'][1]:+.3f}])"
        for r in rows
    )
    rule = f"{confidence:.0%} lower bound of the lead" if bound == "bootstrap" else "lead"
    return CheckResult(
        id=BASELINES_ID,
        status=status,
        message=(
            f"{split}: candidate {metric} {cand_value:.3f} vs {shown}; judged on the {rule}, ≥ {margin:+.3f}"
        ),
        measured=float(worst["judged"]),
        limit=margin,
        direction=Direction.AT_LEAST,
        reason=Reason.OK if status is Status.PASS else Reason.WORSE_THAN_BASELINE,
        support={
            "n": len(y),
            "n_positive": int(y.sum()),
            "resamples": resamples if bound == "bootstrap" else 0,
        },
        evidence=(Evidence.capped("baselines", rows, detail={"candidate": cand_value}),),
        parameters=params,
        hint=(
            "A simple class-weighted model ranks risky requests better: the candidate's extra "
            "complexity buys nothing. Check its features, leakage and training before promoting."
        ),
    )


def _pr_auc(y: np.ndarray, s: np.ndarray) -> float:
    from sentinel_checks.stats.ranking import pr_auc

    return pr_auc(y, s)


def _roc_auc(y: np.ndarray, s: np.ndarray) -> float:
    from sentinel_checks.stats.ranking import roc_auc

    return roc_auc(y, s)


_METRICS = {"pr_auc": _pr_auc, "roc_auc": _roc_auc}
