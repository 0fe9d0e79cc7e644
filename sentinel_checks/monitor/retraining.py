"""Retraining policy after a monitored batch: what triggers a retrain (an alert named
in ``[monitor] retrain_on``, or the champion older than ``retrain_cadence_days``) and
the next steps of the protocol (roll back on a critical alert; retrain, gate, canary,
promote)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from sentinel_checks.config import SentinelConfig
from sentinel_checks.data.jsonl import read_lines
from sentinel_checks.monitor.outcome import MonitorOutcome
from sentinel_checks.result import Status


def retraining(
    config: SentinelConfig,
    outcome: MonitorOutcome,
    history: list[dict[str, Any]],
    time_range: tuple[str, str] | None,
    now: dt.datetime,
) -> tuple[list[str], list[str]]:
    """The retraining triggers and the next steps, for the batch's ``outcome``.

    Parameters
    ----------
    config : SentinelConfig
        ``[monitor]`` (``retrain_on``, ``retrain_cadence_days``, ``retrain_window_months``)
        and ``[registry] audit_log`` (when the champion was promoted).
    outcome : MonitorOutcome
        The batch's outcome (its alerts).
    history : list of dict
        The monitoring history before this batch.
    time_range : (str, str) or None
        The batch's first and last timestamp (ISO-8601); the retraining window ends at the last.
    now : datetime
        Timezone-aware current time.

    Returns
    -------
    triggers : list of str
    next_steps : list of str
    """
    m = config.monitor
    fired = sorted({a.id.removeprefix("monitor.") for a in outcome.alerts} & set(m.retrain_on))
    triggers = [f"alert: {name}" for name in fired]
    promotions = [x for x in read_lines(config.registry.audit_log) if x.get("action") in ("promote", "adopt")]
    if promotions:
        since = now - dt.datetime.fromisoformat(promotions[-1]["at"])
        if since.days >= m.retrain_cadence_days:
            triggers.append(
                f"cadence: the champion was promoted {since.days} days ago (cadence {m.retrain_cadence_days})"
            )
    steps: list[str] = []
    critical = [a for a in outcome.alerts if a.status is Status.FAIL]
    if critical:
        steps.append(
            "critical alert: roll back now if the previous model is sound — "
            "`sentinel rollback --reason '...'` (or `sentinel disable` to switch the model off)"
        )
    if triggers:
        end = pd.Timestamp(time_range[1]) if time_range else pd.Timestamp(now)
        start = end - pd.DateOffset(months=m.retrain_window_months)
        steps += [
            f"retrain on {start.date()} .. {end.date()} (the last {m.retrain_window_months} months)",
            "gate it: `sentinel gate` (compares with @champion on test and the labelled production sample)",
            "canary: serve it to a slice or in shadow mode; put the labelled canary sample in "
            "[production] and gate again",
            "promote: `sentinel promote` (refused unless that gate passed)",
        ]
    return triggers, steps
