"""Issue 17 (new-user trial): the "measured vs limit" line names the quantity that decided,
so it never contradicts the status beside it."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from sentinel_checks.checks.auc import check_auc
from sentinel_checks.checks.row_overlap import check_row_overlap
from sentinel_checks.reports.measures import measured_as
from sentinel_checks.result import Status


def test_auc_decided_by_the_skill_is_not_labelled_roc_auc():
    """The demo showed "ROC AUC: measured 0.473 · limit ≥ 0.05": 0.473 was the
    average-precision skill, ROC AUC was 0.902."""
    r = check_auc(
        0.902,
        0.48,
        prevalence=0.0152,
        split="test",
        min_roc_auc=0.75,
        min_pr_auc_skill=0.05,
        n=20_994,
        n_positive=319,
    )
    assert r.evidence[0].detail["decided_by"] == "pr_auc_skill"
    shown = measured_as(r)
    assert not shown.startswith("ROC AUC"), shown
    assert shown.startswith("average-precision skill: measured 0.47"), shown
    assert "limit ≥ 0.05" in shown


def test_auc_decided_by_roc_auc_still_shows_the_interval():
    r = check_auc(
        0.70,
        0.60,
        prevalence=0.05,
        split="test",
        min_roc_auc=0.75,
        min_pr_auc_skill=0.05,
        n=20_000,
        n_positive=1_000,
    )
    assert r.status is Status.FAIL
    assert measured_as(r).startswith("ROC AUC 0.7 ("), measured_as(r)


def test_row_overlap_pass_never_shows_a_measured_value_over_its_limit():
    """The incident showed `pass` beside "measured 0.1589% · limit ≤ 0.1%": the excess's
    point estimate, while the pass was decided by the copies (none)."""
    xs = [float(i % 7) for i in range(2990)] + [100.5 + i for i in range(10)]
    coarse = pd.DataFrame({"x": xs, "id": range(3000)})
    later = pd.DataFrame({"x": [float(i % 7) for i in range(300)], "id": range(10_000, 10_300)})
    r = check_row_overlap(
        coarse, later, columns=["x"], pair=("train", "test"), max_share=0.001, event_columns=["id"]
    )
    assert r.status is Status.PASS, r.message
    assert r.measured is not None and r.limit is not None
    assert r.measured <= r.limit, (r.measured, r.limit)
    assert "copies" in measured_as(r), measured_as(r)
    # the message says the copies passed it, not the interval (trial: "holds the limit"
    # means inconclusive everywhere else)
    assert "holds the limit, which alone would be inconclusive; passed on the copies" in r.message, r.message


def test_row_overlap_fail_shows_the_interval_end_that_decided():
    a = pd.DataFrame({"x": [i + 0.5 for i in range(5000)]})  # a measurement: no chance repeats
    b = pd.DataFrame({"x": [i + 0.5 for i in range(200)] + [i + 0.25 for i in range(800)]})
    r = check_row_overlap(a, b, columns=["x"], pair=("train", "test"), max_share=0.01)
    assert r.status is Status.FAIL
    low = r.evidence[0].detail["interval"][0]
    assert r.measured == low and low < 0.2  # the lower end decided, not the 20% estimate
    assert measured_as(r).startswith("excess repeats over chance (interval's lower end): measured")


def test_an_important_feature_is_failed_on_its_importance_not_shown_under_a_limit():
    """The incident: "user_risk_rate drifted (wasserstein 0.261, under the severe-shift limit
    1.2 …)" beside a FAIL read as a pass; the criterion that fails it comes first."""
    from sentinel_checks.checks.drift_severity import FlaggedFeature

    f = FlaggedFeature(
        "user_risk_rate",
        "Wasserstein distance (normed)",
        "wasserstein",
        0.261,
        1.2,
        0.981,
        severe=False,
        important=True,
    )
    text = f.describe(0.25)
    assert "under the severe-shift limit" not in text
    assert text.startswith("user_risk_rate carries 98% of the model's importance (limit 25%) and drifted")
    assert "not severe" in text


