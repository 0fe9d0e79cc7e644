"""What a person reads after a gate run: the terminal summary (by runbook phase, every
warning and inconclusive result in gate.md's words), gate.md's order and wording, and a
run the preflight stopped, which is a setup error, never a failed gate."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from sentinel_checks.gate.pytest_run import EXIT_USAGE, exit_code_of
from sentinel_checks.reasons import Reason
from sentinel_checks.reports.gate_report import GateRun, TestOutcome, gate_document, gate_markdown
from sentinel_checks.reports.terminal import flagged_line, summary_lines
from sentinel_checks.result import CheckResult, Direction, Status
from tests.test_preflight import _project

LEAK = CheckResult(
    id="splits.entity_overlap",
    status=Status.FAIL,
    message="267 of 1,000 val rows carry a user_id also in train",
    measured=0.267,
    limit=0.0,
    direction=Direction.AT_MOST,
    parameters={"column": "user_id", "pair": "train→val"},
    hint="split by user_id",
)
RECALL = CheckResult(
    id="quality.recall",
    status=Status.FAIL,
    message="test: recall 0.41 on 300 risky rows, below the floor 0.80",
    measured=0.41,
    limit=0.8,
    direction=Direction.AT_LEAST,
    parameters={"split": "test"},
)
CHAMPION = CheckResult(
    id="promotion.vs_champion",
    status=Status.FAIL,
    message="misses more risky requests than the champion",
    measured=0.12,
    limit=0.02,
    direction=Direction.AT_MOST,
    parameters={"split": "test"},
)
DRIFT = CheckResult(
    id="drift.features",
    status=Status.WARN,
    message="3 of 20 features drifted between train and production: amount, hour, country",
    measured=0.15,
    limit=0.3,
    direction=Direction.AT_MOST,
    parameters={"pair": "train→production"},
)
UNSETTLED = CheckResult(
    id="quality.baselines",
    status=Status.INCONCLUSIVE,
    message="the lead over logistic regression is not shown at 300 risky rows",
    measured=-0.01,
    limit=0.0,
    direction=Direction.AT_LEAST,
    reason=Reason.TOO_FEW_POSITIVES,
    support={"n_positive": 300},
    needed={"n_positive": 900},
    parameters={"split": "test"},
)
AUC = CheckResult(
    id="quality.auc",
    status=Status.PASS,
    message="ROC AUC 0.91",
    measured=0.91,
    limit=0.75,
    direction=Direction.AT_LEAST,
    parameters={"split": "test"},
)


def _outcome(nodeid: str, result: CheckResult) -> TestOutcome:
    return TestOutcome(nodeid, "passed" if result.passed else "failed", "", result)


def _run(*outcomes: TestOutcome, block_inconclusive: tuple[str, ...] | None = ()) -> GateRun:
    return GateRun(
        config_path="sentinel.toml",
        data={},
        seed=0,
        outcomes=list(outcomes),
        block_inconclusive=block_inconclusive,
    )


# node ids in alphabetical order put the consequences (drift, promotion) before the cause
FAILING = _run(
    _outcome("suites/test_drift.py::test_features[train→production]", DRIFT),
    _outcome("suites/test_promotion.py::test_vs_champion[test]", CHAMPION),
    _outcome("suites/test_quality.py::test_auc[test]", AUC),
    _outcome("suites/test_quality.py::test_baselines[test]", UNSETTLED),
    _outcome("suites/test_quality.py::test_recall[test]", RECALL),
    _outcome("suites/test_splits.py::test_entity_overlap[user_id]", LEAK),
)


def test_the_summary_groups_counts_by_runbook_phase_in_root_cause_order():
    text = "\n".join(summary_lines(FAILING))
    phases = ["Data & splits", "Model quality", "Drift", "Promotion & baselines"]
    at = [text.index(p) for p in phases]
    assert at == sorted(at), text
    assert "Training" not in text  # a phase with no test is left out
    data_line = next(line for line in text.splitlines() if line.startswith("Data & splits"))
    assert "1 failed" in data_line and "passed" not in data_line
    quality_line = next(line for line in text.splitlines() if line.startswith("Model quality"))
    assert quality_line == "Model quality: 1 failed, 1 passed"
    promotion = next(line for line in text.splitlines() if line.startswith("Promotion & baselines"))
    assert promotion == "Promotion & baselines: 1 failed, 1 inconclusive"  # baselines count here


def test_each_failure_is_one_line_with_measured_vs_limit_in_units_and_root_cause_first():
    lines = summary_lines(FAILING)
    leak = next(line for line in lines if "splits.entity_overlap[user_id, train→val]" in line)
    assert "FAIL:" in leak and "26.7%" in leak and "≤ 0%" in leak, leak
    recall = next(line for line in lines if "quality.recall[test]" in line)
    assert "recall" in recall and "0.41" in recall and "≥ 0.8" in recall
    order = [lines.index(leak), lines.index(recall)]
    order.append(next(i for i, line in enumerate(lines) if "promotion.vs_champion" in line))
    assert order == sorted(order)
    assert not any("np.float64" in line or "{'" in line for line in lines)


def test_every_warning_and_inconclusive_result_is_printed_in_gate_md_words():
    lines = summary_lines(FAILING)
    md = gate_markdown(FAILING)
    assert any(f"drift.features[train→production] WARN: {DRIFT.message}" in line for line in lines), lines
    assert DRIFT.message in md
    unsettled = next(line for line in lines if "quality.baselines[test]" in line)
    assert "quality.baselines[test] INCONCLUSIVE: " + UNSETTLED.message in unsettled
    assert "does not block" in unsettled
    assert "about 600 more risky rows (900 in all, has 300)" in unsettled
    # a message saying what settles it is not followed by the same figure again (trial)
    told = replace(UNSETTLED, message=UNSETTLED.message + "; settling it needs ≈ 900 risky rows")
    line = flagged_line(
        TestOutcome("suites/test_quality.py::test_baselines[test]", "passed", told.message, told)
    )
    assert line.count("900") == 1 and "does not block" in line, line
    # which setting makes it block, and its value now
    assert "[gate] block_inconclusive lists no check" in "\n".join(lines), lines


def test_a_passing_run_with_warnings_says_so_after_the_verdict():
    run = _run(_outcome("suites/test_quality.py::test_auc[test]", AUC), _outcome("d::x", DRIFT))
    lines = summary_lines(run)
    assert any("WARN" in line and DRIFT.message in line for line in lines)
    assert "1 warned" in "\n".join(lines)


def test_gate_md_lists_failures_in_root_cause_order_like_gate_html():
    md = gate_markdown(FAILING)
    failing = md.split("## Failing checks", 1)[1].split("\n## ", 1)[0]
    at = [failing.index(x) for x in ("splits.entity_overlap", "quality.recall", "promotion.vs_champion")]
    assert at == sorted(at), failing


def test_gate_md_labels_the_kind_and_unit_of_every_measured_number():
    md = gate_markdown(FAILING)
    row = next(line for line in md.splitlines() if line.startswith("| `quality.auc[test]`"))
    assert "ROC AUC" in row and "0.91" in row, row
    leak = next(line for line in md.splitlines() if line.startswith("| `splits.entity_overlap"))
    assert "26.7%" in leak, leak


def test_gate_md_never_cuts_a_message_mid_word_without_an_ellipsis():
    long = " ".join(f"feature_{i} shifted" for i in range(60))  # ~1,000 characters
    run = _run(_outcome("d::x", replace(DRIFT, message=long)))
    md = gate_markdown(run)
    for line in md.splitlines():
        if "drift.features" in line:
            cells = [c.strip() for c in line.split("|") if c.strip()]
            message = cells[-1]
            assert message == long or (message.endswith("…") and long.startswith(message[:-1].rstrip())), (
                message[-40:]
            )
            if message != long:
                assert long[len(message[:-1].rstrip())] == " "  # cut between words


def test_gate_md_names_block_inconclusive_and_its_value_where_inconclusive_results_are_listed():
    md = gate_markdown(_run(_outcome("q::b", UNSETTLED), block_inconclusive=("quality.recall",)))
    section = md.split("## Inconclusive", 1)[1].split("\n## ", 1)[0]
    assert "`[gate] block_inconclusive`" in section and "quality.recall" in section, section


def test_gate_md_links_junit_xml_only_when_it_was_written(tmp_path: Path):
    run = _run(_outcome("q::a", AUC))
    assert "junit.xml" not in gate_markdown(run, folder=tmp_path)
    (tmp_path / "junit.xml").write_text("<testsuites/>")
    assert "junit.xml" in gate_markdown(run, folder=tmp_path)


SETUP = TestOutcome(
    "sentinel preflight::[columns] label",
    "error",
    "[columns] label 'CANCELED' is not a column of data.parquet; did you mean 'CANCELLED'?",
    None,
    input_error=True,
)


def test_a_stopped_run_shows_every_note_in_gate_md_as_gate_html_does():
    """Review: on a setup error gate.md kept only the "(not checked)" notes, while gate.html
    and the terminal showed every note (e.g. a step read through pandas)."""
    from sentinel_checks.reports.html import gate_html

    unchecked = "(not checked) the engine: holding the splits not tried"
    through_pandas = "[data] the splits were made through pandas, not where the data lies"
    run = replace(_run(SETUP), notes=(unchecked, through_pandas))
    md = gate_markdown(run)
    problems, _, notes = md.partition("## Notes on this run")
    assert unchecked in problems and through_pandas not in problems, md
    assert through_pandas in notes and unchecked not in notes, md
    assert through_pandas in gate_html(run, {})
    assert "## Notes on this run" not in gate_markdown(replace(run, notes=(unchecked,)))


def test_a_stopped_run_names_the_checks_each_problem_stopped_in_gate_md():
    """Trial: DuckDB out of memory inside 13 checks gave gate.md four near-identical
    bullets ("ran out of memory in this check") naming no check."""
    oom = "[engine.duckdb] memory_limit: DuckDB ran out of memory in this check"
    stopped = [
        TestOutcome(f"suites/test_splits.py::{name}", "error", oom, None, input_error=True)
        for name in (
            "test_no_identical_rows_across_splits[train-val]",
            "test_splits_are_time_ordered[val-test]",
        )
    ]
    md = gate_markdown(_run(SETUP, *stopped))
    (line,) = [x for x in md.splitlines() if x.startswith("- [engine.duckdb]")]
    assert line.endswith(
        "(in `test_no_identical_rows_across_splits[train-val]`, `test_splits_are_time_ordered[val-test]`)"
    ), line
    (preflight_line,) = [x for x in md.splitlines() if "CANCELLED" in x]
    assert "(in " not in preflight_line  # the preflight's message names its key already


def test_a_run_with_only_setup_problems_is_a_setup_error_not_a_failed_gate():
    run = _run(SETUP)
    assert run.verdict == "setup_error"
    assert gate_document(run)["verdict"] == "setup_error"
    assert exit_code_of(run) == EXIT_USAGE
    md = gate_markdown(run)
    assert "FAILED" not in md and "not run: setup error" in md.splitlines()[0], md[:200]
    assert "CANCELLED" in md
    lines = summary_lines(run)
    assert not any("gate FAIL" in line for line in lines)
    assert any("gate not run: setup error" in line for line in lines), lines


def test_a_judged_failure_beside_a_setup_problem_is_a_failed_gate():
    run = _run(SETUP, _outcome("suites/test_splits.py::test_entity_overlap[user_id]", LEAK))
    assert run.verdict == "fail"


@pytest.mark.parametrize("verdict", ["pass", "fail", "no_checks", "setup_error"])
def test_every_verdict_has_a_heading(verdict):
    outcomes = {
        "pass": [_outcome("q::a", AUC)],
        "fail": [_outcome("s::l", LEAK)],
        "no_checks": [],
        "setup_error": [SETUP],
    }[verdict]
    run = _run(*outcomes)
    assert run.verdict == verdict
    assert gate_markdown(run).startswith("# Gradient Sentinel gate: ")


@pytest.mark.parametrize("command", [["gate"], ["status"], ["rollback"], ["monitor", "--batch", "b.csv"]])
def test_sentinel_gate_without_a_config_names_its_own_flag_and_the_files_it_looked_for(
    command, tmp_path, monkeypatch, capsys
):
    """Every ``sentinel`` command that reads a config (``gate`` and those going through
    ``cli.config_arg.config_of``) names its own flag, not the pytest plugin's."""
    from sentinel_checks.cli import main

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SENTINEL_CONFIG", raising=False)
    assert main(command) == EXIT_USAGE
    err = capsys.readouterr().err
    assert "--config" in err and "--sentinel-config" not in err, err
    assert "sentinel.toml" in err and "pyproject.toml" in err and "[tool.sentinel]" in err, err


