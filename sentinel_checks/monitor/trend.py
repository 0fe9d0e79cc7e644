"""``sentinel monitor report``: the monitoring history as one HTML page of trends.

One figure per metric (flagged fraction, score PSI, recall on labelled rows,
estimated recall, Brier score): ``overall`` with its alert limit dashed beside the
segment lines, each batch that raised the metric's alert marked on its scope's line.
The overall limit is not drawn over the segments: every scope is judged against the
same scope of the reference (:func:`sentinel_checks.checks.monitor.judge_scope`), on
a confidence bound, so a segment's limit is its own.
"""

from __future__ import annotations

import base64
import html
import math
from pathlib import Path
from typing import Any

from sentinel_checks.config import SentinelConfig
from sentinel_checks.data.jsonl import read_lines
from sentinel_checks.errors import DataError
from sentinel_checks.monitor.statistics import OVERALL
from sentinel_checks.monitor.trend_figure import trend_figure
from sentinel_checks.reports.gate_report import write_atomic

#: metric key in the history, title, alert rule it belongs to
METRICS = (
    ("flagged_fraction", "Flagged fraction at the operating threshold", "monitor.flagged_fraction"),
    ("psi", "Score PSI vs the reference", "monitor.score_shift"),
    ("recall", "Recall of the risky class (labelled rows)", "monitor.recall"),
    ("estimated_recall", "Estimated recall from the scores (no labels)", "monitor.estimated_recall"),
    ("brier", "Brier score (labelled rows)", "monitor.brier"),
)

#: what the figures' lines and marks mean, on the page and in docs/monitoring.md
RULE_TEXT = (
    "How to read the figures: every scope (overall, and each segment value) is judged against "
    "the same scope of the reference (the alert rules of docs/monitoring.md): score PSI and the flagged "
    "fraction on their value, recall, estimated recall and the Brier increase on a confidence "
    "bound. The dashed line is the limit of the overall line only; each segment has its own "
    "limit (its reference value and the same allowed change), so the segment panel draws no "
    "limit, and only a point marked X is an alert. An overall recall point beyond the dashed "
    "line without an X is a batch whose interval (the grey band) still reaches the limit: "
    "too few labelled rows to show the drop."
)


def write_trend_report(config: SentinelConfig, folder: Path, *, max_segments: int = 8) -> Path:
    """``trend.html``: each monitored metric over the batches, one figure per metric.

    Parameters
    ----------
    config : SentinelConfig
        ``[monitor] history`` and the alert limits.
    folder : Path
        Where ``trend.html`` and its ``trend_<metric>.png`` figures are written (created if needed).
    max_segments : int, optional
        Segment scopes drawn besides ``overall``.

    Returns
    -------
    Path
        The ``trend.html`` file.

    Raises
    ------
    DataError
        The monitoring history is empty.
    """
    history = read_lines(config.monitor.history)
    if not history:
        raise DataError(
            f"monitoring history {config.monitor.history} is empty: run `sentinel monitor --batch` first"
        )
    folder.mkdir(parents=True, exist_ok=True)
    labels = [_label(h, i) for i, h in enumerate(history)]
    scopes = _scopes(history, max_segments)
    m = config.monitor
    figures = []
    for key, title, rule in METRICS:
        series = {}
        for scope in scopes:
            points = [
                (i, h["scopes"][scope][key])
                for i, h in enumerate(history)
                if scope in h.get("scopes", {}) and _finite(h["scopes"][scope].get(key))
            ]
            if points:
                series[scope] = ([p[0] for p in points], [p[1] for p in points])
        if not series:
            continue
        limit = _limits(history, key, m)
        alerts = {
            scope: [
                (i, h["scopes"][scope][key])
                for i, h in enumerate(history)
                if any(a["id"] == rule and a["scope"] == scope for a in h.get("alerts", []))
                and _finite(h.get("scopes", {}).get(scope, {}).get(key))
            ]
            for scope in scopes
        }
        path = trend_figure(
            series,
            title=title,
            labels=labels,
            limit=limit,
            band=_band(history, key),
            alerts=alerts,
            path=folder / f"trend_{key}.png",
        )
        figures.append((title, path))
    return write_atomic(folder / "trend.html", _page(history, labels, figures))


