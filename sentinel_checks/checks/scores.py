"""``model.scores``: the model scores the configured data with usable probabilities."""

from __future__ import annotations

import numpy as np

from sentinel_checks.reasons import Reason
from sentinel_checks.result import CheckResult, Direction, Evidence, Status
from sentinel_checks.stats.score_summary import ScoreSummary

CHECK_ID = "model.scores"
HINT = (
    "Score with the feature list and preprocessing the model was trained with; a score "
    "must be a probability of the risky class in [0, 1]."
)


def check_scores(scores: np.ndarray, *, model: str, split: str) -> CheckResult:
    """Every score finite and within [0, 1], and not all equal. Measured: bad scores (limit 0).

    Parameters
    ----------
    scores : ndarray of float, shape (n,)
        The model's probabilities of the risky class on one split; expected in [0, 1].
    model : str
        Name of the model (``"candidate"``, ``"champion"``…), in messages and parameters.
    split : str
        Name of the split scored, in messages and parameters.

    Returns
    -------
    CheckResult
        Id ``model.scores``. Measured: the count of NaN, infinite or out-of-range
        scores (int, as float); limit 0; direction at most. ``fail`` with
        ``Reason.INVALID_SCORES`` for bad scores; ``fail`` with
        ``Reason.CONSTANT_SCORES`` when all scores are equal, then measured the count of
        distinct scores (1), limit 2, direction at least, ``parameters["criterion"]``
        ``"distinct scores"``; the positions of bad scores are in the evidence.

    Notes
    -----
    Never raises for bad data: no scores is a CheckResult with status ``error``.

    Examples
    --------

    >>> check_scores(np.array([0.1, 0.7, 0.4]), model="candidate", split="val").status.value
    'pass'
    >>> check_scores(np.array([0.1, 1.7, np.nan]), model="candidate", split="val").measured
    2.0
    """
    return check_score_summary(ScoreSummary.from_array(scores), model=model, split=split)


def check_score_summary(summary: ScoreSummary, *, model: str, split: str) -> CheckResult:
    """:func:`check_scores` on the scores' summary (from an array, or computed in the engine:
    :func:`~sentinel_checks.engine.score_summary.score_summary`); the one implementation.

    Parameters
    ----------
    summary : ScoreSummary
    model, split : str
        As :func:`check_scores`.

    Returns
    -------
    CheckResult
        As :func:`check_scores`.
    """
    params = {"model": model, "split": split}
    if summary.n == 0:
        return CheckResult.undefined(
            CHECK_ID, f"no rows to score in {split}", reason=Reason.EMPTY, parameters=params
        )
    n_bad = summary.bad
    constant = n_bad == 0 and summary.n > 1 and summary.low == summary.high  # one score ranks no pair
    if n_bad:
        status, reason = Status.FAIL, Reason.INVALID_SCORES
        message = (
            f"{model}: {n_bad:,} of {summary.n:,} score(s) on {split} are NaN, infinite or outside [0, 1]"
        )
    elif constant:
        status, reason = Status.FAIL, Reason.CONSTANT_SCORES
        message = (
            f"{model}: all {summary.n:,} score(s) on {split} equal {summary.low:.4g}: the model ranks nothing"
        )
    else:
        status, reason = Status.PASS, Reason.OK
        message = (
            f"{model}: {summary.n:,} score(s) on {split} in [{summary.low:.3g}, {summary.high:.3g}], "
            f"median {summary.median:.3g}"
        )
    # all equal: judged on the count of distinct scores, which is what failed (trial: "invalid
    # scores: measured 0 rows · limit ≤ 0 rows" read as a pass beside FAIL)
    judged = (1.0, 2.0, Direction.AT_LEAST) if constant else (float(n_bad), 0.0, Direction.AT_MOST)
    if constant:
        params["criterion"] = "distinct scores"
    return CheckResult(
        id=CHECK_ID,
        status=status,
        message=message,
        measured=judged[0],
        limit=judged[1],
        direction=judged[2],
        reason=reason,
        support={"n": summary.n},
        evidence=(Evidence.capped("bad_score_rows", list(summary.bad_rows), total=n_bad),),
        parameters=params,
        hint=HINT,
    )
