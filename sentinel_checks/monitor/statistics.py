"""Production monitoring statistics (runbook steps 13–14): one batch against a reference.

:func:`scope_stats` computes, for one scope (all rows, or one segment value), what
the runbook watches: the flagged fraction at the operating threshold, PSI of the
score distribution against the same scope of the reference, FNR/FPR with Wilson
intervals and Brier score on the labelled rows, and a label-free estimate of recall
from the scores themselves. The estimate (in the manner of NannyML's CBPE) assumes
the scores are calibrated: a row scored ``p`` is risky with probability ``p``, so the
expected risky rows are ``Σp`` and the expected caught ones ``Σp·[p ≥ t]``. It is an
estimate and is reported as one; it is only as good as the calibration
(``quality.calibration`` in the gate).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd

from sentinel_checks.stats.drift import population_stability_index
from sentinel_checks.stats.ranking import wilson_interval

OVERALL = "overall"


@dataclass(frozen=True)
class ScopeStats:
    """What one scope of a batch looks like."""

    scope: str
    n: int
    flagged_fraction: float
    score_mean: float
    psi: float | None  # vs the same scope of the reference; None for the reference itself
    n_labelled: int
    n_positive: int
    recall: float
    recall_low: float
    recall_high: float
    fpr: float
    fpr_low: float
    fpr_high: float
    brier: float
    brier_se: float  # standard error of the mean squared error over the labelled rows
    estimated_recall: float
    estimated_recall_se: float  # ratio-estimator standard error over rows

    @property
    def fnr(self) -> float:
        return 1 - self.recall

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["fnr"] = self.fnr
        return {k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in out.items()}


def scope_stats(
    scope: str,
    scores: np.ndarray,
    labels: np.ndarray,
    *,
    threshold: float,
    reference_scores: np.ndarray | None,
    confidence: float,
) -> ScopeStats:
    """The statistics of one scope of a batch at the operating threshold.

    Parameters
    ----------
    scope : str
        ``"overall"`` or ``"column=value"``.
    scores : ndarray of float, shape (n,)
        Risk scores in [0, 1].
    labels : ndarray of float, shape (n,)
        1.0 risky, 0.0 safe, NaN not (yet) labelled.
    threshold : float
        Flag when ``score >= threshold``.
    reference_scores : ndarray of float, shape (m,), or None
        The reference's scores in the same scope, for the PSI.
    confidence : float
        Of the Wilson intervals.

    Returns
    -------
    ScopeStats
    """
    scores = np.asarray(scores, dtype=float)
    labels = np.asarray(labels, dtype=float)
    flagged = scores >= threshold
    known = ~np.isnan(labels)
    y = labels[known] == 1.0
    caught = flagged[known]
    n_pos, n_neg = int(y.sum()), int((~y).sum())
    tp, fp = int(np.sum(y & caught)), int(np.sum(~y & caught))
    recall, r_low, r_high = _proportion(tp, n_pos, confidence)
    fpr, f_low, f_high = _proportion(fp, n_neg, confidence)
    estimated, estimated_se = _estimated_recall(scores, flagged)
    squared = (scores[known] - y) ** 2
    psi = None
    if reference_scores is not None and len(reference_scores) and len(scores):
        psi = population_stability_index(reference_scores, scores)
    return ScopeStats(
        scope=scope,
        n=len(scores),
        flagged_fraction=float(flagged.mean()) if len(scores) else math.nan,
        score_mean=float(scores.mean()) if len(scores) else math.nan,
        psi=psi,
        n_labelled=int(known.sum()),
        n_positive=n_pos,
        recall=recall,
        recall_low=r_low,
        recall_high=r_high,
        fpr=fpr,
        fpr_low=f_low,
        fpr_high=f_high,
        brier=float(squared.mean()) if known.any() else math.nan,
        brier_se=float(squared.std(ddof=1) / math.sqrt(len(squared))) if len(squared) > 1 else math.nan,
        estimated_recall=estimated,
        estimated_recall_se=estimated_se,
    )


def _estimated_recall(scores: np.ndarray, flagged: np.ndarray) -> tuple[float, float]:
    """``Σ p·[p ≥ t] / Σ p`` and its ratio-estimator (delta-method) standard error:
    a batch whose expected risky rows sit in a few high scores gives a noisy estimate,
    and the alert rule must know it."""
    total = float(scores.sum())
    if total <= 0 or len(scores) < 2:
        return math.nan, math.nan
    estimate = float(scores[flagged].sum() / total)
    residual = scores * flagged - estimate * scores
    n = len(scores)
    se = math.sqrt(float(np.sum(residual**2)) * n / (n - 1)) / total
    return estimate, se


def _proportion(successes: int, n: int, confidence: float) -> tuple[float, float, float]:
    if n == 0:
        return math.nan, math.nan, math.nan
    low, high = wilson_interval(successes, n, confidence=confidence)
    return successes / n, low, high


def batch_stats(
    scores: np.ndarray,
    labels: np.ndarray,
    segments: Mapping[str, pd.Series],
    *,
    threshold: float,
    reference: tuple[np.ndarray, np.ndarray, Mapping[str, pd.Series]] | None,
    confidence: float,
    min_segment_rows: int,
) -> dict[str, ScopeStats]:
    """Overall and per segment value (with at least ``min_segment_rows`` rows).

    Parameters
    ----------
    scores : ndarray of float, shape (n,)
        Risk scores.
    labels : ndarray of float, shape (n,)
        1.0 risky, 0.0 safe, NaN unlabelled.
    segments : mapping of str to Series
        Segment columns, n rows each.
    threshold : float
        The operating threshold.
    reference : (scores, labels, segments) or None
        The reference, for the PSI per scope.
    confidence : float
        Of the Wilson intervals.
    min_segment_rows : int
        Segment values with fewer rows are left out.

    Returns
    -------
    dict of str to ScopeStats
        ``"overall"`` and ``"column=value"`` scopes.
    """
    ref_scores = reference[0] if reference is not None else None
    out = {
        OVERALL: scope_stats(
            OVERALL, scores, labels, threshold=threshold, reference_scores=ref_scores, confidence=confidence
        )
    }
    for column, values in segments.items():
        keys = values.astype("string").fillna("<missing>").to_numpy()
        ref_keys = None
        if reference is not None and column in reference[2]:
            ref_keys = reference[2][column].astype("string").fillna("<missing>").to_numpy()
        uniques, counts = np.unique(keys, return_counts=True)
        for value, count in zip(uniques, counts, strict=True):
            if count < min_segment_rows:
                continue
            mask = keys == value
            ref = None
            if reference is not None and ref_keys is not None:
                ref = reference[0][ref_keys == value]
            scope = f"{column}={value}"
            out[scope] = scope_stats(
                scope,
                scores[mask],
                labels[mask],
                threshold=threshold,
                reference_scores=ref,
                confidence=confidence,
            )
    return out


def small_segments(segments: Mapping[str, pd.Series], *, min_segment_rows: int) -> dict[str, int]:
    """The segment values :func:`batch_stats` leaves out, with their row counts.

    Parameters
    ----------
    segments : mapping of str to Series
        Segment columns, n rows each (missing values as ``<missing>``).
    min_segment_rows : int
        ``[monitor] min_segment_rows``: values with fewer rows are not judged.

    Returns
    -------
    dict of str to int
        ``"column=value"`` to its rows in the batch, for each value under the minimum,
        in column then value order.
    """
    out: dict[str, int] = {}
    for column, values in segments.items():
        keys = values.astype("string").fillna("<missing>").to_numpy()
        uniques, counts = np.unique(keys, return_counts=True)
        out.update(
            {f"{column}={v}": int(c) for v, c in zip(uniques, counts, strict=True) if c < min_segment_rows}
        )
    return out