def _label(record: dict[str, Any], i: int) -> str:
    tr = record.get("time_range")
    return str(tr[1])[:10] if tr else f"batch {i + 1}"


def _scopes(history: list[dict[str, Any]], max_segments: int) -> list[str]:
    """Overall plus the segment values with the most alerts, then the largest."""
    alerts: dict[str, int] = {}
    sizes: dict[str, int] = {}
    for h in history:
        for a in h.get("alerts", []):
            alerts[a["scope"]] = alerts.get(a["scope"], 0) + 1
        for scope, s in h.get("scopes", {}).items():
            sizes[scope] = max(sizes.get(scope, 0), int(s.get("n") or 0))
    segments = sorted((s for s in sizes if s != OVERALL), key=lambda s: (-alerts.get(s, 0), -sizes[s], s))
    return [OVERALL, *segments[:max_segments]]


def _band(history: list[dict[str, Any]], key: str) -> tuple[list[int], list[float], list[float]] | None:
    """The overall interval ``monitor.recall`` judges (its upper bound against the limit)."""
    if key != "recall":
        return None
    points = [
        (i, o["recall_low"], o["recall_high"])
        for i, h in enumerate(history)
        if _finite((o := h.get("scopes", {}).get(OVERALL, {})).get("recall_low"))
        and _finite(o.get("recall_high"))
    ]
    if not points:
        return None
    return [p[0] for p in points], [p[1] for p in points], [p[2] for p in points]


def _limits(history: list[dict[str, Any]], key: str, m: Any) -> list[list[float]] | None:
    """The overall alert limit(s) of each batch (they depend on the reference): one line,
    or two for the flagged fraction's two-sided band."""
    lines: list[list[float]] = [[], []]
    for h in history:
        ref = h.get("reference", {}).get(OVERALL, {})
        if key == "psi":
            lines[0].append(m.max_score_psi)
        elif key == "recall" and _finite(ref.get("recall")):
            lines[0].append(ref["recall"] - m.max_recall_drop)
        elif key == "estimated_recall" and _finite(ref.get("estimated_recall")):
            lines[0].append(ref["estimated_recall"] - m.max_estimated_recall_drop)
        elif key == "brier" and _finite(ref.get("brier")):
            lines[0].append(ref["brier"] + m.max_brier_increase)
        elif key == "flagged_fraction" and _finite(ref.get("flagged_fraction")):
            lines[0].append(ref["flagged_fraction"] * (1 + m.max_flagged_change))
            lines[1].append(max(0.0, ref["flagged_fraction"] * (1 - m.max_flagged_change)))
        else:
            return None
    return [line for line in lines if line]


def _finite(value: Any) -> bool:
    return isinstance(value, (int, float)) and math.isfinite(value)


def _page(history: list[dict[str, Any]], labels: list[str], figures: list[tuple[str, Path]]) -> str:
    esc = html.escape
    rows = []
    for label, h in zip(labels, history, strict=True):
        alerts = (
            "; ".join(f"{a['id']} [{a['scope']}] {a['severity']}" for a in h.get("alerts", [])) or "healthy"
        )
        rows.append(
            f"<tr><td>{esc(label)}</td><td><code>{esc(str(h.get('batch')))}</code></td>"
            f"<td>{esc(alerts)}</td></tr>"
        )
    imgs = []
    for title, path in figures:
        data = base64.b64encode(path.read_bytes()).decode()
        imgs.append(
            f"<figure><img alt='{esc(title)}' src='data:image/png;base64,{data}'>"
            f"<figcaption>{esc(title)}</figcaption></figure>"
        )
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        "<title>Gradient Sentinel monitoring</title><style>"
        "body{font-family:system-ui,sans-serif;margin:2rem;max-width:1100px}table{border-collapse:collapse}"
        "td,th{border:1px solid #ccc;padding:.25rem .5rem;font-size:.85rem}"
        "figure{margin:1rem 0}img{max-width:100%}</style></head><body>"
        f"<h1>Production monitoring: {len(history)} batch(es)</h1>"
        f"<p>{esc(RULE_TEXT)}</p>"
        "<p>Estimated recall is computed from the scores alone and assumes they are calibrated.</p>"
        + "".join(imgs)
        + "<h2>Batches</h2><table><tr><th>until</th><th>batch</th><th>alerts</th></tr>"
        + "".join(rows)
        + "</table></body></html>\n"
    )
