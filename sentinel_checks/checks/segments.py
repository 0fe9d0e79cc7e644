"""``quality.segments``: recall within each value of a segment column; the worst is judged."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from sentinel_checks.options import ProportionBound, check_option
from sentinel_checks.reasons import Reason
from sentinel_checks.result import CheckResult, Direction, Evidence, Status
from sentinel_checks.stats.intervals import bounded_proportion

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

    A segment with at least ``min_positives`` risky rows is judged on its recall
    (``bound="point"``, the default) or on the Wilson lower bound (``"wilson"``). A
    smaller segment fails only when it is *shown* below the floor (even the upper
    end of its Wilson interval is below it: e.g. 0 of 8 risky rows caught);
    otherwise it is listed as not judged. When no segment can be judged, the check
    errors. Measured: the lowest judged value.

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
        Judge a segment's recall or the lower end of its two-sided Wilson interval.
    confidence : float
        Coverage of the two-sided Wilson interval.

    Returns
    -------
    CheckResult
        ``quality.segments``: measured is the lowest judged value (a recall, or
        its Wilson lower bound, in [0, 1]); limit ``min_recall``; direction at
        least. A Wilson "95% lower bound" is the lower end of the two-sided 95%
        interval (a one-sided 97.5% bound). ``ERROR`` (``Reason.TOO_FEW_POSITIVES``)
        when no segment has ``min_positives`` risky rows.

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
    params = {"column": column, "split": split, "bound": bound}
    y = np.asarray(y, dtype=bool)
    flagged = np.asarray(flagged, dtype=bool)
    labels = pd.Series(np.asarray(segments, dtype=object)).astype("string").fillna("(missing)")
    names, inverse = np.unique(labels.to_numpy(dtype=str), return_inverse=True)
    pos = np.bincount(inverse, weights=y, minlength=len(names)).astype(int)
    tp = np.bincount(inverse, weights=y & flagged, minlength=len(names)).astype(int)
    rows = np.bincount(inverse, minlength=len(names))
    table: list[dict[str, Any]] = []
    for name, p, k, n in zip(names, pos, tp, rows, strict=True):
        judged, low, high = bounded_proportion(int(k), int(p), bound=bound, confidence=confidence)
        if p >= min_positives:
            basis = "point" if bound == "point" else "lower bound"
        elif p and high < min_recall:
            judged, basis = high, "upper bound"
        else:
            basis = None
        table.append(
            {
                "segment": str(name),
                "rows": int(n),
                "positives": int(p),
                "recall": float(k / p) if p else None,
                "low": float(low) if p else None,
                "high": float(high) if p else None,
                "judged": float(judged) if basis else None,
                "basis": basis,
            }
        )
    judged_rows = [r for r in table if r["judged"] is not None]
    small = [r["segment"] for r in table if r["judged"] is None]
    if not judged_rows:
        return CheckResult.undefined(
            SEGMENTS_ID,
            f"{split}: no {column} segment has {min_positives} risky rows: segment recall cannot be judged",
            reason=Reason.TOO_FEW_POSITIVES,
            parameters=params,
            support={"segments": len(table)},
        )
    judged_rows.sort(key=lambda r: (r["judged"], r["segment"]))
    worst = judged_rows[0]
    below = [r for r in judged_rows if r["judged"] < min_recall]
    status = Status.FAIL if below else Status.PASS
    if below:
        shown = ", ".join(
            f"{r['segment']} {r['recall']:.3f} ({r['positives']} risky"
            + (f", {r['basis']} {r['judged']:.3f})" if r["basis"] != "point" else ")")
            for r in below[:5]
        )
        message = f"{split}: {len(below)} {column} segment(s) below recall floor {min_recall:.2f}: {shown}"
    else:
        message = (
            f"{split}: every {column} segment with ≥{min_positives} risky rows has recall "
            f"({'point' if bound == 'point' else f'{confidence:.0%} lower bound'}) ≥ "
            f"{min_recall:.2f}; worst {worst['segment']} {worst['recall']:.3f} ({worst['positives']} risky)"
        )
    if small:
        message += f"; not judged (too few risky rows): {', '.join(small[:5])}"
    return CheckResult(
        id=SEGMENTS_ID,
        status=status,
        message=message,
        measured=float(worst["judged"]),
        limit=min_recall,
        direction=Direction.AT_LEAST,
        reason=Reason.OK if not below else Reason.SEGMENT_RECALL_BELOW_FLOOR,
        support={"segments": len(table), "judged": len(judged_rows)},
        evidence=(Evidence.capped("worst_segments", judged_rows, detail={"not_judged": small}),),
        parameters=params,
        hint=(
            "The model misses risky requests in this segment: check its training data (was the "
            "segment's risky behaviour seen?), add segment features, or set a segment threshold."
        ),
    )