def test_the_plugin_stopped_by_the_preflight_says_setup_error_never_gate_fail(tmp_path):
    """``pytest`` with a misspelt label: exit 2, "gate not run: setup error" in the terminal,
    gate.json and gate.md; never "gate FAIL" (a subprocess: pytester would drop the
    modules the run imports, and pyarrow refuses pandas' extension types twice)."""
    import json
    import subprocess
    import sys

    (tmp_path / "test_gate_uses_data.py").write_text(
        "def test_rows(sentinel_dataset):\n    assert len(sentinel_dataset)\n"
    )
    config = _project(tmp_path, label='"CANCELED"')
    args = ["--sentinel-config", str(config), "--sentinel-reports", "out", "-p", "no:cacheprovider"]
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "test_gate_uses_data.py", *args],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    out = proc.stdout + proc.stderr
    assert proc.returncode == 2, out
    assert "gate FAIL" not in out and "gate not run: setup error" in out, out
    assert json.loads((tmp_path / "out" / "gate.json").read_text())["verdict"] == "setup_error"
    md = (tmp_path / "out" / "gate.md").read_text()
    assert "FAILED" not in md and md.startswith("# Gradient Sentinel gate: not run: setup error"), md[:300]
    assert "did you mean 'CANCELLED'?" in md


