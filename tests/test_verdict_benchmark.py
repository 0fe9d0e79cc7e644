"""The verdict benchmark's pure helpers (benchmarks/verdicts.py, verdict_projects.py) on
tiny synthetic frames: splits, the generated config, and the row a gate run becomes."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


@pytest.fixture(scope="module")
def bench() -> tuple[object, object]:
    sys.path.insert(0, str(BENCHMARKS))
    try:
        return importlib.import_module("verdict_projects"), importlib.import_module("verdicts")
    finally:
        sys.path.remove(str(BENCHMARKS))


def test_group_split_keeps_each_group_on_one_side(bench):
    projects, _ = bench
    groups = pd.Series(np.repeat(np.arange(300), 3).astype(str))
    split = projects.group_split(groups, seed=1)
    per_group = pd.Series(split).groupby(groups.to_numpy()).nunique()
    assert per_group.max() == 1
    assert set(split) == {"train", "val", "test"}
    # an occupant-level split of the same rows does put groups on two sides
    rows = pd.Series(projects.random_split(len(groups), seed=1)).groupby(groups.to_numpy()).nunique()
    assert rows.max() > 1


def test_random_split_is_seeded(bench):
    projects, _ = bench
    assert (projects.random_split(100, 3) == projects.random_split(100, 3)).all()
    assert (projects.random_split(100, 3) != projects.random_split(100, 4)).any()


def test_generated_config_loads_with_default_limits(bench, tmp_path):
    from sentinel_checks.config import load_config

    projects, _ = bench
    n = 200
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"x": rng.normal(size=n), "y": rng.integers(0, 2, n), "s": rng.random(n)})
    frame["split"] = projects.random_split(n, 0)
    config = projects.gate_config(
        data="data.parquet",
        production=None,
        columns={"label": "y", "positive": 0, "negative": 1, "features": ["x"]},
        splits={"method": "column", "column": "split"},
        candidate={"score_column": "s"},
    )
    loaded = load_config(projects._write(tmp_path, config, {"data.parquet": frame}))
    assert loaded.columns.positive == 0
    assert loaded.models.candidate is not None and loaded.models.candidate.score_column == "s"
    assert loaded.quality.min_recall == type(loaded.quality)().min_recall  # default limits untouched


def test_row_names_the_checks_that_decided(bench):
    from sentinel_checks.reports.gate_report import GateRun, TestOutcome
    from sentinel_checks.result import CheckResult, Status

    _, verdicts = bench
    failed = CheckResult("quality.auc", Status.FAIL, "PR-AUC too low", parameters={"split": "test"})
    unsure = CheckResult("quality.recall", Status.INCONCLUSIVE, "needs 289", parameters={"split": "test"})
    warned = CheckResult("drift.features", Status.WARN, "mild")
    run = GateRun(
        "c.toml",
        {},
        0,
        [
            TestOutcome("t::a", "failed", "x", failed),
            TestOutcome("t::b", "passed", "", unsure),
            TestOutcome("t::c", "passed", "", warned),
        ],
    )
    row = verdicts.row_of("cfg", "pass", run, 1.5)
    assert (row.verdict, row.match) == ("fail", False)
    assert row.decided_by == ["quality.auc[test] (fail)"]
    assert row.inconclusive == ["quality.recall[test]"]
    assert row.warnings == ["drift.features"]
    assert "| cfg | pass | fail | NO | quality.auc[test] (fail) |" in verdicts.table([row])


def test_a_failure_for_the_wrong_reason_does_not_match(bench):
    from sentinel_checks.reports.gate_report import GateRun, TestOutcome
    from sentinel_checks.result import CheckResult, Status

    _, verdicts = bench
    leak = CheckResult("splits.target_leakage", Status.FAIL, "injSeverity AUC 0.98")
    run = GateRun("c.toml", {}, 0, [TestOutcome("t::a", "failed", "x", leak)])
    reasons = (
        ("target leakage", "splits.target_leakage"),
        ("vehicle overlap", "splits.entity_overlap[vehicle"),
    )
    row = verdicts.row_of("cfg", "fail", run, 1.0, reasons)
    assert (row.verdict, row.missing, row.match) == ("fail", ["vehicle overlap"], False)
    assert verdicts.row_of("cfg", "fail", run, 1.0, reasons[:1]).match
