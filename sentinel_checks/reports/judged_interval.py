"""The confidence interval a check was judged on, read back from its result's evidence.

Checks judged by :func:`~sentinel_checks.result.judge_interval` record as ``measured``
the interval end that decided (the lower end of a floor that passed, the upper end of
one that failed). Shown bare, ``measured 0.8693 · limit ≥ 0.75`` beside a FAIL reads as
a contradiction; the reports show the estimate and the interval too
(:func:`sentinel_checks.reports.measures.interval_as`). Each check keeps its interval in
its own evidence; this module is the one place that knows where.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sentinel_checks.result import CheckResult, Direction, Evidence, judge_interval


@dataclass(frozen=True)
class JudgedInterval:
    """An estimate and its two-sided confidence interval.

    Attributes
    ----------
    point : float
        The estimate (recall, ROC AUC, a drop between splits …), in the check's units.
    low, high : float
        The interval's ends, ``low <= high``.
    confidence : float
        Two-sided coverage in (0, 1) (per comparison, when the check corrects for several).
    kind, limit, direction : str, float, Direction or None
        The quantity, limit and direction of the criterion that decided, when they are
        not the result's own (``promotion.vs_champion`` decided by its precision or
        target-metric criterion); ``None`` otherwise.
    """

    point: float
    low: float
    high: float
    confidence: float
    kind: str | None = None
    limit: float | None = None
    direction: Direction | None = None


#: The ``no_val_test_gap`` criterion of ``promotion.vs_champion`` in words.
GAP_KIND = "val/test gap of the deciding metric"

#: Check id → (evidence kind, estimate key, interval key) in that evidence's ``detail``.
_IN_DETAIL: Mapping[str, tuple[str, str, str]] = {
    "quality.recall": ("recall", "recall", "interval"),
    "quality.precision": ("precision", "precision", "interval"),
    "quality.auc": ("auc", "roc_auc", "roc_auc_interval"),
}


def judged_interval(result: CheckResult) -> JudgedInterval | None:
    """The interval ``result`` was judged on, when its check records one.

    Parameters
    ----------
    result : CheckResult
        A check's result.

    Returns
    -------
    JudgedInterval or None
        For ``quality.recall`` and ``quality.precision`` (Wilson interval), ``quality.auc``
        when ROC AUC decided (DeLong-style interval of
        :mod:`sentinel_checks.stats.auc_interval`), ``quality.segments`` (the worst
        segment's Wilson interval), ``quality.val_test_gap`` (the deciding metric's Newcombe
        interval), ``quality.calibration`` (the bootstrap interval of the ECE or Brier score
        that decided), ``drift.calibration`` (the bootstrap interval of the ECE or Brier
        change that gives its status), ``quality.baselines`` (the worst lead's
        interval) and ``promotion.vs_champion`` (the paired interval of the criterion that
        decided: the one its reason names, else the FNR change; with that criterion's kind,
        limit and direction when it is not the FNR change; the val/test gap criterion, a
        ceiling, with the gap's own interval and coverage). ``None`` for other checks, for a
        promotion decided by a criterion without an interval (:func:`deciding_criterion`),
        and when an end or the estimate is missing or not finite.

    Examples
    --------
    >>> from sentinel_checks.result import Status
    >>> r = CheckResult("quality.recall", Status.FAIL, "m", measured=0.69, evidence=(
    ...     Evidence.capped("recall", [], total=0,
    ...                     detail={"recall": 0.65, "interval": [0.61, 0.69], "confidence": 0.95}),))
    >>> judged_interval(r)
    JudgedInterval(point=0.65, low=0.61, high=0.69, confidence=0.95, kind=None, limit=None, direction=None)
    """
    if result.id == "drift.calibration":
        return _calibration_change(result)
    found = _find(result)
    if found is None:
        return None
    values = [_float(v) for v in found]
    if any(v is None or not math.isfinite(v) for v in values):
        return None
    point, low, high, confidence = (float(v) for v in values if v is not None)
    own = deciding_criterion(result) if result.id == "promotion.vs_champion" else None
    if own is not None and own.get("criterion") == "no_val_test_gap":  # a drop: a ceiling
        limit = _float(own.get("limit"))
        return JudgedInterval(point, low, high, confidence, GAP_KIND, limit, Direction.AT_MOST)
    if own is not None and own.get("criterion") != "fnr_non_inferior":
        limit = _float(own.get("limit"))
        kind = str(own.get("what", own.get("criterion"))).split(" (")[0]
        return JudgedInterval(point, low, high, confidence, kind, limit, Direction.AT_LEAST)
    return JudgedInterval(point, low, high, confidence)


def deciding_criterion(result: CheckResult) -> Mapping[str, Any] | None:
    """The ``criteria`` item of a ``promotion.vs_champion`` result that decided it.

    Parameters
    ----------
    result : CheckResult
        A ``promotion.vs_champion`` result.

    Returns
    -------
    mapping or None
        The criterion its reason names (a failed, else an inconclusive one: the check
        sets the reason to that criterion's name), else the FNR change
        (``fnr_non_inferior``; a pass or an undefined comparison); ``None`` when the
        result has no criteria. Items of interval criteria hold ``measured``, ``low``,
        ``high``, ``limit`` (lead orientation, a floor, except the FNR change: a
        ceiling); others (``flip_rate``, ``no_val_test_gap``) ``measured`` and ``limit``.
    """
    named = _item(result, "criteria", lambda x: x.get("criterion") == result.reason.value)
    return named or _item(result, "criteria", lambda x: x.get("criterion") == "fnr_non_inferior")


def _find(result: CheckResult) -> tuple[Any, Any, Any, Any] | None:
    """(estimate, low, high, confidence) as stored in the result's evidence, unchecked."""
    if result.id in _IN_DETAIL:
        kind, point_key, interval_key = _IN_DETAIL[result.id]
        ev = _evidence(result, kind)
        if ev is None or ev.detail.get("decided_by", "roc_auc") != "roc_auc":
            return None
        return (ev.detail.get(point_key), *_ends(ev.detail.get(interval_key)), ev.detail.get("confidence"))
    if result.id == "quality.segments":
        ev = _evidence(result, "worst_segments")
        if ev is None or not ev.items or not isinstance(ev.items[0], Mapping):
            return None
        worst = ev.items[0]
        return worst.get("recall"), worst.get("low"), worst.get("high"), ev.detail.get("confidence_each")
    if result.id == "quality.val_test_gap":
        ev = _evidence(result, "gaps")
        if ev is None:
            return None
        metric = ev.detail.get("decided_by")
        gaps, intervals = ev.detail.get("gaps") or {}, ev.detail.get("intervals") or {}
        return (gaps.get(metric), *_ends(intervals.get(metric)), ev.detail.get("confidence_each"))
    if result.id == "promotion.vs_champion":  # the criterion that decided; no interval: None
        decided = deciding_criterion(result)
        if decided is None:
            return None
        confidence = decided.get("confidence", result.parameters.get("confidence"))  # the gap's own
        return decided.get("measured"), decided.get("low"), decided.get("high"), confidence
    if result.id == "quality.baselines":  # measured: the lower end of the worst lead
        lead = _item(result, "baselines", lambda x: _ends(x.get("interval"))[0] == result.measured)
        ev = _evidence(result, "baselines")
        if lead is None or ev is None:
            return None
        return (lead.get("lead"), *_ends(lead.get("interval")), ev.detail.get("confidence_each"))
    if result.id == "quality.calibration":
        ev = _evidence(result, "worst_bins")
        if ev is None:
            return None
        by_brier = result.parameters.get("criterion") == "Brier score"
        interval = ev.detail.get("brier_interval" if by_brier else "ece_interval")
        return (result.measured, *_ends(interval), ev.detail.get("confidence"))
    return None


def _calibration_change(result: CheckResult) -> JudgedInterval | None:
    """``drift.calibration``'s interval that gives its status: the ECE change's (the
    result's own ``measured`` and ``limit``), else the Brier change's, named with its
    limit (review: a status decided by the Brier change read as the ECE's pass)."""
    ev = _evidence(result, "calibration_change")
    if ev is None:
        return None
    confidence = _float(ev.detail.get("confidence"))
    ece_low, ece_high = (_float(v) for v in _ends(ev.detail.get("ece_change_interval")))
    brier = ev.detail.get("brier") or [None, None]
    brier_limit = _float(ev.detail.get("brier_limit"))
    b_low, b_high = (_float(v) for v in _ends(ev.detail.get("brier_change_interval")))
    Candidate = tuple[float | None, float | None, float | None, float | None, str | None]
    candidates: list[Candidate] = [(_float(result.measured), ece_low, ece_high, _float(result.limit), None)]
    if brier_limit is not None and None not in brier:
        candidates.append((float(brier[1]) - float(brier[0]), b_low, b_high, brier_limit, "Brier change"))
    for point, low, high, limit, kind in candidates:
        values = (point, low, high, limit, confidence)
        if any(v is None or not math.isfinite(v) for v in values):
            continue
        assert point is not None and low is not None and high is not None and limit is not None
        if judge_interval(low, high, limit, Direction.AT_MOST) is result.status:
            assert confidence is not None
            if kind is None:
                return JudgedInterval(point, low, high, confidence)
            return JudgedInterval(point, low, high, confidence, kind, limit, Direction.AT_MOST)
    return None


def _evidence(result: CheckResult, kind: str) -> Evidence | None:
    return next((e for e in result.evidence if e.kind == kind), None)


def _item(
    result: CheckResult, kind: str, wanted: Callable[[Mapping[str, Any]], bool]
) -> Mapping[str, Any] | None:
    """The first item (a mapping) of the result's ``kind`` evidence that is ``wanted``."""
    ev = _evidence(result, kind)
    rows = [x for x in ev.items if isinstance(x, Mapping)] if ev is not None else []
    return next((x for x in rows if wanted(x)), None)


def _ends(interval: Any) -> tuple[Any, Any]:
    if isinstance(interval, list | tuple) and len(interval) == 2:
        return interval[0], interval[1]
    return None, None


def _float(value: Any) -> float | None:
    try:
        return float(value) if value is not None and not isinstance(value, bool) else None
    except (TypeError, ValueError):
        return None
