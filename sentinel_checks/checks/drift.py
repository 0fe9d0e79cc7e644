"""``drift.features``, ``drift.labels``, ``drift.scores``: does offline data still look
like the data the model meets?

Feature drift is measured by Evidently (see :mod:`sentinel_checks.adapters.evidently_drift`)
on columns prepared in :mod:`sentinel_checks.checks.drift_inputs`: datetimes become
epoch seconds, booleans categories; columns that are null on both sides are skipped
with a note. Judging is here: the share of drifted features against a limit,
critical features, an undefined score never passing.
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
from sentinel_checks.checks.label_drift import LABELS_ID as LABELS_ID
from sentinel_checks.checks.label_drift import check_label_drift as check_label_drift
from sentinel_checks.checks.score_drift import SCORES_ID as SCORES_ID
from sentinel_checks.checks.score_drift import check_score_drift as check_score_drift
from sentinel_checks.reasons import Reason
from sentinel_checks.result import CheckResult, Direction, Evidence, Status
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
) -> CheckResult:
    """Share of drifted features between two samples, and any drifted critical feature.

    Fails when the share exceeds ``max_share`` or a ``critical`` feature drifts;
    warns when some features drift within the limits (or a feature looks like an id);
    an undefined (NaN) score is an error. A sample smaller than ``min_rows`` is
    skipped with the reason, or fails when the pair is ``required``.

    The per-column scores come from Evidently (:mod:`sentinel_checks.adapters.evidently_drift`).
    With its automatic choice (no ``[drift] method``), samples over 1000 rows get the
    normed Wasserstein distance for numeric columns (SciPy's ``wasserstein_distance``
    divided by the reference's standard deviation; drift at >= 0.1) and the
    Jensen–Shannon distance for categorical ones (drift at >= 0.1); smaller samples
    get p-value tests (KS, chi-square or a proportion z-test).

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

    Returns
    -------
    CheckResult
        Id ``drift.features``. Measured: the share of drifted features, in [0, 1];
        limit ``max_share``; direction at most. ``skip`` (or ``fail`` when
        ``required``) with ``Reason.TOO_FEW_ROWS`` under ``min_rows``.

    Notes
    -----
    Never raises for bad data: no columns, or an undefined (NaN) drift score, is a
    CheckResult with status ``error``.

    References
    ----------
    Lin, J. (1991). Divergence measures based on the Shannon entropy. IEEE Trans.
    Information Theory 37(1), 145–151 (Jensen–Shannon).
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
    if not columns:
        return CheckResult.undefined(
            FEATURES_ID, "no feature columns to compare", reason=Reason.NO_FEATURES, parameters=params
        )
    undefined = [c.column for c in columns if not math.isfinite(c.score)]
    if undefined:
        return CheckResult.undefined(
            FEATURES_ID,
            f"{pair[0]}→{pair[1]}: drift score undefined for {undefined}",
            reason=Reason.UNDEFINED_METRIC,
            parameters=params,
            support=support,
        )
    drifted = sorted((c for c in columns if c.drifted), key=lambda c: (-c.severity, c.column))
    share = len(drifted) / len(columns)
    critical_hit = [c.column for c in drifted if c.column in set(critical)]
    descriptions = dict(descriptions or {})
    items = [
        {
            "feature": c.column,
            "method": c.method,
            "score": round(c.score, 6),
            "direction": c.direction,
            "threshold": c.threshold,
            "shift": descriptions.get(c.column, ""),
            "critical": c.column in set(critical),
        }
        for c in drifted
    ]
    shown = "; ".join(
        f"{i['feature']} ({i['method']} {i['score']:.3g}{'<' if i['direction'] == 'p_value' else '≥'}"
        f"{i['threshold']:g}: {i['shift']})"
        for i in items[:5]
    )
    if share > max_share or critical_hit:
        status, reason = Status.FAIL, Reason.DRIFT
    elif drifted or notes:
        status, reason = Status.WARN, Reason.SOME_DRIFT if drifted else Reason.CAUTION
    else:
        status, reason = Status.PASS, Reason.OK
    message = (
        f"{pair[0]}→{pair[1]}: {len(drifted)} of {len(columns)} feature(s) drifted "
        f"({share:.0%}, limit {max_share:.0%})"
    )
    if critical_hit:
        message += f"; critical: {', '.join(critical_hit)}"
    if shown:
        message += f": {shown}"
    if notes:
        message += "; notes: " + "; ".join(f"{k}: {v}" for k, v in sorted(notes.items()))
    return CheckResult(
        id=FEATURES_ID,
        status=status,
        message=message,
        measured=share,
        limit=max_share,
        direction=Direction.AT_MOST,
        reason=reason,
        support=support,
        evidence=(
            Evidence.capped(
                "drifted_features",
                items,
                detail={"critical": list(critical), "notes": notes},
            ),
        ),
        parameters=params,
        hint=(
            "Offline data no longer looks like this sample: retrain on a recent window "
            "(or reweight), check the features that moved for pipeline bugs, and re-run the gate."
        ),
    )
