"""``promotion.vs_champion`` in words: the interval line shows the criterion that decided
(its own estimate, interval and limit), not the FNR change when another criterion left the
check open or failed it, and never a reason code as prose (reviewer's input)."""

from __future__ import annotations

from sentinel_checks.reasons import Reason
from sentinel_checks.reports.measures import measured_as
from sentinel_checks.result import CheckResult, Direction, Evidence, Status

FNR_PASSES = {
    "criterion": "fnr_non_inferior",
    "what": "FNR change (candidate − champion)",
    "measured": -0.01,
    "low": -0.03,
    "high": 0.005,
    "limit": 0.02,
    "verdict": "pass",
}


def _target(measured: float, low: float, high: float, limit: float, verdict: str) -> dict[str, object]:
    return {
        "criterion": "target_metric_improves",
        "what": "pr_auc lead (candidate − champion)",
        "measured": measured,
        "low": low,
        "high": high,
        "limit": limit,
        "verdict": verdict,
    }


def _vs(status: Status, reason: Reason, *criteria: dict[str, object]) -> CheckResult:
    return CheckResult(
        "promotion.vs_champion",
        status,
        "m",
        measured=0.005,  # the FNR change's upper end, as the check records it
        limit=0.02,
        direction=Direction.AT_MOST,
        reason=reason,
        evidence=(Evidence.capped("criteria", list(criteria)),),
        parameters={"confidence": 0.99},
    )


def test_an_inconclusive_target_criterion_is_shown_with_its_own_interval():
    r = _vs(
        Status.INCONCLUSIVE,
        Reason.TARGET_METRIC_IMPROVES,
        FNR_PASSES,
        _target(0.001, -0.01, 0.02, 0.005, "inconclusive"),
    )
    shown = measured_as(r)
    assert shown == (
        "pr_auc lead 0.001 (99% interval -0.01 to 0.02) · the limit ≥ 0.005 lies inside the "
        "interval: not shown either way"
    ), shown


def test_a_failing_target_criterion_is_shown_with_the_end_that_failed_it():
    r = _vs(
        Status.FAIL, Reason.TARGET_METRIC_IMPROVES, FNR_PASSES, _target(-0.04, -0.06, -0.025, -0.02, "fail")
    )
    shown = measured_as(r)
    assert (
        shown
        == "pr_auc lead -0.04 (99% interval -0.06 to -0.025) · fails: its upper end -0.025 < -0.02, the limit"
    )
    assert "target metric improves" not in shown and "FNR" not in shown


def test_a_failing_criterion_without_an_interval_is_shown_in_words():
    flips = {
        "criterion": "flip_rate",
        "what": "share of decisions that change",
        "measured": 0.31,
        "limit": 0.2,
        "verdict": "fail",
    }
    r = _vs(Status.FAIL, Reason.FLIP_RATE, FNR_PASSES, flips)
    shown = measured_as(r)
    assert shown == "share of decisions that change: measured 31% · limit ≤ 20%", shown


def test_the_fnr_change_is_shown_when_it_decided():
    fnr_fails = {**FNR_PASSES, "measured": 0.05, "low": 0.03, "high": 0.07, "verdict": "fail"}
    r = _vs(
        Status.FAIL, Reason.FNR_NON_INFERIOR, fnr_fails, _target(0.001, -0.01, 0.02, 0.005, "inconclusive")
    )
    assert measured_as(r) == (
        "FNR change vs the champion 0.05 (99% interval 0.03 to 0.07) · fails: its lower end 0.03 > 0.02, the limit"
    )
    passing = _vs(Status.PASS, Reason.OK, FNR_PASSES, _target(0.03, 0.01, 0.05, 0.005, "pass"))
    assert measured_as(passing).startswith(
        "FNR change vs the champion -0.01 (99% interval -0.03 to 0.005) · passes"
    )