def test_sentinel_gate_with_a_missing_config_file_names_its_own_flag(tmp_path, monkeypatch, capsys):
    from sentinel_checks.cli import main

    monkeypatch.chdir(tmp_path)
    assert main(["gate", "--config", "nope.toml"]) == EXIT_USAGE
    err = capsys.readouterr().err
    assert "nope.toml" in err and "(from --config)" in err and "--sentinel-config" not in err, err


def test_a_setup_error_report_reads_back_as_not_passed_so_promote_refuses_it():
    from sentinel_checks.gate.pytest_run import only_input_errors
    from sentinel_checks.reports.gate_json import GateReport

    report = GateReport.from_dict(gate_document(_run(SETUP)))
    assert report.verdict == "setup_error" and not report.passed
    assert only_input_errors(report)  # what run_gate maps to exit 2 for older reports too


def test_a_result_naming_its_deciding_criterion_is_shown_by_that_criterion_alone():
    """The incident demo printed "share of features drifted: measured features failing on
    their own 1 …" and "measured odds ratio 2.117 (odds ratio)": the check's usual kind
    contradicted (or repeated) the criterion that decided."""
    from sentinel_checks.reports.measures import measured_as

    features = CheckResult(
        "drift.features",
        Status.FAIL,
        "m",
        measured=1,
        limit=0,
        direction=Direction.AT_MOST,
        parameters={"criterion": "features failing on their own"},
    )
    labels = CheckResult(
        "drift.labels",
        Status.FAIL,
        "m",
        measured=2.117,
        limit=1.5,
        direction=Direction.AT_MOST,
        parameters={"criterion": "odds ratio"},
    )
    assert measured_as(features) == "features failing on their own: measured 1 · limit ≤ 0"
    assert measured_as(labels) == "odds ratio: measured 2.117 · limit ≤ 1.5"


