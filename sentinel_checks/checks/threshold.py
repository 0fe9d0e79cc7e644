"""``quality.threshold``: the operating threshold reaches the target recall on validation.

The threshold itself is chosen in :mod:`sentinel_checks.models.thresholds`; this check
judges the choice and records its rationale (recall, precision, flagged fraction and
FNR at the threshold, and what the library default 0.5 would give).
"""

from __future__ import annotations

import math

from sentinel_checks.models.thresholds import ThresholdChoice
from sentinel_checks.reasons import Reason
from sentinel_checks.result import CheckResult, Direction, Evidence, Status
from sentinel_checks.stats.confusion import Confusion

THRESHOLD_ID = "quality.threshold"


def check_threshold(
    choice: ThresholdChoice,
    *,
    test: Confusion | None = None,
    at_default: Confusion | None = None,
) -> CheckResult:
    """The operating threshold reaches the target recall on validation; records why.

    Evidence carries the rationale: recall, precision, flagged fraction and FNR at the
    threshold on validation (and test), and what the library default 0.5 would give.

    Parameters
    ----------
    choice : ThresholdChoice
        From :func:`~sentinel_checks.models.thresholds.choose_threshold`: the threshold
        (a score in [0, 1]), the rule that chose it, the target recall (a proportion)
        and the validation counts at it (rows).
    test : Confusion, optional
        Counts of the test split at the same threshold, recorded in the rationale only.
    at_default : Confusion, optional
        Validation counts at the library default threshold 0.5, recorded and named
        in the message (unless the threshold is fixed in config).

    Returns
    -------
    CheckResult
        ``quality.threshold``: measured is the validation recall (a proportion), limit
        the target recall; ``FAIL`` (``Reason.TARGET_NOT_REACHED``) when the target is
        not reached, ``ERROR`` when validation has no risky row (recall undefined).

    Notes
    -----
    Never raises for bad data: an undefined recall is a CheckResult with status
    ``error``.

    Examples
    --------
    >>> v = Confusion(tp=85, fp=40, fn=15, tn=860)
    >>> choice = ThresholdChoice(0.3, "target_recall", 0.8, True, v)
    >>> check_threshold(choice).status.value
    'pass'
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
