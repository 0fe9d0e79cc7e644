"""``reports/monitoring/latest.md``: one monitored batch rendered as Markdown."""

from __future__ import annotations

import math
from typing import Any

from sentinel_checks.formatting import moment
from sentinel_checks.monitor.outcome import MonitorOutcome, alert_severity


def monitor_markdown(outcome: MonitorOutcome) -> str:
    """``latest.md``: verdict, alerts, retraining triggers, next steps and metrics by scope.

    Parameters
    ----------
    outcome : MonitorOutcome
        The batch's outcome.

    Returns
    -------
    str
        Markdown text.
    """
    rec = outcome.record
    verdict = "ALERT" if outcome.alerts else "HEALTHY"
    lines = [
        f"# Gradient Sentinel monitor: {verdict}",
        "",
        f"Batch `{rec['batch']}` · threshold {rec['threshold']:.4g}",
    ]
    if rec["time_range"]:
        lines.append(f"Requests from {moment(rec['time_range'][0])} to {moment(rec['time_range'][1])}")
    lines.append("")
    if outcome.alerts:
        lines += ["## Alerts", "", "| alert | scope | severity | message |", "|---|---|---|---|"]
        for r in outcome.alerts:
            lines.append(
                f"| `{r.id}` | {r.parameters.get('segment') or 'overall'} | {alert_severity(r)} "
                f"| {r.message} |"
            )
        lines.append("")
    if outcome.triggers:
        lines += ["## Retraining", "", *[f"- trigger: {t}" for t in outcome.triggers], ""]
    if outcome.next_steps:
        lines += ["## Next steps", "", *[f"{i}. {s}" for i, s in enumerate(outcome.next_steps, 1)], ""]
    lines += [
        "## Metrics",
        "",
        "| scope | rows | flagged | PSI | Evidently | labelled risky | recall (interval) | FNR | FPR | Brier "
        "| est. recall |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for scope, s in rec["scopes"].items():
        lines.append(
            f"| {scope} | {s['n']} | {_pct(s['flagged_fraction'])} | {_num(s['psi'])} | "
            f"{_num((s.get('evidently') or {}).get('score'))} | {s['n_positive']} | "
            f"{_num(s['recall'])} ({_num(s['recall_low'])} to {_num(s['recall_high'])}) | {_num(s['fnr'])} | "
            f"{_num(s['fpr'])} | {_num(s['brier'])} | {_num(s['estimated_recall'])} (estimate) |"
        )
    ev = rec.get("evidently_score_drift")
    if ev:
        lines += [
            "",
            f"Evidently on the scores ({ev['method']}): {ev['score']:.3g} overall "
            f"({'drifted' if ev['drifted'] else 'not drifted'}).",
        ]
    return "\n".join(lines) + "\n"


def _num(value: Any) -> str:
    return "—" if value is None or (isinstance(value, float) and not math.isfinite(value)) else f"{value:.3f}"


def _pct(value: Any) -> str:
    return "—" if value is None else f"{value:.2%}"
