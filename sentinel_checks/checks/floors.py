"""``quality.recall``, ``quality.precision``: floors on a proportion at the operating threshold.

Each check tests the hypothesis "the proportion (recall, precision) is at least its
floor" on the two-sided Wilson score interval at ``confidence``, with three
outcomes (:func:`~sentinel_checks.result.judge_interval`): **pass** when the lower
bound is at or above the floor (shown above it), **fail** when the upper bound is
below it (shown below it), **inconclusive** when the interval holds the floor — the
data cannot tell, and the result says how many rows would settle it
(:func:`~sentinel_checks.stats.power.rows_to_show_proportion`). ``bound="point"``
judges the estimate itself: pass or fail, never inconclusive on enough rows.

Consistency with the threshold: the threshold is chosen on validation for
``target_recall`` and the config requires ``min_recall <= target_recall``. The Wilson
interval always holds its own estimate, so a test recall equal to the target has an
upper bound at or above the floor: it is never a failure, whatever the sample size.

An undefined metric (no risky row, nothing flagged) is an ``ERROR``, never a pass.
``quality.auc`` lives in :mod:`sentinel_checks.checks.auc` (re-exported here).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sentinel_checks.checks.auc import AUC_ID, check_auc
from sentinel_checks.options import ProportionBound, check_option
from sentinel_checks.reasons import Reason
from sentinel_checks.result import CheckResult, Direction, Evidence, Status, judge, judge_interval
from sentinel_checks.stats.confusion import Confusion
from sentinel_checks.stats.intervals import coverage_text, wilson_interval
from sentinel_checks.stats.power import MAX_ROWS, rows_to_show_proportion

__all__ = [
    "AUC_ID",
    "PRECISION_ID",
    "RECALL_HINT",
    "RECALL_ID",
    "ProportionVerdict",
    "check_auc",
    "check_precision",
    "check_recall",
    "judge_proportion",
]

RECALL_ID = "quality.recall"
PRECISION_ID = "quality.precision"

RECALL_HINT = (
    "Too many risky requests get through. Choose the threshold on validation for the recall "
    "the business needs ([quality] target_recall), weight the risky class in training, or fix "
    "the splits and features; a small test set widens the bound: collect more labelled positives."
)


@dataclass(frozen=True)
class ProportionVerdict:
    """A proportion judged against a floor (see :func:`judge_proportion`)."""

    status: Status
    point: float  #: the proportion, in [0, 1]
    low: float  #: lower end of the two-sided Wilson interval
    high: float  #: upper end
    measured: float  #: the value judged: the bound that decided, else the estimate
    needed: int  #: trials that would settle an inconclusive result (0 otherwise)
    too_few: bool  #: fewer trials than the minimum to measure on

    def clause(self, floor: float, confidence: float, bound: ProportionBound) -> str:
        """What the interval shows, e.g. '95% CI [0.72, 0.86] holds the floor 0.75: inconclusive'."""
        ci = f"{coverage_text(confidence)} CI [{self.low:.3f}, {self.high:.3f}]"
        if bound == "point" and not self.too_few:
            side = "≥" if self.status is Status.PASS else "<"
            return f"point estimate {side} floor {floor:.2f} ({ci})"
        if self.status is Status.PASS:
            return f"{ci} is above the floor {floor:.2f}"
        if self.status is Status.FAIL:
            return f"{ci} is below the floor {floor:.2f}"
        return f"{ci} holds the floor {floor:.2f}: inconclusive"

    def settle(self, what: str, floor: float, unit: str) -> str:
        """What would settle an inconclusive result.

        E.g. 'showing recall ≥ 0.75 at 0.80 needs ≈ 289 risky rows'.
        """
        if self.needed >= MAX_ROWS:
            return f"{what} {self.point:.3f} is on the floor {floor:.2f}: no realistic sample separates them"
        side = "≥" if self.point >= floor else "<"
        return f"showing {what} {side} {floor:.2f} at {self.point:.2f} needs ≈ {self.needed} {unit}"


def judge_proportion(
    successes: int,
    trials: int,
    *,
    floor: float,
    bound: ProportionBound,
    confidence: float,
    min_trials: int = 1,
) -> ProportionVerdict:
    """Judge ``successes / trials`` against ``floor``: pass, fail or inconclusive.

    Parameters
    ----------
    successes, trials : int
        Counts (rows); ``trials`` at least 1.
    floor : float
        The floor, a proportion in [0, 1].
    bound : {"wilson", "point"}
        ``"wilson"``: :func:`~sentinel_checks.result.judge_interval` on the two-sided
        Wilson interval at ``confidence``; ``"point"``: the estimate against the floor.
    confidence : float
        Coverage of the two-sided interval.
    min_trials : int, default 1
        Fewer trials are too few to measure on: the result fails only when the
        interval is wholly below the floor, and is inconclusive otherwise, needing at
        least ``min_trials``.

    Returns
    -------
    ProportionVerdict
        ``measured`` is the lower bound on a pass, the upper bound on a failure and
        the estimate when inconclusive (with ``bound="point"``, always the estimate).

    Raises
    ------
    ValueError
        When ``bound`` is not one of the allowed values.

    Examples
    --------
    >>> v = judge_proportion(104, 130, floor=0.75, bound="wilson", confidence=0.95)
    >>> v.status.value, v.needed
    ('inconclusive', 289)
    """
    check_option("bound", bound, ProportionBound)
    point = successes / trials
    low, high = wilson_interval(successes, trials, confidence=confidence)
    too_few = trials < min_trials
    if too_few:  # cannot be measured: a failure unless even this little shows the floor met
        status = Status.PASS if bound == "wilson" and low >= floor else Status.FAIL
    elif bound == "point":
        status = judge(point, floor, Direction.AT_LEAST)
    else:
        status = judge_interval(low, high, floor, Direction.AT_LEAST)
    needed = 0
    if status is Status.INCONCLUSIVE:
        to_show = rows_to_show_proportion(point, floor, confidence=confidence)
        needed = max(min_trials, to_show) if to_show < MAX_ROWS else MAX_ROWS
    measured = {Status.PASS: low, Status.FAIL: high}.get(status, point)
    if bound == "point" and not too_few:
        measured = point
    return ProportionVerdict(status, point, low, high, measured, needed, too_few)


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

    Hypothesis: recall ≥ ``min_recall``. Judged on the two-sided Wilson interval at
    ``confidence`` (module docstring): pass when its lower end is at or above the
    floor, fail when its upper end is below, inconclusive otherwise, with
    ``needed["n_positive"]`` the risky rows that would settle it.

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
        ``"wilson"``: three outcomes on the Wilson interval; ``"point"``: pass or
        fail on the recall itself.
    confidence : float
        Coverage of the two-sided interval, in (0.5, 1).
    min_positives : int
        Fewest risky rows recall is measured on. Fewer cannot be measured: a
        ``FAIL`` (``Reason.TOO_FEW_POSITIVES``), never an inconclusive pass, unless
        even this little shows the floor met (the Wilson lower end at or above it).

    Returns
    -------
    CheckResult
        ``quality.recall``: measured is the value judged (the Wilson bound that
        decided, or the recall when inconclusive or ``bound="point"``; a proportion
        in [0, 1]), limit ``min_recall``, direction at least; evidence carries the
        recall, FNR, interval and confidence. No risky row at all: ``ERROR``
        (``Reason.TOO_FEW_POSITIVES``), never a pass.

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
    >>> r = check_recall(Confusion(104, 300, 26, 9000), split="test", threshold=0.3, min_recall=0.75)
    >>> r.status.value, dict(r.needed)
    ('inconclusive', {'n_positive': 289})
    """
    check_option("bound", bound, ProportionBound)
    params = {"split": split, "threshold": round(threshold, 6), "bound": bound}
    p = confusion.positives
    support = {"n": confusion.n, "n_positive": p, "tp": confusion.tp, "fn": confusion.fn}
    if p == 0:
        return CheckResult.undefined(
            RECALL_ID,
            f"{split}: no risky row: recall is undefined",
            reason=Reason.TOO_FEW_POSITIVES,
            parameters=params,
            support=support,
            hint="Collect labelled risky requests for this split, or lengthen its window.",
        )
    v = judge_proportion(
        confusion.tp, p, floor=min_recall, bound=bound, confidence=confidence, min_trials=min_positives
    )
    message = (
        f"{split}: recall {v.point:.3f} (FNR {confusion.fnr:.3f}) at threshold {threshold:.4g} "
        f"on {p:,} risky row(s), {v.clause(min_recall, confidence, bound)}"
    )
    if v.too_few:
        message += f"; fewer than the {min_positives} risky rows recall is measured on"
    if v.status is Status.INCONCLUSIVE:
        message += f"; {v.settle('recall', min_recall, 'risky rows')}"
    reason = {
        Status.PASS: Reason.OK,
        Status.FAIL: Reason.TOO_FEW_POSITIVES if v.too_few else Reason.RECALL_BELOW_FLOOR,
        Status.INCONCLUSIVE: Reason.TOO_FEW_POSITIVES,
    }[v.status]
    return CheckResult(
        id=RECALL_ID,
        status=v.status,
        message=message,
        measured=v.measured,
        limit=min_recall,
        direction=Direction.AT_LEAST,
        reason=reason,
        support=support,
        evidence=(
            Evidence.capped(
                "recall",
                [],
                total=confusion.fn,
                detail={
                    "recall": confusion.recall,
                    "fnr": confusion.fnr,
                    "interval": [v.low, v.high],
                    "confidence": confidence,
                    "missed_risky": confusion.fn,
                },
            ),
        ),
        parameters=params,
        hint=RECALL_HINT
        if v.status is not Status.INCONCLUSIVE
        else "Too few labelled risky rows to tell: collect more (see needed), or lengthen the split.",
        needed={"n_positive": v.needed} if v.status is Status.INCONCLUSIVE else {},
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

    Hypothesis: precision ≥ ``min_precision``, judged like recall (module docstring)
    on the Wilson interval of TP / flagged: pass, fail, or inconclusive with
    ``needed["flagged"]`` the flagged rows that would settle it.

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
        Three outcomes on the two-sided Wilson interval at ``confidence``, or pass /
        fail on the point estimate.
    confidence : float
        Coverage of the two-sided interval.

    Returns
    -------
    CheckResult
        ``quality.precision``: measured is the value judged (the deciding Wilson
        bound, or the precision when inconclusive or ``bound="point"``; in [0, 1]),
        limit ``min_precision``, direction at least; an ``ERROR``
        (``Reason.NOTHING_FLAGGED``) when nothing is flagged.

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
    v = judge_proportion(confusion.tp, flagged, floor=min_precision, bound=bound, confidence=confidence)
    message = (
        f"{split}: precision {v.point:.3f} flagging {confusion.flagged_fraction:.2%} of requests "
        f"({flagged:,} row(s)), {v.clause(min_precision, confidence, bound)}"
    )
    if v.status is Status.INCONCLUSIVE:
        message += f"; {v.settle('precision', min_precision, 'flagged rows')}"
    reason = {
        Status.PASS: Reason.OK,
        Status.FAIL: Reason.PRECISION_BELOW_FLOOR,
        Status.INCONCLUSIVE: Reason.TOO_FEW_ROWS,
    }[v.status]
    detail: dict[str, Any] = {"interval": [v.low, v.high], "confidence": confidence, "precision": v.point}
    return CheckResult(
        id=PRECISION_ID,
        status=v.status,
        message=message,
        measured=v.measured,
        limit=min_precision,
        direction=Direction.AT_LEAST,
        reason=reason,
        support=support,
        evidence=(Evidence.capped("precision", [], total=0, detail=detail),),
        parameters=params,
        hint="Too many safe requests are flagged: improve the model or features before lowering the floor.",
        needed={"flagged": v.needed} if v.status is Status.INCONCLUSIVE else {},
    )
