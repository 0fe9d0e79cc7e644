"""Evidently's drift score of the monitored scores, overall and per segment value.

Each side is capped (:data:`EVIDENTLY_MAX_ROWS` overall, :data:`EVIDENTLY_SEGMENT_MAX_ROWS`
within a segment value) by the seeded bounded sampling the gate uses
(:func:`sentinel_checks.stats.sampling.bounded_sample_values`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from sentinel_checks.monitor.batch import Scored
from sentinel_checks.monitor.statistics import OVERALL
from sentinel_checks.stats.sampling import bounded_sample_values

#: Rows per side Evidently gets for the scores: overall, and within each segment value.
EVIDENTLY_MAX_ROWS = 200_000
EVIDENTLY_SEGMENT_MAX_ROWS = 5_000
#: Seed of the bounded samples.
EVIDENTLY_SEED = 0


def evidently_score_drift(
    reference: Scored, batch: Scored, stats: dict[str, Any], scopes: dict[str, dict[str, Any]]
) -> tuple[dict[str, Any] | None, Any]:
    """Evidently's drift score of the scores overall (kept as a snapshot, for a workspace)
    and within each judged segment value (added to that scope's record).

    Parameters
    ----------
    reference, batch : Scored
        The reference and the monitored batch.
    stats : dict of str to ScopeStats
        The batch's statistics by scope (``"overall"``, ``"column=value"``).
    scopes : dict of str to dict
        The records by scope, updated in place with an ``"evidently"`` entry.

    Returns
    -------
    overall : dict or None
        :func:`drift_entry` of the overall scores; ``None`` when a side is empty.
    snapshot : object or None
        The overall Evidently snapshot.
    """
    from sentinel_checks.adapters.evidently_drift import score_drift_run

    def cap(x: np.ndarray, limit: int) -> np.ndarray:
        return bounded_sample_values(x, limit, EVIDENTLY_SEED)

    end = pd.Timestamp(batch.time_range[1]).floor("us").to_pydatetime() if batch.time_range else None
    run = score_drift_run(
        cap(reference.scores, EVIDENTLY_MAX_ROWS), cap(batch.scores, EVIDENTLY_MAX_ROWS), timestamp=end
    )
    overall = None if run is None else drift_entry(run.columns[0])
    for scope in stats:
        if scope == OVERALL:
            continue
        column, value = scope.split("=", 1)
        ref_mask = in_segment(reference.segments.get(column), value)
        cur_mask = in_segment(batch.segments.get(column), value)
        if ref_mask is None or cur_mask is None or not ref_mask.any():
            continue
        seg = score_drift_run(
            cap(reference.scores[ref_mask], EVIDENTLY_SEGMENT_MAX_ROWS),
            cap(batch.scores[cur_mask], EVIDENTLY_SEGMENT_MAX_ROWS),
        )
        if seg is not None:
            scopes[scope]["evidently"] = drift_entry(seg.columns[0])
    if overall is not None:
        scopes[OVERALL]["evidently"] = overall
    return overall, None if run is None else run.snapshot


def drift_entry(drift: Any) -> dict[str, Any]:
    """The record of one Evidently column drift: method, score, threshold, drifted.

    Parameters
    ----------
    drift : ColumnDrift
        One column's drift.

    Returns
    -------
    dict
        ``method``, ``score``, ``threshold``, ``drifted``.
    """
    return {
        "method": drift.method,
        "score": drift.score,
        "threshold": drift.threshold,
        "drifted": drift.drifted,
    }


def in_segment(values: pd.Series | None, value: str) -> np.ndarray | None:
    """Rows whose segment column equals ``value`` (missing as ``<missing>``), or None
    when the column is absent.

    Parameters
    ----------
    values : Series, n rows, or None
        The segment column.
    value : str
        The segment value, as text.

    Returns
    -------
    ndarray of bool, shape (n,), or None
    """
    if values is None:
        return None
    return (values.astype("string").fillna("<missing>") == value).to_numpy(dtype=bool)
