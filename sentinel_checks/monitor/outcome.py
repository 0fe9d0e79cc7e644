"""The outcome of monitoring one batch: its history record, the rule results, the
retraining triggers and next steps, and the files written."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sentinel_checks.checks.monitor import alerts
from sentinel_checks.monitor.statistics import OVERALL
from sentinel_checks.result import CheckResult, Status


@dataclass
class MonitorOutcome:
    """The outcome of monitoring one batch.

    Attributes
    ----------
    record : dict
        The history record appended to ``[monitor] history``.
    results : list of CheckResult
        The rule results, overall first.
    triggers : list of str
        Retraining triggers.
    next_steps : list of str
        The protocol's next steps.
    written : list of Path
        The report files written.
    """

    record: dict[str, Any]
    results: list[CheckResult]
    triggers: list[str] = field(default_factory=list)
    next_steps: list[str] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)

    @property
    def alerts(self) -> list[CheckResult]:
        """The results that warned or failed."""
        return alerts(self.results)


def alert_severity(result: CheckResult) -> str:
    """``critical`` for a failed rule, ``warning`` for a warned one.

    Parameters
    ----------
    result : CheckResult
        A monitoring rule's result (an alert).

    Returns
    -------
    str
    """
    return "critical" if result.status is Status.FAIL else "warning"


def scope_names(record: dict[str, Any]) -> list[str]:
    """The scopes of a history record: ``overall`` first, then the segment values sorted.

    Parameters
    ----------
    record : dict
        A monitoring history record.

    Returns
    -------
    list of str
    """
    return [OVERALL, *sorted(k for k in record.get("scopes", {}) if k != OVERALL)]
