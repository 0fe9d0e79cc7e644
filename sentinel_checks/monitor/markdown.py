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
        "| scope | rows | flagged | PSI | Evidently (method: score, verdict) | labelled risky "
        "| recall (interval) | FNR | FPR | Brier | est. recall |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for scope, s in rec["scopes"].items():
        lines.append(
            f"| {scope} | {s['n']} | {_pct(s['flagged_fraction'])} | {_num(s['psi'])} | "
            f"{evidently_cell(s.get('evidently'))} | {s['n_positive']} | "
            f"{_num(s['recall'])} ({_num(s['recall_low'])} to {_num(s['recall_high'])}) | {_num(s['fnr'])} | "
            f"{_num(s['fpr'])} | {_num(s['brier'])} | {_num(s['estimated_recall'])} (estimate) |"
        )
    minimum = rec.get("min_segment_rows")
    for scope, n in (rec.get("not_judged") or {}).items():
        lines.append(f"| {scope} | {n} | not judged ({n} rows < min {minimum}) |" + " |" * 8)
    lines += [
        "",
        "Evidently picks its method by size: with at most 1,000 reference rows a K-S test (its score "
        "a p-value: small means drifted), else the normed Wasserstein distance (large means drifted); "
        "each row names its own.",
    ]
    ev = rec.get("evidently_score_drift")
    if ev:
        lines += [
            "",
            f"Evidently on the scores ({ev['method']}): {ev['score']:.3g} overall "
            f"({'drifted' if ev['drifted'] else 'not drifted'}).",
        ]
    return "\n".join(lines) + "\n"


def evidently_cell(entry: dict[str, Any] | None) -> str:
    """One scope's Evidently drift as a Metrics cell: method, score and verdict, so a
    K-S p-value of 0.000 (drifted) is never read as a distance of 0 (no drift); "—"
    when Evidently did not score the scope."""
    if not entry:
        return "—"
    verdict = "drifted" if entry.get("drifted") else "not drifted"
    return f"{entry.get('method')}: {_num(entry.get('score'))}, {verdict}"


def _num(value: Any) -> str:
    return "—" if value is None or (isinstance(value, float) and not math.isfinite(value)) else f"{value:.3f}"


def _pct(value: Any) -> str:
    return "—" if value is None else f"{value:.2%}"
