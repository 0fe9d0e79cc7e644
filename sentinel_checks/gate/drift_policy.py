"""The map from the configuration to the drift checks' keyword-only limits:
``drift.features``, ``drift.labels``, ``drift.calibration`` and ``drift.scores``.

Part of :mod:`sentinel_checks.gate.policy` (which re-exports these functions); the
same rules hold: a check never reads the config, and every limit comes from here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sentinel_checks.gate import budget

if TYPE_CHECKING:
    from sentinel_checks.config import SentinelConfig

Limits = dict[str, Any]


def feature_drift(config: SentinelConfig, *, segment: bool) -> Limits:
    """``drift.features`` (``segment``: judged within one segment value).

    Parameters
    ----------
    config : SentinelConfig
        The validated configuration; the limits come from ``[drift]``.
    segment : bool
        True when judged within one segment value: ``min_rows`` is then
        ``[drift] min_segment_rows`` instead of ``[drift] min_rows``.

    Returns
    -------
    dict of str to object
        The keyword arguments of ``check_feature_drift``: ``max_share``, ``critical``,
        ``min_rows``, ``severe_effect``, ``important_share``, ``max_missing_increase``,
        ``missing_confidence``.
    """
    d = config.drift
    return {
        "max_share": d.max_drift_share,
        "critical": d.critical_features,
        "min_rows": d.min_segment_rows if segment else d.min_rows,
        "severe_effect": d.severe_effect,
        "important_share": d.important_feature_share,
        "max_missing_increase": d.max_missing_increase,
        "missing_confidence": budget.confidence(config, "drift"),
    }


def label_drift(config: SentinelConfig) -> Limits:
    """``drift.labels``.

    Parameters
    ----------
    config : SentinelConfig
        The validated configuration; the limits come from ``[drift]``.

    Returns
    -------
    dict of str to object
        The keyword arguments of ``check_label_drift``: ``max_odds_ratio``,
        ``max_abs_change``, ``confidence``.
    """
    d = config.drift
    return {
        "max_odds_ratio": d.label_max_odds_ratio,
        "max_abs_change": d.label_max_abs_change,
        "confidence": budget.confidence(config, "drift"),
    }


def calibration_drift(config: SentinelConfig) -> Limits:
    """``drift.calibration``.

    Parameters
    ----------
    config : SentinelConfig
        The validated configuration; the limits come from ``[drift]``, the bins and
        resamples from ``[quality]``, the seed from ``[gate]``, the coverage from the
        false-block budget (family ``"calibration"``).

    Returns
    -------
    dict of str to object
        The keyword arguments of ``check_calibration_change``: ``max_ece_increase``,
        ``max_brier_increase``, ``n_bins``, ``confidence``, ``resamples``, ``seed``.
    """
    d, q = config.drift, config.quality
    return {
        "max_ece_increase": d.max_ece_increase,
        "max_brier_increase": d.max_brier_increase,
        "n_bins": q.calibration_bins,
        "confidence": budget.confidence(config, "calibration"),
        "resamples": q.bootstrap_resamples,
        "seed": config.gate.seed,
    }


def score_drift(config: SentinelConfig) -> Limits:
    """``drift.scores``.

    Parameters
    ----------
    config : SentinelConfig
        The validated configuration; the limits come from ``[drift]``.

    Returns
    -------
    dict of str to object
        The keyword arguments of ``check_score_drift``: ``max_psi``, ``max_flagged_change``,
        ``confidence`` (of the flagged fraction's change interval, from the false-block
        budget, family ``"drift"``).
    """
    d = config.drift
    return {
        "max_psi": d.max_score_psi,
        "max_flagged_change": d.max_flagged_change,
        "confidence": budget.confidence(config, "drift"),
    }


def distance_noise(config: SentinelConfig, features: int) -> Limits:
    """The noise test of the drift distances (``column_drift``'s ``noise_alpha``, ``seed``).

    Each feature pair is one test of the ``"drift"`` family for its distances (beside
    its missing-share intervals); its one-sided error is shared equally by the features
    (Bonferroni), so a same-population sample flags any feature with probability at most
    the pair's share of the false-block budget.

    Parameters
    ----------
    config : SentinelConfig
        The validated configuration (``[gate] false_block_rate``, ``[gate] seed``).
    features : int
        Features compared in the pair.

    Returns
    -------
    dict of str to object
        ``noise_alpha`` (one-sided, per feature) and ``seed``.
    """
    one_sided = (1.0 - budget.confidence(config, "drift")) / 2.0
    return {"noise_alpha": one_sided / max(features, 1), "seed": config.gate.seed}
