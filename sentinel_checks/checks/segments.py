"""``quality.segments``: recall within each value of a segment column; the worst is judged.

Hypothesis, per segment: its recall is at least the floor. The segments are one
family: each is judged at ``1 − (1 − confidence) / k`` (Bonferroni), ``k`` the
segments with at least one risky row (each of them can fail), so a sound model fails
some segment by chance with probability at most ``(1 − confidence) / 2`` (one-sided).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from sentinel_checks.formatting import listing
from sentinel_checks.options import ProportionBound, check_option
from sentinel_checks.reasons import Reason
from sentinel_checks.result import CheckResult, Direction, Evidence, Status, at_fault, judge, judge_interval
from sentinel_checks.stats.intervals import coverage_text, wilson_interval
from sentinel_checks.stats.power import rows_to_show_proportion
from sentinel_checks.stats.segment_counts import SegmentCounts

SEGMENTS_ID = "quality.segments"


def check_segments(
    segments: np.ndarray,
    y: np.ndarray,
    flagged: np.ndarray,
    *,
    column: str,
    split: str,
    min_recall: float,
    min_positives: int = 20,
    bound: ProportionBound = "point",
    confidence: float = 0.95,
) -> CheckResult:
    """Recall within each value of one segment column; the worst segment is judged.

    Every Wilson interval is two-sided at the per-segment confidence
    ``1 − (1 − confidence) / k`` (Bonferroni over the ``k`` segments with a risky row).
    A segment with at least ``min_positives`` risky rows is judged on its recall
    (``bound="point"``, the default: pass or fail) or on its Wilson interval
    (``"wilson"``: pass when the lower end is at or above the floor, fail when the
    upper end is below, inconclusive when the interval holds the floor, with the
    risky rows that would settle it). A smaller segment fails only when it is
    *shown* below the floor (even the upper end of its interval is below it: e.g. 0
    of 8 risky rows caught); otherwise it is listed as not judged. When no segment
    can be judged, the check errors. The result is the worst segment's outcome
    (fail, then inconclusive, then pass).

    Why the point estimate by default: segments are small, and a lower bound on 45
    risky rows is ~0.14 below the recall it bounds, so a segment at recall 0.68 fails
    a 0.50 floor on the bound in 8 of 20 clean 80% resamples of the demo (docs/selftest.md).

    Parameters
    ----------
    segments : numpy.ndarray, shape (n,)
        The segment value of each row (any dtype; missing values form ``"(missing)"``).
    y : numpy.ndarray of bool, shape (n,)
        True for a risky row.
    flagged : numpy.ndarray of bool, shape (n,)
        True where the score reaches the operating threshold.
    column : str
        The segment column's name.
    split : str
        The split's name.
    min_recall : float
        The floor on each segment's recall, in [0, 1].
    min_positives : int
        Risky rows a segment needs to be judged on ``bound``.
    bound : {"point", "wilson"}
        Judge a segment's recall, or its two-sided Wilson interval (three outcomes).
    confidence : float
        Family coverage over the segments; each segment's two-sided interval is at
        ``1 − (1 − confidence) / k``.

    Returns
    -------
    CheckResult
        ``quality.segments``: measured is the deciding segment's judged value (its
        recall with ``"point"``; with ``"wilson"`` the lower bound of a pass, the
        upper bound of a failure, the recall when inconclusive; in [0, 1]); limit
        ``min_recall``; direction at least. ``INCONCLUSIVE``
        (``Reason.TOO_FEW_POSITIVES``): evidence rows carry each inconclusive
        segment's ``needed`` risky rows; ``needed["segment_n_positive"]`` is the
        deciding segment's, beside its risky rows in ``support["segment_n_positive"]``.
        ``ERROR`` (``Reason.TOO_FEW_POSITIVES``) when no
        segment has ``min_positives`` risky rows.

    Raises
    ------
    ValueError
        When ``bound`` is not one of the allowed values.

    References
    ----------
    Wilson, E. B. (1927). Probable inference, the law of succession, and statistical
    inference. JASA 22(158), 209–212.
    """
    check_option("bound", bound, ProportionBound)
    return check_segment_counts(
        SegmentCounts.from_arrays(segments, y, flagged),
        column=column,
        split=split,
        min_recall=min_recall,
        min_positives=min_positives,
        bound=bound,
        confidence=confidence,
    )


def check_segment_counts(
    counts: SegmentCounts,
    *,
    column: str,
    split: str,
    min_recall: float,
    min_positives: int = 20,
    bound: ProportionBound = "point",
    confidence: float = 0.95,
) -> CheckResult:
    """:func:`check_segments` from counts: the one implementation both entries run.

    Parameters
    ----------
    counts : SegmentCounts
        Rows, risky rows and caught risky rows per segment value, from rows in memory
        (:meth:`SegmentCounts.from_arrays`) or grouped in an engine
        (:func:`sentinel_checks.engine.quality_statistics.segment_counts`).
    column, split, min_recall, min_positives, bound, confidence
        As :func:`check_segments`.

    Returns
    -------
    CheckResult
        As :func:`check_segments` (equal on the rows the counts were made of).

    Raises
    ------
    ValueError
        When ``bound`` is not one of the allowed values.
    """
    check_option("bound", bound, ProportionBound)
    params = {"column": column, "split": split, "bound": bound}
    names, pos, tp, rows = counts.names, counts.positives, counts.tp, counts.rows
    family = max(1, int((pos > 0).sum()))
    each = 1 - (1 - confidence) / family
    table: list[dict[str, Any]] = []
    for name, p, k, n in zip(names, pos, tp, rows, strict=True):
        row: dict[str, Any] = {
            "segment": str(name),
            "rows": int(n),
            "positives": int(p),
            "recall": float(k / p) if p else None,
            "low": None,
            "high": None,
            "judged": None,
            "basis": None,
            "status": None,
        }
        if p:
            recall = float(k / p)
            low, high = wilson_interval(int(k), int(p), confidence=each)
            row.update(low=low, high=high)
            if p >= min_positives and bound == "point":
                row.update(judged=recall, basis="point", status=judge(recall, min_recall, Direction.AT_LEAST))
            elif p >= min_positives:
                status = judge_interval(low, high, min_recall, Direction.AT_LEAST)
                judged = {Status.PASS: low, Status.FAIL: high}.get(status, recall)
                basis = {Status.PASS: "lower bound", Status.FAIL: "upper bound"}.get(status, "point")
                row.update(judged=judged, basis=basis, status=status)
                if status is Status.INCONCLUSIVE:
                    row["needed"] = rows_to_show_proportion(recall, min_recall, confidence=each)
            elif high < min_recall:
                row.update(judged=high, basis="upper bound", status=Status.FAIL)
        table.append(row)
    judged_rows = [r for r in table if r["status"] is not None]
    small = [r["segment"] for r in table if r["status"] is None]
    if not judged_rows:
        return CheckResult.undefined(
            SEGMENTS_ID,
            f"{split}: no {column} segment has {min_positives} risky rows: segment recall cannot be judged",
            reason=Reason.TOO_FEW_POSITIVES,
            parameters=params,
            support={"segments": len(table)},
        )
    severity = {Status.FAIL: 0, Status.INCONCLUSIVE: 1, Status.PASS: 2}
    judged_rows.sort(key=lambda r: (severity[r["status"]], r["judged"], r["segment"]))
    worst = judged_rows[0]
    below = [r for r in judged_rows if r["status"] is Status.FAIL]
    unsure = [r for r in judged_rows if r["status"] is Status.INCONCLUSIVE]
    status = Status.FAIL if below else (Status.INCONCLUSIVE if unsure else Status.PASS)
    rule = "point estimate" if bound == "point" else f"{coverage_text(each)} Wilson interval per segment"
    if below:
        shown = listing(
            f"{r['segment']} {r['recall']:.3f} ({r['positives']} risky"
            + (f", {r['basis']} {r['judged']:.3f})" if r["basis"] != "point" else ")")
            for r in below
        )
        message = (
            f"{split}: {len(below)} {column} segment(s) below recall floor {min_recall:.2f} ({rule}): {shown}"
        )
    elif unsure:
        shown = listing(
            (
                f"{r['segment']} {r['recall']:.3f} on {r['positives']} risky, "
                f"CI [{r['low']:.3f}, {r['high']:.3f}]: settling it needs ≈ {r['needed']:,} risky rows"
                for r in unsure
            ),
            sep="; ",
        )
        message = (
            f"{split}: {len(unsure)} {column} segment(s) whose interval ({rule}) holds the recall floor "
            f"{min_recall:.2f}: inconclusive; {shown}"
        )
    else:
        message = (
            f"{split}: every {column} segment with ≥{min_positives} risky rows has recall "
            f"({'point' if bound == 'point' else f'{each:.2%} lower bound'}) ≥ "
            f"{min_recall:.2f}; worst {worst['segment']} {worst['recall']:.3f} ({worst['positives']} risky)"
        )
    if small:
        message += f"; not judged (too few risky rows): {listing(small, shown=5)}"
    reason = {
        Status.PASS: Reason.OK,
        Status.FAIL: Reason.SEGMENT_RECALL_BELOW_FLOOR,
        Status.INCONCLUSIVE: Reason.TOO_FEW_POSITIVES,
    }[status]
    evidence_rows = [{**r, "status": r["status"].value} for r in judged_rows]
    return CheckResult(
        id=SEGMENTS_ID,
        status=status,
        message=message,
        measured=float(worst["judged"]),
        limit=min_recall,
        direction=Direction.AT_LEAST,
        reason=reason,
        support={
            "segments": len(table),
            "judged": len(judged_rows),
            "segment_n_positive": int(worst["positives"]),
        },
        evidence=(
            Evidence.capped(
                "worst_segments",
                evidence_rows,
                detail={"not_judged": small, "confidence_each": each, "family": family},
            ),
        ),
        # the segments below the floor, worst first: named on the summary line
        parameters={**params, **(at_fault([r["segment"] for r in below]) if below else {})},
        hint=(
            "The model misses risky requests in this segment: check its training data (was the "
            "segment's risky behaviour seen?), add segment features, or set a segment threshold."
        ),
        needed={"segment_n_positive": int(worst["needed"])} if status is Status.INCONCLUSIVE else {},
    )
