"""A partial gate says so where its verdict is: the terminal's verdict line and gate.md's
title (trial, stop 50: `sentinel gate -- -k contract` on the incident read "gate PASS
(5 passed)" and "# Gradient Sentinel gate: PASSED"; only pytest's "46 deselected" line
and `sentinel promote`'s refusal showed it was not the whole gate)."""

from __future__ import annotations

from sentinel_checks.reports.coverage import partial_gate
from sentinel_checks.reports.gate_md import gate_markdown
from sentinel_checks.reports.gate_report import GateRun, TestOutcome
from sentinel_checks.reports.terminal import summary_lines
from sentinel_checks.result import CheckResult, Status
from sentinel_checks.scaffold import SHIPPED_SUITES

EVERY_SUITE = [f"{s}.py" for s in SHIPPED_SUITES]
PASSED = TestOutcome(
    "suites/test_data_contract.py::test_x", "passed", "", CheckResult("contract.schema", Status.PASS, "ok")
)


def _run(coverage: dict) -> GateRun:
    return GateRun(config_path="sentinel.toml", data={}, seed=0, outcomes=[PASSED], coverage=coverage)


def test_tests_deselected_are_said_beside_the_verdict():
    run = _run({"suites": EVERY_SUITE, "deselected": 46})
    said = "a partial gate: 46 gate tests deselected; it cannot be promoted"
    assert run.verdict == "pass"
    assert summary_lines(run)[-1] == f"gate PASS — {said} (1 passed)"
    assert gate_markdown(run).startswith(f"# Gradient Sentinel gate: PASSED — {said}\n")
    from sentinel_checks.reports.html import gate_html

    assert f"<p class='not-run' id='partial'><b>{said}</b></p>" in gate_html(run, {})


def test_suites_not_run_are_named():
    run = _run({"suites": ["test_data_contract.py", "test_splits.py"], "deselected": 1})
    assert partial_gate(run.coverage) == (
        "a partial gate: 1 gate test deselected, 5 suites not run (test_drift.py, test_models.py, "
        "test_promotion.py, test_quality.py, test_training.py); it cannot be promoted"
    )


def test_the_whole_gate_and_a_run_that_never_reached_the_suites_say_nothing():
    assert partial_gate({"suites": EVERY_SUITE, "deselected": 0}) == ""
    assert partial_gate({"suites": [], "deselected": 0}) == ""  # a setup stop: told as such
    assert partial_gate({}) == ""
    run = _run({"suites": EVERY_SUITE, "deselected": 0})
    assert summary_lines(run)[-1] == "gate PASS (1 passed)"


def test_a_run_of_a_teams_own_gate_tests_only_says_no_shipped_suite_ran():
    assert partial_gate({"suites": ["test_ours.py"], "deselected": 0}) == (
        "a partial gate: none of the 7 shipped suites ran; it cannot be promoted"
    )
