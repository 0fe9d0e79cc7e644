"""``drift.features``, ``drift.labels``, ``drift.scores``: does offline data still look
like the data the model meets?

Feature drift is measured by Evidently (see :mod:`sentinel_checks.adapters.evidently_drift`)
on columns prepared in :mod:`sentinel_checks.checks.drift_inputs`: datetimes become
epoch seconds, booleans categories; columns that are null on both sides are skipped
with a note. Judging is here: a severe effect or the drift of an important feature
(:mod:`sentinel_checks.checks.drift_severity`), a rise of the missing share
(:mod:`sentinel_checks.checks.missing_share`), the share of drifted features against a
limit, critical features, an undefined score never passing.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from sentinel_checks.adapters.evidently_drift import ColumnDrift
from sentinel_checks.checks.drift_inputs import MAX_CATEGORIES as MAX_CATEGORIES
from sentinel_checks.checks.drift_inputs import OTHER as OTHER
from sentinel_checks.checks.drift_inputs import DriftInputs as DriftInputs
from sentinel_checks.checks.drift_inputs import describe_shift as describe_shift
from sentinel_checks.checks.drift_inputs import prepare_drift_inputs as prepare_drift_inputs
from sentinel_checks.checks.drift_severity import SEVERE_EFFECT as SEVERE_EFFECT
from sentinel_checks.checks.drift_severity import FlaggedFeature, drift_statistics_text, flag_features
from sentinel_checks.checks.label_drift import LABELS_ID as LABELS_ID
from sentinel_checks.checks.label_drift import check_label_drift as check_label_drift
from sentinel_checks.checks.missing_share import MissingShare, judge_missing
from sentinel_checks.checks.missing_share import missing_counts as missing_counts
from sentinel_checks.checks.score_drift import SCORES_ID as SCORES_ID
from sentinel_checks.checks.score_drift import check_score_drift as check_score_drift
from sentinel_checks.reasons import Reason
from sentinel_checks.result import CheckResult, Direction, Evidence, Status, at_fault
from sentinel_checks.stats.drift import population_stability_index as population_stability_index

FEATURES_ID = "drift.features"


def check_feature_drift(
    columns: Sequence[ColumnDrift],
    *,
    pair: tuple[str, str],
    n_reference: int,
    n_current: int,
    max_share: float = 0.5,
    critical: Sequence[str] = (),
    min_rows: int = 200,
    required: bool = False,
    descriptions: Mapping[str, str] | None = None,
    notes: Mapping[str, str] | None = None,
    severe_effect: Mapping[str, float] | None = None,
    importance: Mapping[str, float] | None = None,
    importance_source: str = "",
    important_share: float = 0.25,
    missing: Mapping[str, tuple[int, int, int, int]] | None = None,
    max_missing_increase: float = 0.10,
    missing_confidence: float = 0.95,
) -> CheckResult:
    """Feature drift between two samples: severe effects, important features, missing
    shares, the share of drifted features and critical features.

    Fails when any of these holds:

    - a feature's effect size reaches the severe limit of its method (normed
      Wasserstein ≥ 1.2, Jensen–Shannon ≥ 0.39, PSI ≥ 0.25, ...; the table and sources
      are in :mod:`sentinel_checks.checks.drift_severity`); a p-value test is judged by
      the effect size measured beside it, never by its p-value;
    - a drifted feature (over its method's drift threshold) carries at least
      ``important_share`` of the model's importance;
    - a feature's missing share is shown to rise by more than ``max_missing_increase``
      (:mod:`sentinel_checks.checks.missing_share`), or a feature is missing in every
      row of one side only ("amount: missing in every train row, present in val");
    - the share of drifted features exceeds ``max_share``, or a ``critical`` feature drifts.

    Otherwise: ``inconclusive`` when a missing-share rise cannot be told from the
    limit at this sample size (``needed`` says how many rows a side would settle it);
    ``warn`` when some features drift within the limits, a missing share rose within
    the limit, or a feature looks like an id; ``pass`` when nothing moved. An
    undefined (NaN) drift score (Evidently failed on the column, or a per-column method
    does not fit it) is an ``error`` naming the column and the cause. A column holding
    one and the same value on both sides is no drift (evidence ``constant``). A sample
    smaller than ``min_rows`` is skipped with the reason, or fails when the pair is
    ``required``.

    The per-column scores come from Evidently (:mod:`sentinel_checks.adapters.evidently_drift`).
    With its automatic choice (no ``[drift] method``), samples over 1000 rows get the
    normed Wasserstein distance for numeric columns (SciPy's ``wasserstein_distance``
    divided by the reference's standard deviation; drift at >= 0.1) and the
    Jensen–Shannon distance for categorical ones (drift at >= 0.1); smaller samples
    get p-value tests (KS, chi-square or a proportion z-test). A distance counts as
    drift only when it also exceeds what sampling noise reaches at these sample sizes
    (its permutation null, :mod:`sentinel_checks.stats.distance_noise`; evidence
    ``noise``), so a small sample from the same population does not drift.

    Parameters
    ----------
    columns : sequence of ColumnDrift
        One drift score per feature, with its test and threshold.
    pair : (str, str)
        Names of the reference and current samples (e.g. ``("train", "production")``).
    n_reference, n_current : int
        Rows in each sample.
    max_share : float, default 0.5
        Largest share of drifted features (proportion in [0, 1]) that still passes.
    critical : sequence of str, default ()
        Features whose drift fails the check on its own.
    min_rows : int, default 200
        Rows needed on each side to measure drift.
    required : bool, default False
        Whether a sample under ``min_rows`` fails (True) or skips (False).
    descriptions : Mapping[str, str], optional
        A one-line shift per feature (see :func:`describe_shift`), shown in the message.
    notes : Mapping[str, str], optional
        Cautions per feature (see :class:`DriftInputs`); any note makes a pass a ``warn``.
    severe_effect : Mapping[str, float], optional
        Severe-effect limits by Evidently stattest name, overriding :data:`SEVERE_EFFECT`.
    importance : Mapping[str, float], optional
        The model's importance share per feature (non-negative, summing to 1); ``None``
        when unknown (the importance rule is then not applied, and the evidence says so).
    importance_source : str, default ""
        How ``importance`` was measured, for the evidence (e.g. ``"permutation (ROC AUC), val, 5000 rows"``).
    important_share : float, default 0.25
        Smallest importance share at which a drifted feature fails.
    missing : Mapping[str, (int, int, int, int)], optional
        Per feature: missing in reference, rows of reference, missing in current, rows
        of current (see :func:`missing_counts`); ``None`` skips the missing-share test.
    max_missing_increase : float, default 0.10
        Largest rise of a feature's missing share (absolute) that passes.
    missing_confidence : float, default 0.95
        Family-wise confidence of the missing-share intervals (Bonferroni over the features).

    Returns
    -------
    CheckResult
        Id ``drift.features``. Measured: the share of drifted features, in [0, 1];
        limit ``max_share``; direction at most — except for a fail decided by features
        failing on their own while the share is within its limit: then their count
        (features) against 0. ``parameters["criterion"]`` names which (``"drifted share"``,
        ``"features failing on their own"``); a fail names the features at fault in
        ``parameters["failing"]`` (those failing on their own, the most severe first;
        else the drifted ones, the most drifted first, then those), which the summary
        line names. Evidence ``drifted_features`` (each
        drifted or severe feature: method, score, effect, severe limit, importance
        share) and ``missing_share`` (each feature whose missing share moved).
        ``skip`` (or ``fail`` when ``required``) with ``Reason.TOO_FEW_ROWS`` under ``min_rows``.

    Notes
    -----
    Never raises for bad data: no columns, an empty side, or an undefined (NaN) drift
    score, is a CheckResult with status ``error``.

    References
    ----------
    Cohen, J. (1988). Statistical Power Analysis for the Behavioral Sciences, 2nd ed. (d = 0.8 "large").
    Lin, J. (1991). Divergence measures based on the Shannon entropy. IEEE Trans.
    Information Theory 37(1), 145–151 (Jensen–Shannon).
    Siddiqi, N. (2006). Credit Risk Scorecards. Wiley (PSI ≥ 0.25: major shift).
    Newcombe, R. G. (1998). Interval estimation for the difference between independent
    proportions. Statistics in Medicine 17, 873–890.
    Evidently AI, data drift presets (normed Wasserstein, Jensen–Shannon defaults);
    SciPy, ``scipy.stats.wasserstein_distance`` and ``scipy.spatial.distance.jensenshannon``.
    """
    params = {"pair": f"{pair[0]}→{pair[1]}"}
    support = {f"n_{pair[0]}": n_reference, f"n_{pair[1]}": n_current, "features": len(columns)}
    notes = dict(notes or {})
    small = min(n_reference, n_current)
    if small < min_rows:
        status = Status.FAIL if required else Status.SKIP
        return CheckResult(
            id=FEATURES_ID,
            status=status,
            message=(
                f"{pair[0]}→{pair[1]}: {small} row(s) on one side, fewer than {min_rows}: drift not measured"
            ),
            reason=Reason.TOO_FEW_ROWS,
            support=support,
            parameters=params,
            hint="Collect a larger sample for this comparison, or lower [drift] min_rows.",
        )
    if not columns and not missing:
        return CheckResult.undefined(
            FEATURES_ID, "no feature columns to compare", reason=Reason.NO_FEATURES, parameters=params
        )
    shares = judge_missing(missing or {}, max_increase=max_missing_increase, confidence=missing_confidence)
    empty = [m for m in shares if m.status is Status.ERROR]
    if empty:
        return CheckResult.undefined(
            FEATURES_ID,
            f"{pair[0]}→{pair[1]}: a sample with no rows: " + ", ".join(m.column for m in empty),
            reason=Reason.EMPTY,
            parameters=params,
            support=support,
        )
    undefined = [c for c in columns if not math.isfinite(c.score)]
    if undefined:
        return CheckResult.undefined(
            FEATURES_ID,
            f"{pair[0]}→{pair[1]}: drift score undefined for "
            + "; ".join(f"{c.column} ({c.error or 'no score'})" for c in undefined),
            reason=Reason.UNDEFINED_METRIC,
            parameters=params,
            support=support,
            hint="Fix the column (or its [drift] per_column_method) and re-run the gate.",
        )
    return _judged(
        columns,
        shares,
        pair=pair,
        params=params,
        support=support,
        max_share=max_share,
        critical=set(critical),
        descriptions=dict(descriptions or {}),
        notes=notes,
        flagged=flag_features(
            columns, severe_effect=severe_effect, importance=importance, important_share=important_share
        ),
        importance=importance,
        importance_source=importance_source,
        important_share=important_share,
        max_missing_increase=max_missing_increase,
    )


def _judged(
    columns: Sequence[ColumnDrift],
    shares: list[MissingShare],
    *,
    pair: tuple[str, str],
    params: dict[str, str],
    support: dict[str, int],
    max_share: float,
    critical: set[str],
    descriptions: dict[str, str],
    notes: dict[str, str],
    flagged: list[FlaggedFeature],
    importance: Mapping[str, float] | None,
    importance_source: str,
    important_share: float,
    max_missing_increase: float,
) -> CheckResult:
    drifted = sorted((c for c in columns if c.drifted), key=lambda c: (-c.severity, c.column))
    share = len(drifted) / len(columns) if columns else 0.0
    critical_hit = [c.column for c in drifted if c.column in critical]
    by_column = {f.column: f for f in flagged}
    listed = drifted + [c for c in columns if c.column in by_column and not c.drifted]
    items = [_item(c, by_column.get(c.column), descriptions, critical, importance) for c in listed]
    shown = drift_statistics_text(items, {c.column for c in drifted})
    missing_fail = [m for m in shares if m.status is Status.FAIL]
    missing_open = [m for m in shares if m.status is Status.INCONCLUSIVE]
    missing_warn = [m for m in shares if m.status is Status.WARN]
    needed: dict[str, int] = {}
    if share > max_share or critical_hit or flagged or missing_fail:
        status, reason = Status.FAIL, Reason.DRIFT
    elif missing_open:
        status, reason = Status.INCONCLUSIVE, Reason.TOO_FEW_ROWS
        rows = max(m.needed for m in missing_open)
        needed = {f"n_{pair[0]}": rows, f"n_{pair[1]}": rows}
    elif drifted or notes or missing_warn:
        status, reason = Status.WARN, Reason.SOME_DRIFT if drifted or missing_warn else Reason.CAUTION
    else:
        status, reason = Status.PASS, Reason.OK
    # the criterion that decided: a fail with the drifted share within its limit is decided by
    # the features failing on their own (severe, important, critical, missing), so measured and
    # limit are their count against 0, never a share that reads as within its limit
    # the most severe first: flagged and critical features in the drifted order, then missing shares
    rank = {c.column: i for i, c in enumerate(listed)}
    own = list(
        dict.fromkeys(
            sorted({f.column for f in flagged} | set(critical_hit), key=lambda c: (rank.get(c, len(rank)), c))
            + [m.column for m in missing_fail]
        )
    )
    by_own = status is Status.FAIL and share <= max_share
    message = (
        f"{pair[0]}→{pair[1]}: {len(drifted)} of {len(columns)} feature(s) drifted "
        f"({share:.0%}, limit {max_share:.0%})"
    )
    if flagged:
        lead = "; the share is within its limit, but fails on its own: " if by_own else "; fails on its own: "
        message += lead + "; ".join(f.describe(important_share) for f in flagged)
    if critical_hit:
        message += f"; critical: {', '.join(critical_hit)}"
    rose = missing_fail + missing_open + missing_warn
    if rose:
        message += f"; missing share (limit +{max_missing_increase * 100:.0f} pts): " + "; ".join(
            m.describe(pair) if m.one_sided else f"{m.describe()} {m.status.value}" for m in rose
        )
    if missing_open:
        message += f"; settling it needs ≈ {max(needed.values()):,} rows a side"
    if shown:
        message += f": {shown}"
    if notes:
        message += "; notes: " + "; ".join(f"{k}: {v}" for k, v in sorted(notes.items()))
    moved = [m for m in shares if m.status is not Status.PASS or m.shares[0] != m.shares[1]]
    return CheckResult(
        id=FEATURES_ID,
        status=status,
        message=message,
        measured=float(len(own)) if by_own else share,
        limit=0.0 if by_own else max_share,
        direction=Direction.AT_MOST,
        reason=reason,
        support=support,
        needed=needed,
        evidence=(
            Evidence.capped(
                "drifted_features",
                items,
                detail={
                    "critical": sorted(critical),
                    "notes": notes,
                    "constant": sorted(c.column for c in columns if c.method == "constant"),
                    "method_fallback": {
                        c.column: c.note for c in columns if c.note and c.method != "constant"
                    },
                    "noise": {c.column: round(c.noise, 6) for c in columns if math.isfinite(c.noise)},
                    "noise_draws": {c.column: c.noise_draws for c in columns if c.noise_draws},
                    "important_share": important_share,
                    "importance_source": importance_source if importance is not None else "not measured",
                    "importance": dict(importance or {}),
                },
            ),
            # only when a share moved: its setting alone read as a stray line (trial)
            *(
                [
                    Evidence.capped(
                        "missing_share",
                        [_missing_item(m) for m in moved],
                        detail={"max_increase": max_missing_increase},
                    )
                ]
                if moved
                else []
            ),
        ),
        parameters={
            **params,
            "criterion": "features failing on their own" if by_own else "drifted share",
            # named on the summary line: the features failing on their own, else the drifted ones first
            **(
                at_fault(own if by_own else [c.column for c in drifted] + own)
                if status is Status.FAIL
                else {}
            ),
        },
        hint=(
            "Offline data no longer looks like this sample: retrain on a recent window "
            "(or reweight), check the features that moved for pipeline bugs (a rising "
            "missing share is usually a broken join or a renamed field), and re-run the gate."
        ),
    )


def _item(
    c: ColumnDrift,
    flag: FlaggedFeature | None,
    descriptions: dict[str, str],
    critical: set[str],
    importance: Mapping[str, float] | None,
) -> dict[str, object]:
    effect = c.effect
    return {
        "feature": c.column,
        "method": c.method,
        "score": round(c.score, 6),
        "direction": c.direction,
        "threshold": c.threshold,
        "effect_method": effect[0] if effect else "",
        "effect": round(effect[1], 6) if effect else None,
        "severe_limit": flag.severe_limit if flag and math.isfinite(flag.severe_limit) else None,
        "severe": bool(flag and flag.severe),
        "importance_share": round(importance[c.column], 4) if importance and c.column in importance else None,
        "important": bool(flag and flag.important),
        "shift": descriptions.get(c.column, ""),
        "critical": c.column in critical,
    }


def _missing_item(m: MissingShare) -> dict[str, object]:
    a, b = m.shares
    return {
        "feature": m.column,
        "reference_share": round(a, 6),
        "current_share": round(b, 6),
        "ci_low": round(m.low, 6) if math.isfinite(m.low) else None,
        "ci_high": round(m.high, 6) if math.isfinite(m.high) else None,
        "status": m.status.value,
        "needed_rows": m.needed or None,
    }
