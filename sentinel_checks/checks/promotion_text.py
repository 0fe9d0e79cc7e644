"""The words of ``promotion.vs_champion``: each criterion as the message says it, the
rows still needed, and the hint by outcome. The decision itself is in
:mod:`sentinel_checks.checks.promotion`."""

from __future__ import annotations

from typing import Any

from sentinel_checks.checks.findings import FINDING_TEXT
from sentinel_checks.formatting import listing
from sentinel_checks.result import Status
from sentinel_checks.stats.comparison import Interval, PairedComparison, segment_name
from sentinel_checks.stats.power import MAX_ROWS
from sentinel_checks.stats.tie_bounds import GRID_KEEPS_OPEN, grid_keeps_open

__all__ = ["champion_hint", "criterion_text", "rows_text", "settle_text"]


def champion_hint(
    c: PairedComparison,
    status: Status,
    by_verdict: dict[str, list[str]],
    needed: dict[str, int],
    settle: str = GRID_KEEPS_OPEN,
) -> str:
    """What to do, by the check's status: nothing on a pass; on inconclusive, the risky
    rows (``needed["n_positive"]``) that would settle the criteria in ``by_verdict``, or
    ``settle`` (:func:`settle_text`) when no rows can; on a failure, keep the champion
    and where to look."""
    if status is Status.PASS:
        return ""
    if status is Status.INCONCLUSIVE and not needed:
        return f"The intervals of {', '.join(by_verdict['inconclusive'])} hold the margin: {settle}."
    if status is Status.INCONCLUSIVE:
        return (
            f"The data cannot tell yet: on {c.n_positive} risky rows the intervals of "
            f"{', '.join(by_verdict['inconclusive'])} hold the margin. Compare on more labelled rows "
            f"(≈ {rows_text(needed['n_positive'])} risky; a longer test window, labelled production) before "
            "relying on it; [gate] block_inconclusive decides whether this blocks."
        )
    if status is Status.ERROR:
        return "A criterion is undefined on these rows (e.g. nothing flagged): see the criteria evidence."
    return "Keep the champion. " + _FAILED_FIX.get(by_verdict["fail"][0], _FAILED_FIX["fnr_non_inferior"])


#: The fix of a failed comparison, by the first criterion that failed (trial: a candidate
#: failing on precision alone, its FNR shown better, was told it misses risky requests).
_FAILED_FIX = {
    "fnr_non_inferior": (
        "The candidate misses risky requests the champion catches: look at the segments where its "
        "FNR rose (named after 'failing:' when any did; reports/promotion.md tabulates them), the "
        "training window and the threshold."
    ),
    "precision_non_inferior": (
        "The candidate raises more false alarms than the champion at its threshold (its precision "
        "fell beyond the margin): check the threshold chosen for the target recall, the flagged "
        "share and the newly flagged requests in reports/promotion.md."
    ),
    "target_metric_improves": "The candidate ranks risky requests demonstrably worse than the champion.",
    "no_val_test_gap": (
        "The candidate's test figures fell from validation beyond the limit (quality.val_test_gap): "
        "it was tuned to validation, or validation does not resemble later data; re-split by time "
        "and re-tune."
    ),
    "flip_rate": (
        "Too many decisions change between the two models: review the newly flagged and newly "
        "cleared requests in reports/promotion.md before any rollout."
    ),
}


def criterion_text(r: dict[str, Any]) -> str:
    """``"FNR change +0.004 [-0.021, +0.031] vs +0.030: the interval holds the margin: …
    (inconclusive)"``."""
    if "finding" not in r:
        return (
            f"{r['criterion'].replace('no_val_test_gap', 'val/test gap').replace('_', ' ')}: {r['verdict']}"
        )
    iv = Interval(r["measured"], r["low"], r["high"])
    return (
        f"{r['what'].split(' (')[0]} {iv.shown('+.3f')} vs {r['limit']:+.3f}: "
        f"{FINDING_TEXT.get(r['finding'], r['finding'])} ({r['verdict']})"
    )


def rows_text(n: int) -> str:
    """A row count in words, capped at :data:`~sentinel_checks.stats.power.MAX_ROWS` ("more than …")."""
    return f"more than {MAX_ROWS:,}" if n >= MAX_ROWS else f"{n:,}"


#: Segments named in a failed comparison's message (gate.md's Details); the rest counted.
SEGMENTS_NAMED = 20


def regressions_text(regressions: list[dict[str, Any]]) -> str:
    """The segments whose FNR rose past the margin, each with the champion's and the
    candidate's FNR, every one (``listing`` counts past :data:`SEGMENTS_NAMED`).

    >>> regressions_text([{"column": "country", "value": "BR", "fnr_champion": 0.1, "fnr_candidate": 0.5}])
    'FNR rose past the margin in 1 segment(s): country=BR 0.100 → 0.500'
    """
    rose = [f"{segment_name(r)} {r['fnr_champion']:.3f} → {r['fnr_candidate']:.3f}" for r in regressions]
    sep = "; " if any(", " in str(r.get("value")) for r in regressions) else ", "
    return (
        f"FNR rose past the margin in {len(regressions):,} segment(s): "
        f"{listing(rose, shown=SEGMENTS_NAMED, sep=sep)}"
    )


def settle_text(criteria: list[dict[str, Any]], needed: dict[str, int]) -> str:
    """What would settle an inconclusive comparison: risky rows, the val/test gap's own
    rows or a finer threshold grid, a finer paired grid; each said once."""
    open_rows = [r for r in criteria if r["verdict"] == "inconclusive"]
    parts = [f"settling it needs ≈ {rows_text(needed['n_positive'])} risky rows"] if needed else []
    gap = [r for r in open_rows if r["criterion"] == "no_val_test_gap"]
    if gap and gap[0].get("grid_keeps_open"):
        parts.append(f"the val/test gap: {grid_keeps_open('max_threshold_groups')}")
    elif gap and "needed_elsewhere" in gap[0]:
        parts.append("the val/test gap needs more rows (see quality.val_test_gap)")
    if any(r.get("grid_keeps_open") and r["criterion"] != "no_val_test_gap" for r in open_rows):
        parts.append(GRID_KEEPS_OPEN)
    return "; ".join(parts) or GRID_KEEPS_OPEN
