"""The inconclusive outcome: what decides it, the policy that makes it block, and how
every report (gate.json, gate.md, gate.html, the terminal) shows it."""

from __future__ import annotations

import json

import pytest

from sentinel_checks.config import load_config
from sentinel_checks.errors import ConfigError
from sentinel_checks.gate.runner import outcome_of
from sentinel_checks.gate.session import GateSession
from sentinel_checks.reasons import Reason
from sentinel_checks.reports.gate_report import (
    GateRun,
    TestOutcome,
    attention_lines,
    gate_document,
    gate_markdown,
)
from sentinel_checks.reports.html import gate_html
from sentinel_checks.result import CheckResult, Direction, Status, judge_interval
from sentinel_checks.stats.intervals import wilson_interval
from sentinel_checks.stats.power import MAX_ROWS, rows_to_show_proportion

UNSETTLED = CheckResult(
    id="quality.recall",
    status=Status.INCONCLUSIVE,
    message="test: recall 0.800 on 130 risky rows; the 95% interval holds the floor 0.75",
    measured=0.8,
    limit=0.75,
    direction=Direction.AT_LEAST,
    reason=Reason.OK,
    support={"n": 4000, "n_positive": 130},
    parameters={"split": "test"},
    needed={"n_positive": 289},
)


def _run(result: CheckResult) -> GateRun:
    outcome = "passed" if result.passed else "failed"
    return GateRun(
        config_path="sentinel.toml", data={}, seed=0, outcomes=[TestOutcome("t::x", outcome, "", result)]
    )


@pytest.mark.parametrize(
    ("low", "high", "direction", "expected"),
    [
        (0.76, 0.90, Direction.AT_LEAST, Status.PASS),  # shown at or above the floor
        (0.60, 0.74, Direction.AT_LEAST, Status.FAIL),  # shown below it
        (0.70, 0.86, Direction.AT_LEAST, Status.INCONCLUSIVE),
        (0.00, 0.02, Direction.AT_MOST, Status.PASS),
        (0.04, 0.09, Direction.AT_MOST, Status.FAIL),
        (0.01, 0.05, Direction.AT_MOST, Status.INCONCLUSIVE),
        (float("nan"), 0.5, Direction.AT_LEAST, Status.ERROR),  # undefined: never a pass
    ],
)
def test_an_interval_decides_three_ways(low, high, direction, expected):
    assert judge_interval(low, high, 0.75 if direction is Direction.AT_LEAST else 0.03, direction) is expected


def test_the_rows_that_would_settle_it_are_where_the_interval_clears_the_limit():
    # the figure: recall 0.80 against a 0.75 floor needs about 290 risky rows
    needed = rows_to_show_proportion(0.80, 0.75)
    assert 280 <= needed <= 300
    low_at, _ = wilson_interval(0.8 * needed, needed)  # type: ignore[arg-type]
    low_before, _ = wilson_interval(0.8 * (needed - 1), needed - 1)  # type: ignore[arg-type]
    assert low_at >= 0.75 > low_before
    assert rows_to_show_proportion(0.75, 0.75) == MAX_ROWS  # on the limit: no sample separates them


def test_an_inconclusive_result_passes_unless_its_policy_blocks_it():
    from dataclasses import replace

    assert UNSETTLED.passed
    assert not replace(UNSETTLED, inconclusive_blocks=True).passed
    assert outcome_of("t::x", lambda: UNSETTLED).outcome == "passed"
    blocked = outcome_of("t::x", lambda: replace(UNSETTLED, inconclusive_blocks=True))
    assert blocked.outcome == "failed" and "289 in all" in blocked.message


def test_the_session_marks_a_listed_check_as_blocking(gate_project):
    project = gate_project(extra='[gate]\nblock_inconclusive = ["quality.recall"]\n')
    session = GateSession(load_config(project.config))
    assert session.decided(UNSETTLED).inconclusive_blocks
    other = CheckResult(id="quality.precision", status=Status.INCONCLUSIVE, message="m")
    assert not session.decided(other).inconclusive_blocks  # not listed: reported, does not block
    failed = CheckResult(id="quality.recall", status=Status.FAIL, message="m")
    assert session.decided(failed) == failed  # only inconclusive results are touched


