"""``drift.features``, ``drift.labels``, ``drift.scores``: does offline data still look
like the data the model meets?

Feature drift is measured by Evidently (see :mod:`sentinel_checks.adapters.evidently_drift`)
on columns prepared here: datetimes become epoch seconds, booleans categories;
columns that are null on both sides are skipped with a note. Judging is here: the
share of drifted features against a limit, critical features, an undefined score
never passing.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.stats import norm

from sentinel_checks.adapters.evidently_drift import ColumnDrift
from sentinel_checks.reasons import Reason
from sentinel_checks.result import CheckResult, Direction, Evidence, Status
from sentinel_checks.stats.drift import population_stability_index as population_stability_index

FEATURES_ID = "drift.features"
LABELS_ID = "drift.labels"
SCORES_ID = "drift.scores"


@dataclass(frozen=True)
class DriftInputs:
    """Two frames ready for Evidently, and what was set aside and why."""

    reference: pd.DataFrame
    current: pd.DataFrame
    numerical: list[str]
    categorical: list[str]
    notes: Mapping[str, str] = field(default_factory=dict)  # column -> why skipped / caution
    id_like: tuple[str, ...] = ()


#: Categorical levels compared one by one; rarer levels are lumped into :data:`OTHER`.
MAX_CATEGORIES = 200
OTHER = "(other)"


def prepare_drift_inputs(
    reference: pd.DataFrame, current: pd.DataFrame, features: Sequence[str]
) -> DriftInputs:
    """Type the feature columns for a drift comparison, on every row of both frames.

    Datetimes become epoch seconds (float, numerical); booleans become strings
    (categorical); other numbers become float (numerical); anything else becomes a
    string with nulls as ``"(missing)"`` (categorical), keeping the
    :data:`MAX_CATEGORIES` most frequent reference levels and lumping the rest into
    :data:`OTHER`. Columns null on both sides are skipped; columns where over 90% of
    more than 100 reference values are distinct are noted as id-like.

    Parameters
    ----------
    reference : pandas.DataFrame, shape (n, ...)
        The reference sample (e.g. train); must hold every name in ``features``.
    current : pandas.DataFrame, shape (m, ...)
        The sample compared with it (e.g. production); same requirement.
    features : sequence of str
        Feature column names to prepare.

    Returns
    -------
    DriftInputs
        The typed frames (same indexes as the inputs), the numerical and
        categorical column names, notes per column (skipped, lumped, id-like) and
        the id-like columns.

    Raises
    ------
    KeyError
        When a name in ``features`` is missing from either frame.
    """
    ref, cur = {}, {}
    numerical, categorical, notes, id_like = [], [], {}, []
    for name in features:
        a, b = reference[name], current[name]
        if a.isna().all() and b.isna().all():
            notes[name] = "null in every row of both samples: skipped"
            continue
        dtype = a.dtype if not a.isna().all() else b.dtype
        if pd.api.types.is_datetime64_any_dtype(dtype):
            ref[name], cur[name] = _epoch_seconds(a), _epoch_seconds(b)
            numerical.append(name)
        elif pd.api.types.is_bool_dtype(dtype):
            ref[name], cur[name] = a.astype("string"), b.astype("string")
            categorical.append(name)
        elif pd.api.types.is_numeric_dtype(dtype):
            ref[name], cur[name] = a.astype(float), b.astype(float)
            numerical.append(name)
            if pd.api.types.is_integer_dtype(dtype) and a.nunique() > 0.9 * max(len(a), 1) > 100:
                id_like.append(name)
        else:
            ra, cb = a.astype("string").fillna("(missing)"), b.astype("string").fillna("(missing)")
            counts = ra.value_counts()
            if len(counts) > MAX_CATEGORIES:
                # Drift tests over thousands of levels are slow and say nothing the top
                # levels do not: keep the reference's most frequent, lump the rest.
                keep = counts.index[:MAX_CATEGORIES]
                ra, cb = ra.where(ra.isin(keep), OTHER), cb.where(cb.isin(keep), OTHER)
                notes[name] = (
                    f"{len(counts)} distinct values: the {MAX_CATEGORIES} most frequent in the reference "
                    f"are compared, the rest as {OTHER!r}"
                )
            ref[name], cur[name] = ra, cb
            categorical.append(name)
            if a.nunique() > 0.9 * max(len(a), 1) > 100:
                id_like.append(name)
    for name in id_like:
        notes[name] = "almost every value is distinct: looks like an id, and ids are not features"
    return DriftInputs(
        pd.DataFrame(ref, index=reference.index),
        pd.DataFrame(cur, index=current.index),
        numerical,
        categorical,
        notes,
        tuple(id_like),
    )


def _epoch_seconds(values: pd.Series) -> pd.Series:
    out = values.astype("int64").astype(float) / 1e9
    out[values.isna()] = np.nan
    return out


def describe_shift(reference: pd.Series, current: pd.Series) -> str:
    """One line on how a column moved: medians for numbers, the largest share change
    for categories.

    Numbers (not bool) are described by their medians, or by their means when the
    medians are equal; anything else by the level whose share moved most.

    Parameters
    ----------
    reference, current : pandas.Series
        The same column in the reference and current samples (nulls count as a
        ``"(missing)"`` level for categories).

    Returns
    -------
    str
        E.g. ``"median 31 → 78"`` or ``"share of BR 4% → 38%"`` (shares rounded to
        whole percent).

    Examples
    --------

    >>> describe_shift(pd.Series([30.0, 31, 32]), pd.Series([70.0, 78, 90]))
    'median 31 → 78'
    >>> describe_shift(pd.Series(["US"] * 96 + ["BR"] * 4), pd.Series(["US"] * 62 + ["BR"] * 38))
    'share of BR 4% → 38%'
    """
    if pd.api.types.is_numeric_dtype(reference.dtype) and not pd.api.types.is_bool_dtype(reference.dtype):
        a, b = reference.median(), current.median()
        if a == b:  # zero-inflated or discrete: the median hides the move
            return f"mean {reference.mean():.4g} → {current.mean():.4g}"
        return f"median {a:.4g} → {b:.4g}"
    pa = reference.astype("string").fillna("(missing)").value_counts(normalize=True)
    pb = current.astype("string").fillna("(missing)").value_counts(normalize=True)
    delta = pb.reindex(pa.index.union(pb.index), fill_value=0) - pa.reindex(
        pa.index.union(pb.index), fill_value=0
    )
    key = delta.abs().sort_values(ascending=False, kind="stable").index[0]
    return f"share of {key} {pa.get(key, 0.0):.0%} → {pb.get(key, 0.0):.0%}"


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


def check_label_drift(
    reference_positives: int,
    reference_n: int,
    current_positives: int,
    current_n: int,
    *,
    pair: tuple[str, str],
    max_abs_change: float = 0.01,
    max_rel_change: float = 1.0,
    alpha: float = 0.01,
) -> CheckResult:
    """Prevalence of the risky class in two samples.

    Fails when the change is beyond ``max_abs_change`` (absolute) **and** beyond
    ``max_rel_change`` (relative to the reference), **and** a two-proportion z-test
    rejects equality at ``alpha``: a small sample moving by chance does not trigger.

    The test is the two-sided two-proportion z-test with the pooled proportion:
    ``z = (p2 - p1) / sqrt(p (1 - p) (1/n1 + 1/n2))``.

    Parameters
    ----------
    reference_positives : int
        Risky rows in the reference sample.
    reference_n : int
        Rows in the reference sample.
    current_positives : int
        Risky rows in the current sample.
    current_n : int
        Rows in the current sample.
    pair : (str, str)
        Names of the reference and current samples.
    max_abs_change : float, default 0.01
        Largest absolute change of the prevalence (proportion, 0.01 = one
        percentage point) that passes.
    max_rel_change : float, default 1.0
        Largest change relative to the reference prevalence (1.0 = ±100%) that passes.
    alpha : float, default 0.01
        Significance level of the two-sided z-test.

    Returns
    -------
    CheckResult
        Id ``drift.labels``. Measured: ``|p2 - p1|``, the absolute prevalence
        change (proportion in [0, 1]); limit ``max_abs_change``; direction at most.
        The prevalences and the p-value are in the evidence.

    Notes
    -----
    Never raises for bad data: an empty sample is a CheckResult with status
    ``error``.

    References
    ----------
    Two-proportion z-test (pooled), e.g. Agresti, A. (2013). Categorical Data
    Analysis, 3rd ed. Wiley, §2.2.

    Examples
    --------
    >>> check_label_drift(50, 1000, 52, 1000, pair=("train", "production")).status.value
    'pass'
    >>> check_label_drift(50, 1000, 150, 1000, pair=("train", "production")).status.value
    'fail'
    """
    params = {"pair": f"{pair[0]}→{pair[1]}"}
    support = {
        f"n_{pair[0]}": reference_n,
        f"positives_{pair[0]}": reference_positives,
        f"n_{pair[1]}": current_n,
        f"positives_{pair[1]}": current_positives,
    }
    if reference_n == 0 or current_n == 0:
        return CheckResult.undefined(
            LABELS_ID,
            f"{pair[0]}→{pair[1]}: an empty sample",
            reason=Reason.EMPTY,
            parameters=params,
            support=support,
        )
    p1, p2 = reference_positives / reference_n, current_positives / current_n
    pooled = (reference_positives + current_positives) / (reference_n + current_n)
    se = math.sqrt(pooled * (1 - pooled) * (1 / reference_n + 1 / current_n))
    p_value = 2 * (1 - norm.cdf(abs(p2 - p1) / se)) if se > 0 else (1.0 if p1 == p2 else 0.0)
    abs_change = p2 - p1
    rel_change = abs_change / p1 if p1 > 0 else math.inf
    shifted = abs(abs_change) > max_abs_change and abs(rel_change) > max_rel_change and p_value < alpha
    return CheckResult(
        id=LABELS_ID,
        status=Status.FAIL if shifted else Status.PASS,
        message=(
            f"{pair[0]}→{pair[1]}: prevalence {p1:.2%} → {p2:.2%} (change {abs_change:+.2%}, "
            f"{rel_change:+.0%} relative; two-proportion p={p_value:.2g}); limits ±{max_abs_change:.2%} "
            f"and ±{max_rel_change:.0%} at α={alpha:g}"
        ),
        measured=abs(abs_change),
        limit=max_abs_change,
        direction=Direction.AT_MOST,
        reason=Reason.PREVALENCE_SHIFT if shifted else Reason.OK,
        support=support,
        evidence=(
            Evidence.capped(
                "prevalence", [], total=0, detail={"reference": p1, "current": p2, "p_value": p_value}
            ),
        ),
        parameters=params,
        hint=(
            "The share of risky requests moved: thresholds and calibration chosen on old data "
            "no longer hold. Re-choose the threshold on recent labelled data and recalibrate."
        ),
    )


def check_score_drift(
    reference: np.ndarray,
    current: np.ndarray,
    *,
    threshold: float,
    pair: tuple[str, str],
    max_psi: float = 0.2,
    max_flagged_change: float = 0.05,
    evidently_score: ColumnDrift | None = None,
) -> CheckResult:
    """The candidate's score distribution and flagged fraction, reference vs current.

    Fails when PSI exceeds ``max_psi`` or the flagged fraction at the operating
    threshold moves by more than ``max_flagged_change`` (absolute). Evidently's drift
    score for the score column is reported beside PSI.

    Parameters
    ----------
    reference : ndarray of float, shape (n,), in [0, 1]
        The candidate's scores on the reference sample (e.g. validation).
    current : ndarray of float, shape (m,), in [0, 1]
        Its scores on the current sample (e.g. production).
    threshold : float, in [0, 1]
        The operating threshold: a score ``>= threshold`` is flagged.
    pair : (str, str)
        Names of the reference and current samples.
    max_psi : float, default 0.2
        Largest population stability index (10 quantile bins of the reference) that passes.
    max_flagged_change : float, default 0.05
        Largest absolute change of the flagged fraction (proportion, 0.05 = five
        percentage points) that passes.
    evidently_score : ColumnDrift, optional
        Evidently's drift score for the score column, reported only.

    Returns
    -------
    CheckResult
        Id ``drift.scores``. Measured: the PSI (>= 0, dimensionless); limit
        ``max_psi``; direction at most. The flagged fractions are in the evidence.

    Notes
    -----
    Never raises for bad data: an empty sample, or a NaN or infinite score, is a
    CheckResult with status ``error``.

    References
    ----------
    Siddiqi, N. (2006). Credit Risk Scorecards. Wiley (the population stability
    index; see :func:`sentinel_checks.stats.drift.population_stability_index`).
    """
    params = {"pair": f"{pair[0]}→{pair[1]}"}
    reference, current = np.asarray(reference, dtype=float), np.asarray(current, dtype=float)
    support = {f"n_{pair[0]}": len(reference), f"n_{pair[1]}": len(current)}
    if len(reference) == 0 or len(current) == 0:
        return CheckResult.undefined(
            SCORES_ID, "an empty sample", reason=Reason.EMPTY, parameters=params, support=support
        )
    if not (np.isfinite(reference).all() and np.isfinite(current).all()):
        return CheckResult.undefined(
            SCORES_ID, "NaN or infinite scores", reason=Reason.INVALID_SCORES, parameters=params
        )
    psi = population_stability_index(reference, current)
    f_ref, f_cur = float(np.mean(reference >= threshold)), float(np.mean(current >= threshold))
    failures = []
    if psi > max_psi:
        failures.append(f"PSI {psi:.3f} > {max_psi:.2f}")
    if abs(f_cur - f_ref) > max_flagged_change:
        failures.append(f"flagged fraction {f_ref:.2%} → {f_cur:.2%} (limit ±{max_flagged_change:.0%})")
    detail: dict[str, object] = {"psi": psi, "flagged_reference": f_ref, "flagged_current": f_cur}
    extra = ""
    if evidently_score is not None:
        detail.update(evidently_method=evidently_score.method, evidently_score=evidently_score.score)
        extra = f"; Evidently {evidently_score.method} {evidently_score.score:.3g}"
    return CheckResult(
        id=SCORES_ID,
        status=Status.FAIL if failures else Status.PASS,
        message=(
            f"{pair[0]}→{pair[1]}: "
            + (
                "; ".join(failures)
                if failures
                else f"PSI {psi:.3f} ≤ {max_psi:.2f}, flagged {f_ref:.2%} → {f_cur:.2%}"
            )
            + extra
        ),
        measured=psi,
        limit=max_psi,
        direction=Direction.AT_MOST,
        reason=Reason.SCORE_SHIFT if failures else Reason.OK,
        support=support,
        evidence=(Evidence.capped("score_distribution", [], total=0, detail=detail),),
        parameters=params,
        hint=(
            "The model sees a different population than it was tested on: the flagged volume "
            "and the recall at this threshold will move. Re-validate on recent data before promoting."
        ),
    )
