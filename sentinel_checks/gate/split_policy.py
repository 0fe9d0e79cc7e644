"""The map from the configuration to the data and split checks' keyword-only limits:
``contract.labels``, ``splits.time_order``, ``splits.entity_overlap``, ``splits.purge``,
``splits.row_overlap`` and ``splits.target_leakage`` (runbook phase 1).

Part of :mod:`sentinel_checks.gate.policy` (which re-exports these functions); the
same rules hold: a check never reads the config, and every limit comes from here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sentinel_checks.gate import budget

if TYPE_CHECKING:
    from sentinel_checks.config import SentinelConfig

Limits = dict[str, Any]


def labels(config: SentinelConfig) -> Limits:
    """``contract.labels``: enough risky and safe rows in each split.

    Parameters
    ----------
    config : SentinelConfig
        The validated configuration; the limits come from ``[contract]``.

    Returns
    -------
    dict of str to object
        The keyword arguments of ``check_labels``: ``min_positives``, ``min_negatives``.
    """
    c = config.contract
    return {"min_positives": c.min_positives_per_split, "min_negatives": c.min_negatives_per_split}


def time_order(config: SentinelConfig) -> Limits:
    """``splits.time_order``: the embargo gap required between consecutive splits.

    Parameters
    ----------
    config : SentinelConfig
        Reads ``[splits] embargo`` (a pandas duration string such as ``"1D"``).

    Returns
    -------
    dict
        ``{"embargo": str}``.
    """
    return {"embargo": config.splits.embargo}


def entity_overlap(config: SentinelConfig) -> Limits:
    """``splits.entity_overlap``.

    Parameters
    ----------
    config : SentinelConfig
        The validated configuration; the limits come from ``[leakage]``.

    Returns
    -------
    dict of str to object
        The keyword arguments of ``check_entity_overlap``: ``max_share``, and
        ``split_method`` and ``max_purged_share`` from ``[splits]`` (the hint fits them).
    """
    return {
        "max_share": config.leakage.max_entity_overlap_share,
        "split_method": config.splits.method,
        "max_purged_share": config.splits.max_purged_share,
    }


def purge(config: SentinelConfig) -> Limits:
    """``splits.purge``.

    Parameters
    ----------
    config : SentinelConfig
        The validated configuration.

    Returns
    -------
    dict
        The keyword arguments of ``check_purge``: ``max_share`` from ``[splits] max_purged_share``.
    """
    return {"max_share": config.splits.max_purged_share}


def row_overlap(config: SentinelConfig) -> Limits:
    """``splits.row_overlap``.

    Parameters
    ----------
    config : SentinelConfig
        The validated configuration; the limits come from ``[leakage]``.

    Returns
    -------
    dict of str to object
        The keyword arguments of ``check_row_overlap``: ``max_share``, ``confidence``
        (from the false-block budget, family ``"leakage"``).
    """
    return {
        "max_share": config.leakage.max_row_overlap_share,
        "confidence": budget.confidence(config, "leakage"),
    }


def target_leakage(config: SentinelConfig) -> Limits:
    """``splits.target_leakage``.

    Parameters
    ----------
    config : SentinelConfig
        The validated configuration; the limits come from ``[leakage]`` and ``[gate] seed``.

    Returns
    -------
    dict of str to object
        The keyword arguments of ``check_target_leakage``: ``max_auc``, ``flag_constant_per_class``,
        ``seed``, and ``time_column`` from ``[columns] timestamp`` (named in the hint).
    """
    lk = config.leakage
    return {
        "max_auc": lk.max_univariate_auc,
        "flag_constant_per_class": lk.flag_constant_per_class,
        "seed": config.gate.seed,
        "time_column": config.columns.timestamp,
    }
