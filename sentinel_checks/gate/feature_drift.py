"""The gate's feature drift between two frames: the rows compared and Evidently's call on them.

:meth:`~sentinel_checks.gate.session_evidently.SessionEvidently.measured_drift` runs the
call (here or in the drift worker) and the session caches it, once per pair of frames
(and segment value).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sentinel_checks.errors import DataError

if TYPE_CHECKING:
    import pandas as pd

    from sentinel_checks.checks.drift import DriftInputs
    from sentinel_checks.config import SentinelConfig


def drift_frames(
    pair: tuple[str, str],
    ref: pd.DataFrame,
    cur: pd.DataFrame,
    features: list[str],
    segment: tuple[str, str] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The reference and current rows whose drift is measured (optionally one segment value's).

    Parameters
    ----------
    pair : tuple of (str, str)
        The names of the reference and the current frame (for the error message).
    ref, cur : DataFrame
        The reference and the current frame.
    features : list of str
        The feature columns; each frame must have all of them.
    segment : tuple of (str, str), optional
        ``(column, value)``: only rows whose column, as text, equals ``value``.

    Returns
    -------
    tuple of (DataFrame, DataFrame)
        The reference and the current rows.

    Raises
    ------
    DataError
        A frame lacks a feature column.
    """
    for name, frame in zip(pair, (ref, cur), strict=True):
        missing = [f for f in features if f not in frame.columns]
        if missing:
            raise DataError(f"{name}: feature column(s) {missing} are missing: drift cannot be measured")
    if segment is not None:
        ref = ref[ref[segment[0]].astype("string") == segment[1]]
        cur = cur[cur[segment[0]].astype("string") == segment[1]]
    return ref, cur


def drift_call(
    ref: pd.DataFrame,
    cur: pd.DataFrame,
    rows: tuple[int, int],
    features: list[str],
    config: SentinelConfig,
    *,
    segmented: bool = False,
) -> tuple[DriftInputs, dict[str, Any] | None]:
    """The prepared inputs and the keyword arguments of Evidently's
    :func:`~sentinel_checks.adapters.evidently_drift.column_drift` on them (run in this
    process or in the drift worker:
    :meth:`~sentinel_checks.gate.session_evidently.SessionEvidently.run_drift`).
    Drift scores are effect sizes (distances) or tests that saturate on huge samples: a
    seeded sample of each side is enough and keeps Evidently fast (the leakage checks,
    unlike this, read every row).

    Parameters
    ----------
    ref, cur : DataFrame
        The seeded samples of at most ``[drift] max_rows`` a side (``bounded_sample``,
        or :func:`~sentinel_checks.engine.samples.sample_table`: the same rows).
    rows : (int, int)
        Rows of the whole reference and current (the minimum-rows rule reads them).
    features : list of str
        The feature columns.
    config : SentinelConfig
        ``[drift]`` (method, thresholds, row limits, noise) and ``[gate] seed``.
    segmented : bool, default False
        The rows are one segment value's: ``[drift] min_segment_rows`` is the minimum
        rows a side instead of ``min_rows``.

    Returns
    -------
    tuple
        (the prepared inputs; the call's keyword arguments, or None when a side is below
        ``[drift] min_rows`` / ``min_segment_rows``).
    """
    from sentinel_checks.checks.drift import prepare_drift_inputs
    from sentinel_checks.gate import drift_policy

    d = config.drift
    inputs = prepare_drift_inputs(ref, cur, features)
    if min(rows) < (d.min_segment_rows if segmented else d.min_rows):
        return inputs, None
    return inputs, dict(
        reference=inputs.reference,
        current=inputs.current,
        numerical=inputs.numerical,
        categorical=inputs.categorical,
        method=d.method,
        threshold=d.threshold,
        per_column_method={k: v for k, v in d.per_column_method.items() if k in features},
        per_column_threshold={k: v for k, v in d.per_column_threshold.items() if k in features},
        **drift_policy.distance_noise(config, len(features)),
    )
