"""What each check's measured number is (its kind), for every text report.

A bare ``measured 0.4444`` says nothing; ``share of features drifted: measured 44.44%
· limit ≤ 50%`` does. The kind comes from the check id; the unit and the digits from
:func:`sentinel_checks.reports.html_values.measured_vs_limit`, so the terminal, gate.md
and gate.html show a number the same way.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from typing import Any

from sentinel_checks.formatting import listing
from sentinel_checks.reports.html_values import measured_vs_limit, number, with_unit
from sentinel_checks.reports.judged_interval import JudgedInterval, deciding_criterion, judged_interval
from sentinel_checks.result import CheckResult, Direction, Status
from sentinel_checks.stats.intervals import coverage_text

#: The quantity in a check's ``measured`` (and ``limit``), by check id.
MEASURED_KIND: Mapping[str, str] = {
    "contract.schema": "contract violations",  # a row each, a whole column one (trial: "1 rows")
    "contract.labels": "risky rows in the split",
    "splits.time_order": "rows out of time order",
    "splits.entity_overlap": "share of ids also in the earlier split",
    "splits.row_overlap": "share of repeated rows",
    "splits.target_leakage": "strongest single-feature score",
    "splits.purge": "largest share of a split purged",
    "training.curves": "training-curve problems",
    "model.scores": "invalid scores",
    "quality.threshold": "validation recall at the threshold",
    "quality.recall": "recall",
    "quality.precision": "precision",
    "quality.auc": "ROC AUC",
    "quality.too_good": "ROC AUC",
    "quality.segments": "worst segment recall",
    "quality.val_test_gap": "val/test gap of the deciding metric",
    "quality.calibration": "ECE",
    "quality.baselines": "lead over the best baseline (interval's lower end)",
    "drift.features": "share of features drifted",
    "drift.labels": "prevalence odds ratio",
    "drift.scores": "score PSI",
    "drift.calibration": "ECE change",
    "promotion.vs_champion": "FNR change vs the champion (interval's upper end)",
}


def measured_as(result: CheckResult) -> str:
    """The measured value and limit with the kind of number they are.

    Parameters
    ----------
    result : CheckResult
        A check's result.

    Returns
    -------
    str
        ``"<kind>: measured <value> · limit <op> <value>"``; a check id with no known
        kind, or a result naming the criterion that decided (``parameters["criterion"]``,
        shown after "measured"), gets ``"measured …"`` alone; ``"not measured"`` when
        there is no number. A check judged on a confidence interval
        (:func:`~sentinel_checks.reports.judged_interval.judged_interval`) shows the
        estimate, the interval and, in words, the end that decided:
        ``"recall 0.65 (95% interval 0.6107 to 0.6871) · fails: its upper end 0.6871 < 0.75,
        the limit"`` (the bare bound read as a contradiction beside the verdict).

    Examples
    --------
    >>> from sentinel_checks.result import Direction, Status
    >>> measured_as(CheckResult("quality.auc", Status.PASS, "m", measured=0.91, limit=0.75,
    ...                         direction=Direction.AT_LEAST))
    'ROC AUC: measured 0.91 · limit ≥ 0.75'
    """
    if result.measured is None and result.limit is None:
        return "not measured"
    return _measured(result) + failing_suffix(result)


def _measured(result: CheckResult) -> str:
    interval = judged_interval(result)
    if interval is not None and result.limit is not None:
        return interval_as(result, interval)
    if result.id == "promotion.vs_champion" and (without := _promotion_without_interval(result)):
        return without
    shown = measured_vs_limit(result)
    if result.parameters.get("criterion"):
        return shown  # the criterion that decided names the number; the check's usual kind may not fit
    kind = MEASURED_KIND.get(result.id)
    return f"{kind}: {shown}" if kind else shown


#: Names a failing line gives (:func:`failing_suffix`); the rest are counted.
NAMED = 3


def failing_suffix(result: CheckResult) -> str:
    """``" · failing: user_risk_rate, amount and 2 more"``: what a failed check found at
    fault (``parameters["failing"]``, :func:`~sentinel_checks.result.at_fault`), so
    a summary line says what failed, not only how much (in the check's order: the most
    severe first where it ranks them); ``""`` for any other status or without names.

    >>> from sentinel_checks.result import Status
    >>> failing_suffix(CheckResult("drift.features", Status.FAIL, "m", parameters={"failing": list("abcde")}))
    ' · failing: a, b, c and 2 more'
    >>> holding_commas = {"failing": ["x at 1, 2", "y"]}
    >>> failing_suffix(CheckResult("training.curves", Status.FAIL, "m", parameters=holding_commas))
    ' · failing: x at 1, 2; y'
    """
    names = result.parameters.get("failing")
    if result.status is not Status.FAIL or not isinstance(names, list | tuple) or not names:
        return ""
    total = result.parameters.get("failing_total", len(names))
    total = total if isinstance(total, int) and total >= len(names) else len(names)
    sep = "; " if any(", " in str(n) for n in names) else ", "  # a name holding commas
    return f" · failing: {listing(names, shown=NAMED, total=total, sep=sep)}"


#: A reason code in the words an interval line gives it (others: the code with spaces).
_REASON_WORDS: Mapping[str, str] = {
    "too_few_positives": "too few risky rows",
    "too_few_rows": "too few rows",
    "one_class": "one class only",
    "undefined_metric": "an undefined metric",
    "score_grid": "the engine's score grid (too coarse to judge: see the message)",
}


def interval_as(result: CheckResult, interval: JudgedInterval) -> str:
    """An interval-judged number in words: estimate, interval, and the end that decided.

    Parameters
    ----------
    result : CheckResult
        A check judged on the interval (``limit`` set; ``direction`` at least or at most).
    interval : JudgedInterval
        Its estimate, interval ends and coverage.

    Returns
    -------
    str
        ``"<kind> <estimate> (<coverage> interval <low> to <high>) · <decision>"``. The
        decision names the end compared with the limit (:func:`~sentinel_checks.result.judge_interval`:
        a floor passes when the lower end is at or above it and fails when the upper end
        is below it; a ceiling the other way round); a status the interval did not decide
        (fewer rows than a check measures on, ``bound = "point"``) says so and why.

    Examples
    --------
    >>> r = CheckResult("quality.recall", Status.FAIL, "m", measured=0.6871, limit=0.75,
    ...                 direction=Direction.AT_LEAST)
    >>> interval_as(r, JudgedInterval(0.65, 0.6107, 0.6871, 0.95))
    'recall 0.65 (95% interval 0.6107 to 0.6871) · fails: its upper end 0.6871 < 0.75, the limit'
    """
    criterion = _criterion(result)
    kind = interval.kind or criterion or MEASURED_KIND.get(result.id, "measured").split(" (interval's")[0]
    limit_value = interval.limit if interval.kind is not None else result.limit
    direction = interval.direction or result.direction

    def u(value: float) -> str:
        return with_unit(value, result.id, criterion)

    low, high = _ends(interval.low, interval.high, u)
    spread = f"{coverage_text(interval.confidence)} interval {low} to {high}"
    head = f"{kind} {u(interval.point)} ({spread})"
    limit = u(float(limit_value)) if limit_value is not None else "n/a"
    floor = direction is Direction.AT_LEAST
    lower, upper = ("lower end", interval.low), ("upper end", interval.high)
    passing_end, failing_end = (lower, upper) if floor else (upper, lower)
    ok_op, bad_op = ("≥", "<") if floor else ("≤", ">")
    bound = result.parameters.get("bound")
    status = result.status
    if bound == "point" and status in (Status.PASS, Status.FAIL):
        op = ok_op if status is Status.PASS else bad_op
        verb = "passes" if status is Status.PASS else "fails"
        key = _POINT_BOUND_KEYS.get(result.id, "bound")
        decision = (
            f"{verb}: the estimate {u(interval.point)} {op} {limit}, the limit "
            f'(the estimate decides, not the interval: [quality] {key} = "point")'
        )
    elif status is Status.PASS and _holds(passing_end[1], limit_value, floor):
        decision = f"passes: its {passing_end[0]} {u(passing_end[1])} {ok_op} {limit}, the limit"
    elif status is Status.FAIL and not _holds(failing_end[1], limit_value, floor):
        decision = f"fails: its {failing_end[0]} {u(failing_end[1])} {bad_op} {limit}, the limit"
    elif status is Status.INCONCLUSIVE and _inside(limit_value, interval.low, interval.high):
        decision = f"the limit {ok_op} {limit} lies inside the interval: not shown either way"
    else:
        reason = _REASON_WORDS.get(result.reason.value, "another criterion (see the message)")
        decision = f"limit {ok_op} {limit}; {status.value} on {reason}, not on the interval"
    return f"{head} · {decision}"


def _ends(low: float, high: float, shown: Callable[[float], str]) -> tuple[str, str]:
    """Both ends of an interval as ``shown`` gives them, except a tiny end that reads in
    scientific notation beside a plain one: fixed point to its first two digits (trial:
    "interval -7.8e-05 to 0.06365" is "interval -0.000078 to 0.06365").

    >>> _ends(-7.8e-05, 0.06365, number), _ends(1e-05, 2e-05, number)
    (('-0.000078', '0.06365'), ('1e-05', '2e-05'))

    An end in per cent too (review: "-7.8e-05%" stayed):

    >>> _ends(-7.8e-07, 0.0006365, lambda v: f"{100 * v:.4g}%")
    ('-0.000078%', '0.06365%')
    """
    ends = [shown(low), shown(high)]
    plain = [not _SCIENTIFIC.search(text) for text in ends]
    for i in (0, 1):
        if not plain[i] and plain[1 - i]:
            ends[i] = _SCIENTIFIC.sub(_fixed_point, ends[i], count=1)  # a unit after it stays
    return ends[0], ends[1]


#: A number in scientific notation, as ``:g`` writes it ("-7.8e-05").
_SCIENTIFIC = re.compile(r"-?\d+(?:\.\d+)?e[-+]?\d+")


def _fixed_point(match: re.Match[str]) -> str:
    """The scientific number ``match`` in fixed point to its first two digits."""
    value = float(match.group())
    return f"{value:.{max(0, 1 - math.floor(math.log10(abs(value))))}f}" if value else "0"


def _inside(limit: float | None, low: float, high: float) -> bool:
    """Whether the limit lies within [low, high] (an inconclusive result held open by its
    interval, not by something else such as the score grid)."""
    return limit is not None and low <= float(limit) <= high


#: The ``[quality]`` key that made a check decide on its estimate (``bound = "point"``).
_POINT_BOUND_KEYS: Mapping[str, str] = {
    "quality.segments": "segment_bound",
    "quality.baselines": "baseline_bound",
}


#: A promotion criterion without an interval, in words, and the unit of its numbers.
_PLAIN_CRITERIA: Mapping[str, tuple[str, str]] = {
    "flip_rate": ("share of decisions that change", "%"),
    "no_val_test_gap": ("val/test gap of the deciding metric", ""),
}


def _promotion_without_interval(result: CheckResult) -> str:
    """``"share of decisions that change: measured 31% · limit ≤ 20%"`` when a criterion
    without an interval decided ``promotion.vs_champion``; ``""`` otherwise."""
    decided = deciding_criterion(result)
    name = decided.get("criterion") if decided is not None else None
    if decided is None or name not in _PLAIN_CRITERIA:
        return ""
    kind, unit = _PLAIN_CRITERIA[str(name)]

    def u(value: Any) -> str:
        if not isinstance(value, int | float) or value != value:
            return "n/a"
        return f"{100 * float(value):.4g}%" if unit == "%" else number(float(value))

    return f"{kind}: measured {u(decided.get('measured'))} · limit ≤ {u(decided.get('limit'))}"


def _criterion(result: CheckResult) -> str:
    value: Any = result.parameters.get("criterion")
    return value if isinstance(value, str) else ""


def _holds(value: float, limit: float | None, floor: bool) -> bool:
    """``value`` meets ``limit`` (a floor: at or above it; a ceiling: at or below it)."""
    if limit is None:
        return False
    return value >= limit if floor else value <= limit