def test_a_test_that_failed_after_recording_a_passing_result_is_a_failure_in_the_summary():
    """An extra assert in a user's suite (or a teardown error) after a passing check: the
    verdict is fail, so the summary must print the failure, not "1 passed"."""
    from sentinel_checks.reports.html_cards import bucket

    passed = CheckResult(
        "quality.auc", Status.PASS, "ok", measured=0.9, limit=0.75, direction=Direction.AT_LEAST
    )
    outcome = TestOutcome(nodeid="suites/test_quality.py::test_auc", outcome="failed", result=passed)
    assert bucket(outcome) == "fail"
    assert bucket(replace(outcome, outcome="passed")) == "pass"


def test_an_undefined_measure_reads_n_a_not_nan_percent():
    from sentinel_checks.reports.html_values import with_unit

    assert with_unit(float("nan"), "drift.features") == "n/a"
    assert with_unit(0.25, "drift.features") == "25%"


def test_a_run_that_ended_before_every_check_says_how_many_were_not_run_in_its_verdict_line():
    from sentinel_checks.gate.engine_stop import unfinished_stop

    stop = unfinished_stop(
        ["suites/test_a.py::test_b", "suites/test_a.py::test_c"], "the run was interrupted"
    )
    assert stop is not None
    lines = summary_lines(_run(_outcome("suites/test_quality.py::test_auc[test]", AUC), stop))
    assert lines[-1] == "gate FAIL: 2 checks were not run (1 error, 1 passed)"
    finished = summary_lines(_run(_outcome("suites/test_quality.py::test_auc[test]", AUC)))
    assert finished[-1] == "gate PASS (1 passed)"
    assert gate_markdown(_run(stop), Path(".")).startswith(
        "# Gradient Sentinel gate: FAILED (2 checks were not run)\n"
    )


