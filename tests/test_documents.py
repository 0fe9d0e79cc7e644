"""The typed readings of gate.json and threshold.json, and exit 2 decided on the error's type."""

from __future__ import annotations

import dataclasses
import json

import pytest

from sentinel_checks.errors import ReportError
from sentinel_checks.gate.pytest_run import only_input_errors, read_report
from sentinel_checks.reasons import Reason
from sentinel_checks.reports.gate_report import (
    GATE_JSON,
    GateReport,
    GateRun,
    TestOutcome,
    gate_document,
    write_reports,
)
from sentinel_checks.reports.quality import ThresholdRecord
from sentinel_checks.result import CheckResult, Direction, Status


def _run(*outcomes: TestOutcome) -> GateRun:
    return GateRun(
        config_path="sentinel.toml",
        data={"dataset": "sha256:aa"},
        seed=7,
        outcomes=list(outcomes),
        models={"candidate": "sha256:bb"},
        config_sha256="sha256:cc",
        coverage={"suites": ["test_quality.py"], "deselected": 0},
    )


RECALL = CheckResult(
    id="quality.recall",
    status=Status.FAIL,
    message="low",
    measured=0.6,
    limit=0.75,
    direction=Direction.AT_LEAST,
    reason=Reason.RECALL_BELOW_FLOOR,
    parameters={"split": "test"},
)


def test_a_written_gate_json_reads_back_as_a_gate_report(tmp_path):
    run = _run(
        TestOutcome("suites/test_quality.py::test_recall[test]", "failed", "", RECALL),
        TestOutcome("suites/test_drift.py::test_x", "skipped", "Skipped: nothing"),
    )
    write_reports(run, tmp_path)
    report = GateReport.read(tmp_path / GATE_JSON)
    assert report.schema_version == 4 and report.verdict == "fail" and not report.passed
    assert report.models == {"candidate": "sha256:bb"} and report.config_sha256 == "sha256:cc"
    assert report.coverage["suites"] == ["test_quality.py"] and report.seed == 7
    assert report.counts == {"failed": 1, "skipped": 1}  # one key per test: they add up to the checks
    recall, skipped = sorted(report.checks, key=lambda c: c.test, reverse=True)
    assert recall.id == "quality.recall" and recall.status == "fail" and recall.bad
    assert recall.reason == Reason.RECALL_BELOW_FLOOR.value and recall.name == "quality.recall[test]"
    assert skipped.status == "skip" and skipped.message == "Skipped: nothing" and not skipped.bad
    assert recall.recorded_check and not skipped.recorded_check
    assert [c.name for c in report.bad] == ["quality.recall[test]"]
    # the entries keep every field as written
    assert dict(recall.fields) == json.loads((tmp_path / GATE_JSON).read_text())["checks"][1]


def test_the_reason_is_written_as_its_plain_value():
    entry = RECALL.to_dict()
    assert entry["reason"] == "recall_below_floor" and type(entry["reason"]) is str


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "gate report not found"),
        ("{not json", "not readable JSON"),
        ("[1, 2]", "not a JSON object"),
        ('{"verdict": "pass"}', "no schema_version"),
        ('{"schema_version": 5, "verdict": "pass", "checks": []}', "schema_version 5 is not supported"),
        ('{"schema_version": 1, "checks": []}', "not a valid gate.json"),
        ('{"schema_version": 1, "verdict": "pass", "checks": [{"test": "t"}]}', "not a valid gate.json"),
    ],
)
def test_a_bad_gate_json_is_a_clear_error_naming_the_file(tmp_path, content, expected):
    path = tmp_path / "gate.json"
    if content is not None:
        path.write_text(content)
    with pytest.raises(ReportError, match=expected) as info:
        GateReport.read(path)
    assert str(path) in str(info.value)
    assert info.value.missing is (content is None)
    assert read_report(path) is None  # the gate's exit code: no report, not a crash


