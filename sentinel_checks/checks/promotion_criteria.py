"""The criteria rows of ``promotion.vs_champion``: each criterion judged on its paired
interval (FNR, precision, the target metric, the flip rate) and the val/test gap folded
in from ``quality.val_test_gap``. The decision over the rows is in
:mod:`sentinel_checks.checks.promotion`; their words in :mod:`sentinel_checks.checks.promotion_text`."""

from __future__ import annotations

import math
from typing import Any

from sentinel_checks.checks.findings import NEITHER, SHOWN_BETTER, SHOWN_WORSE, lead_finding
from sentinel_checks.options import RankMetric, check_option
from sentinel_checks.reasons import Reason
from sentinel_checks.reports.judged_interval import judged_interval
from sentinel_checks.result import CheckResult, Direction, Status, judge
from sentinel_checks.stats.comparison import Interval, PairedComparison
from sentinel_checks.stats.power import rows_to_show_difference


def _interval_row(
    name: str,
    what: str,
    iv: Interval,
    c: PairedComparison,
    *,
    margin: float,
    lower_is_better: bool = False,
    better_than: float = 0.0,
    require_better: bool = False,
    widening: tuple[float, float] = (0.0, 0.0),
) -> dict[str, Any]:
    """One criterion judged on its interval (see the module doc), in "lead" orientation;
    ``widening`` the (below, above) part of a higher-is-better interval from a score grid."""
    sign = -1.0 if lower_is_better else 1.0
    point, low, high = sign * iv.point, *sorted((sign * iv.low, sign * iv.high))
    finding = lead_finding(low, high, margin=margin, better_than=sign * better_than)
    limit = -margin
    if finding == "undefined" or not math.isfinite(point):
        verdict = Status.ERROR
    elif finding == SHOWN_WORSE:
        verdict = Status.FAIL
    elif require_better:
        limit = better_than
        verdict = (
            Status.PASS
            if finding == SHOWN_BETTER
            else (Status.FAIL if high < better_than else Status.INCONCLUSIVE)
        )
    else:
        verdict = Status.INCONCLUSIVE if finding == NEITHER else Status.PASS
    row: dict[str, Any] = {
        "criterion": name,
        "what": what,
        "finding": finding,
        "measured": iv.point,
        "low": iv.low,
        "high": iv.high,
        "limit": sign * limit,
        "verdict": verdict.value,
        "n": c.n,
        "n_positive": c.n_positive,
    }
    if verdict is Status.INCONCLUSIVE:
        below, above = widening  # the grid's part of the interval: more rows do not shrink it
        half, fixed = (point - low, below) if point >= limit else (high - point, above)
        if fixed > 0 and abs(point - limit) <= fixed:
            row["grid_keeps_open"] = True
        else:
            row["needed"] = rows_to_show_difference(c.n_positive, point, half, limit, fixed=fixed)
    return row


def criteria_rows(
    c: PairedComparison,
    *,
    max_fnr_increase: float,
    max_precision_drop: float,
    target_metric: RankMetric,
    max_target_drop: float,
    min_target_lead: float,
    require_improvement: bool,
    max_flip_rate: float | None,
    val_test_gap: CheckResult | None,
) -> list[dict[str, Any]]:
    """One row per criterion of ``promotion.vs_champion`` (see
    :func:`~sentinel_checks.checks.promotion.check_vs_champion` for the arguments).

    Raises
    ------
    ValueError
        ``target_metric`` is not a :class:`~sentinel_checks.options.RankMetric`.
    """
    check_option("target_metric", target_metric, RankMetric)
    rows = [
        _interval_row(
            "fnr_non_inferior",
            "FNR change (candidate − champion)",
            c.delta["fnr"],
            c,
            margin=max_fnr_increase,
            lower_is_better=True,
        ),
        _interval_row(
            "precision_non_inferior",
            "precision change (candidate − champion)",
            c.delta["precision"],
            c,
            margin=max_precision_drop,
        ),
        _interval_row(
            "target_metric_improves",
            f"{target_metric} lead (candidate − champion)",
            c.delta[target_metric],
            c,
            margin=max_target_drop,
            better_than=min_target_lead,
            require_better=require_improvement,
            widening=c.delta_widening(target_metric),
        ),
    ]
    if max_flip_rate is not None:
        rows.append(
            {
                "criterion": "flip_rate",
                "what": "share of decisions that change",
                "measured": c.flip_rate,
                "limit": max_flip_rate,
                "verdict": judge(c.flip_rate, max_flip_rate, Direction.AT_MOST).value,
            }
        )
    if val_test_gap is not None:
        rows.append(_gap_row(val_test_gap))
    return rows


def _gap_row(val_test_gap: CheckResult) -> dict[str, Any]:
    """The ``no_val_test_gap`` criterion: the deciding drop (``metric``, e.g. ``"recall drop"``)
    and its estimate (``measured``), its
    interval (``low``, ``high``) and the end the gap check compared with the limit
    (``decided_by``: ``"upper end"`` for a pass, ``"lower end"`` for a failure, ``None``
    otherwise); the gap's result alone (``measured`` the deciding end) when it records
    no interval."""
    row: dict[str, Any] = {
        "criterion": "no_val_test_gap",
        "what": val_test_gap.message,
        # the metric whose drop decided ("roc_auc drop"), named beside the figure (trial)
        **(
            {"metric": val_test_gap.parameters["criterion"]} if "criterion" in val_test_gap.parameters else {}
        ),
        "measured": val_test_gap.measured,
        "limit": val_test_gap.limit,
        # the gap's own status: an inconclusive gap is not recorded as a passed criterion
        "verdict": "pass" if val_test_gap.status is Status.WARN else val_test_gap.status.value,
    }
    interval = judged_interval(val_test_gap)
    if interval is not None:
        ends = {Status.PASS: "upper end", Status.WARN: "upper end", Status.FAIL: "lower end"}
        row |= {
            "measured": interval.point,
            "low": interval.low,
            "high": interval.high,
            "decided_by": ends.get(val_test_gap.status),
            "confidence": interval.confidence,
        }
    if val_test_gap.status is Status.INCONCLUSIVE:
        # what settles it: a finer grid when only the grid holds it open (no rows can), else
        # the gap's own test rows in risky rows; otherwise no count (never the MAX_ROWS cap)
        if val_test_gap.reason is Reason.SCORE_GRID:
            row["grid_keeps_open"] = True
        elif "test_n_positive" in val_test_gap.needed:
            row["needed"] = int(val_test_gap.needed["test_n_positive"])
        else:
            row["needed_elsewhere"] = dict(val_test_gap.needed)
    return row
