"""Values and evidence as gate.html shows them: numbers to sensible digits with units,
evidence as small tables, never a Python repr."""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

from sentinel_checks.formatting import as_plain, number, text
from sentinel_checks.result import CheckResult, Direction, Evidence

__all__ = ["as_plain", "evidence_html", "measured_vs_limit", "number", "text", "with_unit"]

_OPS = {Direction.AT_MOST: "≤", Direction.AT_LEAST: "≥", Direction.NONE: ""}
#: How a check's measured value and limit read: a share in %, a count of rows, a ratio.
UNITS: Mapping[str, str] = {
    "splits.entity_overlap": "%",
    "splits.row_overlap": "%",
    "drift.features": "%",
    "splits.time_order": "rows",
    "contract.labels": "risky rows",
    "model.scores": "rows",
    "drift.labels": "(odds ratio)",
    "training.curves": "problem(s)",
}
#: Columns shown for evidence kinds with many fields (others: every column, up to 8).
_COLUMNS: Mapping[str, tuple[str, ...]] = {
    "drifted_features": ("feature", "shift", "method", "score", "threshold", "importance_share", "critical"),
    "segment_regressions": (
        "column",
        "value",
        "n_positive",
        "fnr_champion",
        "fnr_candidate",
        "fnr_change",
        "risky_newly_missed",
    ),
    "criteria": ("criterion", "what", "measured", "low", "high", "limit", "verdict"),
    "baselines": ("baseline", "value", "lead", "interval", "finding", "verdict", "needed"),
    "worst_segments": ("segment", "rows", "positives", "recall", "low", "high", "status"),
}
ROWS_SHOWN = 6


def _empty(value: Any) -> bool:
    value = as_plain(value)
    if isinstance(value, list):  # an interval of two undefined ends is no interval
        return all(v is None for v in value)
    return value is None or value == "" or (isinstance(value, dict) and not value)


#: Units of a decided criterion (``parameters["criterion"]``), where it differs from the check's.
CRITERION_UNITS: Mapping[str, str] = {
    "drifted share": "%",
    "ROC AUC": "",
    "average-precision skill": "",
    "features failing on their own": "",  # a count; the criterion's name says of what
    "share of rows repeating": "%",
    "excess repeats over chance": "%",
    "excess repeats over chance (interval's lower end)": "%",
    "excess repeats over chance (interval's upper end)": "%",
    "share of copies of an event (id and time included)": "%",
    "odds ratio": "",  # the criterion's name says what the number is
    "prevalence change": "%",
    "flagged fraction change": "%",  # drift.scores decided by its flagged fraction
    "distinct scores": "",  # a count; the criterion's name says of what
}


def with_unit(value: float | None, check_id: str, criterion: str = "") -> str:
    """The measured value or limit of ``check_id`` with its unit (a share in per cent).

    ``criterion`` (a result's ``parameters["criterion"]``) picks the unit of the
    criterion that decided, when the check judges several.
    """
    if value is None or value != value:  # NaN: undefined, never "nan%"
        return "n/a"
    unit = CRITERION_UNITS.get(criterion, "") if criterion else UNITS.get(check_id, "")
    if unit == "%":
        return f"{100 * float(value):.4g}%"
    return number(value) + (f" {unit}" if unit else "")


def measured_vs_limit(result: CheckResult) -> str:
    """``"measured 98.26% · limit ≤ 0%"`` (no limit: the measured value only); a check
    judging several criteria names the one that decided first (``"prevalence change: measured 0.06% …"``)."""
    criterion = result.parameters.get("criterion")
    criterion = criterion if isinstance(criterion, str) else ""
    what = f"{criterion}: " if criterion else ""
    shown = f"{what}measured {with_unit(result.measured, result.id, criterion)}"
    if result.limit is None:
        return shown
    limit = with_unit(result.limit, result.id, criterion)
    return f"{shown} · limit {_OPS[result.direction]} {limit}".replace("  ", " ")


def evidence_html(ev: Evidence) -> str:
    """One piece of evidence: a table of its items (dicts) or a short list, then its detail."""
    esc = html.escape
    title = ev.kind.replace("_", " ")
    parts = []
    dicts = [x for x in ev.items if isinstance(x, Mapping)]
    if dicts:
        wanted = _COLUMNS.get(ev.kind)
        columns: list[str] = []
        for item in dicts:
            columns += [k for k in item if k not in columns]
        if wanted:
            columns = [c for c in wanted if c in columns]
        columns = [c for c in columns if any(not _empty(d.get(c)) and d.get(c) is not False for d in dicts)][
            :8
        ]
        more = f" ({ev.total:,} in all)" if ev.total > min(len(dicts), ROWS_SHOWN) else ""
        parts.append(f"<table class='ev'><caption>{esc(title)}{esc(more)}</caption><tr>")
        parts += [f"<th>{esc(c.replace('_', ' '))}</th>" for c in columns]
        parts.append("</tr>")
        for item in dicts[:ROWS_SHOWN]:
            parts.append("<tr>" + "".join(f"<td>{esc(text(item.get(c), c))}</td>" for c in columns) + "</tr>")
        parts.append("</table>")
    elif ev.items:
        shown = ", ".join(text(x) for x in ev.items[:ROWS_SHOWN])
        more = f" … ({ev.total:,} in all)" if ev.total > min(len(ev.items), ROWS_SHOWN) else ""
        parts.append(f"<p class='ev'><b>{esc(title)}</b>: <code>{esc(shown)}</code>{esc(more)}</p>")
    detail = {k: v for k, v in ev.detail.items() if not _empty(v)}
    if detail:
        caption = "" if dicts or ev.items else f"<caption>{esc(title)}</caption>"
        parts.append(f"<table class='ev kv'>{caption}")
        parts += [
            f"<tr><th>{esc(k.replace('_', ' '))}</th><td>{esc(text(v, k))}</td></tr>"
            for k, v in detail.items()
        ]
        parts.append("</table>")
    return "".join(parts)
