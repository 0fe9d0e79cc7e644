"""``splits.target_leakage``: a single feature that predicts the label too well."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from sentinel_checks.reasons import Reason
from sentinel_checks.result import CheckResult, Direction, Evidence, Status
from sentinel_checks.stats.leakage import (
    category_codes,
    numeric_view,
    out_of_fold_target_encoding,
    symmetric_auc,
)

CHECK_ID = "splits.target_leakage"
HINT = (
    "A feature this predictive on its own usually knows the future or the label: recompute "
    "it as of each request (only events before request_ts), or drop it. If it is genuinely "
    "that strong, raise [leakage] max_univariate_auc and record why."
)


def check_target_leakage(
    frame: pd.DataFrame,
    y: np.ndarray,
    *,
    features: list[str],
    max_auc: float = 0.95,
    flag_constant_per_class: bool = True,
    seed: int = 0,
) -> CheckResult:
    """Univariate ROC AUC of each feature against the label, on every row of ``frame``.

    Numeric, boolean and datetime features are scored as they are (missing values as
    their own lowest level); text and categories through a cross-fitted target
    encoding. The AUC is folded (0.1 reads as 0.9). A feature that is constant within
    one class while varying in the other is flagged too (e.g. a field only filled in
    after an investigation). Measured: the highest AUC.

    Parameters
    ----------
    frame : pandas.DataFrame, shape (n, ...)
        The rows to check; must hold every name in ``features``.
    y : ndarray of bool, shape (n,)
        Labels, True = risky (cast with ``astype(bool)``), aligned with ``frame``'s rows.
    features : list of str
        Feature columns to score one at a time.
    max_auc : float, default 0.95
        A folded AUC at or above this (in [0.5, 1]) fails: the limit is exclusive.
    flag_constant_per_class : bool, default True
        Whether a feature constant within one class (and varying in the other) fails.
    seed : int, default 0
        Seed of the folds of the cross-fitted target encoding.

    Returns
    -------
    CheckResult
        Id ``splits.target_leakage``. Measured: the highest folded univariate ROC
        AUC, in [0.5, 1]; limit ``max_auc``; direction reported as at most (but an
        AUC equal to the limit fails). The AUC of every feature is in the evidence.

    Raises
    ------
    ValueError
        When ``y`` and ``frame`` differ in length; also (from scikit-learn's
        stratified folds) when a text or category feature is scored and both
        classes have fewer than 5 rows.
    KeyError
        When a name in ``features`` is not a column of ``frame``.

    Notes
    -----
    Never raises for bad data otherwise: a one-class label, no features or an
    undefined AUC is a CheckResult with status ``error``.

    References
    ----------
    Hanley, J. A. and McNeil, B. J. (1982). The meaning and use of the area under a
    receiver operating characteristic (ROC) curve. Radiology 143(1), 29–36.

    Examples
    --------
    >>> frame = pd.DataFrame({"x": np.arange(100.0), "noise": np.tile([1.0, 2.0], 50)})
    >>> y = np.arange(100) >= 50
    >>> r = check_target_leakage(frame, y, features=["x", "noise"])
    >>> r.status.value, r.measured
    ('fail', 1.0)
    """
    params = {"features": len(features)}
    y = np.asarray(y, dtype=bool)
    n_pos = int(y.sum())
    support = {"n": len(y), "n_positive": n_pos}
    if len(y) != len(frame):
        raise ValueError(f"y has {len(y)} values for {len(frame)} rows")
    if n_pos == 0 or n_pos == len(y):
        return CheckResult.undefined(
            CHECK_ID,
            "the label has one class only: feature/label association cannot be measured",
            reason=Reason.ONE_CLASS,
            parameters=params,
            support=support,
        )
    if not features:
        return CheckResult.undefined(
            CHECK_ID, "no feature columns to check", reason=Reason.NO_FEATURES, support=support
        )
    scores: dict[str, float] = {}
    constant: dict[str, str] = {}
    for name in features:
        values = frame[name]
        numeric = numeric_view(values)
        if numeric is not None:
            scores[name] = symmetric_auc(y, numeric)
            levels = numeric
        else:
            levels, _ = category_codes(values)
            scores[name] = symmetric_auc(y, out_of_fold_target_encoding(levels, y, seed=seed))
        if flag_constant_per_class:
            which = _constant_in_one_class(values, levels, y)
            if which is not None:
                constant[name] = which
    undefined = sorted(n for n, s in scores.items() if math.isnan(s))
    if undefined:
        return CheckResult.undefined(
            CHECK_ID,
            f"AUC undefined for feature(s) {undefined}",
            reason=Reason.UNDEFINED_METRIC,
            parameters=params,
            support=support,
        )
    ranked = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
    top_name, top_auc = ranked[0]
    leaky = [(n, round(s, 4)) for n, s in ranked if s >= max_auc]
    failed = bool(leaky) or bool(constant)
    parts = []
    if leaky:
        shown = ", ".join(f"{n} (AUC {s:.3f})" for n, s in leaky[:5])
        parts.append(f"{len(leaky)} feature(s) at or above AUC {max_auc:.2f} on their own: {shown}")
    if constant:
        shown = ", ".join(f"{n} ({c})" for n, c in sorted(constant.items())[:5])
        parts.append(f"{len(constant)} feature(s) constant within one class: {shown}")
    if not failed:
        parts.append(
            f"strongest single feature {top_name} has AUC {top_auc:.3f} < {max_auc:.2f}; "
            "no feature is constant within one class"
        )
    evidence = [
        Evidence.capped(
            "univariate_auc",
            [{"feature": n, "auc": round(s, 4)} for n, s in ranked],
            total=len(ranked),
            detail={"leaky": [n for n, _ in leaky]},
        )
    ]
    if constant:
        evidence.append(
            Evidence.capped(
                "constant_in_one_class",
                [{"feature": n, "where": c} for n, c in sorted(constant.items())],
            )
        )
    return CheckResult(
        id=CHECK_ID,
        status=Status.FAIL if failed else Status.PASS,
        message="; ".join(parts),
        measured=top_auc,
        limit=max_auc,
        # The limit is exclusive: AUC >= limit fails. Reported as at_most for readers.
        direction=Direction.AT_MOST,
        reason=Reason.LEAKY_FEATURE if failed else Reason.OK,
        support=support,
        evidence=tuple(evidence),
        parameters=params,
        hint=HINT,
    )


def _constant_in_one_class(values: pd.Series, levels: np.ndarray, y: np.ndarray) -> str | None:
    """``levels``: the column as numbers (numeric view or category codes), one per row."""

    def constant(side: np.ndarray) -> bool:
        part = levels[side]
        return bool(part.min() == part.max())

    pos_constant, neg_constant = constant(y), constant(~y)
    if pos_constant and not neg_constant:
        return f"always {values.iloc[int(np.argmax(y))]!r} when risky"
    if neg_constant and not pos_constant:
        return f"always {values.iloc[int(np.argmin(y))]!r} when safe"
    return None