def test_a_stopped_run_says_how_many_checks_were_not_run_in_every_report():
    """Counted from the entry's node ids (``TestOutcome.not_run``), not read from its
    message; said by the terminal (also when the stop is a setup error, exit 2), gate.md
    and gate.html."""
    from sentinel_checks.gate.engine_stop import unfinished_stop
    from sentinel_checks.reports.html import gate_html

    ids = [f"suites/test_a.py::test_{i}" for i in range(3)]
    stop = unfinished_stop(ids, "the run was interrupted")
    assert stop is not None and stop.not_run == tuple(ids)
    reworded = replace(stop, message="stopped")  # the words may change: the count does not
    run = _run(_outcome("suites/test_quality.py::test_auc[test]", AUC), reworded)
    assert run.checks_not_run == "3 checks were not run"
    assert summary_lines(run)[-1].startswith("gate FAIL: 3 checks were not run (")
    assert "id='not-run'><b>3 checks were not run</b>" in gate_html(run, {})
    setup = replace(reworded, input_error=True)  # a Spark driver that ended: exit 2
    line = summary_lines(_run(setup))[-1]
    assert line.startswith("gate not run: setup error") and line.endswith("; 3 checks were not run"), line
    assert _run(_outcome("suites/test_quality.py::test_auc[test]", AUC)).checks_not_run == ""


def test_why_tests_were_skipped_is_said_once_per_reason_before_the_verdict():
    """Trial (stop 50): production with no labels skipped 12 production checks and the
    gate passed; the reasons were only in pytest's SKIPPED lines, none in the summary."""
    no_labels = "Skipped: production has no labelled rows: production recall is not judged"
    run = _run(
        _outcome("suites/test_quality.py::test_auc[test]", AUC),
        *(
            TestOutcome(f"suites/test_quality.py::test_recall[production-{i}]", "skipped", no_labels)
            for i in range(2)
        ),
        TestOutcome(
            "suites/test_drift.py::test_segments[x]",
            "skipped",
            "Skipped: no [drift] segment_columns configured",
        ),
    )
    lines = summary_lines(run)
    assert lines[-3:-1] == [
        "not judged: production has no labelled rows: production recall is not judged (2 tests)",
        "not judged: no [drift] segment_columns configured (1 test)",
    ], lines
    assert lines[-1] == "gate PASS (1 passed, 3 skipped)"


def test_a_problem_a_check_raised_is_listed_once_above_the_setup_error_line():
    """Trial (stop 51): a candidate with NaN scores on production stopped 20 tests; the
    sentinel summary said "1 problem … (listed above)" and listed none: the message was
    only in pytest's 20 failure sections. The preflight's own problems are printed by the
    preflight, not again."""
    nan = "candidate scores on production: 1 of 683 labelled row(s) are NaN, infinite or outside [0, 1]"
    stopped = [
        TestOutcome(f"suites/test_quality.py::{name}", "failed", nan, None, input_error=True)
        for name in ("test_recall[test]", "test_recall[production]")
    ]
    lines = summary_lines(_run(*stopped))
    assert lines[:-1] == [f"  - {nan} (in test_recall[test], test_recall[production])"], lines
    assert lines[-1].startswith("gate not run: setup error: 1 problem"), lines
    assert summary_lines(_run(SETUP))[:-1] == []  # printed by the preflight already
