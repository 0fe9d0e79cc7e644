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
