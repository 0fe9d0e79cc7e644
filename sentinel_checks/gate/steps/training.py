"""Runbook 2, training: the curves of the training log."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sentinel_checks.gate import policy
from sentinel_checks.gate.session import GateSession

if TYPE_CHECKING:
    from sentinel_checks.result import CheckResult


# --------------------------------------------------------------------------- runbook 2: training


def training_curves(s: GateSession) -> CheckResult:
    """``training.curves``: overfitting, underfitting, instability in the training log.

    Parameters
    ----------
    s : GateSession
        The run's inputs; reads ``s.training_log`` (one row per epoch).

    Returns
    -------
    CheckResult
        Check id ``training.curves``; the log's column names and limits come from
        ``[training]`` (:func:`~sentinel_checks.gate.policy.training_curves`).

    Raises
    ------
    NotConfigured
        No ``[training] log`` is configured.
    DataError
        The training log is missing or unreadable.
    """
    from sentinel_checks.checks.training import check_training_curves

    return check_training_curves(s.training_log, **policy.training_curves(s.config))
