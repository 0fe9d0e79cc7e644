"""gate.md's tables cut a long cell between words; a warning's message is its whole point,
so it is shown in full as an inconclusive result's is (trial, stop 49: the drift
warnings were cut mid-detail, "reference standard…")."""

from __future__ import annotations

from pathlib import Path

from sentinel_checks.reports.gate_report import GateRun, TestOutcome, gate_markdown
from sentinel_checks.result import CheckResult, Direction, Status


def test_a_long_warning_is_shown_in_full():
    details = "; ".join(f"feature_{i} (Wasserstein distance (normed) 0.{i}33 ≥ 0.1)" for i in range(20))
    warned = CheckResult(
        "drift.features",
        Status.WARN,
        f"train→production: 20 of 40 feature(s) drifted: {details}",
        measured=0.5,
        limit=0.5,
        direction=Direction.AT_MOST,
        parameters={"pair": "train→production"},
    )
    assert len(warned.message) > 1000
    run = GateRun(config_path="c", data={}, seed=0, outcomes=[TestOutcome("t::w", "passed", "", warned)])
    text = gate_markdown(run, Path("."))
    assert "feature_19 (Wasserstein distance (normed) 0.1933 ≥ 0.1)" in text.split("## Warnings", 1)[1]


def test_skipped_tests_are_one_row_per_reason_by_their_names_not_node_ids():
    """Trial (stop 51): gate.md listed each skipped test as a row of "Other checks" by its
    node id (`sentinel_checks/suites/test_drift.py::test_…[train:val-none]`), three rows
    saying the same reason. Now one row per reason under "Not judged", with the tests."""
    suite = "sentinel_checks/suites/test_drift.py::"
    skipped = [
        TestOutcome(f"{suite}test_within_segments[{pair}]", "skipped", "Skipped: no [drift] segment_columns")
        for pair in ("train:val-none", "train:test-none")
    ]
    other = TestOutcome(f"{suite}test_prevalence[test:production]", "skipped", "Skipped: no labels\nmore")
    run = GateRun(config_path="c", data={}, seed=0, outcomes=[*skipped, other])
    text = gate_markdown(run, Path("."))
    assert suite not in text, text
    judged = text.split("## Not judged", 1)[1]
    assert (
        "| no [drift] segment_columns | 2 | `test_within_segments[train:test-none]`, "
        "`test_within_segments[train:val-none]` |" in judged  # in the report's order
    ), judged
    assert "| no labels | 1 | `test_prevalence[test:production]` |" in judged, judged