def test_input_error_is_written_only_when_true():
    plain = gate_document(_run(TestOutcome("t::a", "error", "DataError: bad")))
    assert "input_error" not in plain["checks"][0]  # a message alone proves nothing
    flagged = gate_document(_run(TestOutcome("t::a", "error", "bad", input_error=True)))
    assert flagged["checks"][0]["input_error"] is True


def test_exit_2_is_decided_on_the_recorded_error_type_not_the_message():
    def report(*outcomes: TestOutcome) -> GateReport:
        return GateReport.from_dict(gate_document(_run(*outcomes)))

    # a message that merely starts like an input error is a failed gate
    assert not only_input_errors(report(TestOutcome("t::a", "error", "ConfigError: looks like one")))
    # a recorded input error is exit 2, whatever its message says
    assert only_input_errors(report(TestOutcome("t::a", "error", "no prefix here", input_error=True)))
    # unless some check judged and failed
    assert not only_input_errors(
        report(
            TestOutcome("t::a", "error", "x", input_error=True),
            TestOutcome("t::b", "failed", "", RECALL),
        )
    )
    assert not only_input_errors(report(TestOutcome("t::a", "passed", "", None)))


THRESHOLD = {
    "model": "candidate",
    "identity": "sha256:7c13",
    "threshold": 0.42,
    "rule": "target_recall",
    "target_recall": 0.8,
    "reached_on_validation": True,
    "rationale": "why",
    "splits": {"val": {}},
}


def test_a_threshold_json_reads_back_as_a_threshold_record(tmp_path):
    path = tmp_path / "threshold.json"
    path.write_text(json.dumps(THRESHOLD, indent=2) + "\n")
    record = ThresholdRecord.read(path)
    assert record.threshold == 0.42 and record.rule == "target_recall" and record.reached_on_validation
    assert record.schema_version == 1  # the file has no schema_version: version 1
    assert record.model_hashes == {"sha256:7c13"}


def test_a_registry_identity_names_the_file_hash_it_resolved_to():
    record = ThresholdRecord.from_dict({**THRESHOLD, "identity": "models:/risk/3 sha256:ab12"})
    assert record.model_hashes == {"sha256:ab12"}
    assert ThresholdRecord.from_dict({**THRESHOLD, "identity": "column:score"}).model_hashes == frozenset()


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "threshold record not found"),
        ("{", "not readable JSON"),
        (json.dumps({**THRESHOLD, "threshold": "high"}), "not a threshold.json written by the gate"),
        (json.dumps({k: v for k, v in THRESHOLD.items() if k != "threshold"}), "not a threshold.json"),
        (json.dumps({**THRESHOLD, "schema_version": 9}), "schema_version 9 is not supported"),
    ],
)
def test_a_bad_threshold_json_is_a_clear_error_naming_the_file(tmp_path, content, expected):
    path = tmp_path / "threshold.json"
    if content is not None:
        path.write_text(content)
    with pytest.raises(ReportError, match=expected) as info:
        ThresholdRecord.read(path)
    assert str(path) in str(info.value) and info.value.missing is (content is None)


@pytest.mark.parametrize(
    ("engine", "memory_limit", "label"),
    [
        ("pandas", None, "pandas"),
        ("duckdb", None, "duckdb"),
        ("duckdb", "2GB", "duckdb (memory_limit 2GB)"),
        ("spark", None, "spark"),
    ],
)
def test_the_reports_say_which_engine_ran(tmp_path, engine, memory_limit, label):
    # issue 18: a run on DuckDB and one on pandas read the same in gate.md and the terminal
    from sentinel_checks.config.engine import DuckDBSettings, EngineSettings, OfflineData, engine_label
    from sentinel_checks.reports.gate_md import gate_markdown

    data = OfflineData.model_construct(engine=engine)  # no file: the label reads the engine only
    settings = EngineSettings(duckdb=DuckDBSettings(memory_limit=memory_limit))
    assert engine_label(data, settings) == label
    run = dataclasses.replace(_run(TestOutcome("suites/t.py::t", "passed", "", RECALL)), engine=label)
    assert gate_document(run)["engine"] == label
    header = gate_markdown(run).splitlines()[2]
    assert header == f"Config `sentinel.toml` · seed 7 · engine {label}"  # one short line
    assert "engine" not in gate_document(_run()) and " · engine" not in gate_markdown(_run())


