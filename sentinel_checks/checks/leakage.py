"""``splits.target_leakage``: a single feature that predicts the label too well."""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd

from sentinel_checks.data.time_axis import ROW_ORDER
from sentinel_checks.formatting import listing
from sentinel_checks.reasons import Reason
from sentinel_checks.result import CheckResult, Direction, Evidence, Status, at_fault
from sentinel_checks.stats.leakage import category_codes, numeric_view
from sentinel_checks.stats.target_encoding import row_folds
from sentinel_checks.stats.univariate import (
    BINS,
    MIN_ROWS_PER_CLASS,
    FeatureAssociation,
    feature_association,
)

CHECK_ID = "splits.target_leakage"
HINT = (
    "A feature this predictive on its own usually knows the future or the label: recompute "
    "it as of each request (only events before {before}), or drop it. If it is genuinely "
    "that strong, raise [leakage] max_univariate_auc and record why."
)


def hint(time_column: str | None) -> str:
    """The hint, naming the user's timestamp column (``[columns] timestamp``) when there is one."""
    named = time_column and time_column != ROW_ORDER
    return HINT.format(before=f"its {time_column}" if named else "the request's own time")


def check_target_leakage(
    frame: pd.DataFrame,
    y: np.ndarray,
    *,
    features: list[str],
    max_auc: float = 0.95,
    flag_constant_per_class: bool = True,
    seed: int = 0,
    time_column: str | None = None,
) -> CheckResult:
    """How well each feature alone predicts the label, on every row of ``frame``.

    A numeric, boolean or datetime feature is read two ways and scored by the larger
    (:func:`~sentinel_checks.stats.univariate.feature_association`): the folded ROC
    AUC of its values (missing values as their own lowest level: the *monotone*
    reading) and the folded AUC of a cross-fitted target encoding of its 20 quantile
    bins with missing values as a bin of their own (the *binned* reading, which sees
    a U shape or "missing or ≥ 60"). Text and categories are read through a
    cross-fitted target encoding of their categories. The AUC is folded (0.1 reads
    as 0.9). Also flagged, by name:

    * a feature constant within one class while varying in the other (e.g. a field
      only filled in after an investigation) — fails;
    * a feature whose missing values alone reach the limit, i.e. whose missing share
      differs between the classes by at least ``2·max_auc − 1`` ("delay: missing in
      98% of risky rows vs 1% of safe rows") — fails;
    * a feature missing in rows of one class only, where chance would put all of
      them in one class with probability below 1e-6 — a warning (a rule a model
      learns without exception, but perhaps on few rows).

    Measured: the highest score.

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
        Seed of the 5 stratified folds of the cross-fitted encodings (same seed, same
        folds, same answer).
    time_column : str, optional
        The timestamp column (``[columns] timestamp``), named in the hint ("only events
        before its DATE"); ``None`` or ``"@row"``: the hint says "the request's own time".

    Returns
    -------
    CheckResult
        Id ``splits.target_leakage``. Measured: the highest univariate score (a
        folded ROC AUC), in [0.5, 1]; limit ``max_auc``; direction reported as at
        most (but a score equal to the limit fails). Status ``fail``, else ``warn``
        when a feature is missing in one class only, else ``pass``. The evidence
        holds, per feature, the score, the reading that decided it (``monotone``,
        ``binned`` or ``categories``), both readings and the missing share of each
        class.

    Raises
    ------
    ValueError
        When ``y`` and ``frame`` differ in length.
    KeyError
        When a name in ``features`` is not a column of ``frame``.

    Notes
    -----
    Never raises for bad data otherwise: a one-class label, fewer than 5 rows of a
    class (the folds need them), no features or an undefined AUC is a CheckResult
    with status ``error``. Cost per feature: one sort and one ``bincount`` of
    (bin or category, fold, class) counts, from which the cross-fitted encoding and its
    AUC are computed (:mod:`~sentinel_checks.stats.target_encoding`, the code an engine
    session feeds with engine counts); 1M rows stay in seconds. The folds are
    scikit-learn's ``StratifiedKFold(5, shuffle=True, random_state=seed)``, the encoding
    its ``TargetEncoder``'s "auto" smoothing from counts (equal to a few ulps; see that
    module for where the AUC can differ from ``roc_auc_score`` on ``fit_transform``).

    References
    ----------
    Hanley, J. A. and McNeil, B. J. (1982). The meaning and use of the area under a
    receiver operating characteristic (ROC) curve. Radiology 143(1), 29–36.
    Micci-Barreca, D. (2001). A preprocessing scheme for high-cardinality categorical
    attributes. SIGKDD Explorations 3(1) (the target encoding of the binned reading).

    Examples
    --------
    >>> frame = pd.DataFrame({"x": np.arange(100.0), "noise": np.tile([1.0, 2.0], 50)})
    >>> y = np.arange(100) >= 50
    >>> r = check_target_leakage(frame, y, features=["x", "noise"])
    >>> r.status.value, r.measured
    ('fail', 1.0)
    """
    y = np.asarray(y, dtype=bool)
    n_pos = int(y.sum())
    if len(y) != len(frame):
        raise ValueError(f"y has {len(y)} values for {len(frame)} rows")
    early = undefined_leakage(len(y), n_pos, features)
    if early is not None:
        return early
    folds = row_folds(y, seed=seed)
    readings: dict[str, FeatureAssociation] = {}
    constant: dict[str, str] = {}
    for name in features:
        values = frame[name]
        readings[name] = feature_association(values, y, seed=seed, folds=folds)
        if flag_constant_per_class:
            numeric = numeric_view(values)
            levels = numeric if numeric is not None else category_codes(values)[0]
            which = _constant_in_one_class(values, levels, y)
            if which is not None:
                constant[name] = which
    return leakage_result(readings, constant, n=len(y), n_pos=n_pos, max_auc=max_auc, time_column=time_column)