def test_a_misspelt_check_id_in_the_policy_is_a_config_error(gate_project):
    project = gate_project(extra='[gate]\nblock_inconclusive = ["quality.recal"]\n')
    with pytest.raises(ConfigError, match=r"quality\.recal.*did you mean 'quality\.recall'"):
        load_config(project.config)


def test_every_report_shows_it_with_the_sample_size_that_would_settle_it():
    run = _run(UNSETTLED)
    doc = gate_document(run)
    entry = doc["checks"][0]
    assert entry["status"] == "inconclusive" and entry["needed"] == {"n_positive": 289}
    assert entry["inconclusive_blocks"] is False and doc["statuses"] == {"inconclusive": 1}
    assert doc["verdict"] == "pass"
    json.dumps(doc)  # serialisable
    md = gate_markdown(run)
    assert "## Inconclusive" in md and "about 159 more risky rows (289 in all, has 130)" in md
    page = gate_html(run, {})
    assert "Inconclusive" in page and "about 159 more risky rows (289 in all, has 130)" in page
    lines = attention_lines(run)
    assert len(lines) == 1 and "quality.recall[test] INCONCLUSIVE" in lines[0] and "289 in all" in lines[0]


def test_a_blocking_inconclusive_result_fails_the_run_and_says_why():
    from dataclasses import replace

    run = _run(replace(UNSETTLED, inconclusive_blocks=True))
    assert gate_document(run)["verdict"] == "fail"
    assert "blocks: [gate] block_inconclusive" in attention_lines(run)[0]
    assert "| yes |" in gate_markdown(run)


def test_the_false_block_budget_is_shared_so_the_union_bound_holds(gate_project):
    from sentinel_checks.gate import budget

    project = gate_project(extra="[gate]\nfalse_block_rate = 0.05\n")
    config = load_config(project.config)
    plan = budget.allocation(config)
    assert abs(sum(f["share"] for f in plan.values()) - 1.0) < 1e-12
    # the union bound: every test's one-sided error, summed over all tests, is the budget
    total = sum(f["alpha_per_test"] * f["tests"] for f in plan.values())
    assert abs(total - 0.05) < 1e-12
    # the family sizes are the tests the gate plans (runner.plan: the node ids pytest collects)
    from sentinel_checks.gate.runner import plan as planned

    def tests(cfg, *names):
        return sum(1 for t in planned(cfg) if t.nodeid.split("::")[1].split("[")[0] in names)

    floors = (
        "test_recall_of_the_risky_class_meets_its_floor",
        "test_precision_meets_its_floor",
        "test_ranking_quality_meets_its_floor",
    )
    assert plan["quality"]["tests"] == tests(config, *floors) == 6  # segments judged on the point
    # each feature pair is two tests (its missing shares, its distances' noise test)
    assert plan["drift"]["tests"] == tests(
        config, "test_prevalence_has_not_shifted", "test_scores_have_not_shifted"
    ) + 2 * tests(config, "test_features_have_not_drifted")
    assert budget.confidence(config, "quality") == pytest.approx(1 - 2 * 0.05 * 0.30 / 6)
    from tests.conftest import BASE_CONFIG

    text = BASE_CONFIG.replace('\nbound = "point"', '\nbound = "point"\nsegment_bound = "wilson"', 1)
    wilson = load_config(gate_project(config_text=text).config)
    segmented = (*floors, "test_recall_holds_in_every_segment")
    assert budget.family_size(wilson, "quality") == tests(wilson, *segmented) > 6
    # a smaller budget widens every interval
    stricter = load_config(gate_project(extra="[gate]\nfalse_block_rate = 0.01\n").config)
    assert budget.confidence(stricter, "promotion") > budget.confidence(config, "promotion")