def test_counts_give_inconclusive_and_warned_checks_their_own_count(tmp_path):
    """Issue 18: ``counts`` counted an inconclusive and a warned check as passed (pytest's
    outcome); each status has its own count, and the counts add up to the checks."""
    from dataclasses import replace

    from sentinel_checks.reports.gate_report import gate_document

    passed = replace(RECALL, status=Status.PASS, reason=Reason.OK, parameters={"split": "val"})
    vague = replace(RECALL, status=Status.INCONCLUSIVE, parameters={"split": "production"})
    warned = replace(RECALL, id="drift.features", status=Status.WARN, parameters={})
    broken = replace(RECALL, id="quality.ranking", status=Status.ERROR, parameters={})
    run = _run(
        TestOutcome("suites/test_quality.py::test_recall[val]", "passed", "", passed),
        TestOutcome("suites/test_quality.py::test_recall[production]", "passed", "", vague),
        TestOutcome("suites/test_drift.py::test_features", "passed", "", warned),
        TestOutcome("suites/test_quality.py::test_recall[test]", "failed", "", RECALL),
        TestOutcome("suites/test_quality.py::test_ranking", "failed", "", broken),
        TestOutcome("suites/test_models.py::test_load", "error", "DataError: gone", input_error=True),
        TestOutcome("suites/test_drift.py::test_x", "skipped", "Skipped: nothing"),
    )
    doc = gate_document(run)
    assert doc["counts"] == {
        "error": 2,
        "failed": 1,
        "inconclusive": 1,
        "passed": 1,
        "skipped": 1,
        "warned": 1,
    }
    assert sum(doc["counts"].values()) == len(doc["checks"])
    # every entry has a status: a test without a check result its pytest outcome's (trial),
    # and `statuses` counts every entry (schema 4)
    by_test = {c["test"]: c["status"] for c in doc["checks"]}
    assert by_test["suites/test_drift.py::test_x"] == "skip"
    assert by_test["suites/test_models.py::test_load"] == "error"
    assert by_test["suites/test_quality.py::test_recall[production]"] == "inconclusive"
    assert doc["statuses"] == {"error": 2, "fail": 1, "inconclusive": 1, "pass": 1, "skip": 1, "warn": 1}
    bare = gate_document(
        _run(
            TestOutcome("t::passed", "passed", "a team's own test"),
            TestOutcome("t::failed", "failed", "AssertionError: a team's own assert"),
        )
    )
    assert {c["test"]: c["status"] for c in bare["checks"]} == {"t::passed": "pass", "t::failed": "fail"}
    assert all("id" not in c for c in bare["checks"])
    write_reports(run, tmp_path)
    assert GateReport.read(tmp_path / GATE_JSON).counts == doc["counts"]


def test_gate_md_details_keep_a_long_message_whole_and_cells_escape_names():
    """Trial: "Details" cut drift.features and promotion.vs_champion mid-sentence; a name
    with a pipe (now on the measured line: parameters.failing) must not break the table."""
    from sentinel_checks.reports.gate_md import gate_markdown
    from sentinel_checks.result import at_fault

    long = "train→production: " + "; ".join(f"feature_{i} drifted by a lot" for i in range(30))
    failed = dataclasses.replace(
        RECALL,
        id="drift.features",
        message=long,
        parameters={"criterion": "drifted share", **at_fault(["a|b"])},
    )
    text = gate_markdown(_run(TestOutcome("suites/test_drift.py::test_features", "failed", "", failed)))
    assert len(long) > 400 and f"- `drift.features`: {long}" in text, text
    (row,) = [line for line in text.splitlines() if line.startswith("| `drift.features`")]
    assert "failing: a\\|b" in row and row.count(" | ") == 4, row