def undefined_leakage(n: int, n_pos: int, features: list[str]) -> CheckResult | None:
    """The ``error`` result when the readings cannot be taken (one class, no features,
    fewer than :data:`MIN_ROWS_PER_CLASS` rows of a class), else None.

    Parameters
    ----------
    n, n_pos : int
        Rows and risky rows of the checked split.
    features : list of str
    """
    params = {"features": len(features)}
    support = {"n": n, "n_positive": n_pos}
    if n_pos == 0 or n_pos == n:
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
    if min(n_pos, n - n_pos) < MIN_ROWS_PER_CLASS:
        return CheckResult.undefined(
            CHECK_ID,
            f"{n_pos} risky and {n - n_pos} safe rows: the cross-fitted readings need at least "
            f"{MIN_ROWS_PER_CLASS} rows of each class",
            reason=Reason.TOO_FEW_ROWS,
            parameters=params,
            support=support,
        )
    return None


def leakage_result(
    readings: Mapping[str, FeatureAssociation],
    constant: Mapping[str, str],
    *,
    n: int,
    n_pos: int,
    max_auc: float,
    time_column: str | None,
) -> CheckResult:
    """The verdict of ``splits.target_leakage`` from each feature's readings, whoever
    computed them (pandas rows or engine counts).

    Parameters
    ----------
    readings : mapping of str to FeatureAssociation
        Per feature (in the configured order), at least one.
    constant : mapping of str to str
        Features constant within one class, with where (``"always 0 when risky"``).
    n, n_pos : int
        Rows and risky rows (both classes present).
    max_auc : float
    time_column : str, optional
        As :func:`check_target_leakage`.

    Returns
    -------
    CheckResult
        As :func:`check_target_leakage`.
    """
    params = {"features": len(readings)}
    support = {"n": n, "n_positive": n_pos}
    prevalence = n_pos / n
    undefined = sorted(n for n, a in readings.items() if math.isnan(a.score))
    if undefined:
        return CheckResult.undefined(
            CHECK_ID,
            f"AUC undefined for feature(s) {', '.join(undefined)}",
            reason=Reason.UNDEFINED_METRIC,
            parameters=params,
            support=support,
        )
    ranked = sorted(readings.items(), key=lambda kv: (-kv[1].score, kv[0]))
    top_name, top = ranked[0]
    leaky = [(n, a) for n, a in ranked if a.score >= max_auc]
    # the missing-value indicator alone reaches the limit: AUC = 0.5 + |share gap| / 2
    missing_leak = [n for n, a in ranked if 0.5 + abs(a.missing_risky - a.missing_safe) / 2 >= max_auc]
    one_class_missing = {
        n: text
        for n, a in ranked
        if n not in missing_leak and (text := _missing_in_one_class(a, prevalence)) is not None
    }
    failed = bool(leaky) or bool(constant) or bool(missing_leak)
    leaking = [n for n, _ in leaky] + missing_leak + sorted(constant)
    parts = []
    if leaky:
        shown = listing([f"{n} (AUC {a.score:.3f}, {_READING[a.decided_by]})" for n, a in leaky])
        parts.append(f"{len(leaky)} feature(s) at or above AUC {max_auc:.2f} on their own: {shown}")
    if missing_leak:
        shown = listing([_missing_text(n, readings[n]) for n in missing_leak])
        parts.append(f"{len(missing_leak)} feature(s) whose missing values give the label away: {shown}")
    if constant:
        shown = listing([f"{n} ({c})" for n, c in sorted(constant.items())])
        parts.append(f"{len(constant)} feature(s) constant within one class: {shown}")
    if not failed:
        parts.append(
            f"strongest single feature {top_name} has AUC {top.score:.3f} ({_READING[top.decided_by]}) "
            f"< {max_auc:.2f}; no feature is constant within one class"
        )
    if one_class_missing:
        shown = listing([f"{n}: {t}" for n, t in sorted(one_class_missing.items())])
        parts.append(f"missing in one class only, a rule a model can learn: {shown}")
    evidence = [
        Evidence.capped(
            "univariate_auc",
            [_evidence_row(n, a) for n, a in ranked],
            total=len(ranked),
            detail={
                "leaky": [n for n, _ in leaky],
                "missing_leak": missing_leak,
                "missing_in_one_class": sorted(one_class_missing),
                "bins": BINS,
            },
        )
    ]
    if constant:
        evidence.append(
            Evidence.capped(
                "constant_in_one_class",
                [{"feature": n, "where": c} for n, c in sorted(constant.items())],
            )
        )
    status = Status.FAIL if failed else Status.WARN if one_class_missing else Status.PASS
    return CheckResult(
        id=CHECK_ID,
        status=status,
        message="; ".join(parts),
        measured=top.score,
        limit=max_auc,
        # The limit is exclusive: AUC >= limit fails. Reported as at_most for readers.
        direction=Direction.AT_MOST,
        reason=Reason.OK if status is Status.PASS else Reason.LEAKY_FEATURE,
        support=support,
        evidence=tuple(evidence),
        # the features that fail it, strongest first: named on the summary line
        parameters={**params, **(at_fault(leaking) if failed else {})},
        hint=hint(time_column),
    )


