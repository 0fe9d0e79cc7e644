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
    record: dict[str, Any]
    results: list[CheckResult]
    triggers: list[str] = field(default_factory=list)
    next_steps: list[str] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)

    @property
    def alerts(self) -> list[CheckResult]:
        return alerts(self.results)


def alert_severity(result: CheckResult) -> str:
    """``critical`` for a failed rule, ``warning`` for a warned one."""
    return "critical" if result.status is Status.FAIL else "warning"


def scope_names(record: dict[str, Any]) -> list[str]:
    return [OVERALL, *sorted(k for k in record.get("scopes", {}) if k != OVERALL)]
