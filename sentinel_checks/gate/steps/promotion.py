"""Runbook 4-5, promotion: the candidate against the champion."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sentinel_checks.gate import policy
from sentinel_checks.gate.session import GateSession, NotConfigured

if TYPE_CHECKING:
    from collections.abc import Callable

    from sentinel_checks.config import SentinelConfig
    from sentinel_checks.models.evaluation import ModelEvaluation
    from sentinel_checks.result import CheckResult
    from sentinel_checks.stats.comparison import PairedComparison
    from sentinel_checks.stats.paired_rows import PairedRows, SegmentFlips


# --------------------------------------------------------------------------- runbook 4-5: promotion


def vs_champion(s: GateSession, split: str | None) -> CheckResult:
    """``promotion.vs_champion`` on ``split``; without a champion, a skip (or a failure when
    ``[promotion] require_champion``).

    Parameters
    ----------
    s : GateSession
        The run's inputs; reads both evaluations and their paired comparison.
    split : str or None
        One of ``[promotion] splits`` (``"test"`` or ``"production"``); ``None`` when none
        is configured.

    Returns
    -------
    CheckResult
        Check id ``promotion.vs_champion``; limits from ``[promotion]`` and ``[quality]``
        (:func:`~sentinel_checks.gate.policy.vs_champion`).

    Raises
    ------
    NotConfigured
        A champion is configured but ``split`` is ``None`` or has no labelled rows.
    ConfigError, ModelLoadError, DataError
        As for :func:`~sentinel_checks.gate.steps.quality.threshold` (for either model).
    """
    from sentinel_checks.checks.promotion import check_champion_missing

    cfg = s.config
    if cfg.models.champion is None:
        return check_champion_missing(required=cfg.promotion.require_champion)
    if split is None:
        raise NotConfigured("no [promotion] splits configured")
    comparison = s.comparison(split)
    return promotion_verdict(comparison, val_test_gap=s.val_test_gap, config=cfg)


def promotion_verdict(
    comparison: PairedComparison, *, val_test_gap: CheckResult, config: SentinelConfig
) -> CheckResult:
    """:func:`~sentinel_checks.checks.promotion.check_vs_champion` of a paired comparison
    with the limits of ``[promotion]`` and ``[quality]``.

    ``sentinel experiments`` judges each experiment against Baseline A with it.

    Parameters
    ----------
    comparison : PairedComparison
        Candidate vs champion on one split (:func:`compare_with_champion`).
    val_test_gap : CheckResult
        The candidate's own ``quality.val_test_gap`` result (a criterion of the decision).
    config : SentinelConfig
        The validated configuration.

    Returns
    -------
    CheckResult
        Check id ``promotion.vs_champion``.
    """
    from sentinel_checks.checks.promotion import check_vs_champion

    return check_vs_champion(comparison, val_test_gap=val_test_gap, **policy.vs_champion(config))


def compare_with_champion(
    candidate: ModelEvaluation,
    champion: ModelEvaluation,
    split: str,
    config: SentinelConfig,
    *,
    counted: Callable[..., tuple[PairedRows, dict[str, SegmentFlips]] | None] | None = None,
) -> PairedComparison:
    """:func:`~sentinel_checks.stats.comparison.compare_paired` of two evaluated models on
    ``split``, each at its own threshold (or ``[promotion] shared_threshold``), with the
    configured bootstrap.

    Parameters
    ----------
    candidate, champion : ModelEvaluation
        The two models evaluated on the same rows; both must have ``split``.
    split : str
        ``"test"`` or ``"production"`` (its labelled rows).
    config : SentinelConfig
        The validated configuration: ``[promotion]`` (threshold, resamples, splits),
        ``[quality]`` (confidence, segment minimum) and ``[gate] seed``. The intervals
        are at :func:`~sentinel_checks.gate.policy.promotion_confidence` (Bonferroni
        over the 3 interval criteria × the compared splits).
    counted : callable, optional
        ``counted(split, candidate_threshold=, champion_threshold=)`` giving the rows as
        counts grouped elsewhere (:meth:`GateSession.engine_paired
        <sentinel_checks.gate.session_quality.SessionQuality.engine_paired>`), or ``None``
        to read the evaluations' rows. Both run
        :func:`~sentinel_checks.stats.comparison.compare_paired_rows`: the results are equal.

    Returns
    -------
    PairedComparison
        Paired differences of the two models on ``split``, overall and per segment.

    Raises
    ------
    KeyError
        ``split`` is not among the evaluations' splits (callers check this first).
    """
    from sentinel_checks.stats.comparison import compare_paired, compare_paired_rows

    p, q = config.promotion, config.quality
    shared = p.shared_threshold
    thresholds = {
        "candidate_threshold": candidate.threshold if shared is None else shared,
        "champion_threshold": champion.threshold if shared is None else shared,
    }
    settings: dict[str, Any] = {
        "split": split,
        "min_segment_positives": q.segment_min_positives,
        "resamples": p.bootstrap_resamples,
        "confidence": policy.promotion_confidence(config),
        "seed": config.gate.seed,
        **thresholds,
    }
    grouped = counted(split, **thresholds) if counted is not None else None
    if grouped is not None:
        rows, segments = grouped
        return compare_paired_rows(rows, segments=segments, **settings)
    cand, champ = candidate.splits[split], champion.splits[split]
    return compare_paired(cand.y, cand.scores, champ.scores, segments=cand.segments, **settings)