_READING = {
    "monotone": "monotone",
    "binned": "binned: not monotone",
    "categories": "by category",
}

#: Chance, were missingness unrelated to the label, of every missing row falling in one
#: class, below which "missing in one class only" is reported (a warning).
ONE_CLASS_MISSING_CHANCE = 1e-6


def _missing_text(name: str, a: FeatureAssociation) -> str:
    return f"{name}: missing in {a.missing_risky:.0%} of risky rows vs {a.missing_safe:.0%} of safe rows"


def _missing_in_one_class(a: FeatureAssociation, prevalence: float) -> str | None:
    """Missing in some rows of one class and none of the other, beyond chance."""
    for count, other, share, cls, other_cls in (
        (a.n_missing_risky, a.n_missing_safe, prevalence, "risky", "safe"),
        (a.n_missing_safe, a.n_missing_risky, 1.0 - prevalence, "safe", "risky"),
    ):
        if count and not other and count * math.log(share) <= math.log(ONE_CLASS_MISSING_CHANCE):
            of_class = a.missing_risky if cls == "risky" else a.missing_safe
            return f"missing in {count} {cls} rows ({of_class:.1%}) and in no {other_cls} row"
    return None


def _evidence_row(name: str, a: FeatureAssociation) -> dict[str, object]:
    return {
        "feature": name,
        "auc": round(a.score, 4),
        "decided_by": a.decided_by,
        "monotone_auc": None if a.monotone_auc is None else round(a.monotone_auc, 4),
        "binned_auc": round(a.binned_auc, 4),
        "missing_risky_share": round(a.missing_risky, 4),
        "missing_safe_share": round(a.missing_safe, 4),
    }


def _constant_in_one_class(values: pd.Series, levels: np.ndarray, y: np.ndarray) -> str | None:
    """``levels``: the column as numbers (numeric view or category codes), one per row."""

    def constant(side: np.ndarray) -> bool:
        part = levels[side]
        return bool(part.min() == part.max())

    def level(at: int) -> str:
        value = values.iloc[at]
        return "missing" if pd.isna(value) else str(value)

    pos_constant, neg_constant = constant(y), constant(~y)
    if pos_constant and not neg_constant:
        return f"always {level(int(np.argmax(y)))} when risky"
    if neg_constant and not pos_constant:
        return f"always {level(int(np.argmin(y)))} when safe"
    return None
