"""Values and evidence as gate.html shows them: numbers to sensible digits with units,
evidence as small tables, never a Python repr."""

from __future__ import annotations

import html
import math
from collections.abc import Mapping, Sequence
from typing import Any

from sentinel_checks.result import CheckResult, Direction, Evidence, plain

_OPS = {Direction.AT_MOST: "≤", Direction.AT_LEAST: "≥", Direction.NONE: ""}
#: How a check's measured value and limit read: a share in %, a count of rows, a ratio.
UNITS: Mapping[str, str] = {
    "splits.entity_overlap": "%",
    "splits.row_overlap": "%",
    "drift.features": "%",
    "splits.time_order": "rows",
    "contract.labels": "risky rows",
    "contract.schema": "rows",
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


def number(value: float | int, key: str = "") -> str:
    """A number to sensible digits: integers grouped, p-values bounded, others to 4 digits.

    Examples
    --------
    >>> number(888909), number(0.6714501852614245), number(2.66e-84, "mcnemar_p"), number(1.5e-6)
    ('888,909', '0.6715', 'p < 1e-15', '1.5e-06')
    """
    if isinstance(value, bool):
        return "yes" if value else "no"
    v = float(value)
    if not math.isfinite(v):
        return "n/a"
    if key.endswith("_p") or key.startswith("p_") or key == "p":
        return "p < 1e-15" if v < 1e-15 else f"{v:.2g}"
    if v.is_integer() and abs(v) >= 1:
        return f"{int(v):,}"
    if v != 0 and abs(v) < 1e-3:
        return f"{v:.2g}"
    return f"{v:.4g}"


def text(value: Any, key: str = "") -> str:
    """Any evidence value as plain text: lists joined, mappings as ``key value`` pairs.

    Examples
    --------
    >>> text([0.54, 0.9572]), text({"changed": 1546, "newly_cleared": 10}), text(None)
    ('0.54 to 0.9572', 'changed 1,546, newly cleared 10', '—')
    """
    value = as_plain(value)
    if value is None:
        return "—"
    if isinstance(value, bool | int | float):
        return number(value, key)
    if isinstance(value, Mapping):
        return ", ".join(f"{k.replace('_', ' ')} {text(v, k)}" for k, v in value.items()) or "—"
    if isinstance(value, Sequence) and not isinstance(value, str):
        items = list(value)
        if len(items) == 2 and all(isinstance(x, int | float) or x is None for x in items):
            return f"{text(items[0], key)} to {text(items[1], key)}"
        return ", ".join(text(x, key) for x in items) or "—"
    return str(value)


def as_plain(value: Any) -> Any:
    """Python values for numpy/pandas ones (arrays to lists, scalars to int/float/bool).

    Results built in process still hold them (gate.json's writer makes them plain later).

    Examples
    --------
    >>> import numpy as np
    >>> as_plain(np.array([1.5, 2.0])), as_plain(np.int64(3)), as_plain(np.bool_(True))
    ([1.5, 2.0], 3, True)
    """
    tolist = getattr(value, "tolist", None)
    if callable(tolist) and not isinstance(value, str | bytes):
        value = tolist()
    return plain(value)


def _empty(value: Any) -> bool:
    value = as_plain(value)
    if isinstance(value, list):  # an interval of two undefined ends is no interval
        return all(v is None for v in value)
    return value is None or value == "" or (isinstance(value, dict) and not value)


def with_unit(value: float | None, check_id: str) -> str:
    """The measured value or limit of ``check_id`` with its unit (a share in per cent)."""
    if value is None:
        return "n/a"
    unit = UNITS.get(check_id, "")
    if unit == "%":
        return f"{100 * float(value):.4g}%"
    return number(value) + (f" {unit}" if unit else "")


def measured_vs_limit(result: CheckResult) -> str:
    """``"measured 98.26% · limit ≤ 0%"`` (no limit: the measured value only)."""
    shown = f"measured {with_unit(result.measured, result.id)}"
    if result.limit is None:
        return shown
    return f"{shown} · limit {_OPS[result.direction]} {with_unit(result.limit, result.id)}".replace("  ", " ")


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
