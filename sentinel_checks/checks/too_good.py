"""``quality.too_good``: a test score too good to be true is a reason to look for leakage.

Risk labels are noisy (late chargebacks, unreviewed cases), so a model that ranks the
test split almost perfectly (ROC AUC at or above ``max_auc``) or catches every risky
row without one false alarm at its threshold has most likely seen the answer: a
feature computed after the event, an id shared with the label, a split that lets
copies through. The check says so and names the features that predict the label best
on their own (``splits.target_leakage``'s scores), where the gate has them.

It decides on the point estimates: a sanity flag, not a statistical test, so it sits
outside the false-block budget. By default it warns (the gate still passes): some
labels really are near-deterministic functions of the features (a rule engine's
verdicts), and the leak itself, when one feature carries it, is what
``splits.target_leakage`` fails on. ``action = "fail"`` blocks instead.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Literal

from sentinel_checks.reasons import Reason
from sentinel_checks.result import CheckResult, Direction, Evidence, Status
from sentinel_checks.stats.confusion import Confusion

TOO_GOOD_ID = "quality.too_good"

#: Features named in the message (all in the evidence, capped).
SHOWN_SUSPECTS = 3

HINT = (
    "Look for leakage before celebrating: a feature recorded after the event or derived from "
    "the label (splits.target_leakage lists the strongest single features), ids or rows shared "
    "across splits, a random instead of a time-ordered split. If the labels really are this "
    'separable, raise [quality] too_good_auc or set too_good_action = "warn" and record why.'
)


def is_too_good(roc_auc: float, confusion: Confusion, *, max_auc: float) -> bool:
    """Whether the scores look too good: ROC AUC ≥ ``max_auc``, or recall = precision = 1.

    Parameters
    ----------
    roc_auc : float
        ROC AUC on the split, in [0, 1]; NaN is never too good.
    confusion : Confusion
        The split's counts at the operating threshold.
    max_auc : float
        The limit, in (0.5, 1].

    Returns
    -------
    bool

    Examples
    --------
    >>> is_too_good(0.8, Confusion(tp=10, fp=0, fn=0, tn=90), max_auc=0.99)
    True
    >>> is_too_good(0.8, Confusion(tp=8, fp=1, fn=2, tn=89), max_auc=0.99)
    False
    """
    perfect = confusion.positives > 0 and confusion.fn == 0 and confusion.fp == 0
    return perfect or (math.isfinite(roc_auc) and roc_auc >= max_auc)


def check_too_good(
    roc_auc: float,
    confusion: Confusion,
    *,
    split: str,
    max_auc: float = 0.99,
    action: Literal["warn", "fail"] = "warn",
    suspects: Sequence[tuple[str, float]] = (),
) -> CheckResult:
    """Warn (or fail) when the model scores ROC AUC ≥ ``max_auc`` or perfect recall and precision.

    Parameters
    ----------
    roc_auc : float
        ROC AUC of the split's scores, in [0, 1] (NaN with one class).
    confusion : Confusion
        Counts at the operating threshold on the split (rows).
    split : str
        The split's name (``"test"`` in the gate).
    max_auc : float, default 0.99
        ROC AUC at or above this, in (0.5, 1], is too good.
    action : {"warn", "fail"}, default "warn"
        The status of a too-good result.
    suspects : sequence of (str, float), default ()
        Features with their univariate leakage score (a folded AUC in [0.5, 1]),
        strongest first; the first three are named in the message.

    Returns
    -------
    CheckResult
        Id ``quality.too_good``. Measured: the ROC AUC (point estimate); limit
        ``max_auc``; direction at most (but an AUC equal to the limit is too good).
        ``PASS``; ``WARN`` or ``FAIL`` (per ``action``) with ``Reason.TOO_GOOD``;
        ``ERROR`` (``Reason.UNDEFINED_METRIC``) when the AUC is not finite.

    Raises
    ------
    ValueError
        ``max_auc`` outside (0.5, 1] or ``action`` not "warn" / "fail".

    Examples
    --------
    >>> ok = Confusion(tp=80, fp=40, fn=20, tn=860)
    >>> check_too_good(0.87, ok, split="test").status.value
    'pass'
    >>> check_too_good(0.995, ok, split="test", suspects=[("refund_id", 1.0)]).status.value
    'warn'
    """
    if not 0.5 < max_auc <= 1.0:
        raise ValueError(f"max_auc must be in (0.5, 1], got {max_auc}")
    if action not in ("warn", "fail"):
        raise ValueError(f"action must be 'warn' or 'fail', got {action!r}")
    params = {"split": split, "action": action}
    support = {"n": confusion.n, "n_positive": confusion.positives}
    if not math.isfinite(roc_auc):
        return CheckResult.undefined(
            TOO_GOOD_ID,
            f"{split}: ROC AUC undefined (one class only)",
            reason=Reason.UNDEFINED_METRIC,
            parameters=params,
            support=support,
        )
    too_good = is_too_good(roc_auc, confusion, max_auc=max_auc)
    perfect = confusion.positives > 0 and confusion.fn == 0 and confusion.fp == 0
    if not too_good:
        message = (
            f"{split}: ROC AUC {roc_auc:.3f} < {max_auc:.2f} and {confusion.fn + confusion.fp:,} "
            "errors at the threshold: plausible for noisy risk labels"
        )
    else:
        why = []
        if roc_auc >= max_auc:
            why.append(f"ROC AUC {roc_auc:.3f} ≥ {max_auc:.2f}")
        if perfect:
            why.append(
                f"recall {confusion.recall:.3f} and precision {confusion.precision:.3f} "
                f"({confusion.positives} risky rows, none missed, no false alarm)"
            )
        message = f"{split}: " + " and ".join(why) + ": too good to be true, look for leakage"
        if suspects:
            shown = ", ".join(f"{n} (leakage score {s:.3f})" for n, s in suspects[:SHOWN_SUSPECTS])
            message += f"; strongest single features: {shown}"
    status = Status.PASS if not too_good else Status.FAIL if action == "fail" else Status.WARN
    return CheckResult(
        id=TOO_GOOD_ID,
        status=status,
        message=message,
        measured=roc_auc,
        limit=max_auc,
        # the limit is exclusive (an AUC equal to it is too good); reported as at most
        direction=Direction.AT_MOST,
        reason=Reason.TOO_GOOD if too_good else Reason.OK,
        support=support,
        evidence=(
            Evidence.capped(
                "leakage_suspects",
                [{"feature": n, "score": round(s, 4)} for n, s in suspects],
                detail={
                    "perfect_at_threshold": perfect,
                    "recall": confusion.recall,
                    "precision": confusion.precision,
                },
            ),
        ),
        parameters=params,
        hint=HINT if too_good else "",
    )