def test_gate_md_keeps_an_inconclusive_message_whole():
    """Trial: an inconclusive check's message cell was cut at 400 characters; it says what
    the data could not tell and can block (``block_inconclusive``), so it is kept whole."""
    from sentinel_checks.reports.gate_md import gate_markdown

    long = "test: 7 country segment(s) whose interval holds the recall floor: " + "; ".join(
        f"c{i} 0.700 on 12 risky, CI [0.42, 0.88]: settling it needs ≈ 90 risky rows" for i in range(7)
    )
    unsure = dataclasses.replace(RECALL, id="quality.segments", status=Status.INCONCLUSIVE, message=long)
    text = gate_markdown(_run(TestOutcome("suites/test_quality.py::test_segments", "passed", "", unsure)))
    (row,) = [line for line in text.splitlines() if line.startswith("| `quality.segments")]
    assert len(long) > 400 and long in row and "…" not in row, row


def _judged_and_plain(confidence: float) -> tuple[CheckResult, CheckResult]:
    """A recall failure judged on its interval (measured: the upper end) and a check without one."""
    from sentinel_checks.result import Evidence

    detail = {"recall": 0.65, "interval": [0.61, 0.69], "confidence": confidence}
    judged = dataclasses.replace(
        RECALL, measured=0.69, evidence=(Evidence.capped("recall", [], detail=detail),)
    )
    return judged, dataclasses.replace(RECALL, id="splits.time_order", measured=3, limit=0)


def test_gate_json_gives_the_estimate_and_interval_beside_the_end_that_decided():
    """Trial: ``measured`` (the interval end that decided) was read as the estimate; an
    entry judged on an interval now carries the estimate and both ends."""
    judged, plain = _judged_and_plain(confidence=0.95)
    doc = gate_document(
        _run(
            TestOutcome("suites/test_quality.py::test_recall[test]", "failed", "", judged),
            TestOutcome("suites/test_splits.py::test_order", "failed", "", plain),
        )
    )
    by_test = {c["test"]: c for c in doc["checks"]}
    recall = by_test["suites/test_quality.py::test_recall[test]"]
    assert recall["measured"] == 0.69
    assert recall["interval"] == {"estimate": 0.65, "low": 0.61, "high": 0.69, "confidence": 0.95}
    assert "interval" not in by_test["suites/test_splits.py::test_order"]


def test_gate_md_says_once_why_confidence_levels_differ_when_an_interval_is_shown():
    """Trial: 99.5%, 99.67%, 99.83%… per check, never explained."""
    from sentinel_checks.reports.gate_md import CONFIDENCE_NOTE, gate_markdown

    judged, plain = _judged_and_plain(confidence=0.995)
    with_interval = gate_markdown(
        _run(
            TestOutcome("suites/test_quality.py::test_recall[test]", "failed", "", judged),
            TestOutcome("suites/test_quality.py::test_recall[production]", "failed", "", judged),
        )
    )
    assert with_interval.count(CONFIDENCE_NOTE) == 1 and "[gate] false_block_rate" in CONFIDENCE_NOTE
    # gate.html says it too (trial: the page the README points to had no such text)
    from sentinel_checks.reports.html import gate_html

    page = gate_html(_run(TestOutcome("suites/test_quality.py::test_recall[test]", "failed", "", judged)), {})
    assert page.count("is shared among the checks that can block on sampling error") == 1
    assert "is shared among" not in gate_html(
        _run(TestOutcome("suites/test_splits.py::test_order", "failed", "", plain)), {}
    )
    without = gate_markdown(_run(TestOutcome("suites/test_splits.py::test_order", "failed", "", plain)))
    assert CONFIDENCE_NOTE not in without  # nothing judged on an interval: nothing to explain