def test_features_failing_on_their_own_read_as_a_count_against_none():
    from sentinel_checks.result import CheckResult, Direction

    r = CheckResult(
        "drift.features",
        Status.FAIL,
        "m",
        measured=1,
        limit=0,
        direction=Direction.AT_MOST,
        parameters={"criterion": "features failing on their own"},
    )
    assert measured_as(r) == "features failing on their own: measured 1 · limit ≤ 0"
    many = replace(r, measured=5, parameters={**r.parameters, "failing": ["a", "b", "c", "d", "e"]})
    assert (
        measured_as(many)
        == "features failing on their own: measured 5 · limit ≤ 0 · failing: a, b, c and 2 more"
    )
    four = replace(r, measured=4, parameters={**r.parameters, "failing": ["a", "b", "c", "d"]})
    assert measured_as(four).endswith(" · failing: a, b, c, d"), measured_as(four)
    # names past the cap are counted, not lost (gate.json keeps ten and the total)
    from sentinel_checks.result import at_fault

    capped = replace(r, parameters={**r.parameters, **at_fault([f"s{i}" for i in range(15)])})
    assert len(capped.parameters["failing"]) == 10 and capped.parameters["failing_total"] == 15
    assert measured_as(capped).endswith(" · failing: s0, s1, s2 and 12 more"), measured_as(capped)
    # only a failure names what is at fault
    assert measured_as(replace(many, status=Status.INCONCLUSIVE)).endswith("limit ≤ 0")


def test_the_summary_says_pytest_counts_inconclusive_checks_as_passed():
    """The trial read "22 failed, 25 passed" (pytest) above "22 failed, 3 inconclusive,
    22 passed" (the gate) and was puzzled: one line says why they differ."""
    from sentinel_checks.reports.gate_report import TestOutcome
    from sentinel_checks.reports.terminal import pytest_count_line
    from sentinel_checks.result import CheckResult

    def outcome(nodeid: str, status: Status) -> TestOutcome:
        return TestOutcome(nodeid=nodeid, outcome="passed", result=CheckResult("quality.recall", status, "m"))

    mixed = [
        outcome("a", Status.INCONCLUSIVE),
        outcome("b", Status.INCONCLUSIVE),
        outcome("c", Status.PASS),
        outcome("d", Status.INCONCLUSIVE),
    ]
    assert pytest_count_line(mixed) == "pytest's count above includes the 3 inconclusive checks as passed"
    assert pytest_count_line([outcome("a", Status.INCONCLUSIVE)]) == (
        "pytest's count above includes the 1 inconclusive check as passed"
    )
    assert pytest_count_line([outcome("c", Status.PASS)]) == ""
    assert pytest_count_line([outcome("a", Status.INCONCLUSIVE), outcome("w", Status.WARN)]) == (
        "pytest's count above includes the 1 inconclusive and 1 warned checks as passed"
    )
    blocked = TestOutcome(
        nodeid="e", outcome="failed", result=CheckResult("quality.recall", Status.INCONCLUSIVE, "m")
    )
    assert pytest_count_line([blocked]) == ""  # [gate] block_inconclusive: pytest failed it too


def test_the_not_checked_note_agrees_in_number():
    """The trial read "the 1 problem above already stop the run"."""
    from sentinel_checks.gate.preflight import stopped_by_text

    assert stopped_by_text(1) == "the problem above already stops the run"
    assert stopped_by_text(2) == "the 2 problems above already stop the run"


def test_a_segment_judged_on_its_estimate_names_the_key_that_made_it_so():
    """The trial could not read "(bound = point)" beside an interval that held the limit."""
    from sentinel_checks.reports.judged_interval import JudgedInterval
    from sentinel_checks.reports.measures import interval_as
    from sentinel_checks.result import CheckResult, Direction

    r = CheckResult(
        "quality.segments",
        Status.FAIL,
        "m",
        measured=0.1649,
        limit=0.5,
        direction=Direction.AT_LEAST,
        parameters={"bound": "point"},
    )
    shown = interval_as(r, JudgedInterval(0.1649, 0.07739, 0.6, 0.9988))
    assert shown.endswith(
        "fails: the estimate 0.1649 < 0.5, the limit (the estimate decides, not the interval: "
        '[quality] segment_bound = "point")'
    ), shown
