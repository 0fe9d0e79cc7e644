"""The one map from the configuration to every check's keyword-only limits.

Each function takes the validated :class:`~sentinel_checks.config.SentinelConfig`
and returns the keyword arguments its check is called with: a check never reads
the config, and no step passes a limit that does not come from here. The pydantic
models in :mod:`sentinel_checks.config` hold the documented defaults; a test keeps
the checks' own keyword defaults equal to them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sentinel_checks.gate import budget

# the drift checks' limits live in drift_policy; importable from here as every other check's
from sentinel_checks.gate.drift_policy import calibration_drift as calibration_drift
from sentinel_checks.gate.drift_policy import feature_drift as feature_drift
from sentinel_checks.gate.drift_policy import label_drift as label_drift
from sentinel_checks.gate.drift_policy import score_drift as score_drift

# the data and split checks' limits live in split_policy; importable from here too
from sentinel_checks.gate.split_policy import entity_overlap as entity_overlap
from sentinel_checks.gate.split_policy import labels as labels
from sentinel_checks.gate.split_policy import purge as purge
from sentinel_checks.gate.split_policy import row_overlap as row_overlap
from sentinel_checks.gate.split_policy import target_leakage as target_leakage
from sentinel_checks.gate.split_policy import time_order as time_order

if TYPE_CHECKING:
    from sentinel_checks.config import SentinelConfig

Limits = dict[str, Any]


def recall(config: SentinelConfig) -> Limits:
    """``quality.recall``: the floor, judged on a bound, from ``min_positives`` risky rows.

    Parameters
    ----------
    config : SentinelConfig
        The validated configuration; the limits come from ``[quality]``.

    Returns
    -------
    dict of str to object
        The keyword arguments of ``check_recall``: ``min_recall``, ``bound``, ``confidence``,
        ``min_positives``.
    """
    q = config.quality
    return {
        "min_recall": q.min_recall,
        "bound": q.bound,
        "confidence": budget.confidence(config, "quality"),
        "min_positives": q.min_positives,
    }


def precision(config: SentinelConfig) -> Limits:
    """``quality.precision``.

    Parameters
    ----------
    config : SentinelConfig
        The validated configuration; the limits come from ``[quality]``.

    Returns
    -------
    dict of str to object
        The keyword arguments of ``check_precision``: ``min_precision``, ``bound``, ``confidence``.
    """
    q = config.quality
    return {
        "min_precision": q.min_precision,
        "bound": q.bound,
        "confidence": budget.confidence(config, "quality"),
    }


def auc(config: SentinelConfig) -> Limits:
    """``quality.auc``.

    Parameters
    ----------
    config : SentinelConfig
        The validated configuration; the limits come from ``[quality]``.

    Returns
    -------
    dict of str to object
        The keyword arguments of ``check_auc``: ``min_roc_auc``, ``min_pr_auc_skill``,
        ``confidence``.
    """
    q = config.quality
    return {
        "min_roc_auc": q.min_roc_auc,
        "min_pr_auc_skill": q.min_pr_auc_skill,
        "confidence": budget.confidence(config, "quality"),
    }


def too_good(config: SentinelConfig) -> Limits:
    """``quality.too_good``: a sanity flag on point estimates, outside the false-block budget.

    Parameters
    ----------
    config : SentinelConfig
        The validated configuration; the limits come from ``[quality]``.

    Returns
    -------
    dict of str to object
        The keyword arguments of ``check_too_good``: ``max_auc`` (``too_good_auc``),
        ``action`` (``too_good_action``).
    """
    q = config.quality
    return {"max_auc": q.too_good_auc, "action": q.too_good_action}


def val_test_gap(config: SentinelConfig) -> Limits:
    """``quality.val_test_gap`` (also a criterion of ``promotion.vs_champion``).

    Parameters
    ----------
    config : SentinelConfig
        The validated configuration; the limits come from ``[quality]``.

    Returns
    -------
    dict of str to object
        The keyword arguments of ``check_val_test_gap``: ``max_gap``, ``max_auc_gap``,
        ``confidence``.
    """
    q = config.quality
    return {
        "max_gap": q.max_val_test_gap,
        "max_auc_gap": q.max_val_test_auc_gap,
        "confidence": budget.confidence(config, "gap"),
    }


def calibration(config: SentinelConfig) -> Limits:
    """``quality.calibration``.

    Parameters
    ----------
    config : SentinelConfig
        The validated configuration; the limits come from ``[quality]`` and ``[gate] seed``.

    Returns
    -------
    dict of str to object
        The keyword arguments of ``check_calibration``: ``max_ece``, ``max_brier``,
        ``n_bins`` (``calibration_bins``), ``confidence``, ``resamples``
        (``bootstrap_resamples``) and ``seed`` (``[gate] seed``).
    """
    q = config.quality
    return {
        "max_ece": q.max_ece,
        "max_brier": q.max_brier,
        "n_bins": q.calibration_bins,
        "confidence": budget.confidence(config, "calibration"),
        "resamples": q.bootstrap_resamples,
        "seed": config.gate.seed,
    }


def segments(config: SentinelConfig) -> Limits:
    """``quality.segments``.

    Parameters
    ----------
    config : SentinelConfig
        The validated configuration; the limits come from ``[quality]``.

    Returns
    -------
    dict of str to object
        The keyword arguments of ``check_segments``: ``min_recall``, ``min_positives``, ``bound``,
        ``confidence``.
    """
    q = config.quality
    return {
        "min_recall": q.min_segment_recall,
        "min_positives": q.segment_min_positives,
        "bound": q.segment_bound,
        "confidence": budget.confidence(config, "quality"),
    }


def baselines(config: SentinelConfig) -> Limits:
    """``quality.baselines``.

    Parameters
    ----------
    config : SentinelConfig
        The validated configuration; the limits come from ``[quality]`` and ``[gate] seed``.

    Returns
    -------
    dict of str to object
        The keyword arguments of ``check_baselines``: ``metric``, ``margin``, ``rule``,
        ``bound``, ``confidence``, ``resamples``, ``seed``.
    """
    q = config.quality
    return {
        "metric": q.baseline_metric,
        "margin": q.baseline_margin,
        "rule": q.baseline_rule,
        "bound": q.baseline_bound,
        "confidence": budget.confidence(config, "baselines"),
        "resamples": q.bootstrap_resamples,
        "seed": config.gate.seed,
    }


def training_curves(config: SentinelConfig) -> Limits:
    """``training.curves``: the log's columns and every curve limit.

    Parameters
    ----------
    config : SentinelConfig
        The validated configuration; the limits come from ``[training]``.

    Returns
    -------
    dict of str to object
        The keyword arguments of ``check_training_curves``: ``epoch``, ``train_loss``, ``val_loss``,
        ``val_metric``, ``overfit_patience``, ``overfit_tolerance``, ``min_val_metric``,
        ``flat_tolerance``, ``spike_mads``, ``selected_epoch``, ``selected_epoch_tolerance``.
    """
    t = config.training
    return {
        "epoch": t.epoch,
        "train_loss": t.train_loss,
        "val_loss": t.val_loss,
        "val_metric": t.val_metric,
        "overfit_patience": t.overfit_patience,
        "overfit_tolerance": t.overfit_tolerance,
        "min_val_metric": t.min_val_metric,
        "flat_tolerance": t.flat_tolerance,
        "spike_mads": t.spike_mads,
        "selected_epoch": t.selected_epoch,
        "selected_epoch_tolerance": t.selected_epoch_tolerance,
    }


def vs_champion(config: SentinelConfig) -> Limits:
    """``promotion.vs_champion`` (the val/test gap criterion comes from :func:`val_test_gap`).

    Parameters
    ----------
    config : SentinelConfig
        The validated configuration; the limits come from ``[promotion]`` and ``[quality] min_positives``.

    Returns
    -------
    dict of str to object
        The keyword arguments of ``check_vs_champion``: ``max_fnr_increase``,
        ``max_precision_drop``, ``target_metric``, ``max_target_drop``, ``min_target_lead``,
        ``require_improvement``, ``max_flip_rate``, ``min_positives``. (The confidence of
        its intervals is the comparison's: :func:`promotion_confidence`.)
    """
    p, q = config.promotion, config.quality
    return {
        "max_fnr_increase": p.max_fnr_increase,
        "max_precision_drop": p.max_precision_drop,
        "target_metric": p.target_metric,
        "max_target_drop": p.max_target_drop,
        "min_target_lead": p.min_target_lead,
        "require_improvement": p.require_improvement,
        "max_flip_rate": p.max_flip_rate,
        "min_positives": q.min_positives,
    }


#: Criteria of ``promotion.vs_champion`` judged on an interval (FNR, precision, target metric).
PROMOTION_INTERVAL_CRITERIA = 3


def promotion_confidence(config: SentinelConfig) -> float:
    """Two-sided confidence of each paired interval ``promotion.vs_champion`` judges.

    The gate's false-block budget gives each promotion split its coverage
    (:func:`sentinel_checks.gate.budget.confidence`, family ``"promotion"``: 0.99 with
    the defaults); Bonferroni over the 3 criteria judged on an interval divides it
    again: ``1 − (1 − c) / 3`` (0.996667 with the defaults). A candidate equal to the
    champion is then falsely blocked by the check, over all its criteria and splits,
    with probability at most the family's share of ``[gate] false_block_rate``.

    Parameters
    ----------
    config : SentinelConfig
        The validated configuration.

    Returns
    -------
    float
        In (0.5, 1).

    References
    ----------
    Dunn, O. J. (1961). Multiple comparisons among means. JASA 56(293), 52–64.
    """
    return 1 - (1 - budget.confidence(config, "promotion")) / PROMOTION_INTERVAL_CRITERIA
