"""``quality.val_test_gap``: test not shown much worse than validation at the same threshold.

Hypothesis, per metric (recall, precision, ROC AUC): the drop validation − test is at
most its limit. Each drop is judged on a two-sided interval of the difference of two
independent samples (validation and test share no rows):

* recall and precision: Newcombe's hybrid score interval (method 10) from the two
  Wilson intervals (:func:`~sentinel_checks.stats.proportion_difference.newcombe_interval`);
* ROC AUC: ``Δ ± z · sqrt(SE_val² + SE_test²)`` with Hanley–McNeil standard errors
  (:func:`~sentinel_checks.stats.auc_interval.roc_auc_standard_error`).

Three outcomes: **fail** when a drop is shown above its limit (its interval's lower
end > limit), **pass** when every drop is shown within (every upper end ≤ limit),
**inconclusive** otherwise, with the rows that would settle it. The three metrics
are one family: each interval is at ``1 − (1 − confidence) / 3`` (Bonferroni), so a
sound model is wrongly failed with probability at most ``(1 − confidence) / 2``
(one-sided) over the three.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from scipy.stats import norm

from sentinel_checks.reasons import Reason
from sentinel_checks.result import CheckResult, Direction, Evidence, Status, judge_interval
from sentinel_checks.stats.auc_interval import roc_auc_standard_error
from sentinel_checks.stats.intervals import coverage_text
from sentinel_checks.stats.power import rows_to_show_difference
from sentinel_checks.stats.proportion_difference import newcombe_interval
from sentinel_checks.stats.tie_bounds import grid_entry, grid_keeps_open, grid_note, lead_widening

GAP_ID = "quality.val_test_gap"

#: The counts each summary must carry beside the metrics (rows).
COUNT_KEYS = ("tp", "n_positive", "n_negative", "flagged")

#: Which count is the sample size of each metric's interval.
_UNIT = {"recall": "n_positive", "precision": "flagged", "roc_auc": "n_positive"}

_SEVERITY = {Status.PASS: 0, Status.INCONCLUSIVE: 1, Status.FAIL: 2}


def _auc_widening(v: Mapping[str, float], t: Mapping[str, float]) -> tuple[float, float]:
    """How far the drop in ROC AUC (validation − test) can lie below and above its grouped
    value: validation's range below plus test's above, and the reverse (0 when exact)."""
    return lead_widening(
        (v.get("roc_auc_below", 0.0), v.get("roc_auc_above", 0.0)),
        (t.get("roc_auc_below", 0.0), t.get("roc_auc_above", 0.0)),
    )


def _interval(
    metric: str, v: Mapping[str, float], t: Mapping[str, float], confidence: float
) -> tuple[float, float, float]:
    if metric == "roc_auc":
        se = math.hypot(
            roc_auc_standard_error(v["roc_auc"], int(v["n_positive"]), int(v["n_negative"])),
            roc_auc_standard_error(t["roc_auc"], int(t["n_positive"]), int(t["n_negative"])),
        )
        d = v["roc_auc"] - t["roc_auc"]
        z = float(norm.ppf(0.5 + confidence / 2))
        # scores grouped on a grid in the engine: each AUC can move by its ties' range
        below, above = _auc_widening(v, t)
        return d, d - z * se - below, d + z * se + above
    trials = _UNIT[metric]
    return newcombe_interval(
        int(v["tp"]), int(v[trials]), int(t["tp"]), int(t[trials]), confidence=confidence
    )


def check_val_test_gap(
    validation: Mapping[str, float],
    test: Mapping[str, float],
    *,
    max_gap: float,
    max_auc_gap: float,
    confidence: float = 0.95,
) -> CheckResult:
    """How much worse test is than validation at the same threshold (val − test), on intervals.

    A drop shown above its limit means the model (or the threshold) was fitted to
    validation and does not transfer; test being better is never a failure.

    Parameters
    ----------
    validation : Mapping[str, float]
        On validation at the operating threshold: ``recall``, ``precision``
        (proportions in [0, 1]), ``roc_auc`` (in [0, 1]) and the counts ``tp``,
        ``n_positive``, ``n_negative``, ``flagged`` (rows), as
        :meth:`~sentinel_checks.models.evaluation.ModelEvaluation.summary` gives them;
        with scores grouped on a grid in the engine also ``score_grid`` (cells per unit)
        and ``roc_auc_below`` / ``roc_auc_above``, how far the true ROC AUC can lie from
        the grouped one (the AUC drop's interval is widened by them).
    test : Mapping[str, float]
        The same on test at the same threshold.
    max_gap : float
        The largest allowed drop (validation − test) in recall and in precision, in
        proportion units.
    max_auc_gap : float
        The largest allowed drop in ROC AUC.
    confidence : float, default 0.95
        Family confidence over the three drops; each interval is two-sided at
        ``1 − (1 − confidence) / 3``.

    Returns
    -------
    CheckResult
        ``quality.val_test_gap``: measured is the deciding drop's judged value (the
        lower bound of a drop shown above its limit, the upper bound when all are
        shown within, the point drop when inconclusive), limit that metric's limit,
        direction at most; ``parameters["criterion"]`` names it (``"precision drop"``),
        as does the message. ``FAIL`` (``Reason.OVERFIT_TO_VALIDATION``),
        ``INCONCLUSIVE`` (``Reason.TOO_FEW_ROWS``, ``needed`` the rows of both splits
        that would settle the deciding drop), ``ERROR`` (``Reason.UNDEFINED_METRIC``)
        when a metric or count is missing or not finite.

    Notes
    -----
    Never raises for bad data. ``needed`` assumes the drop stays as measured and the
    interval shrinks as 1/sqrt(rows) on both splits.

    References
    ----------
    Newcombe, R. G. (1998). Statistics in Medicine 17(8), 873–890 (method 10).
    Hanley, J. A. and McNeil, B. J. (1982). Radiology 143(1), 29–36.

    Examples
    --------
    >>> val = {"recall": 0.85, "precision": 0.30, "roc_auc": 0.90,
    ...        "tp": 850, "n_positive": 1000, "n_negative": 9000, "flagged": 2833}
    >>> test = {"recall": 0.70, "precision": 0.29, "roc_auc": 0.89,
    ...         "tp": 700, "n_positive": 1000, "n_negative": 9000, "flagged": 2414}
    >>> r = check_val_test_gap(val, test, max_gap=0.10, max_auc_gap=0.05)
    >>> r.status.value, r.evidence[0].detail["decided_by"]
    ('fail', 'recall')
    >>> def tenth(m):
    ...     return {k: v / 10 if k in COUNT_KEYS else v for k, v in m.items()}
    >>> r = check_val_test_gap(tenth(val), tenth(test), max_gap=0.10, max_auc_gap=0.05)
    >>> r.status.value, dict(r.needed)
    ('inconclusive', {'val_n_positive': 807, 'test_n_positive': 807})
    """
    limits = {"recall": max_gap, "precision": max_gap, "roc_auc": max_auc_gap}
    needed_keys = (*limits, *COUNT_KEYS)
    missing = [
        f"{side}.{k}"
        for side, m in (("validation", validation), ("test", test))
        for k in needed_keys
        if not math.isfinite(float(m.get(k, math.nan)))
    ]
    support = {
        f"{side}_{k}": int(m.get(k, 0) or 0)
        for side, m in (("val", validation), ("test", test))
        for k in ("n_positive", "flagged")
    }
    if missing:
        return CheckResult.undefined(
            GAP_ID,
            f"val/test gap undefined: missing or not finite: {', '.join(missing)}",
            reason=Reason.UNDEFINED_METRIC,
            parameters={"pair": "val→test"},
            support=support,
        )
    each = 1 - (1 - confidence) / len(limits)
    rows: dict[str, dict[str, Any]] = {}
    for metric, limit in limits.items():
        d, low, high = _interval(metric, validation, test, each)
        status = judge_interval(low, high, limit, Direction.AT_MOST)
        if status is Status.ERROR:
            return CheckResult.undefined(
                GAP_ID,
                f"val/test gap in {metric} undefined (a class or the flagged set is empty)",
                reason=Reason.UNDEFINED_METRIC,
                parameters={"pair": "val→test"},
                support=support,
            )
        judged = {Status.FAIL: low, Status.PASS: high}.get(status, d)
        rows[metric] = {
            "gap": d,
            "low": low,
            "high": high,
            "limit": limit,
            "status": status,
            "judged": judged,
        }
    worst = max(
        limits,
        key=lambda m: (_SEVERITY[rows[m]["status"]], (rows[m]["judged"] - rows[m]["limit"])),
    )
    w = rows[worst]
    status = w["status"]
    shown = ", ".join(
        f"{m} {validation[m]:.3f}→{test[m]:.3f} (drop {r['gap']:+.3f}, "
        f"CI [{r['low']:+.3f}, {r['high']:+.3f}], limit {r['limit']:.2f}: {r['status'].value})"
        for m, r in rows.items()
    )
    # why that metric (trial: "decided by the roc_auc drop" puzzled when roc_auc barely moved)
    why = {
        Status.PASS: "the nearest its limit",
        Status.FAIL: "the furthest past its limit",
        Status.INCONCLUSIVE: "the one the data cannot settle",
    }[status]
    message = (
        f"validation→test at {coverage_text(each)} per metric: {shown}; decided by the {worst} drop ({why})"
    )
    grids = sorted(int(m.get("score_grid", 0)) for m in (validation, test) if m.get("score_grid", 0))
    grid = grids[0] if grids else 0  # the coarser one, as quality.baselines names it
    if grid:
        message += f" ({grid_note(grid, 'max_threshold_groups')})"
    needed: dict[str, int] = {}
    grid_open = False
    if status is Status.INCONCLUSIVE:
        unit = _UNIT[worst]
        below, above = _auc_widening(validation, test) if worst == "roc_auc" else (0.0, 0.0)
        half, fixed = (
            (w["high"] - w["gap"], above) if w["gap"] <= w["limit"] else (w["gap"] - w["low"], below)
        )
        grid_open = fixed > 0 and abs(w["gap"] - w["limit"]) <= fixed  # no rows can settle it
        if grid_open:
            message += f"; inconclusive on {worst}: {grid_keeps_open('max_threshold_groups')}"
        else:
            needed = {
                f"{side}_{unit}": rows_to_show_difference(
                    int(m[unit]), w["gap"], half, w["limit"], fixed=fixed
                )
                for side, m in (("val", validation), ("test", test))
            }
            message += (
                f"; inconclusive on {worst}: settling it needs ≈ {needed[f'test_{unit}']:,} {unit} rows "
                f"on test and ≈ {needed[f'val_{unit}']:,} on validation"
            )
    over = [m for m, r in rows.items() if r["status"] is Status.FAIL]
    reason = {
        Status.PASS: Reason.OK,
        Status.FAIL: Reason.OVERFIT_TO_VALIDATION,
        Status.INCONCLUSIVE: Reason.SCORE_GRID if grid_open else Reason.TOO_FEW_ROWS,
    }[status]
    detail = {
        "decided_by": worst,
        "confidence_each": each,
        "gaps": {m: r["gap"] for m, r in rows.items()},
        "intervals": {m: [r["low"], r["high"]] for m, r in rows.items()},
        "statuses": {m: r["status"].value for m, r in rows.items()},
        "limits": limits,
        **(
            {"score_grid": grid_entry(grid, roc_auc_widened_by=list(_auc_widening(validation, test)))}
            if grid
            else {}
        ),
    }
    return CheckResult(
        id=GAP_ID,
        status=status,
        message=message,
        measured=float(w["judged"]),
        limit=float(w["limit"]),
        direction=Direction.AT_MOST,
        reason=reason,
        support=support,
        evidence=(Evidence.capped("gaps", over, total=len(over), detail=detail),),
        parameters={"pair": "val→test", "criterion": f"{worst} drop"},
        hint=(
            "Test is clearly worse than validation: the model or the threshold was tuned to "
            "validation, or validation does not resemble later data. Re-split by time and re-tune."
        ),
        needed=needed,
    )
